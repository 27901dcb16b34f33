"""The command line: help, explain to a file, precompute, and clear errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, cache: Path | None = None):
    env = os.environ | ({"INTERACTION_EXPLORER_CACHE": str(cache)} if cache is not None else {})
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=env)


def test_help_lists_subcommands():
    out = cli("--help")
    assert out.returncode == 0
    for word in ("models", "explain", "precompute", "bundle", "app"):
        assert word in out.stdout


def test_explain_writes_a_result(tmp_path):
    target = tmp_path / "r.json"
    out = cli("explain", "tabular-mlp-wide", "row-1", "--players", "0,1,2,3,4,5", "--out", str(target))
    assert out.returncode == 0, out.stderr
    data = json.loads(target.read_text())
    assert len(data["v"]) == 64 and data["method"] == "and-or" and data["provenance"]["model_id"] == "tabular-mlp-wide"


def test_precompute_and_errors(tmp_path):
    out = cli("precompute", "digits-mlp", "--samples", "digit-10", "digit-1", "--methods", "and", cache=tmp_path)
    assert out.returncode == 0, out.stderr
    entries = sorted(tmp_path.glob("*/*.npz"))
    assert len(entries) == 2  # one AND-only result per sample, in the cache the app reads
    from engine.cache import ResultCache
    from engine.explain import Request, explain

    cached = explain(Request("digits-mlp", "digit-1", method="and"), ResultCache(tmp_path),
                     progress=lambda *_: pytest.fail("precomputed, yet the model ran again"))
    assert cached.provenance.sample_id == "digit-1" and sorted(tmp_path.glob("*/*.npz")) == entries
    bad = cli("explain", "digits-cnn", "digit-10", "--players", "0,99")
    assert bad.returncode == 2 and "error:" in bad.stderr and "Traceback" not in bad.stderr


def test_a_bad_output_file_is_refused_before_any_work(tmp_path):
    for out, says in ((tmp_path / "missing" / "r.json", "does not exist"), (tmp_path / "r.txt", "must end in .json")):
        bad = cli("explain", "digits-cnn", "digit-10", "--out", str(out))
        assert bad.returncode == 2 and says in bad.stderr and "Traceback" not in bad.stderr
        assert "masked samples" not in bad.stderr  # refused before the model ran


def test_precompute_warms_the_shared_view_of_a_bundled_pair(monkeypatch):
    """With AND-OR among the methods, a paired model's precompute also runs the pair's joint extraction."""
    import importlib

    cli_main = importlib.import_module("engine.__main__")
    jobs_module = importlib.import_module("engine.precompute")  # the jobs the serial command and the cluster run
    calls = []
    monkeypatch.setattr(jobs_module, "explain", lambda request, *args, **kwargs: calls.append(("one", request.method)))
    monkeypatch.setattr(jobs_module, "explain_shared",
                        lambda models, sample_id, **kwargs: calls.append(("pair", tuple(models), sample_id)))
    assert cli_main.main(["precompute", "digits-mlp", "--samples", "digit-10"]) == 0
    assert calls == [("one", "and"), ("one", "and-or"), ("pair", ("digits-cnn", "digits-mlp"), "digit-10")]
    calls.clear()
    assert cli_main.main(["precompute", "digits-mlp", "--samples", "digit-10", "--methods", "and"]) == 0
    assert calls == [("one", "and")]


def test_across_writes_the_aggregate_and_reads_it_back(tmp_path):
    from engine.across import Aggregate

    target = tmp_path / "pair.json"
    args = ("across", "tabular-mlp-wide", "--pair", "tabular-mlp-deep", "--samples", "2", "--players", "4",
            "--json", str(target))
    out = cli(*args, cache=tmp_path / "cache")
    assert out.returncode == 0, out.stderr
    data = json.loads(target.read_text())
    assert data["sample_ids"] == ["row-test-0", "row-test-1"] and not data["partial"]
    assert len(data["salient_ratio"]["tabular-mlp-wide"]) == 2
    transfer = data["transferability"]
    assert transfer["k"] == [0, 1, 2, 3, 4, 4, 5, 6, 7]  # ⌊f·2^4⌋, f = 0.05 … 0.45
    for method in ("joint", "alone", "and_only"):
        assert len(transfer[method]["s_and"]) == len(transfer[method]["s_or"]) == 9
    assert Aggregate.from_json(target.read_text()).to_json() == target.read_text()
    again = cli(*args, cache=tmp_path / "cache")  # from the cache: the same file
    assert again.returncode == 0 and json.loads(target.read_text()) == data
    bad = cli("across", "tabular-mlp-wide", "--samples", "5", "--start", "999", "--json", str(target))
    assert bad.returncode == 2 and "test samples" in bad.stderr and "Traceback" not in bad.stderr


def test_across_says_when_fewer_samples_than_asked_are_left(tmp_path):
    from engine.zoo import get_model

    last = get_model("tabular-mlp-wide").test_size - 1
    target = tmp_path / "end.json"
    out = cli("across", "tabular-mlp-wide", "--samples", "3", "--start", str(last), "--players", "3", "--json",
              str(target), cache=tmp_path / "cache")
    assert out.returncode == 0, out.stderr
    assert f"only 1 of 3 samples from index {last}: row-test-{last}" in out.stderr
    assert json.loads(target.read_text())["sample_ids"] == [f"row-test-{last}"]
