"""A real browser on the across-samples view: a deep link, a click to compute, the figures, the pair, a sample's link
(fixtures ``app_url`` and ``browser`` in ``conftest.py``)."""

from helpers import SHOTS, wait_for_app


def test_across_samples_for_a_model_and_a_pair(app_url, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for shot, query in (("12-across-model", "k=3&n=5"), ("13-across-pair", "k=3&n=5&pair=1")):
        page.goto(f"{app_url}/across?model=tabular-mlp-wide&{query}")
        wait_for_app(page)
        page.get_by_role("heading", name="Across samples").wait_for()
        page.get_by_role("button", name="Compute 3 samples").click()
        wait_for_app(page, timeout=240_000)
        page.get_by_text("Sorted strengths over 3 samples").first.wait_for(timeout=60_000)
        if "pair" in query:
            page.get_by_text("Transferability against k over 3 samples").first.wait_for(timeout=60_000)
        assert "k=3" in page.url and "n=5" in page.url
        assert page.locator("[data-testid='stException']").count() == 0
        page.wait_for_timeout(1000)
        page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    page.reload()  # computed once: the aggregate is read from the cache, no button
    wait_for_app(page)
    page.get_by_text("Transferability against k over 3 samples").first.wait_for(timeout=60_000)
    assert page.get_by_role("button", name="Compute 3 samples").count() == 0
    assert not errors, errors
