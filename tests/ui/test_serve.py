"""`python -m ui.serve` (what `make run` starts): it loads the chosen bundled models, then serves the app."""

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bench.browser import start_app, stop_app

ROOT = Path(__file__).resolve().parents[2]


def test_the_server_preloads_then_serves_the_app(tmp_path):
    server, url = start_app(str(tmp_path), {"INTERACTION_EXPLORER_PRELOAD": "tabular-mlp-wide"}, timeout=90)
    try:
        assert urllib.request.urlopen(f"{url}/_stcore/health", timeout=5).read() == b"ok"
        text = (tmp_path / "server.log").read_text()
        assert "loading 1 bundled models before serving" in text and "  tabular-mlp-wide: " in text
        assert text.index("tabular-mlp-wide: ") < text.index("URL: http://127.0.0.1")  # loaded before it serves
    finally:
        stop_app(server)


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
