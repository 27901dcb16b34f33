"""Sparsity: sorted interaction strengths on a log axis with the salient threshold."""

import streamlit as st

from engine.and_or import exact_max_players
from engine.sparsity import TAU_RATIO, salient, zero_count
from ui.certificate import draw_certificate
from ui.context import view_context
from ui.figures import solver_figure, sparsity_figure
from ui.widgets import chart, exports, teaching_note

ctx = view_context()
teaching_note(
    "Every interaction's strength |I(S)|, sorted from strongest to weakest, on log axes. A **salient** interaction "
    f"has |I(S)| > τ with τ = {TAU_RATIO}·max|I| (dotted line). A sparse model has a short head above the line and "
    "a long tail of near-zero noise. The dashed curve is the plain AND-only Harsanyi decomposition of the same "
    "outputs (each value counted twice so that both curves have 2·(2^n−1) entries, as in Chen et al. 2024): the "
    "AND-OR decomposition is usually sparser. **Click a point** to focus that interaction on every page."
)
result = ctx.result()
draw_certificate(result.report)
reference = ctx.result(method="and") if result.has_or else None
normalise = st.toggle("Normalise by the strongest interaction (ICML'23 style)", key="sparsity-normalise")
sal = salient(result)
cols = st.columns(3)
cols[0].metric("Salient interactions", sal.count)
cols[1].metric("Share of all", f"{100 * sal.share:.2f} %")
cols[2].metric("Threshold τ", f"{sal.tau:.3g}")
fig = sparsity_figure(result, reference, sal.tau, normalise, ctx.focus)
chart(fig, "sparsity-curve", "sorted interaction strengths on a log scale", selectable=True)
zeros = zero_count(result)
if zeros:
    st.caption(f"{zeros:,} interactions are exactly zero and are not drawn on the log axis.")
report = result.report
if reference is not None and report is not None:
    st.caption(f"Salient with AND only: {salient(reference).count}; with AND-OR: {sal.count}. "
               f"L1 norm: AND only {report.and_only_loss:.3g}, half/half split {report.half_half_loss:.3g}, "
               f"optimised AND-OR {report.loss:.3g} ({report.solver}).")
if report is not None and report.curve:
    with st.expander(f"AND-OR solver: PDHG, {report.iterations:,} iterations, {report.seconds:.1f} s"):
        chart(solver_figure(report), "sparsity-solver", "the best loss and the certified lower bound per check")
        why = (f"The exact LP was not run: it needs {report.exact_skipped}." if report.exact_skipped
               else f"The first-order solver runs beyond {exact_max_players(1)} players, where the exact LP is too slow.")
        st.caption(f"{why} Its loss (the best split so far) can only fall and its certified lower bound only rise; the "
                   "optimum lies between them.")
exports(result, fig, "sparsity")
