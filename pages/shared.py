"""Shared vs distinctive primitives: a joint extraction over models trained for the same task."""

from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from engine.and_or import ALPHA_SHARED, PTHRES_SHARED, QTHRES_SHARED
from engine.explain import resolve_sample
from engine.generalizable import paper_ks, shared_sets, shared_strength_by_order, transfer_curve
from engine.masks import subset_members
from engine.zoo import MODEL_PAIRS, MODEL_TITLES
from ui.compute import result_for, shared_results_for
from ui.figures import BLUE, GREEN, GREY, ORANGE, PINK, _layout, line_figure
from ui.input_view import draw_input
from ui.state import current_selection, focus
from ui.widgets import chart, exports, teaching_note

selection = current_selection()
request = selection.request
st.title("Shared vs distinctive primitives")
teaching_note(
    "Interactions extracted from each model alone are unstable: the AND-OR split is not unique, so two models that "
    "learned the same thing can look different. Chen et al. (ICLR 2024) extract them **jointly**, penalising the "
    "strongest model per subset, Σ_S max_i |I_i(S)| + α Σ_{i,S} |I_i(S)|, so that a subset strong in one model is "
    "preferred in the others too. **Transferability** s = |top-k shared by all| / k. A top-k set holds nonzero "
    "interactions only: up to 11 players each model alone is solved exactly (an LP), whose optimum leaves most at "
    "exactly zero, so its curve falls once k passes the number of its nonzero interactions."
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
a, b = joint
model, sample = selection.model, resolve_sample(selection.model, request.sample_id)
players = list(joint[0].provenance["player_ids"])
vectors = {"AND": (a.i_and, b.i_and), "OR": (a.i_or, b.i_or)}
groups = {"shared": [("AND", int(i)) for i in sets.shared_and] + [("OR", int(i)) for i in sets.shared_or],
          "A only": [("AND", int(i)) for i in sets.own_and[0]] + [("OR", int(i)) for i in sets.own_or[0]],
          "B only": [("AND", int(i)) for i in sets.own_and[1]] + [("OR", int(i)) for i in sets.own_or[1]]}
strength = lambda key: max(abs(vectors[key[0]][0][key[1]]), abs(vectors[key[0]][1][key[1]]))  # noqa: E731
for members in groups.values():
    members.sort(key=lambda key: -strength(key))
SYMBOL = {"AND": "∧ AND", "OR": "∨ OR"}


def column(title: str, keys: list[tuple[str, int]], name: str) -> None:
    """The group's strongest primitives drawn on the input, then all of them in a table."""
    st.subheader(title)
    st.caption(f"{len(keys)} salient")
    for rank, (kind, index) in enumerate(keys[:3]):
        st.markdown(f"**{SYMBOL[kind]} {joint[0].label(index)}** · I_A = {vectors[kind][0][index]:+.3f}, "
                    f"I_B = {vectors[kind][1][index]:+.3f}")
        members = set(subset_members(index, joint[0].n))
        draw_input(model, sample, players, members, f"shared-{name}-{rank}", kind, compact=True)
    rows = [{"kind": kind, "players": joint[0].label(index), "I in A": vectors[kind][0][index],
             "I in B": vectors[kind][1][index]} for kind, index in keys[:30]]
    st.dataframe(rows, hide_index=True, width="stretch")


left, mid, right = st.columns(3)
with left:
    column(f"Only A · {MODEL_TITLES[pair[0]]}", groups["A only"], "a")
with mid:
    column("Shared by both", groups["shared"], "shared")
with right:
    column(f"Only B · {MODEL_TITLES[pair[1]]}", groups["B only"], "b")

st.subheader("Each interaction in model A against model B")
group_of = {key: name for name, keys in groups.items() for key in keys}
scatter = go.Figure()
for label, colour, symbol in (("shared", GREEN, "circle"), ("A only", BLUE, "square"), ("B only", ORANGE, "diamond"),
                              ("not salient", GREY, "circle-open")):
    keys = [(kind, idx) for kind in ("AND", "OR") for idx in range(1, a.i_and.size)
            if group_of.get((kind, idx), "not salient") == label and strength((kind, idx)) > 0]
    scatter.add_trace(go.Scatter(
        x=[abs(vectors[k][0][i]) + 1e-9 for k, i in keys], y=[abs(vectors[k][1][i]) + 1e-9 for k, i in keys],
        mode="markers", name=label, text=[f"{k} {joint[0].label(i)}" for k, i in keys],
        customdata=[f"{k}:{i}" for k, i in keys], marker=dict(color=colour, symbol=symbol, size=7),
        hovertemplate="%{text}<br>|I_A| = %{x:.3g}, |I_B| = %{y:.3g}<extra>" + label + "</extra>"))
_layout(scatter, "|I| in model A against model B (click a point to draw it on the input)",
        f"|I| · {MODEL_TITLES[pair[0]]}", f"|I| · {MODEL_TITLES[pair[1]]}")
scatter.update_xaxes(type="log")
scatter.update_yaxes(type="log")
plot, drawing = st.columns([3, 2])
with plot:
    chart(scatter, "shared-scatter", "strength of each interaction in the two models", selectable=True)
with drawing:
    current = focus(joint[0].n)
    if current is None:
        st.info("Click a point of the scatter (or a row elsewhere) to draw that interaction on the input.")
    else:
        kind, index = current
        st.markdown(f"**{SYMBOL[kind]} {joint[0].label(index)}** ({group_of.get(current, 'not salient')}): "
                    f"I_A = {vectors[kind][0][index]:+.4f}, I_B = {vectors[kind][1][index]:+.4f}")
        draw_input(model, sample, players, set(subset_members(index, joint[0].n)), "shared-focus", kind)

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
