"""Plotly figures of the shared-vs-distinctive view: pure functions of the models' results and
:mod:`engine.generalizable` metrics."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.generalizable import NOT_SALIENT, SharedStrength, TransferCurve
from engine.interaction import Interaction
from engine.result import InteractionResult

from .figures import BLUE, GREEN, GREY, ORANGE, PINK, layout, line_figure

GROUP_STYLE = {"shared": (GREEN, "circle"), "A only": (BLUE, "square"), "B only": (ORANGE, "diamond"),
               NOT_SALIENT: (GREY, "circle-open")}
LOG_FLOOR = 1e-9  # added to |I| so that an interaction zero in one model still has a place on the log axes


def transfer_figure(ks: np.ndarray, curves: dict[str, tuple[TransferCurve, str]]) -> go.Figure:
    """s_and (solid) and s_or (dashed, where defined) against k for each way of extracting: {name: (curve, colour)}."""
    series = {f"s_and, {name}": (c.s_and, colour, "solid") for name, (c, colour) in curves.items()}
    series |= {f"s_or, {name}": (c.s_or, colour, "dash") for name, (c, colour) in curves.items()
               if not np.all(np.isnan(c.s_or))}
    return line_figure(ks, series, "Transferability against k", "k (top-k per model)", "s")


def scatter_figure(results: list[InteractionResult], group_of: dict[Interaction, str], titles: list[str]) -> go.Figure:
    """|I_A| against |I_B| (log-log) for every interaction nonzero in either model, one trace per group;
    customdata is the interaction's string form, so a click focuses it."""
    a, b = results
    everything = [Interaction(kind, index) for kind in a.kinds for index in range(1, a.v.size)]
    fig = go.Figure()
    for label, (colour, symbol) in GROUP_STYLE.items():
        keys = [k for k in everything
                if group_of.get(k, NOT_SALIENT) == label and max(abs(a.value(k)), abs(b.value(k))) > 0]
        fig.add_trace(go.Scatter(
            x=[abs(a.value(k)) + LOG_FLOOR for k in keys], y=[abs(b.value(k)) + LOG_FLOOR for k in keys],
            mode="markers", name=label, text=[f"{k.kind} {a.label(k.index)}" for k in keys],
            customdata=[str(k) for k in keys], marker=dict(color=colour, symbol=symbol, size=7),
            hovertemplate="%{text}<br>|I_A| = %{x:.3g}, |I_B| = %{y:.3g}<extra>" + label + "</extra>"))
    layout(fig, "|I| in model A against model B (click a point to draw it on the input)",
            f"|I| · {titles[0]}", f"|I| · {titles[1]}")
    fig.update_xaxes(type="log")
    return fig.update_yaxes(type="log")


def shared_strength_figure(strength: SharedStrength, title: str) -> go.Figure:
    """All± and Shared± salient strength per order (Chen Fig. 4): positive up, negative down and hatched."""
    fig = go.Figure()
    for name, group, colour, positive, negative in (("all", "all", BLUE, strength.all_positive, strength.all_negative),
                                                    ("shared", "shared", PINK, strength.shared_positive,
                                                     strength.shared_negative)):
        fig.add_trace(go.Bar(x=strength.orders, y=positive, name=f"{name} +", marker_color=colour, offsetgroup=group))
        fig.add_trace(go.Bar(x=strength.orders, y=negative, name=f"{name} −", marker_color=colour,
                             marker_pattern_shape="/", offsetgroup=group))
    return layout(fig, f"Shared/All per order · {title}", "order", "Σ I over salient S", barmode="relative")
