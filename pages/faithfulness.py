"""Faithfulness: the outputs on all 2^n masked samples against what the top-K interactions predict."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from engine.faithfulness import explanation_ratio, matching_curve, reconstruct
from engine.sparsity import salient
from ui.compute import result_for
from ui.figures import BLUE, GREEN, ORANGE, _layout, line_figure
from ui.state import current_selection
from ui.widgets import chart, exports, teaching_note

selection = current_selection()
st.title("Faithfulness")
teaching_note(
    "Keep only the K strongest interactions Ω and predict the output of every masked sample:\n\n"
    "$$v_\\Omega(x_T)=v(x_\\emptyset)+\\sum_{S\\subseteq T,\\,S\\in\\Omega_{and}}I_{and}(S)+"
    "\\sum_{S\\cap T\\neq\\emptyset,\\,S\\in\\Omega_{or}}I_{or}(S)$$\n\n"
    "With all interactions the match is exact (up to the small bounded noise q of the AND-OR split). "
    "**Matching precision** = Σ_top|I| / (Σ_top|I| + |v(N) − v(∅) − Σ_top I|) (Chen et al., Appx M)."
)
result = result_for(selection.request)
total = 2 * (result.v.size - 1)
k = st.slider("K (interactions kept)", 1, min(total, 300), min(salient(result).count or 1, 300), key="faith-k")
approx = reconstruct(result, k)
order = np.argsort(-result.v)
fig = go.Figure()
fig.add_trace(go.Scatter(y=result.v[order], mode="lines", name="model output v(x_T)", line=dict(color=BLUE)))
fig.add_trace(go.Scatter(y=approx[order], mode="markers", name=f"top-{k} interactions",
                         marker=dict(color=ORANGE, size=4, symbol="x")))
_layout(fig, f"All {result.v.size} masked samples, sorted by output", "masked samples T (sorted)", "output")
chart(fig, "faith-match", "model output on every masked sample against the reconstruction")
cols = st.columns(3)
cols[0].metric("Mean |error|", f"{np.abs(result.v - approx).mean():.4f}")
cols[1].metric("Max |error|", f"{np.abs(result.v - approx).max():.4f}")
cols[2].metric("Explanation ratio R", f"{explanation_ratio(result, k):.4f}")
curve = matching_curve(result)
drawn = curve.ks > 0  # K = 0 (the bias alone) has no place on a log axis
errors = line_figure(curve.ks[drawn], {
    "mean |v − v_K| / |v(N) − v(∅)|": (curve.relative_error[drawn], ORANGE, "solid"),
    "matching precision": (curve.precision[drawn], GREEN, "dash")},
    "Error and matching precision against K", "K (interactions kept)", "")
errors.update_xaxes(type="log")
chart(errors, "faith-curve", "reconstruction error and matching precision against K")
if not drawn[0]:
    st.caption(f"With no interaction kept (K = 0: the bias v(∅) alone) the relative error is "
               f"{curve.relative_error[0]:.3f} and the matching precision {curve.precision[0]:.3f}.")
exports(result, errors, "faithfulness")
