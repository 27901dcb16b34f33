"""A real browser opens a result bundle from the sidebar, browses it, and closes it."""

from helpers import SHOTS, wait_for_app

from engine.bundle import export_bundle
from engine.cache import ResultCache
from engine.precompute import run_job, sample_jobs

MODEL, SAMPLE = "digits-cnn-overfit", "digit-3"


def test_open_a_bundle_from_the_sidebar_browse_it_and_close_it(app_url, browser, tmp_path):
    cache = ResultCache(tmp_path / "cache")
    for job in sample_jobs(MODEL, SAMPLE, ["and", "and-or"]):
        run_job(job, cache)
    export_bundle(tmp_path / "lecture.zip", [MODEL], [SAMPLE], ["and", "and-or"], cache)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_text("Open a result bundle").click()
    wait_for_app(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").last.set_input_files(
        str(tmp_path / "lecture.zip"))
    page.get_by_text("Browsing lecture.zip").wait_for(timeout=120_000)
    wait_for_app(page)
    page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(state="visible", timeout=60_000)
    assert f"model={MODEL}" in page.url and f"sample={SAMPLE}" in page.url
    assert page.locator("[data-testid='stException']").count() == 0
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SHOTS / "bundle-open.png"), full_page=True)
    page.get_by_role("button", name="Close the bundle").click()
    page.get_by_text("Open a result bundle").wait_for(timeout=60_000)
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
