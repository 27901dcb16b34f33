"""Precompute: fill the cache for a model's samples ahead of a talk or a course, one (sample, method) job at a time.

The serial command and every cluster job (:mod:`engine.cluster`) run the same :func:`run_job`; a job is one
method on one sample: the AND-only interactions ("and"), the AND-OR decomposition ("and-or"), or, for a model of a
bundled pair with "and-or" among the methods, the pair's joint extraction ("shared") for the shared view.
:func:`job_keys` names the cache entries a job reads and writes, so that a rerun skips what is cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .cache import ResultCache
from .explain import Request, explain, explain_shared, request_keys, shared_keys
from .game import ProgressFn
from .result import InteractionResult
from .zoo import MODEL_PAIRS

SHARED = "shared"  # the job of the pair's joint extraction


@dataclass(frozen=True)
class Job:
    """One method on one sample of one model."""

    model_id: str
    sample_id: str
    method: str  # "and", "and-or" or SHARED

    @property
    def name(self) -> str:
        return f"{self.model_id} · {self.sample_id} · {self.method}"


def pair_of(model_id: str) -> list[str] | None:
    """The bundled pair ``model_id`` belongs to (compared on the shared view), if any."""
    return next((list(pair) for pair in MODEL_PAIRS if model_id in pair), None)


def sample_jobs(model_id: str, sample_id: str, methods: list[str]) -> list[Job]:
    """The jobs of one sample, in the order they build on each other (outputs, decomposition, joint extraction)."""
    jobs = [Job(model_id, sample_id, method) for method in methods]
    if pair_of(model_id) is not None and "and-or" in methods:
        jobs.append(Job(model_id, sample_id, SHARED))
    return jobs


def job_keys(job: Job) -> list[str]:
    """The cache keys ``job`` reads and writes (the same keys :func:`run_job` fills)."""
    if job.method == SHARED:
        return shared_keys(pair_of(job.model_id), job.sample_id)
    return request_keys(Request(job.model_id, job.sample_id, method=job.method))


def run_job(job: Job, cache: ResultCache, progress: ProgressFn | None = None) -> None:
    """Compute what ``job`` needs that ``cache`` does not hold, and store it there."""
    if job.method == SHARED:
        explain_shared(pair_of(job.model_id), job.sample_id, cache=cache, progress=progress)
    else:
        explain(Request(job.model_id, job.sample_id, method=job.method), cache, progress)


class RecordingCache(ResultCache):
    """An in-memory cache seeded with known entries that keeps what is computed in ``new`` and writes nothing to
    disk: a cluster job's cache, whose new entries the driver writes into the real cache."""

    def __init__(self, seeds: dict[str, InteractionResult]) -> None:
        super().__init__(folder=Path("/nonexistent"), memory_bytes=0)
        self.seeds = dict(seeds)
        self.new: dict[str, InteractionResult] = {}

    def get(self, key: str) -> InteractionResult | None:
        found = self.new.get(key)
        return found if found is not None else self.seeds.get(key)

    def put(self, key: str, result: InteractionResult) -> None:
        self.new[key] = result
