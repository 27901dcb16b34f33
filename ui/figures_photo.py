"""The photo with its superpixel players and the focused primitive drawn on it (a pure function, no Streamlit)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .figures import HIGHLIGHT, SKY, TEMPLATE


def _hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def _borders(segments: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Pixels of ``inside`` (a boolean mask) that touch a pixel of another segment or of the outside (4-neighbours)."""
    edge = np.zeros(segments.shape, dtype=bool)
    for axis in (0, 1):
        differs = np.diff(segments, axis=axis) != 0
        before = [slice(None), slice(None)]
        after = [slice(None), slice(None)]
        before[axis], after[axis] = slice(None, -1), slice(1, None)
        edge[tuple(before)] |= differs
        edge[tuple(after)] |= differs
    return edge & inside


def photo_figure(pixels: np.ndarray, segments: np.ndarray, labels: list[str], players: list[int],
                 highlighted: set[int], kind: str = "AND", height: int = 520) -> go.Figure:
    """The photo (H, W, 3 in [0, 1]) with the players' superpixels outlined (sky blue) and labelled, and the
    superpixels of the players at positions ``highlighted`` tinted and outlined in the focused kind's colour
    (AND: orange, OR: pink); superpixels that are not players are dimmed (they stay as they are: background)."""
    colour, _, _ = HIGHLIGHT[kind]
    image = np.asarray(pixels, dtype=np.float64) * 255.0
    is_player = np.isin(segments, players)
    focused = np.isin(segments, [players[p] for p in highlighted])
    image[~is_player] = 0.55 * image[~is_player] + 0.45 * 255.0
    image[focused] = 0.55 * image[focused] + 0.45 * _hex_rgb(colour)
    image[_borders(segments, is_player)] = _hex_rgb(SKY)
    thick = _borders(segments, focused)
    thick |= np.roll(thick, 1, 0) | np.roll(thick, 1, 1)
    image[thick & focused] = _hex_rgb(colour)
    fig = go.Figure(go.Image(z=image.round().astype(np.uint8), hoverinfo="skip"))
    for position, segment in enumerate(players):
        rows, cols = np.nonzero(segments == segment)
        on = position in highlighted
        at = np.argmin((rows - rows.mean()) ** 2 + (cols - cols.mean()) ** 2)  # the member pixel nearest the centroid
        fig.add_annotation(x=cols[at], y=rows[at], text=f"<b>{labels[segment]}</b>" if on else labels[segment],
                           showarrow=False, font=dict(size=13, color="black"),
                           bgcolor="rgba(255,255,255,0.85)", bordercolor=colour if on else SKY, borderpad=2)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(template=TEMPLATE, margin=dict(t=10, l=10, r=10, b=10), height=height)
    return fig
