"""Precompute on a Ray cluster: the (sample, method) jobs of :mod:`engine.precompute` as Ray actor tasks.

One actor per model and device loads the model once (``num_gpus=1`` when the cluster has GPUs, else one CPU) and
runs the serial code of :func:`engine.precompute.run_job` on an in-memory cache seeded with what the driver's cache
already holds; it returns the new entries, and the driver writes them into its content-addressed cache. Jobs whose
entries are all cached are skipped; a job that raises is retried by Ray (``max_task_retries``,
``retry_exceptions``) and, if it fails again, reported by name without losing the others. Imported only with
``--ray`` (Ray is an optional extra, ``requirements-cluster.txt``).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

import ray

from .cache import ResultCache
from .errors import Cancelled, EngineError
from .precompute import Job, RecordingCache, job_keys, run_job, sample_jobs
from .result import InteractionResult

RETRIES = 2  # Ray retries a failing job this many times before it is reported
FAULT_VARIABLE = "INTERACTION_EXPLORER_FAIL_ONCE"  # a sample id whose first job raises once (tests of the retries)


@ray.remote
class ModelWorker:
    """One model loaded once on one device; answers which keys a sample's jobs need and runs jobs."""

    def __init__(self, model_id: str, fail_once: str | None = None) -> None:
        from .zoo import get_model

        self.model_id = model_id
        self.model = get_model(model_id)  # loaded once; the engine's own lookups find it in the zoo's cache
        self.fail_once = fail_once

    def sample_ids(self) -> list[str]:
        """The model's own samples (the default of ``--samples``)."""
        return [s.sample_id for s in self.model.samples]

    def plan(self, sample_id: str, methods: list[str]) -> list[tuple[Job, list[str]]] | str:
        """The sample's jobs with the cache keys each reads and writes, or the reason the sample cannot be done."""
        try:
            return [(job, job_keys(job)) for job in sample_jobs(self.model_id, sample_id, methods)]
        except EngineError as exc:
            return str(exc)

    @ray.method(max_task_retries=RETRIES, retry_exceptions=True)
    def run(self, job: Job, seeds: dict[str, InteractionResult],
            *upstream: dict[str, InteractionResult]) -> dict[str, InteractionResult]:
        """Run ``job`` on a cache seeded with ``seeds`` and the entries of the jobs it builds on; the new entries."""
        if self.fail_once == job.sample_id:
            self.fail_once = None
            raise RuntimeError(f"fault injected into {job.name} ({FAULT_VARIABLE})")
        cache = RecordingCache(seeds | {k: r for entries in upstream for k, r in entries.items()})
        run_job(job, cache)
        return cache.new


@dataclass
class Outcome:
    """What a cluster run did: jobs run, skipped (cached, or done by another job), and failed (name: reason)."""

    total: int = 0
    computed: int = 0
    skipped: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    written: int = 0

    @property
    def finished(self) -> int:
        return self.computed + self.skipped + len(self.failed)

    def line(self) -> str:
        """The progress line: finished of all jobs, and how they ended."""
        return (f"{self.finished}/{self.total} jobs: {self.computed} computed, {self.skipped} cached, "
                f"{len(self.failed)} failed")


def connect(address: str) -> None:
    """Join the Ray cluster at ``address`` (``auto``, ``ray://host:10001``, ``host:6379``) or, for ``local``, start
    one on this machine; a session that is already connected is kept."""
    if ray.is_initialized():
        return
    if address not in ("local", "auto"):  # Ray itself retries a dead address for minutes
        host, _, port = address.removeprefix("ray://").rpartition(":")
        try:
            socket.create_connection((host or "127.0.0.1", int(port)), timeout=5).close()
        except (OSError, ValueError):
            raise EngineError(f"nothing answers at {address!r}: give the head node's host:port (`ray start --head` "
                              "prints it), ray://host:10001, auto, or local") from None
    try:
        if address == "local":
            ray.init(include_dashboard=False, log_to_driver=False, logging_level="WARNING")
        else:
            ray.init(address=address, log_to_driver=False, logging_level="WARNING")
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise EngineError(f"cannot connect to the Ray cluster at {address!r}: {exc}") from None
    except KeyboardInterrupt:
        raise Cancelled(f"cancelled while connecting to the Ray cluster at {address!r}") from None


def worker_options(workers: int | None) -> tuple[int, dict]:
    """How many actors per model and what each asks for: one per GPU when the cluster has GPUs, else one per CPU."""
    resources = ray.cluster_resources()
    gpus, cpus = int(resources.get("GPU", 0)), max(int(resources.get("CPU", 1)), 1)
    if gpus:
        return workers or gpus, {"num_gpus": 1, "num_cpus": 1}
    return workers or cpus, {"num_cpus": 1}


def _reason(exc: Exception) -> str:
    cause = getattr(exc, "cause", None) or exc
    return f"{type(cause).__name__}: {str(cause).strip().splitlines()[-1] if str(cause).strip() else ''}"


def precompute_on_ray(
    model_id: str,
    sample_ids: list[str] | None,
    methods: list[str],
    cache: ResultCache,
    workers: int | None = None,
    progress: Callable[[Outcome], None] | None = None,
) -> Outcome:
    """Fill ``cache`` with the jobs of ``model_id`` on ``sample_ids`` (None: all its samples) on the connected
    cluster; samples go round-robin to the model's actors, a sample's jobs run in order on one actor, each one
    receiving the entries of those before it. Ctrl-C cancels the outstanding jobs (raises :class:`Cancelled`);
    what finished before stays in the cache."""
    count, options = worker_options(workers)
    fail_once = os.environ.get(FAULT_VARIABLE)
    actors = [ModelWorker.options(**options).remote(model_id, fail_once)]
    outcome = Outcome()
    pending: dict[ray.ObjectRef, Job] = {}
    try:
        sample_ids = sample_ids or ray.get(actors[0].sample_ids.remote())
        actors += [ModelWorker.options(**options).remote(model_id, fail_once)
                   for _ in range(min(count, len(sample_ids)) - 1)]
        plans = ray.get([actors[i % len(actors)].plan.remote(s, methods) for i, s in enumerate(sample_ids)])
        planned: set[str] = set()  # keys some submitted job will write
        for number, (sample_id, plan) in enumerate(zip(sample_ids, plans)):
            if isinstance(plan, str):
                outcome.total += 1
                outcome.failed[f"{model_id} · {sample_id}"] = plan
                continue
            upstream: list[ray.ObjectRef] = []
            for job, keys in plan:
                outcome.total += 1
                seeds = {k: r for k in keys if (r := cache.get(k)) is not None}
                if set(keys) - set(seeds) <= planned:  # cached, or written by a job already submitted
                    outcome.skipped += 1
                    continue
                planned |= set(keys)
                ref = actors[number % len(actors)].run.remote(job, seeds, *upstream)
                pending[ref] = job
                upstream = [ref]
        _report(progress, outcome)
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            job = pending.pop(done[0])
            try:
                entries = ray.get(done[0])
            except ray.exceptions.RayError as exc:
                outcome.failed[job.name] = _reason(exc)
            else:
                for key, result in entries.items():
                    cache.put(key, result)
                outcome.written += len(entries)
                outcome.computed += 1
            _report(progress, outcome)
    except ray.exceptions.RayError as exc:  # the model could not be loaded on the cluster, or a node died
        raise EngineError(f"the cluster could not run the jobs of {model_id!r}: {_reason(exc)}") from None
    except KeyboardInterrupt:
        for ref in pending:
            ray.cancel(ref)
        raise Cancelled(f"cancelled; {outcome.line()} (finished ones are cached: run again to do the rest)") from None
    finally:
        for actor in actors:
            ray.kill(actor)
    return outcome


def _report(progress: Callable[[Outcome], None] | None, outcome: Outcome) -> None:
    if progress is not None:
        progress(outcome)
