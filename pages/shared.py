"""Shared vs distinctive primitives: a joint extraction over models trained for the same task."""

import streamlit as st

from engine.and_or import ALPHA_SHARED, PTHRES_SHARED, QTHRES_SHARED
from engine.explain import predicted_classes
from engine.generalizable import NOT_SALIENT, paper_ks, salient_groups, shared_strength_by_order, transfer_curve
from engine.interaction import Interaction
from engine.zoo import MODEL_PAIRS, MODEL_TITLES
from ui.compute import shared_results_for
from ui.certificate import draw_certificates
from ui.context import view_context
from ui.figures import BLUE, GREY, ORANGE
from ui.figures_shared import scatter_figure, shared_strength_figure, transfer_figure
from ui.input_view import draw_input
from ui.widgets import chart, exports, teaching_note

ctx = view_context()
request = ctx.request
teaching_note(
    "Interactions extracted from each model alone are unstable: the AND-OR split is not unique, so two models that "
    "learned the same thing can look different. Chen et al. (ICLR 2024) extract them **jointly**, penalising the "
    "strongest model per subset, Σ_S max_i |I_i(S)| + α Σ_{i,S} |I_i(S)|, so that a subset strong in one model is "
    "preferred in the others too. **Transferability** s = |top-k shared by all| / k. A top-k set holds nonzero "
    "interactions only: each model alone is solved exactly (an LP, up to 13 players on a CPU), whose optimum leaves "
    "most at exactly zero, so its curve falls once k passes the number of its nonzero interactions."
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
notice = st.container()  # filled once the joint extraction has checked that the models fit together
joint = shared_results_for(list(pair), request, alpha=alpha, pthres=pthres, qthres=qthres)
predicted = predicted_classes(list(pair), request.sample_id)
explained = ctx.model.class_names[request.target]
if len(set(predicted.values())) > 1:
    notice.warning("The two models disagree on this sample: "
                   + "; ".join(f"{MODEL_TITLES[m]} predicts **{name}**" for m, name in predicted.items())
                   + f". Both explain **{explained}** here, so their interactions compare like with like; for one "
                   "of them that is not its prediction.", icon=":material/compare_arrows:")
else:
    notice.caption(f"Both models explain the class **{explained}** (choose another under *Class explained*).")
separate = [ctx.result(model_id=m, method="and-or", qthres=qthres, target=request.target) for m in pair]
harsanyi = [ctx.result(model_id=m, method="and", target=request.target) for m in pair]
draw_certificates({"Joint extraction": joint[0].report} | {f"{m} alone": r.report for m, r in zip(pair, separate)})
ks = paper_ks(joint[0].n)
curves = {"joint (Chen et al.)": (transfer_curve(joint, ks), BLUE),
          "each model alone": (transfer_curve(separate, ks), ORANGE),
          "AND only (Harsanyi)": (transfer_curve(harsanyi, ks), GREY)}
fig = transfer_figure(ks, curves)
chart(fig, "shared-transfer", "transferability of the top-k interactions against k")
st.caption(" · ".join(f"{name}: s_and(k={ks[0]}) = {c.s_and[0]:.2f}, s_and(k={ks[-1]}) = {c.s_and[-1]:.2f}"
                      for name, (c, _) in curves.items()))

a, b = joint
groups = salient_groups(joint)
group_of = {key: name for name, keys in groups.items() for key in keys}
SYMBOL = {"AND": "∧ AND", "OR": "∨ OR"}


def describe(interaction: Interaction) -> str:
    return (f"**{SYMBOL[interaction.kind]} {a.label(interaction.index)}** · I_A = {a.value(interaction):+.3f}, "
            f"I_B = {b.value(interaction):+.3f}")


def column(title: str, keys: list[Interaction], name: str) -> None:
    """The group's strongest primitives drawn on the input, then all of them in a table."""
    st.subheader(title)
    st.caption(f"{len(keys)} salient")
    for rank, interaction in enumerate(keys[:3]):
        st.markdown(describe(interaction))
        draw_input(ctx, set(interaction.members()), f"shared-{name}-{rank}", interaction.kind, compact=True)
    rows = [{"kind": k.kind, "players": a.label(k.index), "I in A": a.value(k), "I in B": b.value(k)}
            for k in keys[:30]]
    st.dataframe(rows, hide_index=True, width="stretch")


left, mid, right = st.columns(3)
with left:
    column(f"Only A · {MODEL_TITLES[pair[0]]}", groups["A only"], "a")
with mid:
    column("Shared by both", groups["shared"], "shared")
with right:
    column(f"Only B · {MODEL_TITLES[pair[1]]}", groups["B only"], "b")

st.subheader("Each interaction in model A against model B")
plot, drawing = st.columns([3, 2])
with plot:
    chart(scatter_figure(joint, group_of, [MODEL_TITLES[m] for m in pair]), "shared-scatter",
          "strength of each interaction in the two models", selectable=True)
with drawing:
    current = ctx.focus
    if current is None:
        st.info("Click a point of the scatter (or a row elsewhere) to draw that interaction on the input.")
    else:
        st.markdown(f"**{SYMBOL[current.kind]} {a.label(current.index)}** ({group_of.get(current, NOT_SALIENT)}): "
                    f"I_A = {a.value(current):+.4f}, I_B = {b.value(current):+.4f}")
        draw_input(ctx, set(current.members()), "shared-focus", current.kind)

for i, col in enumerate(st.columns(2)):
    with col:
        chart(shared_strength_figure(shared_strength_by_order(joint, i), MODEL_TITLES[pair[i]]),
              f"shared-orders-{i}", "shared and all salient strength per order")
exports(joint[0], fig, "shared")
