"""Assumptions: the three sufficient conditions for sparse interactions, checked on this model and sample."""

import streamlit as st

from engine.assumptions import high_order_check, monotonicity_check, polynomial_check, valid_count_bound
from ui.certificate import draw_certificate
from ui.context import view_context
from ui.figures_assumptions import (
    bound_figure, high_order_figure, monotonicity_figure, orders_without_interactions, polynomial_figure,
)
from ui.widgets import chart, teaching_note

ctx = view_context()
teaching_note(
    "Ren et al. (ICLR 2024) prove that a model's AND interactions are sparse when three conditions hold, on "
    "u(S) = v(x_S) − v(x_∅):\n\n"
    "1. **No extremely high-order interactions** above some order M;\n"
    "2. **Monotonicity**: the mean output over masked samples of size m, ū^(m), does not decrease with m;\n"
    "3. **Polynomial decrease**: ū^(m′) ≥ (m′/m)^p ū^(m) for m′ ≤ m.\n\n"
    "Then the number R^(k) of valid interactions of order k is bounded by a polynomial in n "
    "(Theorem 3), far below C(n, k)."
)
result = ctx.result()
draw_certificate(result.report)


def badge(passed: bool, text: str) -> None:
    if passed:  # material icons, not emoji: Debian's chromium has no colour-emoji font
        st.success(f"**holds** — {text}", icon=":material/check_circle:")
    else:
        st.warning(f"**does not hold** — {text}", icon=":material/warning:")


high = high_order_check(result)
mono = monotonicity_check(result)
poly = polynomial_check(result)
c1, c2 = st.columns(2)
with c1:
    st.subheader("1 · High orders")
    badge(high.passed, f"no valid interaction above order M = {high.estimated_m} (of n = {result.n})." if high.passed
          else f"the top order {result.n} still has an interaction with |I| ≥ τ.")
    chart(high_order_figure(high), "assume-high", "maximum and mean interaction strength per order")
    empty = orders_without_interactions(high)
    if empty:
        st.caption(f"No interaction of order {', '.join(map(str, empty))} (every |I(S)| below 1e-9 of the largest): "
                   "a log axis cannot draw zeros, so the lines stop there.")
with c2:
    st.subheader("2 · Monotonicity")
    badge(mono.passed, "ū^(m) never decreases." if mono.passed else f"ū^(m) decreases at m = {mono.violations}.")
    chart(monotonicity_figure(mono), "assume-mono", "mean output by number of present players with its spread")
c3, c4 = st.columns(2)
with c3:
    st.subheader("3 · Polynomial decrease")
    if poly.p is None:
        badge(False, "p cannot be fitted: ū^(1) or some ū^(m) is not positive.")
    else:
        badge(poly.passed, f"fitted p = {poly.p:.3f} (ū^(m) ≤ m^p·ū^(1) for every m).")
        chart(polynomial_figure(poly), "assume-poly", "mean output against the fitted polynomial")
with c4:
    st.subheader("Bound on valid interactions (Theorem 3)")
    if poly.p is None or poly.p <= 0:
        st.info("The bound needs assumption 3 with p > 0.")
    else:
        bound = valid_count_bound(result, poly.p, max_order=max(high.estimated_m, 1))
        badge(bound.holds, f"real R^(k) ≤ bound at every order (δ ≤ {bound.delta:.3g})." if bound.delta is not None
              else "no m₀ gives a bound on δ for this sample.")
        chart(bound_figure(bound), "assume-bound", "real number of valid interactions against the proven bound")
