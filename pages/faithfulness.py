"""Faithfulness: the outputs on all 2^n masked samples against what the top-K interactions predict."""

import streamlit as st

from engine.faithfulness import fit, matching_curve
from engine.sparsity import salient
from ui.certificate import draw_certificate
from ui.context import view_context
from ui.figures_faithfulness import match_figure, matching_figure
from ui.widgets import chart, exports, teaching_note

ctx = view_context()
teaching_note(
    "Keep only the K strongest interactions Ω and predict the output of every masked sample:\n\n"
    "$$v_\\Omega(x_T)=v(x_\\emptyset)+\\sum_{S\\subseteq T,\\,S\\in\\Omega_{and}}I_{and}(S)+"
    "\\sum_{S\\cap T\\neq\\emptyset,\\,S\\in\\Omega_{or}}I_{or}(S)$$\n\n"
    "With all interactions the match is exact (up to the small bounded noise q of the AND-OR split). "
    "**Matching precision** = Σ_top|I| / (Σ_top|I| + |v(N) − v(∅) − Σ_top I|) (Chen et al., Appx M)."
)
result = ctx.result()
draw_certificate(result.report)
total = 2 * (result.v.size - 1)
k = st.slider("K (interactions kept)", 1, min(total, 300), min(salient(result).count or 1, 300), key="faith-k")
top = fit(result, k)
chart(match_figure(result, top.approx, k), "faith-match",
      "model output on every masked sample against the reconstruction")
cols = st.columns(3)
cols[0].metric("Mean |error|", f"{top.mean_abs_error:.4f}")
cols[1].metric("Max |error|", f"{top.max_abs_error:.4f}")
cols[2].metric("Explanation ratio R", f"{top.explanation_ratio:.4f}")
curve = matching_curve(result)
errors = matching_figure(curve)
chart(errors, "faith-curve", "reconstruction error and matching precision against K")
if curve.ks[0] == 0:  # K = 0 (the bias alone) has no place on the log axis: said in words
    st.caption(f"With no interaction kept (K = 0: the bias v(∅) alone) the relative error is "
               f"{curve.relative_error[0]:.3f} and the matching precision {curve.precision[0]:.3f}.")
exports(result, errors, "faithfulness")
