"""A real browser opens both trained sentiment models on every page (screenshots in test-artifacts/screenshots)."""

import pytest
from helpers import SHOTS, wait_for_app

PAGES = [("", "Input and primitives"), ("sparsity", "Sparsity"), ("orders", "Orders"),
         ("assumptions", "Assumptions for sparsity"), ("faithfulness", "Faithfulness"),
         ("attributions", "Attributions from interactions"), ("shared", "Shared vs distinctive primitives")]


@pytest.mark.parametrize("model", ["text-sentiment-l6", "text-sentiment-l3"])
def test_a_trained_text_model_opens_on_every_page(app_url, browser, model):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for path, heading in PAGES:
        page.goto(f"{app_url}/{path}?model={model}&sample=not-bad&target=1")
        wait_for_app(page)
        page.get_by_role("heading", name=heading).wait_for()
        if path:  # every view but the primitives (whose sentence is HTML, not a chart) draws a chart
            page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(state="visible", timeout=180_000)
        else:
            page.get_by_text("Strongest interactions").wait_for(timeout=180_000)
            page.get_by_text("true: positive").wait_for(timeout=60_000)  # the demo sentence's label beside p
        assert f"model={model}" in page.url and "target=1" in page.url
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(SHOTS / f"20-{model}-{path or 'primitives'}.png"), full_page=True)
    assert not errors
