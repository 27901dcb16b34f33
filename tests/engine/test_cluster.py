"""Precompute on a local Ray cluster started inside the test: bit-for-bit the serial results, retries, skipping."""

from contextlib import contextmanager

import numpy as np
import pytest
import ray
import torch
from threadpoolctl import threadpool_limits

from engine.__main__ import main
from engine.cache import ResultCache
from engine.cluster import FAULT_VARIABLE, precompute_on_ray
from engine.errors import EngineError
from engine.precompute import RecordingCache, job_keys, run_job, sample_jobs
from engine.zoo import get_model

MODELS = ["tabular-mlp-overfit", "digits-cnn-overfit"]  # small, fast, and in no pair (no joint extraction)
METHODS = ["and", "and-or"]


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    yield
    ray.shutdown()


@contextmanager
def one_thread():
    """The threads of a Ray worker with one CPU (Ray sets OMP_NUM_THREADS=1): the interior point's Cholesky
    factorisation rounds differently with 2 threads (within 1e-8, both certified), so bits compare at equal threads."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(1):
            yield
    finally:
        torch.set_num_threads(threads)


def entries(cache: ResultCache) -> dict[str, object]:
    return {path.stem: path for path in cache.folder.glob("*/*.npz")}


def assert_same(a, b) -> None:
    assert a.players == b.players and a.method == b.method
    for name in ("v", "i_and", "i_or", "p", "q"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None) and (x is None or np.array_equal(x, y)), name


def test_ray_equals_serial_bit_for_bit_retries_a_fault_and_a_rerun_computes_nothing(local_ray, tmp_path,
                                                                                     monkeypatch):
    serial, clustered = ResultCache(tmp_path / "serial"), ResultCache(tmp_path / "ray")
    with one_thread():
        for model_id in MODELS:
            for sample in get_model(model_id).samples:
                for job in sample_jobs(model_id, sample.sample_id, METHODS):
                    run_job(job, serial)
    monkeypatch.setenv(FAULT_VARIABLE, "digit-50")  # its first job raises once; Ray retries it
    for model_id in MODELS:
        seen = []
        outcome = precompute_on_ray(model_id, None, METHODS, clustered, progress=lambda o: seen.append(o.finished))
        assert outcome.failed == {} and outcome.computed == outcome.total == 16 and outcome.written == 16
        assert seen == list(range(17))  # the progress line counts finished jobs, one by one
    written = entries(clustered)
    assert written.keys() == entries(serial).keys() and len(written) == 32
    fresh = ResultCache(clustered.folder)
    for key in written:
        assert_same(fresh.get(key), ResultCache(serial.folder).get(key))
    stamps = {key: path.stat().st_mtime_ns for key, path in written.items()}
    again = precompute_on_ray(MODELS[0], None, METHODS, clustered)
    assert again.computed == 0 and again.skipped == 16 and again.written == 0
    assert {key: path.stat().st_mtime_ns for key, path in entries(clustered).items()} == stamps


def test_a_failing_job_is_reported_by_name_the_others_finish_and_a_missing_model_is_a_message(local_ray, tmp_path):
    cache = ResultCache(tmp_path)
    outcome = precompute_on_ray("tabular-mlp-overfit", ["row-1", "row-999"], ["and"], cache)
    assert list(outcome.failed) == ["tabular-mlp-overfit · row-999"] and "no sample 'row-999'" in outcome.failed[
        "tabular-mlp-overfit · row-999"]
    assert outcome.computed == 1 and len(entries(cache)) == 1
    with pytest.raises(EngineError, match="could not run the jobs of 'no-such-model'.*unknown model"):
        precompute_on_ray("no-such-model", None, ["and"], cache)


def test_the_cli_runs_on_the_connected_cluster(local_ray, tmp_path, capsys):
    assert main(["precompute", "tabular-mlp-overfit", "--samples", "row-3", "--methods", "and", "--ray",
                 "--cache", str(tmp_path)]) == 0
    assert "1/1 jobs: 1 computed" in capsys.readouterr().out and len(entries(ResultCache(tmp_path))) == 1
    with pytest.raises(SystemExit) as failed:
        main(["precompute", "tabular-mlp-overfit", "--samples", "row-999", "--ray", "--cache", str(tmp_path)])
    assert failed.value.code == 1 and "failed: tabular-mlp-overfit · row-999" in capsys.readouterr().err


def test_job_keys_are_the_keys_the_serial_jobs_write():
    """Also for the joint extraction of a bundled pair (the shared view), so that a rerun skips exactly those."""
    jobs = sample_jobs("tabular-mlp-wide", "row-1", METHODS)
    assert [job.method for job in jobs] == ["and", "and-or", "shared"]
    cache = RecordingCache({})
    for job in jobs:
        run_job(job, cache)
    assert set(cache.new) == {key for job in jobs for key in job_keys(job)}
    assert len(cache.new) == 1 + 1 + 1 + 2  # outputs (both models), the decomposition, the joint results


def test_an_address_where_nothing_answers_is_one_line_not_minutes_of_retries():
    import subprocess
    import sys
    from pathlib import Path

    out = subprocess.run([sys.executable, "-m", "engine", "precompute", "tabular-mlp-overfit", "--ray", "127.0.0.1:1"],
                         cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "nothing answers at '127.0.0.1:1'" in out.stderr and "Traceback" not in out.stderr
