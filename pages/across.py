"""Across samples: the papers' figures over K samples of a model's test split (or a pair's), computed once."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.across import DEFAULT_SAMPLES, PAIR_PLAYERS, AcrossSettings, ModelAggregate
from engine.and_or import exact_max_players
from engine.zoo import MODEL_PAIRS, MODEL_TITLES
from ui.compute import across_for
from ui.context import view_context
from ui.figures_across import (
    assumption_rates_figure, class_of, curves_figure, mean_bound_figure, order_box_figure, p_figure,
    salient_by_class_figure, salient_histogram, transfer_band_figure,
)
from ui.figures_shared import shared_strength_figure
from ui.url import across_link, clamp, sample_link, write_across
from ui.widgets import chart, table_exports, teaching_note

ctx = view_context()
model = ctx.model
teaching_note(
    "Every other view explains one sample. The papers' claims are about data sets: Ren et al. (ICLR 2024) show "
    "sorted strengths |I| / max |I| over many samples, per-order box plots and the fitted p; Chen et al. (ICLR 2024) "
    "average the transferability s_and, s_or over samples (Fig. 3) and sum Shared/All per order (Fig. 4).\n\n"
    "Here the first K samples of the model's **test split** are explained one by one (each on its own n strongest "
    "candidate players, with the sidebar's baseline, explaining the class the model predicts), every result is "
    "cached, and the aggregate is kept: reopening it is instant. Lines are means over samples; shaded bands run from "
    "the 10th to the 90th percentile. The salient ratio is |Ω| / 2(2^n − 1), Ω = {(kind, S): |I(S)| > 0.05·max|I|}."
)
pair = next((p for p in MODEL_PAIRS if model.model_id in p), None)
linked = across_link()
size = model.test_size
if size == 0:
    st.info("This model has no samples to aggregate.")
    st.stop()
controls = st.columns([2, 2, 2, 3])
with_pair = pair is not None and controls[3].toggle(
    f"Compare with {MODEL_TITLES[next(m for m in pair if m != model.model_id)]}" if pair else "Compare with its pair",
    value=bool(pair and linked.get("pair")), disabled=pair is None, key="across-pair",
    help="The joint extraction of Chen et al. over the pair (bundled pairs only)." if pair else
    "Only the bundled pairs: " + "; ".join(" and ".join(MODEL_TITLES[m] for m in p) for p in MODEL_PAIRS) + ".")
count = controls[0].number_input(f"Samples K (of {size})", 1, size, clamp(linked.get("k", DEFAULT_SAMPLES), 1, size),
                                  key=f"across-k::{model.model_id}")
start = controls[1].number_input("From test index", 0, size - 1, clamp(linked.get("start", 0), 0, size - 1),
                                  key=f"across-start::{model.model_id}")
default_n = PAIR_PLAYERS if with_pair else model.default_players
most = exact_max_players(2 if with_pair else 1)  # the exact LPs (up to a minute per sample); beyond, first order
linked_n = linked.get("n", default_n) if bool(linked.get("pair")) == with_pair else default_n  # n of this choice
players = controls[2].number_input("Players n per sample", 2, most, clamp(linked_n, 2, most),
                                    key=f"across-n::{with_pair}",
                                    help="Each sample's n strongest candidates (2^n model runs per sample). On a "
                                    "two-core CPU one model's exact AND-OR split takes under 1 s up to n = 10, about "
                                    "10 s at n = 12 and about a minute at n = 13; a pair's 3-5 s at n = 10, about 20 s "
                                    "at 11.")
write_across({"k": count, "start": start, "n": players, "pair": int(with_pair)})
if with_pair:
    st.caption(f"A pair uses n = {PAIR_PLAYERS} players by default: the joint extraction takes under 1 s per sample "
               "at n = 8 but 3-5 s at n = 10 on a two-core CPU; at n = 8 the paper's k are 12 … 115 (its MNIST-3 "
               "setting).")
if size == len(model.samples) and model.test_split is None:
    st.caption("This model has no test split; its showcase samples stand in for it.")
model_ids = [model.model_id] + ([m for m in pair if m != model.model_id] if with_pair else [])
sample_ids = model.test_sample_ids(count, start)
found = across_for(model_ids, sample_ids, AcrossSettings(players=players, baseline=ctx.request.baseline))
if found is None:
    st.info(f"Not computed yet: {len(sample_ids)} samples of **{model.title}**"
            + (" and its pair, with the joint extraction" if with_pair else "")
            + f". Samples already explained (in any view, with the same players) cost nothing. From the command line: "
            f"`python -m engine across {model.model_id}" + (f" --pair {model_ids[1]}" if with_pair else "")
            + f" --samples {len(sample_ids)} --players {players} --json out.json`.", icon=":material/info:")
    st.stop()
if found.partial:
    st.warning(f"Partial: {len(found.sample_ids)} of {len(found.requested)} samples were computed before the "
               "computation was stopped. Compute again to finish (the samples done are cached).",
               icon=":material/hourglass_bottom:")
if found.provenance.get("first_order_samples"):
    skipped = found.provenance["first_order_samples"]
    st.warning(f"{len(skipped)} of {len(found.sample_ids)} samples were split by the first-order solver, not the exact "
               f"LP, which did not fit in this server's time limit or memory ({', '.join(skipped[:5])}"
               f"{', …' if len(skipped) > 5 else ''}): their splits may be less sparse than the optimal ones. Choose "
               "fewer players for exact splits.", icon=":material/warning:")
if not found.sample_ids:
    st.stop()

provenance = found.provenance
st.caption(f"{len(found.sample_ids)} samples · n = {', '.join(map(str, provenance.get('players', [])))} players · "
           f"baseline {provenance.get('baseline')} · engine {provenance.get('engine_version')} · "
           f"computed {provenance.get('created', '')}")


def open_sample(fig_key: str, shown: ModelAggregate) -> None:
    """A click on a point that stands for a sample offers a link to it, for the model the chart shows, in the
    single-sample views."""
    points = (st.session_state.get(fig_key) or {}).get("selection", {}).get("points", [])
    picked = [p.get("customdata") for p in points if isinstance(p.get("customdata"), str)]
    rows = {r.sample_id: r for r in shown.rows}
    if picked and picked[0] in rows:
        row = rows[picked[0]]
        link = sample_link(shown.model_id, row.sample_id, row.players, provenance.get("baseline"))
        st.markdown(f":material/open_in_new: [Open {row.title} in the single-sample views]({link})")


def selectable_chart(fig, key: str, alt: str, shown: ModelAggregate) -> None:
    """A chart whose points stand for samples of the model ``shown``: a click offers the sample's link."""
    st.plotly_chart(fig, key=key, on_select="rerun", selection_mode=("points",), width="stretch",
                    config={"displaylogo": False})
    st.caption(f"Chart: {alt}.")
    open_sample(key, shown)


if disagreeing := found.disagreeing():
    st.caption(f"The two models predict different classes on {len(disagreeing)} of {len(found.sample_ids)} samples "
               f"({', '.join(disagreeing[:5])}{' …' if len(disagreeing) > 5 else ''}): each explains its own "
               "prediction, so there their shared interactions explain different outputs (Chen et al. explain the "
               "true label in both).")
if found.is_pair:
    st.subheader("Transferability over samples (Chen et al. Fig. 3)")
    transfer = transfer_band_figure(found)
    chart(transfer, "across-transfer", "s_and and s_or against k for three ways of extracting, mean and band")
    tr = found.transferability
    st.caption(" · ".join(f"{name}: " + ", ".join(f"s_and(k={k}) = {s:.2f}" for k, s in tr.at_ends(m))
                          for m, name in (("joint", "joint"), ("alone", "alone"), ("and_only", "AND only"))))
    for column, strength, model_id in zip(st.columns(2), found.shared, found.model_ids):
        with column:
            chart(shared_strength_figure(strength, f"{MODEL_TITLES.get(model_id, model_id)}, summed over samples"),
                  f"across-shared-{model_id}", "shared and all salient strength per order summed over samples")

for aggregate_of in found.models:
    if found.is_pair:
        st.subheader(aggregate_of.title)
    key = aggregate_of.model_id
    left, right = st.columns(2)
    with left:
        chart(curves_figure(aggregate_of), f"across-curves-{key}",
              "normalised sorted strengths, AND-OR and AND only, mean and band over samples")
    with right:
        chart(order_box_figure(aggregate_of), f"across-orders-{key}", "share of strength per order over samples")
    left, right = st.columns(2)
    with left:
        chart(salient_histogram(aggregate_of), f"across-hist-{key}", "histogram of the salient ratio per sample")
    with right:
        selectable_chart(salient_by_class_figure(aggregate_of), f"across-class-{key}",
                         "salient ratio of each sample by class; click a point to open the sample", aggregate_of)
    left, right = st.columns(2)
    with left:
        chart(assumption_rates_figure(aggregate_of), f"across-rates-{key}",
              "how often each sufficient condition for sparsity holds over the samples")
    with right:
        if any(row.p is not None for row in aggregate_of.rows):
            selectable_chart(p_figure(aggregate_of), f"across-p-{key}", "fitted p per sample, mean and spread",
                             aggregate_of)
        else:
            st.info("Assumption 3 cannot be fitted on any of these samples (ū^(1) or some ū^(m) is not positive): "
                    "no p, and no bound on R^(k).", icon=":material/info:")
    if np.isfinite(aggregate_of.bound).any():
        chart(mean_bound_figure(aggregate_of), f"across-bound-{key}",
              "real number of valid interactions against the proven bound, averaged over samples")

st.subheader("Samples")
first = found.models[0]
table = pd.DataFrame([{
    "sample": row.title, "class": class_of(first, i),
    **{f"salient ratio · {m.model_id}": m.rows[i].salient_ratio for m in found.models},
    "high-order share": row.high_order_share, "p": row.p,
    "open": sample_link(first.model_id, row.sample_id, row.players, provenance.get("baseline")),
} for i, row in enumerate(first.rows)])
st.dataframe(table, hide_index=True, width="stretch",
             column_config={"open": st.column_config.LinkColumn("open", display_text="single-sample view")})
table_exports(table.drop(columns="open"), provenance, transfer_band_figure(found) if found.is_pair
              else curves_figure(first), "across", found.to_json)
