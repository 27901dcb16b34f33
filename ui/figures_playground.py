"""Figures of the playground: a toy game's values on every subset and the interactions of one reading of it."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.masks import subset_label
from engine.playground import SPLITS, Split, ToyGame, term_label

from .figures import GREY, KIND_COLOURS, layout


def values_figure(game: ToyGame) -> go.Figure:
    """v(S) for every subset S, in bitmask order (∅ first, N last)."""
    labels = [subset_label(m, list(game.players)) for m in range(game.v.size)]
    fig = go.Figure(go.Bar(x=labels, y=game.v, marker_color=GREY, hovertemplate="v(%{x}) = %{y:.4g}<extra></extra>"))
    layout(fig, "v(S) on every subset S (players in S = 1, the others 0)", "subset S", "v(S)", height=360)
    return fig.update_xaxes(type="category", tickangle=-45 if game.v.size > 8 else 0)


def terms_figure(found: Split) -> go.Figure:
    """The non-zero interactions of one reading, strongest on top: AND bars solid, OR bars hatched."""
    terms = list(found.terms().items())[::-1]
    fig = go.Figure()
    for kind in ("AND", "OR"):
        chosen = [(term_label(term, found.players), value) for term, value in terms if term[0] == kind]
        if chosen:
            names, values = zip(*chosen)
            fig.add_trace(go.Bar(y=list(names), x=np.array(values), orientation="h", name=kind,
                                 marker_color=KIND_COLOURS[kind], marker_pattern_shape="/" if kind == "OR" else "",
                                 hovertemplate="%{y}: %{x:.4g}<extra></extra>"))
    subtitle = (f"L1 = Σ|I| = {found.l1:.4g} · max |v − reconstruction| = {found.max_error:.2g}"
                + (f" · noise bound qthres = {found.qthres:g}" if found.qthres else ""))
    layout(fig, dict(text=f"{SPLITS[found.kind]}: {len(terms)} interactions", subtitle=dict(text=subtitle)),
            "I(S)", "", height=max(260, 60 + 28 * len(terms)), margin=dict(t=80, l=140, r=20, b=50),
            showlegend=False)  # each bar names its kind
    return fig.update_yaxes(type="category")
