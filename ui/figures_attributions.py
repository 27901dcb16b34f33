"""Figures of the attributions view: stacked per-interaction shares of each player's value, pairwise indices."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.attributions import Shares

from .figures import GREY, layout

SHOWN_TERMS = 8  # the strongest terms get their own colour; the rest are summed per kind
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
OTHER = "#DDDDDD"
PATTERNS = {"AND": "", "OR": "/", "noise": "."}


def shares_figure(found: Shares) -> go.Figure:
    """One horizontal bar per player, stacked from its shares of the strongest interactions (AND solid, OR hatched),
    the rest summed as "other AND" / "other OR" (light grey), the noise −q dotted grey; a black diamond marks the
    value itself."""
    strength = np.abs(found.shares).sum(axis=0)
    named = [j for j in np.argsort(-strength) if found.kinds[j] != "noise"][:SHOWN_TERMS]
    fig = go.Figure()
    for colour, j in zip(PALETTE, named):
        fig.add_trace(go.Bar(y=found.players, x=found.shares[:, j], orientation="h", name=found.terms[j],
                             marker_color=colour, marker_pattern_shape=PATTERNS[found.kinds[j]],
                             hovertemplate=f"{found.terms[j]}<br>%{{y}}: %{{x:.4g}}<extra></extra>"))
    for kind in ("AND", "OR", "noise"):
        rest = [j for j, k in enumerate(found.kinds) if k == kind and j not in named]
        if rest:
            name = found.terms[rest[0]] if kind == "noise" else f"other {kind} ({len(rest)})"
            fig.add_trace(go.Bar(y=found.players, x=found.shares[:, rest].sum(axis=1), orientation="h", name=name,
                                 marker_color=GREY if kind == "noise" else OTHER, marker_pattern_shape=PATTERNS[kind],
                                 hovertemplate=f"{name}<br>%{{y}}: %{{x:.4g}}<extra></extra>"))
    fig.add_trace(go.Scatter(y=found.players, x=found.values, mode="markers", name=f"{found.index} value",
                             marker=dict(symbol="diamond", size=11, color="black"),
                             hovertemplate=f"{found.index} value of %{{y}}: %{{x:.4g}}<extra></extra>"))
    layout(fig, f"{found.index} value of each player, split into its shares of the interactions",
            f"share of the {found.index} value", "", barmode="relative",
            height=max(320, 120 + 34 * len(found.players)))
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def pairs_figure(matrix: np.ndarray, players: list[str], title: str) -> go.Figure:
    """A symmetric heatmap of a pairwise index, diverging around 0."""
    top = float(np.abs(matrix).max(initial=0.0)) or 1.0
    fig = go.Figure(go.Heatmap(z=matrix, x=players, y=players, colorscale="RdBu_r", zmin=-top, zmax=top,
                               hovertemplate="%{y} × %{x}: %{z:.4g}<extra></extra>"))
    layout(fig, title, "", "", height=max(320, 100 + 30 * len(players)))
    fig.update_yaxes(type="category", autorange="reversed")
    return fig.update_xaxes(type="category")
