"""Assumptions: the three sufficient conditions for sparse interactions, checked on this model and sample."""

import numpy as np
import streamlit as st

from engine.assumptions import high_order_check, monotonicity_check, polynomial_check, valid_count_bound
from ui.compute import result_for
from ui.figures import BLUE, GREY, ORANGE, line_figure, log_axis, on_log_axis
from ui.state import current_selection
from ui.widgets import chart, teaching_note

selection = current_selection()
st.title("Assumptions for sparsity")
teaching_note(
    "Ren et al. (ICLR 2024) prove that a model's AND interactions are sparse when three conditions hold, on "
    "u(S) = v(x_S) − v(x_∅):\n\n"
    "1. **No extremely high-order interactions** above some order M;\n"
    "2. **Monotonicity**: the mean output over masked samples of size m, ū^(m), does not decrease with m;\n"
    "3. **Polynomial decrease**: ū^(m′) ≥ (m′/m)^p ū^(m) for m′ ≤ m.\n\n"
    "Then the number R^(k) of valid interactions of order k is bounded by a polynomial in n "
    "(Theorem 3), far below C(n, k)."
)
result = result_for(selection.request)


def badge(passed: bool, text: str) -> None:
    (st.success if passed else st.warning)(("✅ holds — " if passed else "⚠️ does not hold — ") + text)


high = high_order_check(result)
mono = monotonicity_check(result)
poly = polynomial_check(result)
c1, c2 = st.columns(2)
with c1:
    st.subheader("1 · High orders")
    badge(high.passed, f"no valid interaction above order M = {high.estimated_m} (of n = {result.n})." if high.passed
          else f"the top order {result.n} still has an interaction with |I| ≥ τ.")
    top = float(np.max(high.max_strength, initial=0.0))
    strongest = on_log_axis(high.max_strength, top)
    fig = line_figure(high.orders, {"max |I(S)|": (strongest, BLUE, "solid"),
                                    "mean |I(S)|": (on_log_axis(high.mean_strength, top), ORANGE, "dash")},
                      "Strength per order", "order k", "|I(S)|")
    fig.add_hline(y=high.tau, line_dash="dot", line_color=GREY, annotation_text="τ")
    log_axis(fig)
    chart(fig, "assume-high", "maximum and mean interaction strength per order")
    empty = [str(k) for k, value in zip(high.orders, strongest) if np.isnan(value)]
    if empty:
        st.caption(f"No interaction of order {', '.join(empty)} (every |I(S)| below 1e-9 of the largest): "
                   "a log axis cannot draw zeros, so the lines stop there.")
with c2:
    st.subheader("2 · Monotonicity")
    badge(mono.passed, "ū^(m) never decreases." if mono.passed else f"ū^(m) decreases at m = {mono.violations}.")
    fig = line_figure(mono.orders, {"ū^(m)": (mono.mean, BLUE, "solid"),
                                    "ū^(m) + std": (mono.mean + mono.std, GREY, "dot"),
                                    "ū^(m) − std": (mono.mean - mono.std, GREY, "dot")},
                      "Mean output by size of the masked sample", "m = |S|", "ū^(m)")
    chart(fig, "assume-mono", "mean output by number of present players with its spread")
c3, c4 = st.columns(2)
with c3:
    st.subheader("3 · Polynomial decrease")
    if poly.p is None:
        badge(False, "p cannot be fitted: ū^(1) or some ū^(m) is not positive.")
    else:
        badge(poly.passed, f"fitted p = {poly.p:.3f} (ū^(m) ≤ m^p·ū^(1) for every m).")
        fig = line_figure(poly.orders, {"ū^(m)": (poly.mean, BLUE, "solid"),
                                        "m^p · ū^(1)": (poly.envelope, ORANGE, "dash")},
                          "Fitted polynomial envelope", "m", "ū^(m)")
        chart(fig, "assume-poly", "mean output against the fitted polynomial")
with c4:
    st.subheader("Bound on valid interactions (Theorem 3)")
    if poly.p is None or poly.p <= 0:
        st.info("The bound needs assumption 3 with p > 0.")
    else:
        bound = valid_count_bound(result, poly.p, max_order=max(high.estimated_m, 1))
        finite = np.where(np.isfinite(bound.bound), bound.bound, np.nan)
        badge(bound.holds, f"real R^(k) ≤ bound at every order (δ ≤ {bound.delta:.3g})." if bound.delta is not None
              else "no m₀ gives a bound on δ for this sample.")
        fig = line_figure(bound.orders, {"real R^(k)": (bound.real, BLUE, "solid"),
                                         "bound": (finite, ORANGE, "dash"),
                                         "C(n, k): all subsets": (bound.possible, GREY, "dot")},
                          "Valid interactions per order", "order k", "count")
        log_axis(fig)
        chart(fig, "assume-bound", "real number of valid interactions against the proven bound")
