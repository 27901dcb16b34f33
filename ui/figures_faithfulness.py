"""Plotly figures of the faithfulness view: pure functions of a result and :mod:`engine.faithfulness` curves."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.faithfulness import MatchingCurve
from engine.result import InteractionResult

from .figures import BLUE, GREEN, ORANGE, layout, line_figure


def match_figure(result: InteractionResult, approx: np.ndarray, k: int) -> go.Figure:
    """v(x_T) on all 2^n masked samples sorted by v (line) and the top-k reconstruction v_K(x_T) (markers)."""
    order = np.argsort(-result.v)
    fig = go.Figure()
    fig.add_trace(go.Scatter(y=result.v[order], mode="lines", name="model output v(x_T)", line=dict(color=BLUE)))
    fig.add_trace(go.Scatter(y=approx[order], mode="markers", name=f"top-{k} interactions",
                             marker=dict(color=ORANGE, size=4, symbol="x")))
    return layout(fig, f"All {result.v.size} masked samples, sorted by output", "masked samples T (sorted)",
                   "output")


def matching_figure(curve: MatchingCurve) -> go.Figure:
    """Relative error mean_T |v − v_K| / |v(N) − v(∅)| and matching precision against K (log axis; K = 0 left out)."""
    drawn = curve.ks > 0
    fig = line_figure(curve.ks[drawn], {
        "mean |v − v_K| / |v(N) − v(∅)|": (curve.relative_error[drawn], ORANGE, "solid"),
        "matching precision": (curve.precision[drawn], GREEN, "dash")},
        "Error and matching precision against K", "K (interactions kept)", "")
    return fig.update_xaxes(type="log")
