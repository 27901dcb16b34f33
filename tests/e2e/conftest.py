"""Browser-test fixtures: the app served as `make run` serves it (`python -m ui.serve`) on a free localhost port and
Debian's chromium driven by Playwright (one server and one browser per test module)."""

import shutil
from pathlib import Path

import pytest

from bench.browser import start_app, stop_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (make test does it)")
    env = {"INTERACTION_EXPLORER_MODEL_ROOTS": str(tmp_path_factory.getbasetemp()),  # the tiny models
           "INTERACTION_EXPLORER_PRELOAD": "digits-cnn"}  # the default model: the others load on use
    # 120 s: the engine imported and the default model loaded first
    server, url = start_app(str(tmp_path_factory.mktemp("cache")), env, timeout=120)
    yield url
    stop_app(server)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()
