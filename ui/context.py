"""The view context: everything a page draws from, built once per rerun by the frame (app.py)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import streamlit as st

from engine.explain import Request, with_defaults
from engine.interaction import Interaction
from engine.result import InteractionResult
from engine.zoo import Candidate, Sample, ZooModel

from .compute import result_for

CONTEXT_KEY = "view_context"


@dataclass
class ViewContext:
    """The request with its defaults and target class resolved once, its model, sample and candidate players, the
    focused interaction (if it is one of the current players'), and the presentation switch."""

    request: Request
    model: ZooModel
    sample: Sample
    candidates: list[Candidate]
    focus: Interaction | None
    presentation: bool
    _results: dict[Request, InteractionResult] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, request: Request, model: ZooModel, sample: Sample, candidates: list[Candidate],
              focus: str | None, presentation: bool) -> ViewContext:
        """Fill in the request's defaults and target once (:func:`engine.explain.with_defaults`)."""
        full = with_defaults(request, model, sample)
        return cls(full, model, sample, candidates, Interaction.find(focus, len(full.players)), presentation)

    @property
    def player_ids(self) -> list[int]:
        return list(self.request.players or ())

    def result(self, **changes) -> InteractionResult:
        """The result of the request (with ``changes``: another method, model, qthres…), memoised for this rerun.

        A change of model explains that model's own predicted class."""
        request = replace(self.request, **({"target": None} if "model_id" in changes else {}) | changes)
        if request not in self._results:
            self._results[request] = result_for(request)
        return self._results[request]


REROUTED_KEY = "_rerouted"


def publish(context: ViewContext) -> None:
    """The frame's hand-over: the context of this rerun, for the page it runs next."""
    st.session_state[CONTEXT_KEY] = context
    st.session_state[REROUTED_KEY] = False


def view_context() -> ViewContext:
    """The context the frame built for this rerun, taken once (a page never draws from an earlier rerun's context;
    without one, see :func:`leave_legacy_pages_mode`)."""
    context = st.session_state.pop(CONTEXT_KEY, None)
    if context is None:
        leave_legacy_pages_mode()
    return context


def leave_legacy_pages_mode() -> None:
    """Hand a page that runs without the frame over to the frame.

    Until some session has called ``st.navigation``, Streamlit treats the ``pages/`` folder as a legacy multipage
    app, so the very first visitor of a fresh server who opens a deep link (``/orders?...``) gets the page file run
    alone, without app.py (and AppTest runs every rerun that way). The pinned Streamlit has no public switch for
    this, so this one function flips its private ``PagesManager`` to the ``st.navigation`` app and reruns: app.py
    draws the frame and routes to the same page, with the link's query parameters. The browser test that opens a
    deep link on a fresh server guards it.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a Streamlit without the legacy mode
        PagesManager = None
    if PagesManager is None or st.session_state.get(REROUTED_KEY):  # handed over, still no frame: do not loop
        st.error("This page was opened without the app around it; open the app's main address instead.")
        st.stop()
    st.session_state[REROUTED_KEY] = True
    PagesManager.uses_pages_directory = False
    st.rerun()
