"""A real browser: Debian's chromium driven by Playwright against the app served on a free localhost port (the
fixtures ``app_url`` and ``browser`` are in ``conftest.py``)."""

from pathlib import Path

from helpers import SHOTS, png, stroke_on_paper, wait_for_app

# Streamlit's client probes these relative to a deep-linked page before falling back to / (streamlit#7074).
BENIGN = ("/_stcore/health", "/_stcore/host-config")
PAGES = [("sparsity", "Sparsity"), ("orders", "Orders"), ("assumptions", "Assumptions for sparsity"),
         ("faithfulness", "Faithfulness"), ("shared", "Shared vs distinctive primitives"),
         ("dynamics", "Training dynamics")]


def digit_png(folder: Path) -> Path:
    """A hand-drawn-looking 1 (conftest's stroke on paper) saved as a PNG file."""
    path = folder / "one.png"
    path.write_bytes(png(stroke_on_paper()))
    return path


def test_visit_every_page_click_a_point_and_screenshot(app_url, browser, bert_folder, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors, bad_responses = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: bad_responses.append(r.url) if r.status >= 400 and not r.url.endswith(BENIGN) else None)

    # The very first request to a fresh server is a deep link to a page (Streamlit's legacy pages/ mode trap).
    page.goto(f"{app_url}/orders?model=digits-mlp&method=and")
    wait_for_app(page)
    page.get_by_role("heading", name="Orders").wait_for()
    page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(state="visible", timeout=60_000)
    assert "model=digits-mlp" in page.url and "/orders" in page.url
    assert page.locator("[data-testid='stException']").count() == 0

    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("heading", name="Input and primitives").wait_for()
    page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SHOTS / "01-primitives.png"), full_page=True)

    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(digit_png(tmp_path)))
    page.wait_for_function("() => window.location.search.includes('sample=upload-image-')", timeout=60_000)
    wait_for_app(page)
    page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(state="visible", timeout=60_000)
    assert page.locator("[data-testid='stMetricValue']").first.inner_text() == "1"  # the CNN reads the upload as a 1
    page.screenshot(path=str(SHOTS / "01b-uploaded-digit.png"), full_page=True)

    for number, (path, heading) in enumerate(PAGES, start=2):
        page.locator("[data-testid='stSidebarNav'] a", has_text=heading.split()[0]).first.click()
        wait_for_app(page)
        page.get_by_role("heading", name=heading).wait_for()
        page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(state="visible", timeout=60_000)
        page.wait_for_timeout(1000)
        assert f"/{path}" in page.url and "model=" in page.url
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(SHOTS / f"{number:02d}-{path}.png"), full_page=True)
        if path == "sparsity":
            point = page.locator("[data-testid='stPlotlyChart'] path.point").first
            box = point.bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            wait_for_app(page)
            page.wait_for_function("() => window.location.search.includes('focus=')", timeout=30_000)
            page.screenshot(path=str(SHOTS / "02b-sparsity-focused.png"), full_page=True)
        if path == "dynamics":
            title = page.get_by_text("strength per order (fitted").first
            before = title.text_content()
            page.locator("[data-testid='stSlider'] input[type='range']").first.focus()
            for _ in range(4):
                page.keyboard.press("ArrowRight")
            wait_for_app(page)
            page.wait_for_function(f"() => !document.body.innerText.includes({before!r})", timeout=30_000)
            page.screenshot(path=str(SHOTS / "07b-dynamics-later-epoch.png"), full_page=True)

    page.goto(f"{app_url}/?model=text-sentiment-l6&sample=not-bad")
    wait_for_app(page)
    page.get_by_text("film").first.wait_for(timeout=120_000)
    page.screenshot(path=str(SHOTS / "09-text.png"), full_page=True)

    page.get_by_text("Your own model").click()
    page.get_by_placeholder("org/model-name").fill(str(bert_folder))  # an allowed root (the fixture's)
    page.keyboard.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Load model").click()
    page.wait_for_function("() => window.location.search.includes('model=hf')", timeout=120_000)
    wait_for_app(page)
    page.get_by_text("Strongest interactions").wait_for(timeout=120_000)
    page.screenshot(path=str(SHOTS / "10-own-model.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0

    # The app follows the system's colour scheme (no theme is forced): check the dark one renders dark.
    page.emulate_media(color_scheme="dark")
    page.goto(f"{app_url}/sparsity")
    wait_for_app(page)
    page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(state="visible", timeout=60_000)
    background = page.evaluate("() => getComputedStyle(document.querySelector('.stApp')).backgroundColor")
    channels = [int(c) for c in background[background.index("(") + 1:].rstrip(")").split(",")[:3]]
    assert sum(channels) < 3 * 80, background
    page.screenshot(path=str(SHOTS / "11-dark-sparsity.png"), full_page=True)
    unexpected = [e for e in errors if "404" not in e and "Failed to load resource" not in e]
    assert not unexpected, unexpected
    assert not bad_responses, bad_responses
