"""Benchmark (run by hand: `python -m bench.browser`): how fast the app answers a person in a real browser.

Starts the app on a free port with an empty cache, drives Debian's chromium headless through Playwright, and times
(1) the first page of a fresh session, (2) a new sample at n = 10 with the AND-OR decomposition (model run on 1,024
masked samples plus the LP), (3) switching between views on that already-computed sample with the sidebar, and
(4) opening each view by its link on the computed sample against a sample not computed yet (the obvious approach
without a cache: recompute for every view). A step ends when the page's script has finished and its first chart or
table is drawn.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
VIEWS = [("sparsity", "Sparsity"), ("orders", "Orders"), ("assumptions", "Assumptions"),
         ("faithfulness", "Faithfulness"), ("", "Input and primitives")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(cache: str, env: dict[str, str] | None = None, timeout: float = 180) -> tuple[subprocess.Popen, str]:
    """The app as `make run` serves it (``ui.serve``: the bundled models loaded first) on a free port of 127.0.0.1 with
    ``cache`` as its result cache (and ``env`` added), in a session of its own; waits until it answers (up to
    ``timeout`` seconds), or says why it stopped (the end of its output, kept in ``cache``/server.log)."""
    port = free_port()
    log_path = os.path.join(cache, "server.log")
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.address",
             "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=os.environ | {"INTERACTION_EXPLORER_CACHE": cache} | (env or {}), stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    with open(log_path) as log:
        raise RuntimeError(f"the app did not start:\n{log.read()[-2000:]}")


def stop_app(server: subprocess.Popen, timeout: float = 30) -> None:
    """Stop what :func:`start_app` started, its whole session (Streamlit and anything it spawned): SIGTERM, and
    SIGKILL if it has not ended within ``timeout`` seconds."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)


def settled(page, timeout: float = 120_000) -> None:
    """Wait until the script has run to the end and a chart or table is visible."""
    page.wait_for_timeout(150)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(state="attached",
                                                                                        timeout=timeout)
    page.locator("[data-testid='stPlotlyChart'] .main-svg, [data-testid='stDataFrame']").first.wait_for(
        state="visible", timeout=timeout)


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as cache:
        server, url = start_app(cache)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                first = timed(lambda: (page.goto(url), settled(page)))
                new_sample = timed(lambda: (page.goto(f"{url}/?model=digits-mlp&sample=digit-3&method=and-or"),
                                            settled(page)))

                def visit(path: str, title: str) -> None:
                    page.locator("[data-testid='stSidebarNav'] a", has_text=title.split()[0]).first.click()
                    settled(page)

                clicks = [timed(lambda v=v: visit(*v)) for _ in range(2) for v in VIEWS]
                link = f"{url}/{{}}?model=digits-mlp&sample={{}}&method=and-or"
                cached = [timed(lambda v=v: (page.goto(link.format(v[0], "digit-3")), settled(page))) for v in VIEWS]
                fresh_samples = ["digit-10", "digit-1", "digit-50", "digit-4", "digit-102"]
                uncached = [timed(lambda v=v, s=s: (page.goto(link.format(v[0], s)), settled(page)))
                            for v, s in zip(VIEWS, fresh_samples)]
                browser.close()
        finally:
            stop_app(server)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print("| step | time |")
    print("|---|---|")
    print(f"| first page of a fresh session (digits CNN, n = 10, AND-OR, empty cache) | {first:.2f} s |")
    print(f"| new sample at n = 10 (digits MLP, AND-OR) | {new_sample:.2f} s |")
    print(f"| switch views by the sidebar, computed sample (median / max of {len(clicks)}) | "
          f"{statistics.median(clicks):.2f} s / {max(clicks):.2f} s |")
    print(f"| open a view by its link, computed sample (median of {len(cached)}) | {statistics.median(cached):.2f} s |")
    print(f"| open a view by its link, sample not computed yet (median of {len(uncached)}) | "
          f"{statistics.median(uncached):.2f} s |")
    print(f"| ratio (recompute / cached, by link) | {statistics.median(uncached) / statistics.median(cached):.1f}× |")

if __name__ == "__main__":
    main()
