"""The pages' only door to the engine: one shared result cache, progress bars, and errors shown as messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from engine.cache import ResultCache
from engine.errors import EngineError
from engine.dynamics import Trajectory, trajectory
from engine.explain import Request, explain, explain_checkpoints, explain_shared
from engine.result import InteractionResult
from engine.zoo import ZooModel, get_model, training_history

T = TypeVar("T")


@st.cache_resource(show_spinner="Loading the model…")
def cached_model(model_id: str) -> ZooModel:
    return get_model(model_id)


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
        st.error(str(exc), icon=":material/error:")
        st.stop()
    finally:
        bar.empty()


def result_for(request: Request) -> InteractionResult:
    """The result of ``request`` (instant when cached)."""
    if not request.players:
        st.info("Choose at least one player in the sidebar.")
        st.stop()
    return run_with_progress("Computing interactions", lambda progress: explain(request, shared_cache(), progress))


def shared_results_for(model_ids: list[str], request: Request, **settings) -> list[InteractionResult]:
    return run_with_progress(
        "Joint extraction",
        lambda progress: explain_shared(model_ids, request.sample_id, request.players, request.baseline,
                                        request.target, cache=shared_cache(), progress=progress, **settings),
    )


def trajectory_for(model_id: str, sample_ids: list[str], players: tuple[int, ...] | None, baseline: str | None,
                   method: str) -> Trajectory:
    """Explain the samples at every checkpoint (progress bar; cached on disk), then fit the theory (memoised)."""
    if not sample_ids:
        st.info("Choose at least one sample.")
        st.stop()
    run_with_progress("Explaining every checkpoint", lambda progress: explain_checkpoints(
        model_id, sample_ids, players, baseline, method, shared_cache(), progress))
    return _trajectory(model_id, tuple(sample_ids), players, baseline, method)


@st.cache_data(show_spinner="Fitting the theory's σ² per checkpoint…", max_entries=32)
def _trajectory(model_id: str, sample_ids: tuple[str, ...], players, baseline, method) -> Trajectory:
    results = explain_checkpoints(model_id, list(sample_ids), players, baseline, method, shared_cache())
    return trajectory(results, training_history(model_id))
