"""Small drawing helpers shared by the pages: charts with export, teaching notes, linked selection."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from engine.interaction import Interaction
from engine.result import InteractionResult

from .presentation import enlarge
from .state import set_focus


def teaching_note(markdown: str) -> None:
    """A collapsible plain-language explanation with the formula the view shows."""
    with st.expander("What am I looking at?", expanded=False):
        st.markdown(markdown)


def chart(fig: go.Figure, key: str, alt: str, selectable: bool = False) -> None:
    """Draw a figure (larger fonts in presentation mode); a click on a point with customdata focuses it everywhere."""
    if st.session_state.get("present"):
        enlarge(fig)
    image_format = st.session_state.get("image_format", "svg")
    scale = 3 if image_format == "png" else 1
    config = {"toImageButtonOptions": {"format": image_format, "filename": key, "scale": scale}, "displaylogo": False}
    if not selectable:
        st.plotly_chart(fig, key=key, config=config, width="stretch")
        return
    event = st.plotly_chart(fig, key=key, config=config, on_select="rerun", selection_mode=("points",),
                            width="stretch")
    points = (event or {}).get("selection", {}).get("points", [])
    picked = [p.get("customdata") for p in points if isinstance(p.get("customdata"), str)]
    if picked and picked[0] != st.session_state.get("focus"):
        set_focus(Interaction.parse(picked[0]))
        st.rerun()
    st.caption(f"Chart: {alt}. Toolbar: download as {image_format.upper()}; hover for values.")


def interactions_table(result: InteractionResult) -> pd.DataFrame:
    """Every nonzero interaction, strongest first (:meth:`InteractionResult.interactions`)."""
    return pd.DataFrame(result.interactions(), columns=["interaction", "kind", "index", "players", "order", "value"])


# In this order, with fixed widths (px) that sum, with the selection column, to less than the half page the table
# gets at 1400 px (about 460 px), and a short number format: the value column is never cut off, and on a phone
# (about 355 px) kind, players and value fit before the table scrolls. A long player set is shortened in its cell
# (the full set shows on hover and in the drawing).
STRONGEST_COLUMNS = {
    "kind": st.column_config.TextColumn("kind", width=60),
    "players": st.column_config.TextColumn("players", width=160),
    "value": st.column_config.NumberColumn("value", format="%+.4g", width=95),
    "order": st.column_config.NumberColumn("order", width=55),
    "sign": st.column_config.TextColumn("sign", width=45),
}


def strongest_table(result: InteractionResult, key: str, rows: int = 25) -> Interaction | None:
    """The strongest interactions as a table (kind, players, value, order, sign) with single-row selection; the
    interaction of the selected row, if one is selected."""
    table = interactions_table(result).head(rows)
    table["sign"] = np.where(table["value"] > 0, "+", "−")
    event = st.dataframe(table[list(STRONGEST_COLUMNS)], hide_index=True, width="stretch",
                         on_select="rerun", selection_mode="single-row", key=key, column_config=STRONGEST_COLUMNS)
    selected = (event or {}).get("selection", {}).get("rows", [])
    return Interaction.parse(table.iloc[selected[0]]["interaction"]) if selected else None


def exports(result: InteractionResult, fig: go.Figure | None, name: str) -> None:
    """Download the interactions as CSV, the result with provenance as JSON, and the figure as standalone HTML."""
    table_exports(interactions_table(result), None, fig, name, result.to_json)


def table_exports(table: pd.DataFrame | list[dict], provenance: dict | None, fig: go.Figure | None, name: str,
                  to_json=None) -> None:
    """Download buttons: a table as CSV, the data with its provenance as JSON, and the figure as standalone HTML."""
    frame = pd.DataFrame(table)
    to_json = to_json or (lambda: json.dumps({"provenance": provenance, "data": frame.to_dict("records")}, indent=1,
                                             default=str))
    cols = st.columns(3)
    cols[0].download_button("CSV (data)", lambda: frame.to_csv(index=False), file_name=f"{name}.csv",
                            mime="text/csv", key=f"csv-{name}", on_click="ignore")
    cols[1].download_button("JSON (with provenance)", to_json, file_name=f"{name}.json",
                            mime="application/json", key=f"json-{name}", on_click="ignore")
    if fig is not None:
        def to_html() -> str:
            buffer = io.StringIO()
            fig.write_html(buffer, include_plotlyjs=True, full_html=True)
            return buffer.getvalue()

        cols[2].download_button("Figure (HTML)", to_html, file_name=f"{name}.html", mime="text/html",
                                key=f"html-{name}", on_click="ignore")
