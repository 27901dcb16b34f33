"""Plotly figures of the across-samples view: pure functions of an :class:`engine.across.Aggregate`.

A mean over samples is a line; its band (10th to 90th percentile over samples) a shaded area of the same colour.
Points that stand for one sample carry its id as customdata (a click opens it in the single-sample views).
"""

from __future__ import annotations

from math import comb

import numpy as np
import plotly.graph_objects as go

from engine.across import Aggregate, Band, ModelAggregate
from engine.assumptions import ValidCountBound

from .figures import BLUE, GREY, ORANGE, layout, log_axis, on_log_axis
from .figures_assumptions import bound_figure

METHOD_STYLE = {"joint": ("joint (Chen et al.)", BLUE), "alone": ("each model alone", ORANGE),
                "and_only": ("AND only (Harsanyi)", GREY)}


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def add_band(fig: go.Figure, x, band: Band, name: str, colour: str, dash: str = "solid", log: bool = False) -> None:
    """The band as a shaded area (its upper edge, then the lower edge filled up to it) and the mean as a line, one
    legend entry; on a log axis values that are zero are left out (:func:`ui.figures.on_log_axis`)."""
    scale = float(np.nanmax(band.high, initial=0.0)) if log and band.high.size else None
    shown = (lambda y: on_log_axis(y, scale)) if log else (lambda y: np.asarray(y, dtype=float))  # noqa: E731
    fig.add_trace(go.Scatter(x=x, y=shown(band.high), mode="lines", line=dict(width=0, color=colour),
                             legendgroup=name, showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=shown(band.low), mode="lines", line=dict(width=0, color=colour), fill="tonexty",
                             fillcolor=_rgba(colour, 0.18), legendgroup=name, showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=shown(band.mean), mode="lines", name=name, legendgroup=name,
                             line=dict(color=colour, dash=dash)))


def curves_figure(model: ModelAggregate) -> go.Figure:
    """Normalised sorted strengths |I| / max|I| by rank, mean and band over samples, AND-OR beside AND-only (Ren et
    al. 2024 Fig. 3 style; log axes)."""
    fig = go.Figure()
    for band, name, colour in ((model.curve_and, "AND only (Harsanyi)", GREY),
                               (model.curve_and_or, "AND-OR", BLUE)):
        add_band(fig, np.arange(1, band.mean.size + 1), band, name, colour, log=True)
    layout(fig, f"Sorted strengths over {len(model.rows)} samples (mean, 10-90 % band)", "rank", "|I| / max |I|")
    fig.update_xaxes(type="log")
    log_axis(fig)
    return fig


def class_of(model: ModelAggregate, index: int) -> str:
    """The sample's true class where known, else the class the model predicts (marked "predicted")."""
    row = model.rows[index]
    if row.label is not None and 0 <= row.label < len(model.class_names):
        return model.class_names[row.label]
    name = model.class_names[row.target] if 0 <= row.target < len(model.class_names) else str(row.target)
    return f"{name} (predicted)"


def salient_histogram(model: ModelAggregate) -> go.Figure:
    """How many samples have which salient ratio |Ω| / 2(2^n − 1) (AND-OR), with the mean dotted."""
    ratios = model.salient_ratios
    fig = go.Figure(go.Histogram(x=ratios, nbinsx=min(20, max(len(ratios), 1)), marker_color=BLUE,
                                 name="samples"))
    if ratios.size:
        fig.add_vline(x=float(ratios.mean()), line_dash="dot", line_color=GREY,
                      annotation_text=f"mean {ratios.mean():.3f}")
    return layout(fig, "Salient ratio per sample", "salient ratio |Ω| / 2(2^n − 1)", "samples", showlegend=False)


def salient_by_class_figure(model: ModelAggregate) -> go.Figure:
    """Each sample's salient ratio in a column per class (spread sideways so that equal values stay visible), the
    class mean as a bar; customdata is the sample id."""
    classes = [class_of(model, i) for i in range(len(model.rows))]
    names = sorted(set(classes))
    position = {name: i for i, name in enumerate(names)}
    ratios = model.salient_ratios
    spread = np.array([((i % 7) - 3) * 0.05 for i in range(len(classes))])
    fig = go.Figure()
    fig.add_trace(go.Bar(x=list(range(len(names))), y=[ratios[[c == name for c in classes]].mean() for name in names],
                         marker_color=_rgba(BLUE, 0.25), name="class mean", width=0.6))
    fig.add_trace(go.Scatter(
        x=[position[c] for c in classes] + spread, y=ratios, mode="markers", name="sample",
        marker=dict(color=BLUE, size=8), customdata=[r.sample_id for r in model.rows],
        text=[r.title for r in model.rows], hovertemplate="%{text}<br>salient ratio %{y:.3f}<extra></extra>"))
    layout(fig, "Salient ratio by class (click a point to open the sample)", "class", "salient ratio")
    return fig.update_xaxes(tickvals=list(range(len(names))), ticktext=names)


def order_box_figure(model: ModelAggregate) -> go.Figure:
    """Per order k, the box over samples of I^(k) / Σ_k I^(k) (AND-OR), with the mean share of high orders
    (k > n/2) in the subtitle."""
    fig = go.Figure()
    shares = model.order_share
    for k in range(shares.shape[1]):
        fig.add_trace(go.Box(y=shares[:, k], name=str(k + 1), marker_color=BLUE, boxpoints=False,
                             showlegend=False))
    high = np.mean([r.high_order_share for r in model.rows]) if model.rows else np.nan
    title = {"text": "Share of strength per order over samples",
             "subtitle": {"text": f"high orders (k > n/2) hold {high:.0%} of the strength on average"}}
    return layout(fig, title, "order k", "I^(k) / Σ I^(k)")


def assumption_rates_figure(model: ModelAggregate) -> go.Figure:
    """How often each sufficient condition holds over the samples (Ren et al. 2024), and how often the real R^(k)
    stays under Theorem 3's bound (among samples with a bound)."""
    rates = model.rates()
    labels = {"high_orders_vanish": "1 · no valid interaction of order n", "monotone": "2 · ū^(m) monotone",
              "polynomial": "3 · polynomial decrease (p > 0)", "bound_holds": "R^(k) ≤ bound (Theorem 3)"}
    values = [rates[key] for key in labels]
    fig = go.Figure(go.Bar(x=values, y=list(labels.values()), orientation="h", marker_color=BLUE,
                           text=["–" if np.isnan(v) else f"{v:.0%}" for v in values], textposition="outside"))
    layout(fig, f"Assumptions over {len(model.rows)} samples", "share of samples where it holds", "",
           showlegend=False)
    fig.update_yaxes(autorange="reversed")  # read top-down in the order of the paper
    return fig.update_xaxes(range=[0, 1.15], tickformat=".0%")


def p_figure(model: ModelAggregate) -> go.Figure:
    """The fitted p of assumption 3 per sample (samples where it cannot be fitted left out; non-monotone ones
    hollow), the mean over the monotone samples dotted and ± one standard deviation shaded (Ren et al. fit p on
    monotone samples only: :meth:`engine.across.ModelAggregate.p_summary`); customdata is the sample id."""
    rows = [r for r in model.rows if r.p is not None]
    mean, std, count = model.p_summary()
    fig = go.Figure(go.Scatter(x=[r.sample_id for r in rows], y=[r.p for r in rows], mode="markers",
                               marker=dict(color=ORANGE, size=8, symbol=["circle" if r.monotone else "circle-open"
                                                                         for r in rows]),
                               customdata=[r.sample_id for r in rows], text=[r.title for r in rows],
                               hovertemplate="%{text}<br>p = %{y:.3f}<extra></extra>", name="fitted p"))
    if count:
        fig.add_hrect(y0=mean - std, y1=mean + std, fillcolor=_rgba(ORANGE, 0.12), line_width=0)
        fig.add_hline(y=mean, line_dash="dot", line_color=GREY, annotation_text=f"mean {mean:.2f} ± {std:.2f}")
    title = (f"Fitted p per sample ({len(rows)} of {len(model.rows)} samples can be fitted; mean over the {count} "
             "monotone ones, the others hollow)")
    return layout(fig, title, "sample", "p", showlegend=False)


def mean_bound_figure(model: ModelAggregate) -> go.Figure:
    """R^(k) and Theorem 3's bound averaged over the samples that have a bound, against C(n, k)
    (:func:`ui.figures_assumptions.bound_figure` of the means)."""
    real, bound = model.bound_means()
    n = max((r.n for r in model.rows), default=0)
    orders = np.arange(1, real.size + 1)
    mean_p = model.p_summary()[0]
    fig = bound_figure(ValidCountBound(orders, real, np.where(np.isnan(bound), np.inf, bound),
                                       np.array([comb(n, int(k)) for k in orders]), mean_p, None, np.nan))
    return fig.update_layout(title="Valid interactions per order, averaged over samples")


def transfer_band_figure(found: Aggregate) -> go.Figure:
    """s_and (solid) and s_or (dashed) against k, mean and band over samples, for the joint extraction, each model
    alone and AND-only (Chen et al. 2024 Fig. 3)."""
    tr = found.transferability
    fig = go.Figure()
    for method, (name, colour) in METHOD_STYLE.items():
        add_band(fig, tr.k, tr.band(method, "s_and"), f"s_and, {name}", colour)
        s_or = tr.band(method, "s_or")
        if not np.all(np.isnan(s_or.mean)):
            add_band(fig, tr.k, s_or, f"s_or, {name}", colour, dash="dash")
    layout(fig, f"Transferability against k over {len(found.sample_ids)} samples (mean, 10-90 % band)",
           "k (top-k per model)", "s")
    return fig.update_yaxes(range=[0, 1.02])
