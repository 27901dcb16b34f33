"""`python -m ui.serve` (what `make run` starts): it loads the chosen bundled models, then serves the app."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_server_preloads_then_serves_the_app(tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    env = os.environ | {"INTERACTION_EXPLORER_PRELOAD": "tabular-mlp-wide", "INTERACTION_EXPLORER_CACHE": str(tmp_path)}
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                assert urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok"
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError(f"the server did not answer: {log.read_text()[-2000:]}")
        text = log.read_text()
        assert "loading 1 bundled models before serving" in text and "  tabular-mlp-wide: " in text
        assert text.index("tabular-mlp-wide: ") < text.index("URL: http://127.0.0.1")  # loaded before it serves
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def test_an_unknown_model_to_preload_stops_the_server_with_one_line(tmp_path):
    env = os.environ | {"INTERACTION_EXPLORER_PRELOAD": "no-such-model"}
    done = subprocess.run([sys.executable, "-m", "ui.serve"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith(
        "Interaction Explorer: INTERACTION_EXPLORER_PRELOAD: unknown model no-such-model; bundled: ")
    assert "Traceback" not in done.stderr


def test_a_wrong_option_is_refused_before_anything_loads(tmp_path):
    done = subprocess.run([sys.executable, "-m", "ui.serve", "--server.prt", "8501"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=os.environ | {"INTERACTION_EXPLORER_PRELOAD": "all"})
    assert done.returncode == 2
    assert "No such option '--server.prt'" in done.stderr and "--server.port" in done.stderr
    assert "loading" not in done.stdout  # refused before the models


def test_options_and_the_apps_own_arguments_reach_streamlit(monkeypatch):
    """`python -m ui.serve --server.port P -- --bundle FILE` is `streamlit run app.py` with the same arguments: the
    app reads ``--bundle FILE`` from its argv (ui.bundle)."""
    from streamlit.web import bootstrap

    from ui import serve

    ran = {}
    monkeypatch.setenv("INTERACTION_EXPLORER_PRELOAD", "none")
    monkeypatch.setattr(bootstrap, "run", lambda script, is_hello, args, flags: ran.update(
        script=script, args=list(args), port=flags.get("server_port")))
    with pytest.raises(SystemExit) as done:
        serve.main(["--server.port", "8765", "--", "--bundle", "/tmp/a class.zip"])
    assert done.value.code in (0, None)
    assert ran == {"script": str(serve.APP), "args": ["--bundle", "/tmp/a class.zip"], "port": 8765}
