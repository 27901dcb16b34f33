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
    for word in ("models", "explain", "precompute"):
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
    explain_module = importlib.import_module("engine.explain")  # ``engine.explain`` is the function
    calls = []
    monkeypatch.setattr(explain_module, "explain", lambda request, **kwargs: calls.append(("one", request.method)))
    monkeypatch.setattr(explain_module, "explain_shared",
                        lambda models, sample_id, **kwargs: calls.append(("pair", tuple(models), sample_id)))
    assert cli_main.main(["precompute", "digits-mlp", "--samples", "digit-10"]) == 0
    assert calls == [("one", "and"), ("one", "and-or"), ("pair", ("digits-cnn", "digits-mlp"), "digit-10")]
    calls.clear()
    assert cli_main.main(["precompute", "digits-mlp", "--samples", "digit-10", "--methods", "and"]) == 0
    assert calls == [("one", "and")]


def test_predict_prints_the_class_probabilities_and_refuses_bad_input():
    out = cli("predict", "digits-cnn", "digit-10")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split("\n")
    assert lines[0].split()[1] == "0" and len([line for line in lines if line.strip()]) == 10
    assert abs(sum(float(line.split()[0]) for line in lines if line.strip()) - 1) < 1e-3
    out = cli("predict", "text-sentiment-l6", "The plot was never boring.", "--top", "1")
    assert out.returncode == 0 and out.stdout.split() == [out.stdout.split()[0], "positive"], out.stderr
    for args, said in [(("no-such-model", "x"), "unknown model 'no-such-model'"),
                       (("digits-cnn", "digit-99999"), "has no sample 'digit-99999'"),
                       (("text-sentiment-l6", "   "), "the text is empty"),
                       (("digits-cnn", "digit-10", "--top", "0"), "--top must be at least 1")]:
        out = cli("predict", *args)
        assert out.returncode == 2 and said in out.stderr and "Traceback" not in out.stderr, out.stderr
