"""The teaching pages in a real browser: the playground at 1920×1080 (screenshot in test-artifacts/screenshots/)."""

import pytest
from helpers import SHOTS, wait_for_app


def test_playground_full_hd(app_url, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{app_url}/playground")
    wait_for_app(page)
    page.get_by_role("heading", name="Playground").wait_for()
    page.locator("[data-testid='stPlotlyChart'] .main-svg").nth(3).wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(1000)
    assert page.get_by_text("AND-OR split: 2 interactions").count() == 1
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(SHOTS / "20-playground-1920.png"))
    page.goto(f"{app_url}/attributions")
    wait_for_app(page)
    page.get_by_role("heading", name="Attributions from interactions").wait_for()
    page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SHOTS / "21-attributions-1920.png"))
    page.goto(f"{app_url}/glossary")
    wait_for_app(page)
    page.get_by_role("heading", name="Glossary").wait_for()
    page.locator(".katex").first.wait_for(state="visible")  # the formulas are typeset, every one of them
    assert page.locator(".katex").count() > 100 and page.locator(".katex-error").count() == 0
    page.screenshot(path=str(SHOTS / "22-glossary-1920.png"))
    page.goto(f"{app_url}/sparsity?tour=1")  # a tour link opens the first step, wherever it points
    wait_for_app(page)
    page.get_by_role("heading", name="Playground").wait_for()
    page.get_by_text("Tour 1 of 10 · Playground").wait_for()
    page.get_by_role("link", name="Next: Input and primitives").click()
    wait_for_app(page)
    page.get_by_role("heading", name="Input and primitives").wait_for()
    page.get_by_text("Tour 2 of 10 · Input and primitives").wait_for()
    assert "model=digits-cnn" in page.url and "tour" not in page.url
    page.screenshot(path=str(SHOTS / "23-tour-step-2.png"))
    page.locator("[data-testid='stSidebarNav'] a", has_text="Glossary").click()  # the tour follows the sidebar
    wait_for_app(page)
    page.get_by_text("Tour 10 of 10 · Glossary").wait_for()
    page.get_by_role("button", name="End the tour").click()
    wait_for_app(page)
    assert page.get_by_text("Tour 10 of 10").count() == 0
    page.get_by_role("button", name="Guided tour").click()  # the sidebar restarts it at the first view
    wait_for_app(page)
    page.get_by_role("heading", name="Playground").wait_for()
    page.get_by_text("Tour 1 of 10 · Playground").wait_for()
    assert not errors, errors


SIZES = """() => {
    const px = (el) => el ? parseFloat(getComputedStyle(el).fontSize) : NaN;
    const q = (s) => document.querySelector(s);
    const frame = q("[data-testid='stMain'] [data-testid='stDataFrame']");
    const deepest = (el) => { while (el && el.firstElementChild) el = el.firstElementChild; return el; };
    return {
        chart: px(q("[data-testid='stPlotlyChart'] .xtick text")),
        metric: px(deepest(q("[data-testid='stMetricValue']"))),
        label: px(deepest(q("[data-testid='stMetricLabel']"))),
        text: px(deepest(q("[data-testid='stMain'] [data-testid='stExpander'] [data-testid='stMarkdownContainer']"))),
        table: frame ? frame.getBoundingClientRect().height : NaN,
        tableWidth: frame ? frame.getBoundingClientRect().width : NaN,
    };
}"""


def measured(page, app_url: str, query: str = "") -> dict:
    """Font sizes (px) of chart ticks (attributions), metric values and labels and text (primitives), and the drawn
    height of the attributions' table (a canvas: it is zoomed as a whole)."""
    sizes = {}
    for path, keys in (("/attributions", ("chart", "table", "tableWidth")), ("/", ("metric", "label", "text"))):
        page.goto(f"{app_url}{path}{query}")
        wait_for_app(page)
        page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first.wait_for(state="visible")
        page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(state="visible", timeout=60_000)
        page.wait_for_timeout(500)
        found = page.evaluate(SIZES)
        sizes.update({key: found[key] for key in keys})
    return sizes


def test_presentation_mode_makes_charts_metrics_text_and_tables_larger(app_url, browser):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    normal = measured(page, app_url)
    large = measured(page, app_url, "?present=1")
    page.screenshot(path=str(SHOTS / "24-primitives-presentation.png"))
    assert large.pop("tableWidth") == pytest.approx(normal.pop("tableWidth"), abs=2)  # zoomed, still as wide
    ratios = {key: large[key] / normal[key] for key in normal}
    assert all(ratio >= 1.5 - 1e-6 for ratio in ratios.values()), (normal, large)
    page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(state="visible")
    box = page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first.bounding_box()
    page.mouse.click(box["x"] + 18 * 1.5, box["y"] + 1.5 * 35 * 1.5)  # the first row's checkbox, zoomed
    page.wait_for_function("() => window.location.search.includes('focus=')", timeout=30_000)  # selection works
