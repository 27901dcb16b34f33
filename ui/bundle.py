"""Browse a result bundle (``engine.bundle``): opened from the sidebar, or for every session from the command line
(``python -m ui.serve -- --bundle FILE.zip`` or ``$INTERACTION_EXPLORER_BUNDLE``). While one is open, the sidebar
offers its models, every view reads its results, and nothing new is computed with a model (stand-ins)."""

from __future__ import annotations

import hashlib
import os
import sys
from contextvars import ContextVar
from pathlib import Path

import streamlit as st

from engine.bundle import OpenBundle, open_bundle
from engine.cache import default_cache_dir
from engine.errors import EngineError
from engine.zoo import STAND_INS

BUNDLE_VARIABLE = "INTERACTION_EXPLORER_BUNDLE"
ACTIVE: ContextVar[OpenBundle | None] = ContextVar("active_bundle", default=None)  # this rerun's bundle


def command_line_bundle() -> str | None:
    """The bundle given after ``--`` on the command line (``--bundle FILE.zip``), else ``$INTERACTION_EXPLORER_BUNDLE``."""
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == "--bundle" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--bundle="):
            return arg.split("=", 1)[1]
    return os.environ.get(BUNDLE_VARIABLE) or None


@st.cache_resource(show_spinner="Opening the bundle…", max_entries=16)
def _opened(digest: str, _data: bytes, name: str) -> OpenBundle:
    """A bundle imported once per server into a folder named after its content."""
    return open_bundle(_data, default_cache_dir() / "bundles" / digest[:32], name)


def _open_bytes(data: bytes, name: str) -> OpenBundle:
    return _opened(hashlib.sha256(data).hexdigest(), data, name)


def _read_upload() -> None:
    """Uploader callback: open the uploaded bundle for this session (a message when it cannot be opened)."""
    file = st.session_state.get("bundle_file")
    st.session_state.pop("bundle_error", None)
    if file is None:
        return
    try:
        st.session_state["bundle"] = _open_bytes(file.getvalue(), file.name)
    except EngineError as exc:
        st.session_state["bundle_error"] = str(exc)


def _close() -> None:
    st.session_state["bundle"] = None  # None (not absent): closed, so the command line's bundle is not reopened


def use_bundle() -> OpenBundle | None:
    """This session's bundle, made the models and results of this rerun (call first, before the sidebar)."""
    if "bundle" not in st.session_state and (path := command_line_bundle()):
        try:
            st.session_state["bundle"] = _open_bytes(Path(path).expanduser().read_bytes(), Path(path).name)
        except (OSError, EngineError) as exc:
            st.session_state["bundle"] = None
            st.session_state["bundle_error"] = f"could not open {path}: {exc}"
    bundle = st.session_state.get("bundle")
    ACTIVE.set(bundle)
    STAND_INS.set(bundle.models if bundle is not None else {})
    return bundle


def bundle_form() -> None:
    """The sidebar's part: the open bundle and a button to close it, or a switch that shows an uploader to open one
    (drawn only when asked for, so that the page has one file uploader otherwise)."""
    bundle = ACTIVE.get()
    if error := st.session_state.get("bundle_error"):
        st.sidebar.error(error, icon=":material/error:")
    if bundle is not None:
        st.sidebar.caption(f"Browsing **{bundle.describe()}**, read-only: the views show the bundled results; "
                           "anything else needs the model installed.")
        st.sidebar.button("Close the bundle", key="bundle_close", on_click=_close)
    elif st.sidebar.toggle("Open a result bundle", key="bundle_toggle",
                           help="A .zip made by `python -m engine bundle export`, browsed read-only."):
        st.sidebar.file_uploader("Result bundle (.zip)", type=["zip"], key="bundle_file", on_change=_read_upload)
