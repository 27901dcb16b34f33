"""Sidebar forms that add inputs to the explorer: the user's own model, and an uploaded image or table row.

A shared server is safe by default: the own-model form loads only what a link may (a model in the local Hugging Face
cache, or a folder under an allowed root); Python files, pickle weights and any folder only when the operator sets
``INTERACTION_EXPLORER_ALLOW_CODE=1`` (:mod:`engine.zoo.access`)."""

from __future__ import annotations

import streamlit as st

from engine.errors import EngineError
from engine.zoo import ZooModel, user_model_id
from engine.zoo.access import code_allowed, visitor_model_id
from engine.zoo.uploads import MAX_IMAGE_BYTES, MAX_TABLE_BYTES, image_sample, photo_sample, table_sample

from .compute import cached_model


def _load_own_model() -> None:
    """Button callback: load the typed model; on success select it, else keep the message for the form."""
    source = st.session_state.get("own_source", "").strip()
    if not source:
        return
    try:
        model_id = visitor_model_id(user_model_id(source, code_allowed() and st.session_state.get("own_pickle", False)))
        cached_model(model_id)
    except EngineError as exc:
        st.session_state["own_error"] = str(exc)
        return
    st.session_state["own_error"] = None
    if model_id not in st.session_state["user_models"]:
        st.session_state["user_models"].append(model_id)
    st.session_state["model"] = model_id


def own_model_form() -> None:
    """Sidebar form to load a Hugging Face model from the local cache or an allowed folder; with the operator's
    ``INTERACTION_EXPLORER_ALLOW_CODE=1`` also any folder, pickle weights, or file.py:function."""
    hf_help = ("A Hugging Face sequence classifier or causal LM (config.json, safetensors weights and a fast "
               "tokenizer); nothing is downloaded and no code from the folder runs.")
    with st.sidebar.expander("Your own model"):
        if code_allowed():
            st.text_input("Folder, cached hub name, or file.py:function", key="own_source",
                          placeholder="/path/to/model-folder",
                          help=hf_help + " Or a Python file whose function returns a torch module over feature rows "
                                         "(see the README).")
            st.checkbox("Allow PyTorch pickle weights (pytorch_model.bin)", key="own_pickle",
                        help="A pickle file can run code when it is loaded. Weights are loaded with "
                             "weights_only=True, but allow this only for files you trust.")
        else:
            st.text_input("Cached hub name, or a folder this server allows", key="own_source",
                          placeholder="org/model-name",
                          help=hf_help + " This server loads models from its Hugging Face cache and the folders its "
                                         "operator allows; Python files are off.")
        st.button("Load model", key="own_load", on_click=_load_own_model)
        if st.session_state.get("own_error"):
            st.error(st.session_state["own_error"], icon=":material/error:")


UPLOAD_TYPES = {"image": (["png", "jpg", "jpeg", "bmp", "gif"], "…or upload a picture of a digit"),
                "photo": (["png", "jpg", "jpeg", "bmp", "gif", "webp"], "…or upload a photo (its centred square is "
                                                                        "used; a new photo takes minutes on a CPU)"),
                "tabular": (["csv"], "…or upload a CSV row (a header with the feature names, one row of numbers)")}
UPLOAD_MB = {"image": MAX_IMAGE_BYTES // 2**20, "photo": MAX_IMAGE_BYTES // 2**20,
             "tabular": max(1, MAX_TABLE_BYTES // 2**20)}  # what the uploader says, and refuses above, in MB


def _sample_of(model: ZooModel, raw: bytes, name: str):
    """The uploaded file as a sample of the model's kind (EngineError when it is not one)."""
    if model.modality == "image":
        return image_sample(raw, name, model.adapter.side)
    if model.modality == "photo":
        return photo_sample(raw, name)
    return table_sample(raw, [c.label for c in model.candidates_of(model.samples[0])], name)


def _read_upload(model: ZooModel, sample_key: str) -> None:
    """Uploader callback: turn the file into a sample, list it first and select it; keep any error for the form."""
    file = st.session_state.get(f"upload_file::{model.upload_kind}")
    st.session_state["upload_error"] = None
    if file is None:
        return
    try:
        sample = _sample_of(model, file.getvalue(), file.name)
    except EngineError as exc:
        st.session_state["upload_error"] = str(exc)
        return
    uploads = st.session_state.setdefault(f"uploads::{model.upload_kind}", [])
    if sample.sample_id not in [u.sample_id for u in uploads]:
        uploads.append(sample)
    st.session_state[sample_key] = sample.sample_id


def upload_form(model: ZooModel, sample_key: str) -> None:
    """A file uploader for the model's kind of input (a digit, a photo or a CSV row) and its error, if any."""
    types, label = UPLOAD_TYPES[model.modality]
    st.sidebar.file_uploader(label, type=types, key=f"upload_file::{model.upload_kind}", on_change=_read_upload,
                             args=(model, sample_key), max_upload_size=UPLOAD_MB[model.modality])
    if st.session_state.get("upload_error"):
        st.sidebar.error(st.session_state["upload_error"], icon=":material/error:")
