"""Plotly figures of the views: pure functions from engine outputs to figures (no Streamlit, easy to test).

Colours are Okabe-Ito (colour-blind safe). Sign is never shown by colour alone: negative bars carry a hatch pattern
and negative markers are open symbols.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from engine.interaction import Interaction
from engine.result import InteractionResult, Ranking, SolverReport, is_nonzero
from engine.sparsity import largest_strength, order_statistics, sorted_strengths

BLUE, ORANGE, GREEN, PINK, YELLOW, SKY, GREY = "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#999999"
KIND_COLOURS = {"AND": BLUE, "OR": ORANGE}
TEMPLATE = "plotly_white"


def layout(fig: go.Figure, title: str | dict, x: str, y: str, **kwargs) -> go.Figure:
    """The explorer's look (title, axis titles, template, margins, the legend under the x axis: above the plot it
    wraps into the title on a phone or a narrow column), then the caller's settings."""
    fig.update_layout(title=title, xaxis_title=x, yaxis_title=y, template=TEMPLATE,
                      margin=dict(t=60, l=60, r=20, b=110), legend=dict(orientation="h", yanchor="top", y=-0.2, x=0))
    return fig.update_layout(**kwargs)  # the caller's settings win


def log_axis(fig: go.Figure, axis: str = "yaxis") -> None:
    fig.update_layout({axis: dict(type="log", dtick=1, exponentformat="power")})


def on_log_axis(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """``values`` as floats, NaN where they are zero up to rounding (:func:`engine.result.is_nonzero`): a log axis
    cannot show them, and Plotly leaves a gap at NaN instead of plunging a line towards 10^-16."""
    values = np.asarray(values, dtype=float)
    return np.where(is_nonzero(values, scale), values, np.nan)


def strength_curve(result: InteractionResult, normalise: bool) -> tuple[np.ndarray, Ranking, np.ndarray]:
    """Ranks 1, 2, …, the interactions a log axis can show (:meth:`Ranking.nonzero`) and their |I| (divided by the
    largest when ``normalise``), strongest first."""
    drawn = result.ranking().nonzero()
    values = drawn.strengths
    if normalise and values.size and values[0] > 0:
        values = values / values[0]
    return np.arange(1, len(drawn) + 1), drawn, values


def sparsity_figure(
    result: InteractionResult, and_only: InteractionResult | None, tau: float, normalise: bool,
    focus: Interaction | None,
) -> go.Figure:
    """Sorted |I| on a log axis with the salient threshold; AND-only Harsanyi overlaid for comparison; customdata
    is each interaction's string form (a click focuses it), the focused one is ringed."""
    fig = go.Figure()
    ranks, drawn, values = strength_curve(result, normalise)
    interactions = drawn.interactions()
    fig.add_trace(go.Scatter(
        x=ranks, y=values, mode="lines+markers", name="AND-OR" if result.has_or else "AND only",
        line=dict(color=BLUE), marker=dict(size=5), customdata=[str(i) for i in interactions],
        text=[f"{i.kind} {result.label(i.index)}" for i in interactions],
        hovertemplate="rank %{x}<br>%{text}<br>|I| = %{y:.3g}<extra></extra>",
    ))
    if and_only is not None and result.has_or:  # Chen Appx H: I′ = I, so both have 2·(2^n − 1) values
        reference = sorted_strengths(and_only, normalise=normalise, duplicate_and_only=True)
        reference = reference[is_nonzero(reference)]
        fig.add_trace(go.Scatter(x=np.arange(1, reference.size + 1), y=reference, mode="lines",
                                 name="AND only (Harsanyi), duplicated", line=dict(color=ORANGE, dash="dash"),
                                 hovertemplate="rank %{x}<br>|I| = %{y:.3g}<extra>AND only</extra>"))
    if focus in interactions:
        at = interactions.index(focus)
        fig.add_trace(go.Scatter(x=[ranks[at]], y=[values[at]], mode="markers", name="focused",
                                 marker=dict(size=16, symbol="circle-open", color="black", line=dict(width=3)),
                                 hoverinfo="skip"))
    top = drawn.strengths[0] if len(drawn) else 1.0  # before normalising: τ is on the same scale as |I|
    threshold = tau / (top if normalise and top else 1.0)
    fig.add_hline(y=threshold, line_dash="dot", line_color=GREY, annotation_text="salient threshold τ = 0.05·max",
                  annotation_position="top right")
    layout(fig, "Interaction strengths, strongest first", "rank", "|I(S)|" + (" / max" if normalise else ""))
    log_axis(fig)
    fig.update_xaxes(type="log", dtick="D2")  # 1, 2, 5 per decade: no stray 8 and 9 left of rank 1
    return fig


def solver_figure(report: SolverReport) -> go.Figure:
    """A first-order solve's record per check: the best loss ‖I_and‖₁ + ‖I_or‖₁ so far and the best certified lower
    bound on the optimum (log axis; a bound of 0 is left out), the returned loss dotted."""
    iterations, losses, lowers = (list(column) for column in zip(*report.curve))
    lowers = [low if low > 0 else None for low in lowers]
    fig = line_figure(iterations, {"best loss": (losses, BLUE, "solid"), "certified lower bound": (lowers, GREY, "dash")},
                      "Convergence of the AND-OR solve", "iteration", "‖I_and‖₁ + ‖I_or‖₁")
    fig.add_hline(y=report.loss, line_dash="dot", line_color=GREY, annotation_text="returned")
    log_axis(fig)
    return fig


def order_box_figure(result: InteractionResult) -> go.Figure:
    """Box of the nonzero |I(S)| per order |S|, AND and OR (if any) side by side, log axis; the subtitle counts the zeros
    left out (an LP's optimum sets most interactions to exactly zero)."""
    fig = go.Figure()
    sizes = result.orders
    top = largest_strength(result)
    zeros = total = 0
    for kind in result.kinds:
        vec = result.vector(kind)
        mask = sizes >= (1 if kind == "AND" else 2)
        mask[0] = False
        strengths = np.abs(vec[mask])
        drawn = is_nonzero(strengths, top)
        zeros, total = zeros + int((~drawn).sum()), total + drawn.size
        fig.add_trace(go.Box(x=sizes[mask][drawn], y=strengths[drawn], name=kind, marker_color=KIND_COLOURS[kind],
                             boxpoints=False))
    layout(fig, dict(text="Strength per order", subtitle=dict(text=f"nonzero only: {zeros:,} of {total:,} are zero")),
            "order |S|", "|I(S)|", boxmode="group")
    log_axis(fig)
    return fig


def order_bars_figure(result: InteractionResult) -> go.Figure:
    """Positive (up) and negative (down, hatched) strength of salient interactions per order, for AND and OR (if
    the result has an OR part): Σ max(0, I(S)) and Σ min(0, I(S)) over salient S of each order."""
    fig = go.Figure()
    for kind in result.kinds:
        stats = order_statistics(result, kind)
        colour = KIND_COLOURS[kind]
        fig.add_trace(go.Bar(x=stats.orders, y=stats.positive, name=f"{kind} positive", marker_color=colour,
                             offsetgroup=kind))
        fig.add_trace(go.Bar(x=stats.orders, y=stats.negative, name=f"{kind} negative", marker_color=colour,
                             marker_pattern_shape="/", marker_line_color="black", offsetgroup=kind))
    layout(fig, "Salient strength per order: positive up, negative down", "order |S|", "Σ I(S) over salient S",
            barmode="relative")
    return fig


def line_figure(x, series: dict[str, tuple], title: str, xlab: str, ylab: str) -> go.Figure:
    """Several marker lines on shared axes; series values are (y, colour, dash)."""
    fig = go.Figure()
    for name, (y, colour, dash) in series.items():
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=name, line=dict(color=colour, dash=dash)))
    return layout(fig, title, xlab, ylab)


HIGHLIGHT = {"AND": (ORANGE, "rgba(213,94,0,0.35)", "solid"), "OR": (PINK, "rgba(204,121,167,0.35)", "dash")}


def image_figure(image: np.ndarray, patches: dict[str, list[int]], players: list[int], highlighted: set[int],
                 labels: list[str], kind: str = "AND", height: int = 420) -> go.Figure:
    """The square grey image (8×8, 28×28, …) in a thin frame, with the player patches outlined and labelled and the
    focused interaction's patches filled (AND: orange, solid outline; OR: pink, dashed outline)."""
    colour, fill, dash = HIGHLIGHT[kind]
    image = np.asarray(image)
    side = int(round(np.sqrt(image.size)))
    fig = go.Figure(go.Heatmap(z=image.reshape(side, side)[::-1], colorscale="Greys", showscale=False,
                               hoverinfo="skip"))
    for position, player in enumerate(players):
        units = patches[labels[player]]
        rows, cols = [u // side for u in units], [u % side for u in units]
        x0, x1, y0, y1 = min(cols) - 0.5, max(cols) + 0.5, side - 1 - max(rows) - 0.5, side - 1 - min(rows) + 0.5
        on = position in highlighted
        fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1,
                      line=dict(color=colour if on else SKY, width=4 if on else 2, dash=dash if on else "dot"),
                      fillcolor=fill if on else None)
        fig.add_annotation(x=x0 + 0.1, y=y1 - 0.1, text=labels[player], showarrow=False, xanchor="left",
                           yanchor="top", font=dict(size=10 if side <= 8 else 12, color=colour if on else BLUE),
                           bgcolor="rgba(255,255,255,0.75)", borderpad=1)
    frame = dict(showticklabels=False, ticks="", showgrid=False, zeroline=False, showline=True, linecolor=GREY,
                 mirror=True)
    fig.update_xaxes(**frame)
    fig.update_yaxes(**frame, scaleanchor="x")
    fig.update_layout(template=TEMPLATE, margin=dict(t=10, l=10, r=10, b=10), height=height)
    return fig


def text_html(text: str, spans: list[tuple[int, int]], highlighted: set[int], kind: str = "AND",
              size: str = "1.5rem") -> str:
    """The sentence with the players underlined and the focused interaction's players highlighted (escaped HTML;
    AND: yellow, solid frame; OR: pink, dashed frame)."""
    background = "#E69F00" if kind == "AND" else "#CC79A7"
    out, cursor = [], 0
    for position, (start, end) in sorted(enumerate(spans), key=lambda p: p[1][0]):
        out.append(html.escape(text[cursor:start]))
        style = (f"background:{background};color:#000;border-radius:4px;padding:0 3px;font-weight:700;"
                 f"outline:2px {'solid' if kind == 'AND' else 'dashed'} #000;" if position in highlighted else "")
        out.append(f'<span style="border-bottom:3px solid #0072B2;{style}" title="player {position}">'
                   f"{html.escape(text[start:end])}</span>")
        cursor = end
    out.append(html.escape(text[cursor:]))
    return f'<div style="font-size:{size};line-height:2.2">{"".join(out)}</div>'
