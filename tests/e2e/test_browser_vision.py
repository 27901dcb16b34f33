"""The MNIST-3 pair and the photo model in a real browser: every page by its link, an uploaded photo, and
screenshots at 1920×1080 (a projector's size) of the 28×28 digit and of the photo."""

import numpy as np
from helpers import SHOTS, png, wait_for_app

# As in the AppTest: few players keep the forward passes (and the pair's joint LP) short on CI's two cores.
MODELS = {"mnist3-resnet": "33,34,43,44,53,54", "mnist3-vgg": "33,34,43,44,53,54",
          "photo-efficientnet-lite0": "0,1,2"}
PAGES = [("", "Input and primitives"), ("sparsity", "Sparsity"), ("orders", "Orders"),
         ("assumptions", "Assumptions for sparsity"), ("faithfulness", "Faithfulness"),
         ("attributions", "Attributions from interactions"), ("shared", "Shared vs distinctive primitives"),
         ("dynamics", "Training dynamics")]


def a_photo() -> np.ndarray:
    """A 300×200 picture: a red disc on a blue-to-green gradient (RGB uint8)."""
    ys, xs = np.mgrid[0:200, 0:300]
    picture = np.stack([np.zeros_like(xs), 255 * xs // 300, 255 - 255 * xs // 300], axis=-1)
    picture[(ys - 100) ** 2 + (xs - 150) ** 2 < 60**2] = (220, 30, 30)
    return picture.astype(np.uint8)


def test_the_new_models_on_every_page(app_url, browser, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for model_id, players in MODELS.items():
        for path, heading in PAGES:
            page.goto(f"{app_url}/{path}?model={model_id}&players={players}")
            wait_for_app(page)
            page.get_by_role("heading", name=heading).wait_for(timeout=60_000)
            assert page.locator("[data-testid='stException']").count() == 0, (model_id, path)
            if path == "shared" and model_id.startswith("photo"):
                page.get_by_text("compares models trained for the same task").wait_for(timeout=60_000)
                continue
            page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(state="visible", timeout=120_000)
            if path == "" and model_id != "mnist3-vgg":
                page.wait_for_timeout(1000)
                page.screenshot(path=str(SHOTS / f"20-{model_id}.png"))

    photo = tmp_path / "disc.png"
    photo.write_bytes(png(a_photo()))
    page.goto(f"{app_url}/?model=photo-efficientnet-lite0&players=0,1")
    wait_for_app(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(photo))
    page.wait_for_function("() => window.location.search.includes('sample=upload-photo-')", timeout=120_000)
    # A new photo starts at its default 8 players: 256 forward passes behind a progress bar (the test stops there).
    page.get_by_text("Computing interactions").first.wait_for(timeout=120_000)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(SHOTS / "21-uploaded-photo-computing.png"))
    assert not errors, errors
