"""The pages' only door to the engine: one shared result cache, progress bars, and errors shown as messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from engine.cache import ResultCache
from engine.errors import EngineError
from engine.explain import Request, explain, explain_shared
from engine.result import InteractionResult

T = TypeVar("T")


@st.cache_resource
def shared_cache() -> ResultCache:
    """One cache for every browser session of this server (thread-safe; results on disk survive restarts)."""
    return ResultCache()


def run_with_progress(label: str, work: Callable[[Callable[[float, str], None]], T]) -> T:
    """Run ``work(progress)`` with a progress bar; engine errors stop the page with a message, not a traceback.

    A user who changes a control while this runs interrupts the script at the next progress update; nothing is
    written to the cache for an interrupted computation.
    """
    bar = st.progress(0.0, text=label)
    try:
        return work(lambda fraction, text: bar.progress(min(max(fraction, 0.0), 1.0), text=f"{label}: {text}"))
    except EngineError as exc:
        st.error(str(exc), icon="⚠️")
        st.stop()
    finally:
        bar.empty()


def result_for(request: Request) -> InteractionResult:
    """The result of ``request`` (instant when cached)."""
    if not request.players:
        st.info("Choose at least one player in the sidebar.")
        st.stop()
    return run_with_progress("Computing interactions", lambda progress: explain(request, shared_cache(), progress))


def and_only_for(request: Request) -> InteractionResult:
    """The AND-only Harsanyi result of the same game (for comparison curves)."""
    from dataclasses import replace

    return result_for(replace(request, method="and"))


def shared_results_for(model_ids: list[str], request: Request, **settings) -> list[InteractionResult]:
    return run_with_progress(
        "Joint extraction",
        lambda progress: explain_shared(model_ids, request.sample_id, request.players, request.baseline,
                                        cache=shared_cache(), progress=progress, **settings),
    )
