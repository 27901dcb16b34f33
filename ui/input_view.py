"""The sample drawn as the user knows it (image with patches, photo with superpixels, sentence with words, table
row), players marked."""

from __future__ import annotations

import numpy as np
import streamlit as st

from .context import ViewContext
from .figures import image_figure, text_html
from .figures_photo import photo_figure
from .widgets import chart


def _compact(fig, height: int):
    """The figure small, for lists of primitives."""
    fig.update_layout(height=height, margin=dict(t=0, l=0, r=0, b=0))
    return fig.update_annotations(font_size=8)


def draw_input(ctx: ViewContext, members: set[int], key: str, kind: str = "AND", compact: bool = False) -> None:
    """Draw the context's sample with its players marked and the players at positions ``members`` highlighted.

    ``kind`` ("AND" or "OR") picks the highlight style; ``compact`` draws a small version for lists of primitives.
    """
    candidates, players, data = ctx.candidates, ctx.player_ids, ctx.sample.data
    if ctx.model.modality == "photo":
        fig = photo_figure(data.pixels, data.segments, [c.label for c in candidates], players, members, kind)
        chart(_compact(fig, 260) if compact else fig, key, f"the photo with the players of this {kind} interaction "
                                                          "tinted")
        if not compact:
            p = ctx.model.predict(ctx.sample)
            st.caption("The network's top classes: " + " · ".join(
                f"{ctx.model.class_names[c]} ({p[c]:.2f})" for c in np.argsort(-p)[:3]) + ". Washed-out regions "
                "are not players: they keep their pixels in every masked photo.")
    elif ctx.model.modality == "image":
        side = int(np.sqrt(np.asarray(data).size))  # a 28×28 digit is drawn taller: readable on a projector
        fig = image_figure(data, {c.label: c.units for c in candidates}, players, members,
                           [c.label for c in candidates], kind, height=420 if side <= 8 else 600)
        chart(_compact(fig, 200) if compact else fig, key, f"the digit with the players of this {kind} interaction "
                                                           "filled")
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
