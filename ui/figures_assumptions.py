"""Plotly figures of the assumptions view: pure functions of the checks in :mod:`engine.assumptions`."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.assumptions import HighOrderCheck, MonotonicityCheck, PolynomialCheck, ValidCountBound

from .figures import BLUE, GREY, ORANGE, line_figure, log_axis, on_log_axis


def orders_without_interactions(high: HighOrderCheck) -> list[int]:
    """Orders k whose every |I(S)| is an exact zero (a log axis cannot draw them: the lines stop there)."""
    strongest = on_log_axis(high.max_strength, float(np.max(high.max_strength, initial=0.0)))
    return [int(k) for k, value in zip(high.orders, strongest) if np.isnan(value)]


def high_order_figure(high: HighOrderCheck) -> go.Figure:
    """max_{|S|=k} |I(S)| and mean_{|S|=k} |I(S)| per order k (log axis, gaps at exact zeros), τ dotted."""
    top = float(np.max(high.max_strength, initial=0.0))
    fig = line_figure(high.orders, {"max |I(S)|": (on_log_axis(high.max_strength, top), BLUE, "solid"),
                                    "mean |I(S)|": (on_log_axis(high.mean_strength, top), ORANGE, "dash")},
                      "Strength per order", "order k", "|I(S)|")
    fig.add_hline(y=high.tau, line_dash="dot", line_color=GREY, annotation_text="τ")
    log_axis(fig)
    return fig


def monotonicity_figure(mono: MonotonicityCheck) -> go.Figure:
    """ū^(m) = mean of u(S) over |S| = m, with ± one standard deviation."""
    return line_figure(mono.orders, {"ū^(m)": (mono.mean, BLUE, "solid"),
                                     "ū^(m) + std": (mono.mean + mono.std, GREY, "dot"),
                                     "ū^(m) − std": (mono.mean - mono.std, GREY, "dot")},
                       "Mean output by size of the masked sample", "m = |S|", "ū^(m)")


def polynomial_figure(poly: PolynomialCheck) -> go.Figure:
    """ū^(m) against the fitted envelope m^p·ū^(1)."""
    return line_figure(poly.orders, {"ū^(m)": (poly.mean, BLUE, "solid"),
                                     "m^p · ū^(1)": (poly.envelope, ORANGE, "dash")},
                       "Fitted polynomial envelope", "m", "ū^(m)")


def bound_figure(bound: ValidCountBound) -> go.Figure:
    """Real R^(k), its bound (Theorem 3; left out where infinite) and C(n, k), log axis."""
    finite = np.where(np.isfinite(bound.bound), bound.bound, np.nan)
    fig = line_figure(bound.orders, {"real R^(k)": (bound.real, BLUE, "solid"),
                                     "bound": (finite, ORANGE, "dash"),
                                     "C(n, k): all subsets": (bound.possible, GREY, "dot")},
                      "Valid interactions per order", "order k", "count")
    log_axis(fig)
    return fig
