"""The pages' only door to the engine: one shared result cache, progress bars, and errors shown as messages.

Every computation of the app runs under the server's request time limit (``INTERACTION_EXPLORER_SERVER_MAX_SECONDS``,
which no link can raise) and in a slot of one server-wide gate (``INTERACTION_EXPLORER_CONCURRENT`` at once); a
waiting visitor sees their place in line in the progress bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

import streamlit as st

from engine.across import AcrossSettings, Aggregate, across, aggregate_key, cached_aggregate
from engine.cache import ResultCache
from engine.errors import EngineError
from engine.dynamics import Trajectory, trajectory
from engine.explain import Request, explain, explain_checkpoints, explain_shared
from engine.gate import Gate
from engine.limits import SERVER_MAX_SECONDS, request_limit
from engine.result import InteractionResult
from engine.zoo import STAND_INS, ZooModel, get_model, is_user_model, training_history

from .bundle import ACTIVE

T = TypeVar("T")


def cached_model(model_id: str) -> ZooModel:
    """The model: the stand-in while this session browses a bundle that holds it, else a bundled one loaded once per
    server, or a user's own from the engine's bounded LRU."""
    stand_in = STAND_INS.get().get(model_id)
    if stand_in is not None:
        return stand_in
    if is_user_model(model_id):
        with st.spinner("Loading the model…"):
            return get_model(model_id)
    return _bundled_model(model_id)


@st.cache_resource(show_spinner="Loading the model…")
def _bundled_model(model_id: str) -> ZooModel:
    return get_model(model_id)


def shared_cache() -> ResultCache:
    """The server's cache; while this session browses a bundle, the bundle's (read-only)."""
    bundle = ACTIVE.get()
    return bundle.cache if bundle is not None else _server_cache()


@st.cache_resource
def _server_cache() -> ResultCache:
    """One cache for every browser session of this server (thread-safe; results on disk survive restarts), with the
    server-wide gate on concurrent computations."""
    return ResultCache(gate=Gate())


def run_with_progress(label: str, work: Callable[[Callable[[float, str], None]], T]) -> T:
    """Run ``work(progress)`` with a progress bar; engine errors stop the page with a message, not a traceback.

    A user who changes a control while this runs interrupts the script at the next progress update; nothing is
    written to the cache for an interrupted computation.
    """
    bar = st.progress(0.0, text=label)
    try:
        with request_limit(SERVER_MAX_SECONDS):
            return work(lambda fraction, text: bar.progress(min(max(fraction, 0.0), 1.0), text=f"{label}: {text}"))
    except EngineError as exc:
        st.error(str(exc), icon=":material/error:")
        st.stop()
    finally:
        bar.empty()
        if shared_cache().warning:
            st.warning(f"The result is shown but not kept: {shared_cache().warning}.", icon=":material/warning:")


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
                                        target=request.target, cache=shared_cache(), progress=progress, **settings),
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


RUNNING, DONE = "across-running", "across-done"  # the aggregate being computed (its key), samples finished so far


def _start(key: str) -> None:
    st.session_state[RUNNING] = key
    st.session_state[DONE] = 0


def across_for(model_ids: list[str], sample_ids: list[str], settings: AcrossSettings) -> Aggregate | None:
    """The aggregate over ``sample_ids``: read at once when it was computed before; else computed after a click,
    with a progress bar and a Cancel button. After a cancel (any click interrupts the run) the samples done so far
    (their results are cached) are aggregated and returned marked partial; None before anything is done."""
    cache = shared_cache()
    key = aggregate_key(model_ids, sample_ids, settings)
    found = cached_aggregate(cache, key)
    if found is not None:
        return found
    if st.session_state.get(RUNNING) != key:
        st.button(f"Compute {len(sample_ids)} samples", key="across-compute", type="primary", on_click=_start,
                  args=(key,), icon=":material/play_arrow:")
        done = st.session_state.get(DONE, 0) if st.session_state.get("across-last") == key else 0
        if not done:
            return None
        partial = across(model_ids, sample_ids[:done], settings, cache)  # all cached: no model runs
        return replace(partial, requested=list(sample_ids), partial=True)
    st.session_state.pop(RUNNING)  # an interrupted or failed run does not restart by itself
    st.session_state["across-last"] = key
    slot = st.empty()
    slot.button("Cancel", key="across-cancel", icon=":material/stop:",
                help="Stops after the current step; the samples done so far are shown and stay cached.")

    def work(progress):
        def tell(fraction: float, text: str) -> None:
            st.session_state[DONE] = int(fraction * len(sample_ids) + 1e-9)
            progress(fraction, text)

        return across(model_ids, sample_ids, settings, cache, tell)

    found = run_with_progress("Explaining the samples", work)
    slot.empty()
    return found
