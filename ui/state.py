"""The explorer's shared choices (sidebar), kept in session state and mirrored in the URL for deep links."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.explain import Request, resolve_sample
from engine.interaction import Interaction
from engine.outputs import OUTPUT_KINDS
from engine.zoo import DEFAULT_MODEL, MODEL_TITLES, Sample, ZooModel

from .compute import cached_model
from .context import ViewContext
from .forms import own_model_form, upload_form
from .url import ignored, link_notice, parse_players, seed_from_link, shared_params, write_query

TARGET_OPTIONS = 20  # classes offered as the class explained (the most probable ones, for a vocabulary)
METHOD_LABELS = {"and-or": "AND-OR decomposition", "and": "AND only (Harsanyi)"}


def model_title(model_id: str) -> str:
    return MODEL_TITLES.get(model_id) or f"Your model · {model_id.split(':', 1)[1]}"


def _choose(label: str, options: list, key: str, url_key: str, fmt=str):
    """A selectbox whose first value may come from the URL (when valid)."""
    wanted = st.session_state.pop(f"url_{url_key}", None)
    if wanted is not None and wanted in [str(o) for o in options]:
        st.session_state[key] = options[[str(o) for o in options].index(wanted)]
    elif wanted is not None:
        ignored(f"{url_key} {wanted!r}")
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
        wanted = st.session_state.get("url_target", "")
        if wanted.isdigit() and int(wanted) < len(probabilities) and int(wanted) not in classes:
            classes.append(int(wanted))

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


def sidebar() -> ViewContext:
    """Draw the shared controls and return the view context they choose."""
    seed_from_link()
    options = list(MODEL_TITLES) + st.session_state.setdefault("user_models", [])
    if st.session_state.get("model") not in options:
        st.session_state["model"] = DEFAULT_MODEL
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
    for upload in st.session_state.get(f"uploads::{model.modality}", []):
        sample_ids.insert(0, upload.sample_id)
        titles[upload.sample_id] = upload.title
    sample_key = f"sample::{model_id}"
    sample_id = _choose("Sample", sample_ids, sample_key, "sample", lambda s: titles.get(s, s))
    if model.modality == "text":
        st.sidebar.text_input("…or type your own sentence", key="custom_text", on_change=_use_own_sentence,
                              args=(sample_key,),
                              help="Players are words; every sub-token of a word is masked together.")
    else:
        upload_form(model, sample_key)
    sample = resolve_sample(model, sample_id)
    candidates = model.candidates_of(sample)
    options = list(range(len(candidates)))
    default = model.default_player_ids(sample)
    players_key = f"players::{model_id}::{sample_id}"
    url_players = st.session_state.pop("url_players", None)
    if url_players is not None:
        chosen = parse_players(url_players, len(options))
        if chosen is not None:
            st.session_state[players_key] = chosen
        else:
            ignored(f"players {url_players!r} (this sample has variables 0 to {len(options) - 1})")
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
