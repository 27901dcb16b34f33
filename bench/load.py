"""Load benchmark (run by hand: `nice python -m bench.load`): a class opening the app at once (issue #14).

Starts the app as `make run` does (``ui.serve``: the bundled models loaded before it answers) on 127.0.0.1 with
an empty result cache and then, at the same moment, N sessions (default 30) that speak
Streamlit's own websocket protocol (what a browser tab sends: a rerun with the link's query string and page), each
opening a different model, sample and page, then a second page (a bounded loop of two views). Then the same with
B real headless chromium browsers (default 10, Playwright), each on its own link. Prints completions, errors, the
time to the first chart or table (median and max), the time to the second view, and the server's memory (RSS) before, at
the end, and after it idled; the targets of the issue are 30 of 30 complete, no error, max first chart under 20 s
on 2 cores, memory back under 1.5 GB.

The obvious approaches side by side: ``--preload none`` leaves the models to the first visitors (as ``streamlit run
app.py`` does); ``--concurrent 0`` lifts the server-wide gate (as many computations at once as sessions ask for).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from urllib.parse import urlencode

from .browser import CHROMIUM, settled, start_app, stop_app

PAGES = ["", "sparsity", "orders", "assumptions", "faithfulness", "attributions"]
BUNDLED_DIGITS = ["digit-10", "digit-1", "digit-50", "digit-3", "digit-4", "digit-102", "digit-6", "digit-7"]
BUNDLED_ROWS = ["row-1", "row-20", "row-3", "row-21", "row-7", "row-51", "row-11", "row-66"]
# 30 different computations (no two sessions share a result): bundled samples and held-out test samples.
LINKS = [("digits-cnn", sample) for sample in BUNDLED_DIGITS + ["digit-test-0", "digit-test-1"]] + \
        [("digits-mlp", f"digit-test-{i}") for i in range(2, 8)] + \
        [("tabular-mlp-wide", sample) for sample in BUNDLED_ROWS] + \
        [("tabular-mlp-deep", f"row-test-{i}") for i in range(4)] + \
        [("text-sentiment-l6", "not-bad"), ("text-sentiment-l3", "slow-plot")]


def check_links() -> None:
    """Every link names a sample its model has (a wrong id would quietly open the default sample instead)."""
    from engine.zoo import get_model

    for model_id, sample_id in LINKS:
        get_model(model_id).sample(sample_id)


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS), in MB."""
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def link(i: int) -> tuple[str, str]:
    """Session i's query string and page: a different model/sample and page for each."""
    model, sample = LINKS[i % len(LINKS)]
    return urlencode({"model": model, "sample": sample, "method": "and-or"}), PAGES[i % len(PAGES)]


async def session(url: str, i: int, timeout: float) -> dict:
    """One tab: open its link, wait for the first chart and the end of the script, then open a second page."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    query, page = link(i)
    outcome = {"first_chart": None, "views": 0, "errors": [], "link": f"{page or 'primitives'}?{query}"}
    start = time.perf_counter()
    async with websockets.connect(url.replace("http", "ws") + "/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, open_timeout=60) as ws:
        for view, page_name in enumerate([page, PAGES[(i + 3) % len(PAGES)]]):
            back = BackMsg()
            back.rerun_script.query_string = query
            back.rerun_script.page_name = page_name
            await ws.send(back.SerializeToString())
            view_start, charted = time.perf_counter(), False
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await asyncio.wait_for(ws.recv(), timeout))
                kind = msg.WhichOneof("type")
                if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    element = msg.delta.new_element.WhichOneof("type")
                    if element in ("plotly_chart", "dataframe") and not charted:  # a chart or a table
                        charted = True
                        if view == 0:
                            outcome["first_chart"] = time.perf_counter() - start
                        else:
                            outcome["second_view"] = time.perf_counter() - view_start
                    elif element == "exception" or (element == "alert" and msg.delta.new_element.alert.format == 1):
                        body = msg.delta.new_element.exception.message or msg.delta.new_element.alert.body
                        outcome["errors"].append(body[:120])
                elif kind == "script_finished":
                    outcome["finished"] = outcome.get("finished", []) + [msg.script_finished]
                    if msg.script_finished == 0:  # FINISHED_SUCCESSFULLY
                        outcome["views"] += 1
                        break
    return outcome


async def sessions(url: str, count: int, timeout: float) -> list[dict]:
    async def guarded(i: int) -> dict:
        try:
            return await session(url, i, timeout)
        except Exception as exc:  # noqa: BLE001 - a timeout or a dropped connection is a failed session
            return {"first_chart": None, "views": 0, "errors": [f"{type(exc).__name__}: {exc}"[:120]]}

    return await asyncio.gather(*(guarded(i) for i in range(count)))


def browsers(url: str, count: int, offset: int) -> list[dict]:
    """``count`` headless chromium processes at once, each opening its own link; time to its first chart."""
    import threading

    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import FLAGS

    results: list[dict] = [{} for _ in range(count)]

    def one(k: int) -> None:
        query, page = link(offset + k)
        start = time.perf_counter()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
                tab = browser.new_page(viewport={"width": 1280, "height": 900})
                tab.goto(f"{url}/{page}?{query}", timeout=300_000)
                settled(tab, timeout=300_000)
                results[k] = {"first_chart": time.perf_counter() - start, "link": f"{page or 'primitives'}?{query}",
                              "errors": [t[:120] for t in tab.locator("[data-testid='stException']").all_inner_texts()]}
                browser.close()
        except Exception as exc:  # noqa: BLE001
            results[k] = {"first_chart": None, "errors": [f"{type(exc).__name__}: {exc}"[:120]]}

    threads = [threading.Thread(target=one, args=(k,)) for k in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def report(label: str, results: list[dict]) -> None:
    times = [r["first_chart"] for r in results if r.get("first_chart") is not None and r.get("views", 2) == 2]
    errors = [e for r in results for e in r.get("errors", [])]
    second = [r["second_view"] for r in results if "second_view" in r]
    print(f"| {label} | {len(times)} of {len(results)} | {len(errors)} | "
          f"{statistics.median(times) if times else float('nan'):.1f} s | {max(times, default=float('nan')):.1f} s | "
          + (f"{statistics.median(second):.1f} s |" if second else "– |"))
    slowest = sorted((r for r in results if r.get("first_chart") is not None), key=lambda r: -r["first_chart"])[:5]
    print("    slowest first charts: " + ", ".join(f"{r['first_chart']:.1f} s {r.get('link', '')}" for r in slowest))
    for error in errors[:5]:
        print(f"    error: {error}")
    for r in results:
        if r.get("first_chart") is None or r.get("views", 2) != 2:
            print(f"    incomplete: {r.get('link', '')} views {r.get('views')} first chart {r.get('first_chart')} "
                  f"script ends {r.get('finished')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--browsers", type=int, default=10)
    parser.add_argument("--concurrent", type=int, help="the gate's slots (0: no gate); default: the app's default")
    parser.add_argument("--preload", help="the server's $INTERACTION_EXPLORER_PRELOAD (none: the first visitors load "
                                          "the models, as with `streamlit run app.py`); default: every bundled model")
    parser.add_argument("--timeout", type=float, default=600, help="seconds a session waits for one message")
    args = parser.parse_args()
    check_links()
    env = {"OMP_WAIT_POLICY": "PASSIVE"}
    if args.preload is not None:
        env["INTERACTION_EXPLORER_PRELOAD"] = args.preload
    if args.concurrent is not None:
        env["INTERACTION_EXPLORER_CONCURRENT"] = str(args.concurrent or 10_000)
    with tempfile.TemporaryDirectory() as cache:
        server, url = start_app(cache, env)
        try:
            time.sleep(2)
            before = rss_mb(server.pid)
            print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; "
                  f"server {url}, RSS {before:.0f} MB before")
            print("| clients | complete | errors | first chart, median | first chart, max | second view, median |")
            print("|---|---|---|---|---|---|")
            report(f"{args.sessions} websocket sessions", asyncio.run(sessions(url, args.sessions, args.timeout)))
            peak = rss_mb(server.pid)
            if args.browsers:
                report(f"{args.browsers} headless chromium", browsers(url, args.browsers, args.sessions))
            end = rss_mb(server.pid)
            time.sleep(30)
            print(f"server RSS: {before:.0f} MB before, {peak:.0f} MB after the sessions, {end:.0f} MB after the "
                  f"browsers, {rss_mb(server.pid):.0f} MB after 30 s idle; load average {os.getloadavg()[0]:.1f} "
                  "at the end")
        finally:
            stop_app(server)


if __name__ == "__main__":
    main()
