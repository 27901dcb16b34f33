"""Training dynamics: interactions of each order over the epochs, beside the theory's prediction."""

import numpy as np
import streamlit as st

from engine.zoo import CHECKPOINT_MODELS, MODEL_TITLES
from ui.bundle import ACTIVE
from ui.compute import cached_model, trajectory_for
from ui.figures_dynamics import (
    distribution_figure, loss_figure, phase_legend, ratio_figure, sigma2_figure, small_multiples_figure,
)
from ui.context import view_context
from ui.url import dynamics_link, write_dynamics
from ui.widgets import chart, table_exports, teaching_note

ctx = view_context()
if ACTIVE.get() is not None:
    st.info("A result bundle is open: it holds results of single checkpoints at most, not the training "
            "checkpoints this view runs; close the bundle in the sidebar to see it.", icon=":material/info:")
    st.stop()
teaching_note(
    "Ren et al. (NeurIPS 2024) found that a network learns interactions in **two phases**. *Phase 1*: right after "
    "initialisation, medium- and high-order interactions fade and low orders dominate. *Phase 2*: interactions of "
    "ever higher order are learned; this starts about when the gap between test and train loss begins to grow "
    "(over-fitting).\n\n"
    "Bars: the real distribution over orders at a checkpoint, I^(k) = Σ_{|S|=k} (|I_and(S)| + |I_or(S)|) divided "
    "by its sum over k, averaged over the chosen samples; each sample explains its true class at every epoch.\n\n"
    "Dashed line: **the theory, as our approximation of Ren et al. 2024** (the paper's exact noise model could "
    "not be checked). The final network's outputs y on all 2^n masked samples are regressed on *noisy triggering "
    "functions* J̃_S(T) = Π_{i∈S} (1[i∈T] + ε_i), ε_i ~ N(0, σ²), whose least-squares solution is "
    "w*(σ²) = (⊗ g⁻¹) Zᵀy with g = [[2, 1], [1, 1 + 2σ²]] per player and Z[T, S] = 1[S ⊆ T]. With σ² = 0 this is "
    "exactly the Harsanyi interactions; a larger σ² shrinks order k like (1 + 2σ²)^−k. σ² is fitted per checkpoint "
    "(L1 distance between the two distributions); the theory predicts that it falls during phase 2."
)

default_model = next((m for m in CHECKPOINT_MODELS if cached_model(m).modality == ctx.model.modality),
                     CHECKPOINT_MODELS[0])
linked_model, linked_epoch = dynamics_link()
if linked_model in CHECKPOINT_MODELS and "dyn-model" not in st.session_state:  # a shared link
    default_model = linked_model
controls = st.columns([3, 3, 2, 2, 2])
model_id = controls[0].selectbox("Model with checkpoints", CHECKPOINT_MODELS, format_func=MODEL_TITLES.get,
                                 index=CHECKPOINT_MODELS.index(default_model), key="dyn-model")
model = cached_model(model_id)
if ctx.request.model_id not in CHECKPOINT_MODELS:  # say so, rather than silently showing another model
    st.info(f"**{ctx.model.title}** (chosen in the sidebar) has no training checkpoints; only "
            + " and ".join(f"**{MODEL_TITLES[m]}**" for m in CHECKPOINT_MODELS)
            + f" have them. Shown here: **{MODEL_TITLES[model_id]}** (choose under “Model with checkpoints”).",
            icon=":material/info:")
sample_titles = {s.sample_id: s.title for s in model.samples}
same_data = ctx.model.modality == model.modality and ctx.request.sample_id in sample_titles
sample_ids = controls[1].multiselect(
    "Samples (averaged)", list(sample_titles), format_func=sample_titles.get, key=f"dyn-samples::{model_id}",
    default=[ctx.request.sample_id] if same_data else [s.sample_id for s in model.samples[:4]],
    help="Each sample keeps its own default players unless you explain a single sample picked in the sidebar.")
baseline = controls[2].selectbox(
    "Baseline", model.baselines, key=f"dyn-baseline::{model_id}",
    index=model.baselines.index("zero") if "zero" in model.baselines else 0,
    help="The value of a masked variable. With the data-set mean, the tabular MLP shows no second phase; "
         "with zero (far from the data) it shows both.")
method = controls[3].radio("Interactions", ["and", "and-or"], key="dyn-method", horizontal=True,
                           format_func={"and": "AND only", "and-or": "AND-OR"}.get,
                           help="AND-OR solves an LP per checkpoint (about 1 s each at n = 10, 5 s at n = 11).")
normalise = controls[4].radio("Normalise by", ["sum", "max"], key="dyn-normalise", horizontal=True,
                              help="sum: each distribution sums to 1 (used to fit σ²); max: its largest order is 1.")
use_sidebar_players = same_data and sample_ids == [ctx.request.sample_id]
players = ctx.request.players if use_sidebar_players else None
trajectory = trajectory_for(model_id, sample_ids, players, baseline, method)

high = trajectory.high_share
turn = trajectory.epochs.index(trajectory.turning_point)
trend = trajectory.sigma2_trend()
verdict = ("not enough checkpoints after it to tell" if np.isnan(trend) else
           f"{'falls' if trend < -0.5 else 'does not clearly fall'} (rank correlation with the epoch {trend:+.2f})")
st.markdown(
    f"**Phase 1** ends at epoch **{trajectory.turning_point}**, where high orders (k > {trajectory.n // 2}) hold the "
    f"least strength ({high[turn]:.0%}, from {high[0]:.0%} at initialisation; {high[-1]:.0%} at the end). "
    f"The train-test loss gap starts to grow at epoch **{trajectory.onset}**. "
    f"After phase 1 the fitted σ² {verdict}, from {trajectory.sigma2[turn]:.3g} at epoch {trajectory.turning_point}."
)
if not trajectory.shows_second_phase():
    st.warning(f"No clear second phase in this model: the high-order share does not grow again after its minimum "
               f"(epoch {trajectory.turning_point}). Try more samples or another baseline: the tabular MLP shows "
               "both phases with the zero baseline, not with the data-set mean.", icon=":material/info:")

start_epoch = linked_epoch if linked_epoch in trajectory.epochs else trajectory.turning_point
epoch = st.select_slider("Epoch", trajectory.epochs, value=start_epoch, key=f"dyn-epoch::{model_id}")
write_dynamics(model_id, epoch)
left, right = st.columns(2)
with left:
    chart(distribution_figure(trajectory, trajectory.epochs.index(epoch), normalise), "dyn-distribution",
          "real and theoretical strength per order at the chosen epoch")
with right:
    chart(loss_figure(trajectory), "dyn-loss", "train and test loss over epochs; " + phase_legend(trajectory))

with st.expander("Small multiples (for slides)", expanded=True):
    multiples = small_multiples_figure(trajectory, normalise)
    chart(multiples, "dyn-multiples", "strength per order at eight checkpoints, same axes")

left, right = st.columns(2)
with left:
    chart(sigma2_figure(trajectory), "dyn-sigma2", "fitted noise variance per checkpoint; " + phase_legend(trajectory))
    st.caption("The last checkpoint is the theory's regression target, so its σ² is 0 by construction.")
with right:
    chart(ratio_figure(trajectory), "dyn-ratio",
          "ratio of low- to high-order strength against sigma squared; every curve rises")

table_exports(trajectory.table(), trajectory.provenance, multiples, "dynamics")
