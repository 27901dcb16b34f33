"""The explorer's shared choices (sidebar), kept in session state and mirrored in the URL for deep links."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.explain import Request, resolve_sample
from engine.interaction import Interaction
from engine.outputs import OUTPUT_KINDS
from engine.zoo import DEFAULT_MODEL, MODEL_TITLES, STAND_INS, Sample, ZooModel
from engine.zoo.samples import UPLOADED

from .compute import cached_model
from .context import ViewContext
from .forms import own_model_form, upload_form
from .url import (
    ignored, link_max_players, link_notice, natural, parse_players, seed_from_link, shown, shared_params, write_query,
)

TARGET_OPTIONS = 20  # classes offered as the class explained (the most probable ones, for a vocabulary)
METHOD_LABELS = {"and-or": "AND-OR decomposition", "and": "AND only (Harsanyi)"}


def model_title(model_id: str) -> str:
    if (stand_in := STAND_INS.get().get(model_id)) is not None:  # an open bundle's model
        return stand_in.title
    return MODEL_TITLES.get(model_id) or f"Your model · {model_id.split(':', 1)[-1]}"


def _choose(label: str, options: list, key: str, url_key: str, fmt=str):
    """A selectbox whose first value may come from the URL (when valid)."""
    wanted = st.session_state.pop(f"url_{url_key}", None)
    if wanted is not None and wanted in [str(o) for o in options]:
        st.session_state[key] = options[[str(o) for o in options].index(wanted)]
    elif wanted is not None:
        ignored(f"{url_key} {shown(wanted)}")
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    return st.sidebar.selectbox(label, options, key=key, format_func=fmt)


def _choose_target(model: ZooModel, sample: Sample) -> int | None:
    """The class explained: None (the predicted class, the default) or a class index. A model with many classes (a
    causal LM's vocabulary) offers its most probable ones, and any class a link names."""
    probabilities = model.predict(sample)
    predicted = int(np.argmax(probabilities))
    classes = range(len(probabilities))
    if len(probabilities) > TARGET_OPTIONS:
        classes = sorted(np.argsort(-probabilities)[:TARGET_OPTIONS].tolist())
        wanted = natural(st.session_state.get("url_target", ""))
        if wanted is not None and wanted < len(probabilities) and wanted not in classes:
            classes.append(wanted)

    def describe(option: int | None) -> str:
        chosen = predicted if option is None else option
        text = f"{model.class_names[chosen]} (p = {probabilities[chosen]:.2f})"
        return f"the predicted class: {text}" if option is None else text

    return _choose("Class explained", [None, *classes], f"target::{model.model_id}", "target", describe)


def _use_own_sentence(sample_key: str) -> None:
    """Text input callback: the sentence just typed becomes the sample (before the rerun draws the sidebar)."""
    typed = st.session_state.get("custom_text", "").strip()
    if typed:
        st.session_state[sample_key] = typed


def _with_test_sample(model: ZooModel, sample_ids: list[str], titles: dict[str, str], sample_key: str) -> None:
    """Add the test-split sample a link names or the user jumped to (``digit-test-123``) to the picker's options."""
    split = model.test_split
    if split is None:
        return
    for wanted in (st.session_state.get("url_sample"), st.session_state.get(sample_key)):
        if isinstance(wanted, str) and wanted not in sample_ids and split.index_of(wanted) is not None:
            sample_ids.insert(0, wanted)
            titles[wanted] = model.sample(wanted).title


def _test_index_input(model: ZooModel, sample_key: str) -> None:
    """A number input that jumps to any sample of the model's test split by its index."""
    split = model.test_split
    if split is None:
        return
    index_key = f"test-index::{model.model_id}"

    def jump() -> None:
        st.session_state[sample_key] = split.sample_id(int(st.session_state[index_key]))

    st.sidebar.number_input(f"…or test sample 0 to {split.size - 1}", 0, split.size - 1, key=index_key,
                            on_change=jump, help="Any sample of the held-out test split, by its index.")


def _linked_upload(model: ZooModel) -> None:
    """A link to an uploaded sample reopens it while this server still holds it (else the link notice says so)."""
    wanted = st.session_state.get("url_sample") or ""
    if not wanted.startswith(f"upload-{model.upload_kind}-"):
        return
    uploads = st.session_state.setdefault(f"uploads::{model.upload_kind}", [])
    found = UPLOADED.get(wanted)
    if found is None:
        st.session_state.pop("url_sample")
        ignored(f"sample {shown(wanted)} (an upload this server no longer holds; upload the file again)")
    elif wanted not in [u.sample_id for u in uploads]:
        uploads.append(found)


def sidebar() -> ViewContext:
    """Draw the shared controls and return the view context they choose."""
    seed_from_link()
    options = list(STAND_INS.get()) or list(MODEL_TITLES) + st.session_state.setdefault("user_models", [])
    if st.session_state.get("model") not in options:
        st.session_state["model"] = DEFAULT_MODEL if DEFAULT_MODEL in options else options[0]
    model_id = st.sidebar.selectbox("Model", options, key="model", format_func=model_title)
    own_model_form()
    model = cached_model(model_id)
    sample_ids = [s.sample_id for s in model.samples]
    titles = {s.sample_id: s.title for s in model.samples}
    if model.modality == "text":
        custom = st.session_state.get("custom_text", "")
        url_sample = st.session_state.get("url_sample")
        if url_sample and url_sample not in sample_ids:
            custom = st.session_state["custom_text"] = url_sample
        if custom.strip():
            sample_ids = [custom.strip()] + sample_ids
            titles[custom.strip()] = f"your text: {custom.strip()[:40]}"
    _linked_upload(model)
    for upload in st.session_state.get(f"uploads::{model.upload_kind}", []):
        sample_ids.insert(0, upload.sample_id)
        titles[upload.sample_id] = upload.title
    sample_key = f"sample::{model_id}"
    _with_test_sample(model, sample_ids, titles, sample_key)
    sample_id = _choose("Sample", sample_ids, sample_key, "sample", lambda s: titles.get(s, s))
    _test_index_input(model, sample_key)
    if model.modality == "text":
        st.sidebar.text_input("…or type your own sentence", key="custom_text", on_change=_use_own_sentence,
                              args=(sample_key,),
                              help="Players are words; every sub-token of a word is masked together.")
    else:
        upload_form(model, sample_key)
    sample = resolve_sample(model, sample_id)
    if note := model.input_note(sample):
        st.sidebar.info(note, icon=":material/content_cut:")
    candidates = model.candidates_of(sample)
    options = list(range(len(candidates)))
    default = model.default_player_ids(sample)
    players_key = f"players::{model_id}::{sample_id}"
    url_players = st.session_state.pop("url_players", None)
    if url_players is not None:
        chosen = parse_players(url_players, len(options))
        if chosen is not None and len(chosen) <= link_max_players():
            st.session_state[players_key] = chosen
        elif chosen is not None:
            ignored(f"{len(chosen)} players (a link may ask for at most {link_max_players()}; choose more in the "
                    "sidebar)")
        else:
            ignored(f"players {shown(url_players)} (this sample has variables 0 to {len(options) - 1}, each once)")
    if players_key not in st.session_state:
        st.session_state[players_key] = default
    players = st.sidebar.multiselect(
        "Players (input variables)", options, key=players_key, format_func=lambda i: candidates[i].label,
        help="Each chosen variable is masked on and off; the others stay as they are (background). "
             "n players cost 2^n model runs.",
    )
    baseline = _choose("Baseline (value of a masked variable)", model.baselines, f"baseline::{model_id}", "baseline")
    output = _choose("Output explained", list(OUTPUT_KINDS), "output", "output")
    target = _choose_target(model, sample)
    method = _choose("Method", list(METHOD_LABELS), "method", "method", METHOD_LABELS.get)
    presentation = st.sidebar.toggle("Presentation mode (large fonts)", key="present")
    st.sidebar.radio("Chart downloads (toolbar camera)", ["svg", "png"], key="image_format", horizontal=True,
                     format_func=str.upper, help="SVG for papers; PNG at 3× for slides.")
    request = Request(model_id, sample_id, tuple(sorted(players)), baseline, output, target, method)
    link_notice()
    focus = st.session_state.get("focus") or st.session_state.get("url_focus")
    return ViewContext.build(request, model, sample, candidates, focus, presentation)


def write_url(context: ViewContext, page: str) -> None:
    """Mirror the choices in the query string so the view can be shared as a link (``page``: the url path shown).

    The focus is written as the user chose it, even when it is not one of the current players' interactions; a
    link's focus stays while it is one of them."""
    target = st.session_state.get(f"target::{context.request.model_id}")
    params = shared_params(context.request, context.focus, context.presentation, target)
    if st.session_state.get("focus"):
        params["focus"] = st.session_state["focus"]
    write_query(params, page)


def set_focus(interaction: Interaction) -> None:
    """Focus ``interaction`` on every page (a click on a chart or a table row)."""
    st.session_state["focus"] = str(interaction)
