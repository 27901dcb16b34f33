"""The photo model: ImageNet classes people recognise on scikit-learn's photos, superpixel players that partition
the photo, the explained v(N) equal to the prediction's log-odds, and uploads."""

import numpy as np
import pytest
from scipy import ndimage

import engine
from engine.errors import EngineError
from engine.explain import Request, explain
from engine.zoo import get_model
from engine.zoo.photo import DEFAULT_PLAYERS, PHOTO_MODEL, SIDE, SUPERPIXELS, imagenet_classes
from engine.zoo.uploads import photo_sample
from helpers import png


@pytest.fixture(scope="module")
def model():
    return get_model(PHOTO_MODEL)


def test_class_names_are_the_thousand_imagenet_classes():
    names = imagenet_classes()
    assert len(names) == 1000 and len(set(names)) == 1000
    assert names[0] == "tench" and names[985] == "daisy" and names[698] == "palace"


def test_it_recognises_the_sample_photos(model):
    top = {s.sample_id: max(engine.predict(PHOTO_MODEL, s.sample_id).items(), key=lambda kv: kv[1])[0]
           for s in model.samples}
    assert top == {"photo-china": "palace", "photo-flower": "daisy"}


@pytest.mark.parametrize("which", [0, 1])
def test_superpixel_players_partition_the_photo(model, which):
    sample = model.samples[which]
    candidates = model.candidates_of(sample)
    assert 2 <= len(candidates) <= SUPERPIXELS
    units = np.concatenate([c.units for c in candidates])
    assert units.size == SIDE * SIDE and np.array_equal(np.sort(units), np.arange(SIDE * SIDE))  # cover, no overlap
    for c in candidates:
        mask = np.zeros(SIDE * SIDE, dtype=bool)
        mask[c.units] = True
        assert ndimage.label(mask.reshape(SIDE, SIDE))[1] == 1, f"{c.label} is in pieces"
    defaults = model.default_player_ids(sample)
    assert len(defaults) == DEFAULT_PLAYERS
    sizes = [len(c.units) for c in candidates]
    assert min(sizes[i] for i in defaults) >= max(s for i, s in enumerate(sizes) if i not in defaults)  # largest


def test_the_explained_full_photo_is_the_predicted_log_odds(model):
    sample = model.samples[1]
    result = explain(Request(PHOTO_MODEL, sample.sample_id, players=(0, 1), method="and"))
    p = model.predict(sample)
    top = int(np.argmax(p))
    assert result.provenance.target == top and result.provenance.target_name == "daisy"
    assert result.v_full == pytest.approx(np.log(p[top] / (1 - p[top])), abs=1e-4)
    assert result.v.shape == (4,) and np.all(np.isfinite(result.v))


def test_baselines_mask_to_grey_or_the_blurred_photo(model):
    sample = model.samples[0]
    units = model.units_of(sample)
    assert units.shape == (SIDE * SIDE, 3) and -1 <= float(units.min()) and float(units.max()) <= 1
    assert float(model.baseline_of(sample, "zero").abs().max()) == 0.0  # mid grey in the network's [-1, 1]
    blurred = model.baseline_of(sample, "blur")
    assert blurred.shape == units.shape
    assert float((blurred - units).abs().mean()) > 0.01
    assert float(blurred.mean()) == pytest.approx(float(units.mean()), abs=0.02)


def test_an_uploaded_photo_is_cropped_segmented_and_found_by_its_id(model):
    ys, xs = np.mgrid[0:120, 0:200]
    picture = np.stack([xs * 255 // 200, ys * 255 // 120, np.full_like(xs, 90)], axis=-1)
    sample = photo_sample(png(picture), "gradient.png")
    assert sample.sample_id.startswith("upload-photo-") and sample.title == "your photo: gradient.png"
    assert sample.data.pixels.shape == (SIDE, SIDE, 3)
    assert model.sample(sample.sample_id) is sample
    assert photo_sample(png(picture), "again.png").sample_id == sample.sample_id  # content-addressed
    units = np.concatenate([c.units for c in model.candidates_of(sample)])
    assert np.array_equal(np.sort(units), np.arange(SIDE * SIDE))
    with pytest.raises(EngineError, match="no sample"):  # an upload of another kind is not this model's sample
        get_model("digits-cnn").sample(sample.sample_id)


def test_bad_uploads_are_clear_errors():
    with pytest.raises(EngineError, match="cannot read notes.txt as an image"):
        photo_sample(b"not a picture", "notes.txt")
    with pytest.raises(EngineError, match="at least 16 pixels"):
        photo_sample(png(np.zeros((8, 40, 3))), "strip.png")
