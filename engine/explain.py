"""From a request (model, sample, players, baseline, output, method) to a cached result with provenance.

The model's outputs on the 2^n masked samples are computed once per (model, sample, players, baseline, output) and
cached as an AND-only result; the AND-OR decomposition and the joint extraction over several models are cached on
top of it, so switching methods never runs a model again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from . import and_or
from .cache import ResultCache, cache_key
from .errors import EngineError, TooLarge
from .game import CancelFn, ProgressFn
from .limits import affordable_settings, batch_size_for, check_affordable, within_time_limit
from .outputs import OutputSpec
from .result import InteractionResult, Provenance, SolverReport
from .zoo import Sample, ZooModel, checkpoint_id, checkpoint_states, free_text_sample, get_model
from .zoo.access import canonical_id
from .zoo.base import model_device
from .zoo.samples import sample_digest

ENGINE_VERSION = "0.3.1"  # 0.3: interior point, joint LP, restarted PDHG, certified gaps; .1: exact LP to 13 on a CPU
METHODS = ("and", "and-or")


@dataclass(frozen=True)
class Request:
    """What to explain. ``players`` are candidate indices of the sample (None: the model's default choice)."""

    model_id: str
    sample_id: str
    players: tuple[int, ...] | None = None
    baseline: str | None = None
    output: str = "log-odds"
    target: int | None = None  # None: the class the model predicts on the unmasked sample
    method: str = "and-or"
    qthres: float = and_or.QTHRES_SINGLE
    solver: str = "auto"


def resolve_sample(model: ZooModel, sample_id: str) -> Sample:
    """A bundled sample by id; for text models any other string is the user's own sentence."""
    try:
        return model.sample(sample_id)
    except EngineError:
        if model.modality == "text":
            return free_text_sample(sample_id)
        raise


def predict(model_id: str, sample_id: str) -> dict[str, float]:
    """{class name: p_c} on the unmasked sample, p = softmax(z) (sigmoid for a single logit); ``sample_id`` is a
    bundled sample's id or, for a text model, any sentence."""
    model = get_model(model_id)
    probabilities = model.predict(resolve_sample(model, sample_id))
    return {name: float(p) for name, p in zip(model.class_names, probabilities)}


def predicted_classes(model_ids: list[str], sample_id: str) -> dict[str, str]:
    """{model id: the class name it predicts on the unmasked sample}."""
    found = {}
    for model_id in model_ids:
        probabilities = predict(model_id, sample_id)
        found[model_id] = max(probabilities, key=probabilities.get)
    return found


def with_defaults(request: Request, model: ZooModel, sample: Sample) -> Request:
    """``request`` with its defaults filled in: the model's default players and first baseline, and as target the
    class the model predicts on the unmasked sample (memoised by the model, so at most one forward pass)."""
    if request.method not in METHODS:
        raise EngineError(f"unknown method {request.method!r}; choose one of {', '.join(METHODS)}")
    players = tuple(model.default_player_ids(sample)) if request.players is None else tuple(request.players)
    target = model.predicted_class(sample) if request.target is None else request.target
    return replace(request, players=players, baseline=request.baseline or model.baselines[0], target=target)


def resolved(request: Request) -> tuple[Request, ZooModel, Sample]:
    """The request with defaults filled in (:func:`with_defaults`) and its model id normalised (one spelling per
    folder or file, :func:`engine.zoo.access.canonical_id`), the model and the sample."""
    request = replace(request, model_id=canonical_id(request.model_id))
    model = get_model(request.model_id)
    sample = resolve_sample(model, request.sample_id)
    return with_defaults(request, model, sample), model, sample


def _values_key(request: Request, model: ZooModel, sample: Sample) -> dict:
    """Everything that determines the model's outputs on the masked samples: the model (id, weights hash and, for a
    ``py:`` model, its code's hash), the sample (id and data hash), players, baseline, output and target."""
    return {
        "what": "values",
        "engine": ENGINE_VERSION,
        "model": request.model_id,
        "weights": model.weights_hash,
        "code": model.provenance.get("code_sha256"),
        "sample": request.sample_id,
        "sample_data": sample_digest(sample),
        "players": list(request.players),
        "baseline": request.baseline,
        "output": request.output,
        "target": request.target,
    }


def _evaluate(request: Request, model: ZooModel, sample: Sample, progress, cancel) -> InteractionResult:
    game = model.make_game(sample, list(request.players), request.baseline, OutputSpec(request.output, request.target))
    game.batch_size = batch_size_for(game, model_device())  # batches that fit the device's free memory
    check_affordable(game)
    start = time.perf_counter()
    values = game.evaluate(progress=progress, cancel=cancel)
    seconds = time.perf_counter() - start
    provenance = _provenance(request, model, sample, {"evaluation_s": seconds})
    return InteractionResult.harsanyi(game.player_labels, values, provenance=provenance)


def _provenance(request: Request, model: ZooModel, sample: Sample, timings: dict[str, float]) -> Provenance:
    """The provenance of the model's outputs for a resolved request (its identity keys the results built on it)."""
    return Provenance(
        model_id=request.model_id,
        model_title=model.title,
        weights_sha256=model.weights_hash,
        model_provenance=model.provenance,
        sample_id=request.sample_id,
        sample_title=sample.title,
        player_ids=list(request.players),
        baseline=request.baseline,
        output=request.output,
        target=request.target,
        target_name=model.class_names[request.target] if request.target < len(model.class_names) else None,
        prediction=model.predict(sample).tolist(),
        engine_version=ENGINE_VERSION,
        device=str(model_device()),
        timings=timings,
    )


def explain(
    request: Request,
    cache: ResultCache | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    device: str | None = None,
) -> InteractionResult:
    """The result for ``request``: AND-only Harsanyi interactions, or the AND-OR decomposition (method "and-or")."""
    request, model, sample = resolved(request)
    cache = cache or ResultCache()
    values_request = _values_key(request, model, sample)
    base = cache.get_or_compute(values_request, lambda: _evaluate(request, model, sample, progress, cancel), progress)
    if request.method == "and":
        return base
    key, settings = _and_or_key(values_request, request)
    return cache.get_or_compute(key, lambda: decompose_result(base, settings, device, progress, cancel), progress,
                                stale=lambda found: exact_now_fits([found], settings))


def _and_or_key(values_request: dict, request: Request) -> tuple[dict, dict]:
    """The AND-OR decomposition's key (built on the model outputs' key) and its solver settings."""
    settings = {"qthres": request.qthres, "requested_solver": request.solver}
    return values_request | {"what": "and-or"} | settings, settings


def request_keys(request: Request) -> list[str]:
    """The cache keys :func:`explain` reads and writes for ``request``: the model's outputs on the 2^n masked
    samples, then (method "and-or") the decomposition built on them. Costs the prediction on the unmasked sample."""
    request, model, sample = resolved(request)
    values_request = _values_key(request, model, sample)
    if request.method == "and":
        return [cache_key(values_request)]
    return [cache_key(values_request), cache_key(_and_or_key(values_request, request)[0])]


def _solver_settings(u: np.ndarray, settings: dict, device: str | None) -> tuple[and_or.SolverSettings, str | None]:
    """The solver settings of a request's settings (qthres, and alpha and pthres for a joint extraction; the requested
    solver, default "auto") within the time limit, as :func:`engine.limits.affordable_settings` fits them to u, with
    what the exact LP would have needed when "auto" could not run it."""
    keys = ("qthres", "alpha", "pthres")
    chosen = and_or.SolverSettings(**{k: settings[k] for k in keys if k in settings}, device=device,
                                   solver=settings.get("requested_solver", "auto"))
    return affordable_settings(u, within_time_limit(chosen))


def exact_now_fits(results: list[InteractionResult], settings: dict) -> bool:
    """Whether a stored split (one model's, or one result per model of a joint extraction) that "auto" solved by PDHG
    for want of time or memory (``report.exact_skipped``) could now be solved exactly on the same u: such results are
    stale, and are computed again (the limit, the load or the memory changed)."""
    report = results[0].report
    if report is None or not report.exact_skipped:
        return False
    try:
        return _solver_settings(np.stack([r.u for r in results]), settings, None)[1] is None
    except TooLarge:
        return False


def decompose_result(
    base: InteractionResult, settings: dict, device: str | None = None, progress=None, cancel=None
) -> InteractionResult:
    """AND-OR decomposition of an AND-only result's u = v − v(∅); v(∅) goes back into I_and(∅)."""
    solver_settings, exact_skipped = _solver_settings(base.u, settings, device)
    solved = and_or.decompose(base.u, settings=solver_settings, progress=progress, cancel=cancel)
    i_and, i_or = solved.i_and[0].copy(), solved.i_or[0]
    i_and[0] += base.v_empty
    report = SolverReport.from_decomposition(solved, half_half_loss=and_or.half_half_loss(base.u),
                                             and_only_loss=and_or.and_only_loss(base.u), exact_skipped=exact_skipped,
                                             **settings)
    provenance = replace(base.provenance, method="and-or", device=and_or.plan(base.n, 1, solver_settings).device)
    return InteractionResult(base.players, base.v, i_and, i_or, "and-or", solved.p[0], solved.q[0], report, provenance)


def explain_shared(
    model_ids: list[str],
    sample_id: str,
    players: tuple[int, ...] | None = None,
    baseline: str | None = None,
    *,
    target: int | None = None,
    alpha: float = and_or.ALPHA_SHARED,
    pthres: float = and_or.PTHRES_SHARED,
    qthres: float = and_or.QTHRES_SHARED,
    cache: ResultCache | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    device: str | None = None,
) -> list[InteractionResult]:
    """Joint extraction (Chen et al. eq. 6) over m ≥ 2 models on the same sample and players; one result per model.

    Every model explains the same class ``target`` (default: the class the first model predicts), so that shared
    primitives compare like with like even where the models disagree (see :func:`predicted_classes`). Players
    are the same candidate indices in every model, so the models must share their input variables and classes (the
    bundled pairs do).
    """
    cache = cache or ResultCache()
    requests = _shared_requests(model_ids, sample_id, players, baseline, target)
    settings = {"alpha": alpha, "pthres": pthres, "qthres": qthres}
    keys = _joint_keys(requests, settings)
    found = [cache.get(k) for k in keys]
    if all(r is not None for r in found) and not exact_now_fits(found, settings):
        return found
    bases = [explain(req, cache, progress, cancel) for req, _, _ in requests]
    with cache.slot(progress):
        results = joint_results(bases, settings, device, progress, cancel)
    for k, r in zip(keys, results):
        cache.put(k, r)
    return results


def _shared_requests(model_ids: list[str], sample_id: str, players: tuple[int, ...] | None,
                     baseline: str | None, target: int | None = None) -> list[tuple[Request, ZooModel, Sample]]:
    """Each model's resolved AND-only request on the first model's players, baseline and class ``target`` (default:
    the first model's prediction); they must share their input variables and classes."""
    if len(model_ids) < 2:
        raise EngineError("choose at least two models to compare")
    first, model, sample = resolved(Request(model_ids[0], sample_id, players, baseline, target=target, method="and"))
    labels = [c.label for c in model.candidates_of(sample)]
    requests = []
    for model_id in model_ids:
        req, other, other_sample = resolved(Request(model_id, sample_id, first.players, first.baseline,
                                                    target=first.target, method="and"))
        if [c.label for c in other.candidates_of(other_sample)] != labels:
            raise EngineError(f"models {model_ids[0]!r} and {model_id!r} do not share their input variables")
        if other.class_names != model.class_names:
            raise EngineError(f"models {model_ids[0]!r} and {model_id!r} do not share their classes")
        requests.append((req, other, other_sample))
    return requests


def _joint_keys(requests: list[tuple[Request, ZooModel, Sample]], settings: dict) -> list[str]:
    """One cache key per model of the joint extraction, from the keys of the models' outputs."""
    bases = [_values_key(req, model, sample) for req, model, sample in requests]
    key = {"what": "shared", "engine": ENGINE_VERSION, "bases": bases} | settings
    return [cache_key(key | {"model_index": i}) for i in range(len(requests))]


def shared_keys(model_ids: list[str], sample_id: str, alpha: float = and_or.ALPHA_SHARED,
                pthres: float = and_or.PTHRES_SHARED, qthres: float = and_or.QTHRES_SHARED) -> list[str]:
    """The cache keys :func:`explain_shared` reads and writes with the default players and baseline: each model's
    outputs, then one joint-extraction result per model."""
    requests = _shared_requests(model_ids, sample_id, None, None)
    settings = {"alpha": alpha, "pthres": pthres, "qthres": qthres}
    return [k for req, _, _ in requests for k in request_keys(req)] + _joint_keys(requests, settings)


def joint_results(
    bases: list[InteractionResult], settings: dict, device: str | None = None, progress=None, cancel=None
) -> list[InteractionResult]:
    """Solve the joint problem over the models' u = v − v(∅); one result per model (method "shared")."""
    u = np.stack([b.u for b in bases])
    solver_settings, exact_skipped = _solver_settings(u, settings, device)
    solved = and_or.decompose_joint(u, settings=solver_settings, progress=progress, cancel=cancel)
    device = and_or.plan(bases[0].n, len(bases), solver_settings).device
    report = SolverReport.from_decomposition(solved, solver=f"{solved.solver}-joint", exact_skipped=exact_skipped,
                                             models=[b.provenance.model_id for b in bases], **settings)
    results = []
    for i, base in enumerate(bases):
        i_and = solved.i_and[i].copy()
        i_and[0] += base.v_empty
        provenance = replace(base.provenance, method="shared", device=device)
        results.append(InteractionResult(base.players, base.v, i_and, solved.i_or[i], "shared", solved.p[i],
                                         solved.q[i], report, provenance))
    return results


def explain_checkpoints(
    model_id: str,
    sample_ids: list[str],
    players: tuple[int, ...] | None = None,
    baseline: str | None = None,
    method: str = "and",
    cache: ResultCache | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> dict[int, list[InteractionResult]]:
    """{epoch: one result per sample} for every training checkpoint of ``model_id``.

    Each sample keeps the same players, baseline and target at every epoch: the target is the sample's true class
    (the final model's prediction where it has none), so that the epochs explain the same output.
    """
    if not sample_ids:
        raise EngineError("choose at least one sample")
    cache = cache or ResultCache()
    epochs = list(checkpoint_states(model_id))
    final = get_model(model_id)
    jobs = []
    for sample_id in sample_ids:
        sample = resolve_sample(final, sample_id)
        target = sample.label if sample.label is not None else final.predicted_class(sample)
        jobs.append((sample_id, players or tuple(final.default_player_ids(sample)), target))
    results: dict[int, list[InteractionResult]] = {e: [] for e in epochs}
    steps = [(epoch, job) for epoch in epochs for job in jobs]
    for step, (epoch, (sample_id, sample_players, target)) in enumerate(steps):
        def report(fraction: float, text: str, step=step, epoch=epoch) -> None:
            if progress is not None:
                progress((step + fraction) / len(steps), f"epoch {epoch} ({step + 1} of {len(steps)}): {text}")

        request = Request(checkpoint_id(model_id, epoch), sample_id, sample_players, baseline, target=target,
                          method=method)
        results[epoch].append(explain(request, cache, report, cancel))
    return results
