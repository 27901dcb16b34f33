"""AppTest: a result bundle given on the command line is browsed on every view without the model installed."""

from pathlib import Path
from urllib.parse import unquote

import pytest
from streamlit.testing.v1 import AppTest

from engine.bundle import export_bundle
from engine.cache import ResultCache
from engine.precompute import run_job, sample_jobs
from engine.zoo import ID_SCHEMES
from ui.bundle import BUNDLE_VARIABLE

APP = str(Path(__file__).resolve().parents[2] / "app.py")
MODEL, SAMPLES = "tabular-mlp-wide", ["row-3"]  # with its pair's joint extraction (the shared view)
PAGES = ["pages/primitives.py", "pages/sparsity.py", "pages/orders.py", "pages/assumptions.py",
         "pages/faithfulness.py", "pages/attributions.py", "pages/shared.py"]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("app-bundle")
    cache = ResultCache(folder / "cache")
    for sample_id in SAMPLES:
        for job in sample_jobs(MODEL, sample_id, ["and", "and-or"]):
            run_job(job, cache)
    export_bundle(folder / "talk.zip", [MODEL], SAMPLES, ["and", "and-or"], cache)
    return folder / "talk.zip"


def uninstall(monkeypatch) -> None:
    """No model can be loaded: every view must draw from the bundle alone."""
    for scheme in list(ID_SCHEMES):
        monkeypatch.setitem(ID_SCHEMES, scheme, lambda model_id: None)


@pytest.fixture
def not_installed(monkeypatch):
    uninstall(monkeypatch)


def test_every_view_draws_from_the_bundle_without_the_model(bundle, not_installed, monkeypatch):
    monkeypatch.setenv(BUNDLE_VARIABLE, str(bundle))
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert len(at.sidebar.selectbox(key="model").options) == 2  # only the bundle's models: the pair
    assert at.query_params["model"] == MODEL and at.query_params["sample"] == SAMPLES[0]
    assert any("Browsing **talk.zip" in caption.value for caption in at.sidebar.caption)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception and not at.error, (page, at.exception, [e.value for e in at.error])
        assert page == "pages/primitives.py" or at.get("plotly_chart"), f"{page} drew no chart"
    at.switch_page("pages/dynamics.py").run()
    assert not at.exception and any("result bundle is open" in i.value for i in at.info)
    at.switch_page("pages/primitives.py").run()
    at.sidebar.multiselect(key=f"players::{MODEL}::{SAMPLES[0]}").unselect(0).run()  # not in the bundle
    assert any("this bundle holds no result" in e.value for e in at.error) and not at.exception


def test_a_damaged_bundle_is_a_message_and_the_app_goes_on(tmp_path, monkeypatch):
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    monkeypatch.setenv(BUNDLE_VARIABLE, str(tmp_path / "broken.zip"))
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"could not open {tmp_path / 'broken.zip'}: broken.zip is damaged or not a zip file (File is not a zip file)"]
    assert at.query_params["model"] == "digits-cnn"  # the installed models, as without a bundle


def test_the_across_samples_view_draws_a_bundled_aggregate_without_the_model(tmp_path, monkeypatch):
    from engine.across import AcrossSettings, across
    from engine.bundle import across_keys

    model_id, cache = "tabular-mlp-overfit", ResultCache(tmp_path / "cache")
    sample_ids = ["row-test-0", "row-test-1"]
    across([model_id], sample_ids, AcrossSettings(), cache)
    for sample_id in sample_ids:
        for job in sample_jobs(model_id, sample_id, ["and", "and-or"]):
            run_job(job, cache)
    export_bundle(tmp_path / "across.zip", [model_id], sample_ids, ["and", "and-or"], cache,
                  across_keys([model_id], sample_ids, cache))
    uninstall(monkeypatch)
    monkeypatch.setenv(BUNDLE_VARIABLE, str(tmp_path / "across.zip"))
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    at.switch_page("pages/across.py").run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert not any("Not computed yet" in i.value for i in at.info) and at.get("plotly_chart")


@pytest.fixture(scope="module")
def mnist3_bundle(tmp_path_factory):
    """The MNIST-3 pair on one showcase digit (4 players: seconds) with its joint extraction, and the pair's
    across-samples aggregate (default settings: n = 8) over the first two test digits."""
    from engine.across import AcrossSettings, across
    from engine.bundle import across_keys
    from engine.zoo import get_model

    folder = tmp_path_factory.mktemp("mnist3-bundle")
    cache = ResultCache(folder / "cache")
    with pytest.MonkeyPatch.context() as patch:
        for model_id in ("mnist3-resnet", "mnist3-vgg"):
            patch.setattr(get_model(model_id), "default_players", 4)
        for job in sample_jobs("mnist3-resnet", "mnist-1505", ["and", "and-or"]):
            run_job(job, cache)
        tests = get_model("mnist3-resnet").test_sample_ids(2)
        across(["mnist3-resnet", "mnist3-vgg"], tests, AcrossSettings(), cache)
        export_bundle(folder / "mnist3.zip", ["mnist3-resnet"], ["mnist-1505"], ["and", "and-or"], cache,
                      across_keys(["mnist3-resnet"], tests, cache), tests)
    return folder / "mnist3.zip"


def test_the_mnist3_pair_draws_from_a_bundle_without_the_models(mnist3_bundle, not_installed, monkeypatch):
    monkeypatch.setenv(BUNDLE_VARIABLE, str(mnist3_bundle))
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert at.query_params["model"] == "mnist3-resnet" and at.query_params["sample"] == "mnist-1505"
    assert at.sidebar.selectbox(key="model").options == ["MNIST-3 · ResNet-style CNN", "MNIST-3 · VGG-style CNN"]
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception and not at.error, (page, at.exception, [e.value for e in at.error])
        assert page == "pages/primitives.py" or at.get("plotly_chart"), f"{page} drew no chart"
    at.switch_page("pages/across.py").run()
    at.toggle(key="across-pair").set_value(True).run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert at.number_input(key="across-k::mnist3-resnet").value == 2  # the bundled test split
    assert not any("Not computed yet" in i.value for i in at.info) and len(at.get("plotly_chart")) > 8
    link = at.dataframe[0].value["open"][1]  # a test digit in the single-sample views, from the bundle
    assert link.startswith("./?model=mnist3-resnet&sample=mnist-test-1&players=")
    linked = AppTest.from_file(APP, default_timeout=240)
    for key, value in (part.split("=", 1) for part in link[3:].split("&")):
        linked.query_params[key] = unquote(value)
    linked.run()
    assert not linked.exception and not linked.error, (linked.exception, [e.value for e in linked.error])
    assert linked.selectbox(key="sample::mnist3-resnet").value == "mnist-test-1" and linked.get("plotly_chart")


def test_a_photo_bundle_draws_the_photo_with_its_superpixels_without_the_model(tmp_path, monkeypatch):
    from engine.zoo import get_model

    model_id, cache = "photo-efficientnet-lite0", ResultCache(tmp_path / "cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(get_model(model_id), "default_players", 3)  # 2^3 forward passes: seconds
        for job in sample_jobs(model_id, "photo-flower", ["and", "and-or"]):
            run_job(job, cache)
        export_bundle(tmp_path / "photo.zip", [model_id], ["photo-flower"], ["and", "and-or"], cache)
    uninstall(monkeypatch)
    monkeypatch.setenv(BUNDLE_VARIABLE, str(tmp_path / "photo.zip"))
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert at.query_params["model"] == model_id and len(at.query_params["players"].split(",")) == 3
    assert '"type":"image"' in at.get("plotly_chart")[0].proto.spec.replace(" ", "")  # the photo, superpixels on it
    for page in ("pages/sparsity.py", "pages/across.py"):
        at.switch_page(page).run()
        assert not at.exception and not at.error, (page, at.exception, [e.value for e in at.error])
    assert any("no test split" in c.value for c in at.caption)
