"""Shared vs distinctive primitives: a joint extraction over models trained for the same task."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from engine.and_or import ALPHA_SHARED, PTHRES_SHARED, QTHRES_SHARED
from engine.generalizable import paper_ks, shared_sets, shared_strength_by_order, transfer_curve
from engine.zoo import MODEL_PAIRS, MODEL_TITLES
from ui.compute import result_for, shared_results_for
from ui.figures import BLUE, GREEN, GREY, ORANGE, PINK, _layout, line_figure
from ui.state import current_selection
from ui.widgets import chart, exports, teaching_note

selection = current_selection()
request = selection.request
st.title("Shared vs distinctive primitives")
teaching_note(
    "Interactions extracted from each model alone are unstable: the AND-OR split is not unique, so two models that "
    "learned the same thing can look different. Chen et al. (ICLR 2024) extract them **jointly**, penalising the "
    "strongest model per subset, Σ_S max_i |I_i(S)| + α Σ_{i,S} |I_i(S)|, so that a subset strong in one model is "
    "preferred in the others too. **Transferability** s = |top-k shared by all| / k."
)
pair = next((p for p in MODEL_PAIRS if request.model_id in p), None)
if pair is None:
    st.info("This view compares models trained for the same task. Pick one of the paired models in the sidebar: "
            + "; ".join(" and ".join(MODEL_TITLES[m] for m in p) for p in MODEL_PAIRS) + ".")
    st.stop()
with st.expander("Settings (the papers' defaults)"):
    c = st.columns(3)
    alpha = c[0].number_input("α", 0.0, 1.0, ALPHA_SHARED, 0.05, key="shared-alpha")
    pthres = c[1].number_input("pthres", 0.0, 2.0, PTHRES_SHARED, 0.1, key="shared-pthres")
    qthres = c[2].number_input("qthres", 0.0, 0.2, QTHRES_SHARED, 0.01, key="shared-qthres")
joint = shared_results_for(list(pair), request, alpha=alpha, pthres=pthres, qthres=qthres)
from dataclasses import replace  # noqa: E402

separate = [result_for(replace(request, model_id=m, method="and-or", qthres=qthres)) for m in pair]
harsanyi = [result_for(replace(request, model_id=m, method="and")) for m in pair]
ks = paper_ks(joint[0].n)
curves = {"joint (Chen et al.)": (transfer_curve(joint, ks), BLUE),
          "each model alone": (transfer_curve(separate, ks), ORANGE),
          "AND only (Harsanyi)": (transfer_curve(harsanyi, ks), GREY)}
series = {f"s_and, {name}": (c.s_and, colour, "solid") for name, (c, colour) in curves.items()}
series |= {f"s_or, {name}": (c.s_or, colour, "dash") for name, (c, colour) in curves.items() if not np.all(np.isnan(c.s_or))}
fig = line_figure(ks, series, "Transferability against k", "k (top-k per model)", "s")
chart(fig, "shared-transfer", "transferability of the top-k interactions against k")
st.caption(" · ".join(f"{name}: s_and(k={ks[0]}) = {c.s_and[0]:.2f}, s_and(k={ks[-1]}) = {c.s_and[-1]:.2f}"
                      for name, (c, _) in curves.items()))

sets = shared_sets(joint)
name = lambda kind, idx: f"{kind} {joint[0].label(int(idx))}"  # noqa: E731


def listing(and_idx, or_idx) -> None:
    rows = [{"interaction": name(kind, i), "I in A": vec_a[i], "I in B": vec_b[i]}
            for kind, idxs, vec_a, vec_b in (("AND", and_idx, joint[0].i_and, joint[1].i_and),
                                             ("OR", or_idx, joint[0].i_or, joint[1].i_or)) for i in idxs]
    rows.sort(key=lambda r: -max(abs(r["I in A"]), abs(r["I in B"])))
    st.caption(f"{len(rows)} salient")
    st.dataframe(rows[:30], hide_index=True, width="stretch")


left, mid, right = st.columns(3)
with left:
    st.subheader(f"Only A · {MODEL_TITLES[pair[0]]}")
    listing(sets.own_and[0], sets.own_or[0])
with mid:
    st.subheader("Shared by both")
    listing(sets.shared_and, sets.shared_or)
with right:
    st.subheader(f"Only B · {MODEL_TITLES[pair[1]]}")
    listing(sets.own_and[1], sets.own_or[1])

a, b = joint
shared_idx = {("AND", int(i)) for i in sets.shared_and} | {("OR", int(i)) for i in sets.shared_or}
own_a = {("AND", int(i)) for i in sets.own_and[0]} | {("OR", int(i)) for i in sets.own_or[0]}
scatter = go.Figure()
for label, colour, symbol, members in (("shared", GREEN, "circle", shared_idx), ("A only", BLUE, "square", own_a),
                                       ("other", GREY, "circle-open", None)):
    xs, ys, text = [], [], []
    for kind, vec_a, vec_b in (("AND", a.i_and, b.i_and), ("OR", a.i_or, b.i_or)):
        for idx in range(1, vec_a.size):
            key = (kind, idx)
            in_group = (key in members) if members is not None else (key not in shared_idx and key not in own_a)
            if in_group and (vec_a[idx] or vec_b[idx]):
                xs.append(abs(vec_a[idx]) + 1e-9)
                ys.append(abs(vec_b[idx]) + 1e-9)
                text.append(name(kind, idx))
    scatter.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name=label, text=text,
                                 marker=dict(color=colour, symbol=symbol, size=6)))
_layout(scatter, "|I| in model A against model B", f"|I| · {MODEL_TITLES[pair[0]]}", f"|I| · {MODEL_TITLES[pair[1]]}")
scatter.update_xaxes(type="log")
scatter.update_yaxes(type="log")
chart(scatter, "shared-scatter", "strength of each interaction in the two models")

cols = st.columns(2)
for i, col in enumerate(cols):
    s = shared_strength_by_order(joint, i)
    bars = go.Figure()
    bars.add_trace(go.Bar(x=s.orders, y=s.all_positive, name="all +", marker_color=BLUE, offsetgroup="all"))
    bars.add_trace(go.Bar(x=s.orders, y=s.all_negative, name="all −", marker_color=BLUE, marker_pattern_shape="/",
                          offsetgroup="all"))
    bars.add_trace(go.Bar(x=s.orders, y=s.shared_positive, name="shared +", marker_color=PINK, offsetgroup="shared"))
    bars.add_trace(go.Bar(x=s.orders, y=s.shared_negative, name="shared −", marker_color=PINK,
                          marker_pattern_shape="/", offsetgroup="shared"))
    _layout(bars, f"Shared/All per order · {MODEL_TITLES[pair[i]]}", "order", "Σ I over salient S", barmode="relative")
    with col:
        chart(bars, f"shared-orders-{i}", "shared and all salient strength per order")
exports(joint[0], fig, "shared")
