"""Sparsity: sorted interaction strengths on a log axis with the salient threshold."""

import streamlit as st

from engine.sparsity import TAU_RATIO, salient
from ui.compute import and_only_for, result_for
from ui.figures import BLUE, GREY, line_figure, log_axis, sparsity_figure
from ui.state import current_selection, focus
from ui.widgets import chart, exports, teaching_note

selection = current_selection()
request = selection.request
st.title("Sparsity")
teaching_note(
    "Every interaction's strength |I(S)|, sorted from strongest to weakest, on log axes. A **salient** interaction "
    f"has |I(S)| > τ with τ = {TAU_RATIO}·max|I| (dotted line). A sparse model has a short head above the line and "
    "a long tail of near-zero noise. The dashed curve is the plain AND-only Harsanyi decomposition of the same "
    "outputs (each value counted twice so that both curves have 2·(2^n−1) entries, as in Chen et al. 2024): the "
    "AND-OR decomposition is usually sparser. **Click a point** to focus that interaction on every page."
)
result = result_for(request)
reference = and_only_for(request) if result.method != "and" else None
normalise = st.toggle("Normalise by the strongest interaction (ICML'23 style)", key="sparsity-normalise")
sal = salient(result)
cols = st.columns(3)
cols[0].metric("Salient interactions", sal.count)
cols[1].metric("Share of all", f"{100 * sal.share:.2f} %")
cols[2].metric("Threshold τ", f"{sal.tau:.3g}")
current = focus(result.n)
fig = sparsity_figure(result, reference, sal.tau, normalise, f"{current[0]}:{current[1]}" if current else None)
chart(fig, "sparsity-curve", "sorted interaction strengths on a log scale", selectable=True)
zeros = sal.total - len(fig.data[0].x)
if zeros:
    st.caption(f"{zeros} interactions are exactly zero and are not drawn on the log axis.")
if reference is not None:
    st.caption(f"Salient with AND only: {salient(reference).count}; with AND-OR: {sal.count}. "
               f"L1 norm: AND only {result.solver.get('and_only_loss', float('nan')):.3g}, "
               f"half/half split {result.solver.get('half_half_loss', float('nan')):.3g}, "
               f"optimised AND-OR {result.solver.get('loss', float('nan')):.3g} ({result.solver.get('solver')}).")
report = result.solver
if report.get("solver") == "pdhg" and report.get("curve"):
    with st.expander(f"AND-OR solver: PDHG, {report['iterations']:,} iterations, {report['seconds']:.1f} s"):
        iterations, losses = zip(*report["curve"])
        curve = line_figure(list(iterations), {"L1 of the iterate": (list(losses), BLUE, "solid")},
                            "Convergence of the AND-OR solve", "iteration", "‖I_and‖₁ + ‖I_or‖₁")
        curve.add_hline(y=report["loss"], line_dash="dot", line_color=GREY, annotation_text="best (returned)")
        log_axis(curve)
        chart(curve, "sparsity-solver", "L1 loss of the solver's iterates")
        st.caption("PDHG runs beyond 11 players, where the exact LP is too slow; it "
                   + ("stopped when the loss no longer improved." if report.get("converged") else
                      "used all its iterations, so the optimum may be a few percent lower (3.4 % at n = 12 on a "
                      "random network, README benchmark)."))
exports(result, fig, "sparsity")
