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
    assert "AND-OR split: the optimum of the L1 loss, certified by a dual bound (exact LP" in out.stdout  # as the views
    and_only = cli("explain", "tabular-mlp-wide", "row-1", "--players", "0,1,2", "--method", "and", "--out",
                   str(target))
    assert and_only.returncode == 0 and "AND-OR split" not in and_only.stdout + and_only.stderr  # no solver ran


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


def test_across_says_when_the_split_ends_before_k_and_refuses_one_player(tmp_path):
    target = tmp_path / "end.json"
    out = cli("across", "tabular-mlp-wide", "--samples", "500", "--start", "140", "--players", "3", "--json",
              str(target), cache=tmp_path / "cache")
    assert out.returncode == 0, out.stderr
    assert "only 2 of 500 samples from index 140: row-test-140, row-test-141" in out.stderr
    assert json.loads(target.read_text())["sample_ids"] == ["row-test-140", "row-test-141"]
    bad = cli("across", "tabular-mlp-wide", "--players", "1", "--json", str(target), cache=tmp_path / "cache")
    assert bad.returncode == 2 and "at least 2 players" in bad.stderr and "Traceback" not in bad.stderr


def test_a_cancelled_across_writes_the_partial_aggregate_and_exits_130(tmp_path, monkeypatch):
    import importlib

    from helpers import across_samples

    from engine.across import aggregate

    cli_main = importlib.import_module("engine.__main__")
    across_module = importlib.import_module("engine.across")
    partial = aggregate(["tabular-mlp-wide"], across_samples(1), ["row-test-0", "row-test-1"], partial=True,
                        describe=lambda m: (m, ["a", "b"]))
    monkeypatch.setattr(across_module, "across", lambda *args, **kwargs: partial)
    target = tmp_path / "partial.json"
    assert cli_main.main(["across", "tabular-mlp-wide", "--samples", "2", "--json", str(target)]) == 130
    assert json.loads(target.read_text())["partial"] is True


def test_a_cache_that_cannot_be_written_still_gives_the_result_with_a_warning(tmp_path):
    """Issue #14: a read-only cache folder (here a file where the folder should be: root ignores permissions)."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    target = tmp_path / "r.json"
    out = cli("explain", "tabular-mlp-wide", "row-1", "--players", "0,1,2", "--method", "and", "--out", str(target),
              cache=blocked)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert "warning: results cannot be kept in the cache folder" in out.stderr
    assert len(json.loads(target.read_text())["v"]) == 8


def test_a_sentence_longer_than_the_window_is_said(tmp_path):
    out = cli("explain", "text-minilm-l6", " ".join(["good"] * 200), "--players", "0,1", "--method", "and", "--out",
              str(tmp_path / "r.json"), cache=tmp_path)
    assert out.returncode == 0 and "warning: The model reads at most 64 tokens: only the first 62 of the 200 words" \
        in out.stderr, out.stderr


def test_without_home_the_cli_still_explains(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "INTERACTION_EXPLORER_CACHE")}
    out = subprocess.run([sys.executable, "-m", "engine", "explain", "tabular-mlp-wide", "row-1", "--players", "0,1",
                          "--method", "and", "--out", str(tmp_path / "r.json")], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, env=env)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr


def test_ctrl_c_ends_with_one_line_and_leaves_a_valid_cache(tmp_path):
    import signal
    import threading

    from engine.result import InteractionResult

    env = os.environ | {"INTERACTION_EXPLORER_CACHE": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "engine", "explain", "text-minilm-l6", "a long sentence that "
                                "is not short at all but rather long and slow to explain", "--players",
                                ",".join(map(str, range(13))), "--method", "and", "--out", str(tmp_path / "r.json")],
                               cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env,
                               # as from a terminal: a test run in the background (nohup, `&`) ignores SIGINT, and
                               # a child inherits that
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    started, chunks = threading.Event(), []

    def read() -> None:
        while byte := process.stderr.read(1):
            chunks.append(byte)
            if b"masked" in b"".join(chunks[-40:]):
                started.set()

    threading.Thread(target=read, daemon=True).start()
    assert started.wait(240), b"".join(chunks).decode()
    process.send_signal(signal.SIGINT)
    assert process.wait(60) == 130
    stderr = b"".join(chunks).decode()
    assert "Traceback" not in stderr and stderr.rstrip().splitlines()[-1].startswith("interrupted")
    assert not list(tmp_path.rglob("*.tmp"))
    for entry in tmp_path.rglob("*.npz"):  # whatever was finished loads
        InteractionResult.load(entry)


def test_across_says_when_fewer_samples_than_asked_are_left(tmp_path):
    from engine.zoo import get_model

    last = get_model("tabular-mlp-wide").test_size - 1
    target = tmp_path / "end.json"
    out = cli("across", "tabular-mlp-wide", "--samples", "3", "--start", str(last), "--players", "3", "--json",
              str(target), cache=tmp_path / "cache")
    assert out.returncode == 0, out.stderr
    assert f"only 1 of 3 samples from index {last}: row-test-{last}" in out.stderr
    assert json.loads(target.read_text())["sample_ids"] == [f"row-test-{last}"]


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
