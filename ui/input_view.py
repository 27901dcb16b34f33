"""The sample drawn as the user knows it (image with patches, sentence with words, table row), players marked."""

from __future__ import annotations

import numpy as np
import streamlit as st

from .context import ViewContext
from .figures import image_figure, text_html
from .widgets import chart


def draw_input(ctx: ViewContext, members: set[int], key: str, kind: str = "AND", compact: bool = False) -> None:
    """Draw the context's sample with its players marked and the players at positions ``members`` highlighted.

    ``kind`` ("AND" or "OR") picks the highlight style; ``compact`` draws a small version for lists of primitives.
    """
    candidates, players, data = ctx.candidates, ctx.player_ids, ctx.sample.data
    if ctx.model.modality == "image":
        patches = {c.label: c.units for c in candidates}
        fig = image_figure(data, patches, players, members, [c.label for c in candidates], kind)
        if compact:
            fig.update_layout(height=200, margin=dict(t=0, l=0, r=0, b=0))
            fig.update_annotations(font_size=8)
        chart(fig, key, f"the digit with the players of this {kind} interaction filled")
    elif ctx.model.modality == "text":
        st.html(text_html(data, [candidates[p].span for p in players], members, kind,
                          size="1rem" if compact else "1.5rem"))
    else:
        chosen = [players[m] for m in sorted(members)]
        if compact:
            st.markdown(" · ".join(f"**{candidates[i].label}** = {float(np.asarray(data)[i]):.3g}"
                                   for i in chosen) or "—")
            return
        rows = [{"feature": c.label, "value": float(np.asarray(data)[i]), "player": i in players,
                 "in focus": i in chosen} for i, c in enumerate(candidates)]
        st.dataframe(rows, hide_index=True, width="stretch", column_config={  # fixed widths: value is never cut off
            "feature": st.column_config.TextColumn("feature", width="medium"),
            "value": st.column_config.NumberColumn("value", format="%.4g", width=110),
            "player": st.column_config.CheckboxColumn("player", width="small"),
            "in focus": st.column_config.CheckboxColumn("in focus", width="small")})
