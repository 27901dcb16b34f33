"""Input and primitives: the sample as the user knows it, the players, and the strongest interactions on it."""

import numpy as np
import streamlit as st

from engine.sparsity import largest_strength, salient
from ui.certificate import draw_certificate
from ui.context import view_context
from ui.input_view import draw_input
from ui.state import set_focus
from ui.widgets import exports, strongest_table, teaching_note

ctx = view_context()
model, request, current = ctx.model, ctx.request, ctx.focus
teaching_note(
    "The model's output v is computed on every **masked sample** x_S: the players in S keep their value, the other "
    "players take the baseline value. With n players that is 2^n outputs. The **AND interaction** of a set S is\n\n"
    "$$I_{and}(S)=\\sum_{T\\subseteq S}(-1)^{|S|-|T|}\\,v(x_T)$$\n\n"
    "— the effect that appears only when *all* players of S are present. An **OR interaction** fires when *any* "
    "player of S is present. A few of them are strong (the *primitives*); the rest are near zero. Click a row of "
    "the table to see its players on the input."
)
result = ctx.result()
draw_certificate(result.report)
members = set(current.members()) if current is not None else set()

probabilities = model.predict(ctx.sample)
target = result.provenance.target
cols = st.columns(4)
truth = ctx.sample.label  # the true class of a bundled sample; none for the user's own input
cols[0].metric("Prediction", model.class_names[int(np.argmax(probabilities))], f"p = {probabilities.max():.3f}"
               + ("" if truth is None else f" · true: {model.class_names[truth]}"), delta_color="off")
cols[1].metric(f"v(N): {request.output} of “{model.class_names[target]}”", f"{result.v_full:.3f}")
cols[2].metric("v(∅): all players masked", f"{result.v_empty:.3f}")
sal = salient(result)
cols[3].metric("Salient interactions", f"{sal.count}", f"of {sal.total} ({100 * sal.share:.1f} %)", delta_color="off")
largest = largest_strength(result)
if largest < 1e-3 * max(1.0, abs(result.v_full)):
    st.info(f"Masking these players hardly changes the output (the largest |I| is {largest:.1e}), as in an "
            "untrained model: every interaction is near zero, and “salient” is only relative to that noise.")

left, right = st.columns([1, 1])
with left:
    st.subheader("The sample")
    draw_input(ctx, members, "input-image", current.kind if current else "AND")
    if model.modality == "text":
        st.caption("Underlined words are the players; highlighted words belong to the focused interaction.")
    if current is not None:
        st.info(f"Focused: **{current.kind} {result.label(current.index)}**, I = {result.value(current):+.4f}")
with right:
    st.subheader("Strongest interactions")
    picked = strongest_table(result, "top-table")
    if picked is not None and picked != current:
        set_focus(picked)
        st.rerun()
exports(result, None, f"interactions-{request.model_id}-{request.sample_id[:24]}")
