"""Plotly figures of the training-dynamics view: pure functions of a :class:`engine.dynamics.Trajectory`.

Epochs go on a log axis (the first phase takes a few epochs, the second hundreds); epoch 0 sits at 0.5 and is
labelled 0.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.dynamics import Trajectory, ratio_curves

from .figures import BLUE, GREY, ORANGE, PINK, layout

THEORY_NAME = "theory (approximation of Ren et al. 2024)"
EPOCH_ZERO_AT = 0.5


def epoch_axis(epochs) -> np.ndarray:
    """Epochs as x positions on a log axis (0 → 0.5)."""
    return np.maximum(np.asarray(epochs, dtype=float), EPOCH_ZERO_AT)


def _log_epoch_axis(fig: go.Figure, last: int, **where) -> None:
    ticks = [t for t in (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if t <= last]
    fig.update_xaxes(type="log", tickvals=epoch_axis(ticks), ticktext=[str(t) for t in ticks], **where)


def _mark_phases(fig: go.Figure, trajectory: Trajectory, **where) -> None:
    """Vertical lines at the over-fitting onset (loss gap) and the high-order turning point (interactions)."""
    fig.add_vline(x=epoch_axis([trajectory.onset])[0], line_dash="dash", line_color=PINK, **where)
    fig.add_vline(x=epoch_axis([trajectory.turning_point])[0], line_dash="dot", line_color=GREY, **where)


def phase_legend(trajectory: Trajectory) -> str:
    return (f"pink dashed line: loss gap starts to grow (epoch {trajectory.onset}); grey dotted line: fewest "
            f"high-order interactions (epoch {trajectory.turning_point})")


def distribution_figure(trajectory: Trajectory, index: int, normalise: str) -> go.Figure:
    """I_real^(k) (bars) and I_theo^(k) at the fitted σ² (line) at one checkpoint, with the y axis fixed over epochs."""
    real, theory = trajectory.normalised("real", normalise), trajectory.normalised("theory", normalise)
    orders = np.arange(1, trajectory.n + 1)
    fig = go.Figure()
    fig.add_trace(go.Bar(x=orders, y=real[index], name="real I^(k)", marker_color=BLUE))
    fig.add_trace(go.Scatter(x=orders, y=theory[index], mode="lines+markers", name=THEORY_NAME,
                             line=dict(color=ORANGE, dash="dash"), marker=dict(symbol="diamond", size=8)))
    title = f"Epoch {trajectory.epochs[index]}: strength per order (fitted σ² = {trajectory.sigma2[index]:.3g})"
    layout(fig, title, "order k", "I^(k)" + (" / max" if normalise == "max" else ""))
    fig.update_yaxes(range=[0, 1.05 * max(real.max(), theory.max())])
    return fig


def small_multiples_figure(trajectory: Trajectory, normalise: str, panels: int = 8, columns: int = 4) -> go.Figure:
    """One panel per checkpoint for ``panels`` checkpoints evenly spread over training (real bars, theory line),
    same axes everywhere: for slides."""
    indices = sorted(set(np.linspace(0, len(trajectory.epochs) - 1, panels).round().astype(int).tolist()))
    real, theory = trajectory.normalised("real", normalise), trajectory.normalised("theory", normalise)
    rows = -(-len(indices) // columns)
    fig = make_subplots(rows=rows, cols=columns, shared_xaxes=True, shared_yaxes=True,
                        subplot_titles=[f"epoch {trajectory.epochs[i]}" for i in indices],
                        vertical_spacing=0.12, horizontal_spacing=0.03)
    orders = np.arange(1, trajectory.n + 1)
    for panel, i in enumerate(indices):
        row, col = panel // columns + 1, panel % columns + 1
        first = panel == 0
        fig.add_trace(go.Bar(x=orders, y=real[i], marker_color=BLUE, name="real I^(k)", showlegend=first,
                             legendgroup="real"), row=row, col=col)
        fig.add_trace(go.Scatter(x=orders, y=theory[i], mode="lines", line=dict(color=ORANGE, dash="dash"),
                                 name=THEORY_NAME, showlegend=first, legendgroup="theory"), row=row, col=col)
    layout(fig, "Strength per order over training (order k across, I^(k) up)", "", "")
    fig.update_yaxes(range=[0, 1.05 * max(real[indices].max(), theory[indices].max())])
    fig.update_layout(height=260 * rows + 120, legend=dict(orientation="h", yanchor="top", y=-0.08, x=0))
    return fig


def loss_figure(trajectory: Trajectory) -> go.Figure:
    """Train loss, test loss and their gap over epochs, with both phase markers."""
    h = trajectory.history
    x = epoch_axis([r["epoch"] for r in h])
    train = np.array([r["train_loss"] for r in h])
    test = np.array([r["test_loss"] for r in h])
    fig = go.Figure()
    for name, y, colour, dash in (("train loss", train, BLUE, "solid"), ("test loss", test, ORANGE, "solid"),
                                  ("gap (test − train)", test - train, PINK, "dot")):
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=name, line=dict(color=colour, dash=dash, width=3)))
    _mark_phases(fig, trajectory)
    layout(fig, "Loss over training", "epoch (log scale)", "cross-entropy")
    _log_epoch_axis(fig, h[-1]["epoch"])
    return fig


def sigma2_figure(trajectory: Trajectory) -> go.Figure:
    """The fitted σ² per checkpoint (log axis; σ² = 0 drawn at the bottom of the grid)."""
    floor = 1e-4
    fig = go.Figure(go.Scatter(x=epoch_axis(trajectory.epochs), y=np.maximum(trajectory.sigma2, floor),
                               mode="lines+markers", name="fitted σ²", line=dict(color=ORANGE),
                               customdata=trajectory.sigma2, hovertemplate="σ² = %{customdata:.3g}<extra></extra>"))
    _mark_phases(fig, trajectory)
    layout(fig, "Fitted noise σ² per checkpoint (theory predicts it falls in phase 2)", "epoch (log scale)", "σ²")
    _log_epoch_axis(fig, trajectory.epochs[-1])
    fig.update_yaxes(type="log", exponentformat="power")
    return fig


RATIO_GRID = np.geomspace(1e-3, 10, 25)  # σ² values of the ratio figure


def ratio_figure(trajectory: Trajectory, sigma2: np.ndarray = RATIO_GRID) -> go.Figure:
    """r^(k) against σ² for each k (log-log) for the final checkpoint's outputs (:func:`engine.dynamics.ratio_curves`):
    each curve must rise (Proposition 1)."""
    ratios = ratio_curves(trajectory.final_target, sigma2)
    fig = go.Figure()
    for k in range(ratios.shape[1]):
        fig.add_trace(go.Scatter(x=sigma2, y=ratios[:, k], mode="lines", name=f"k = {k + 1}"))
    layout(fig, "Low- over high-order strength r^(k) against σ²", "σ²", "r^(k)",
            legend=dict(orientation="v", x=1.02, y=1))
    fig.update_xaxes(type="log", exponentformat="power")
    fig.update_yaxes(type="log", exponentformat="power")
    return fig
