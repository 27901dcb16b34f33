"""Presentation mode: the main area's charts, text, metrics and tables SCALE times larger, for projectors.

Metric and text sizes are set from Streamlit's defaults times SCALE, so the browser reports the larger font size.
Data frames are drawn on a canvas whose font no style reaches, so their containers are zoomed as a whole
(the frame inside then lays itself out in the zoomed container's smaller width, and fits). Charts get explicit
font sizes (:func:`enlarge`): Streamlit's Plotly theme writes its own sizes into the figure's template, per axis,
which a figure-wide font size does not override.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

SCALE = 1.5
MAIN = '[data-testid="stMain"]'
DEFAULT_REM = {  # Streamlit 1.67's sizes (rem) of what presentation mode enlarges; later rules win, so text first
    f'{MAIN} [data-testid="stMarkdownContainer"] p, {MAIN} [data-testid="stMarkdownContainer"] li': 1.0,
    f'{MAIN} [data-testid="stCaptionContainer"], {MAIN} [data-testid="stCaptionContainer"] p': 0.875,
    f'{MAIN} [data-testid="stTable"] td, {MAIN} [data-testid="stTable"] th': 0.875,
    f'{MAIN} [data-testid="stMetricValue"], {MAIN} [data-testid="stMetricValue"] p': 2.25,
    f'{MAIN} [data-testid="stMetricLabel"] p': 0.875,
    f'{MAIN} [data-testid="stMetricDelta"], {MAIN} [data-testid="stMetricDelta"] p': 0.875,
}


PLOTLY_PX = {"tick": 12, "axis": 14, "title": 16}  # Streamlit 1.67's Plotly theme: fontSizes twoSm, sm, md


def enlarge(fig: go.Figure) -> go.Figure:
    """Every text of the figure SCALE times the size Streamlit's theme (or the figure itself) gives it."""
    tick, axis, title = (SCALE * PLOTLY_PX[key] for key in ("tick", "axis", "title"))
    fig.update_layout(font_size=tick, title_font_size=title, title_subtitle_font_size=tick, legend_font_size=tick,
                      legend_title_font_size=tick, hoverlabel_font_size=tick)
    for axes in (fig.update_xaxes, fig.update_yaxes):
        axes(tickfont_size=tick, title_font_size=axis)
    fig.update_traces(colorbar_tickfont_size=tick, selector=dict(type="heatmap"))
    for note in fig.layout.annotations:
        note.font.size = SCALE * (note.font.size or PLOTLY_PX["tick"])
    return fig


def style() -> str:
    """The CSS of presentation mode."""
    rules = [f"{selector} {{ font-size: {SCALE * rem:g}rem !important; }}" for selector, rem in DEFAULT_REM.items()]
    frame = f'{MAIN} [data-testid="stElementContainer"]:has([data-testid="stDataFrame"])'
    rules.append(f"{frame} {{ zoom: {SCALE:g}; }}")
    for inner in ('[data-testid="stDataFrame"]', '[data-testid="stDataFrame"] > div'):  # sized in screen pixels
        rules.append(f"{frame} {inner} {{ width: 100% !important; }}")
    return "\n".join(rules)


def presentation_mode(on: bool) -> None:
    """Apply presentation mode's style to this run when ``on``."""
    if on:
        st.html(f"<style>{style()}</style>")
