"""Benchmark (run by hand: `python -m bench.cluster`): precompute throughput, serial against Ray on this machine.

The same jobs (every sample of each model; AND-only and AND-OR at the default 10 players) from an empty cache:
the serial command's loop in this process, then `precompute --ray` on a local Ray cluster with 1 and with 2 actors
per model (each actor one CPU). Ray's start-up (``ray.init``) is timed apart; the actors' start-up (a process that
imports torch and loads its model) is inside their time, as in a real run.

How it scales: jobs are independent, so throughput grows with the actors until the cluster's CPUs (or GPUs) are all
busy: one actor per CPU on a CPU cluster, one per GPU with ``num_gpus=1`` (each evaluating batches sized to its
GPU's free memory). The driver only checks keys and writes the results (a few kB per job), so it is not the
bottleneck until jobs take milliseconds. On 2 cores the serial loop already uses both (torch and BLAS threads), so
Ray can only win what a single thread leaves idle, minus each actor's start-up.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import ray  # noqa: E402

from engine.cache import ResultCache  # noqa: E402
from engine.cluster import precompute_on_ray  # noqa: E402
from engine.precompute import run_job, sample_jobs  # noqa: E402
from engine.zoo import get_model  # noqa: E402

METHODS = ["and", "and-or"]


def serial(models: list[str], folder: Path) -> tuple[float, int]:
    """Seconds and jobs for the serial loop (``python -m engine precompute`` without --ray)."""
    cache, jobs = ResultCache(folder), 0
    start = time.perf_counter()
    for model_id in models:
        for sample in get_model(model_id).samples:
            for job in sample_jobs(model_id, sample.sample_id, METHODS):
                run_job(job, cache)
                jobs += 1
    return time.perf_counter() - start, jobs


def on_ray(models: list[str], folder: Path, workers: int) -> tuple[float, int]:
    """Seconds and jobs computed on the connected Ray cluster with ``workers`` actors per model."""
    cache, jobs = ResultCache(folder), 0
    start = time.perf_counter()
    for model_id in models:
        outcome = precompute_on_ray(model_id, None, METHODS, cache, workers)
        assert not outcome.failed, outcome.failed
        jobs += outcome.computed
    return time.perf_counter() - start, jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=["tabular-mlp-overfit", "digits-cnn-overfit"])
    parser.add_argument("--cpus", type=int, default=os.cpu_count())
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        get_model(args.models[0])  # imports and the first model's load are not the loop's
        seconds, jobs = serial(args.models, Path(folder) / "serial")
        rows.append(("serial (this process)", seconds, jobs))
        start = time.perf_counter()
        ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
        print(f"ray.init (a local cluster of {args.cpus} CPUs): {time.perf_counter() - start:.1f} s")
        for workers in range(1, args.cpus + 1):
            seconds, jobs = on_ray(args.models, Path(folder) / f"ray-{workers}", workers)
            rows.append((f"Ray local, {workers} actor{'s' * (workers > 1)} per model", seconds, jobs))
        ray.shutdown()
    print(f"\n{', '.join(args.models)}: every sample, methods {' + '.join(METHODS)}, from an empty cache\n")
    print("| run | jobs | time | jobs/s | vs serial |")
    print("|---|---|---|---|---|")
    for name, seconds, jobs in rows:
        print(f"| {name} | {jobs} | {seconds:.1f} s | {jobs / seconds:.2f} | {rows[0][1] / seconds:.2f}× |")


if __name__ == "__main__":
    main()
