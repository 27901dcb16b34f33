"""The stand-in of a bundled model: what the manifest records of its samples comes back as the views need it."""

import json

import numpy as np

from engine.zoo.photo import Photo
from engine.zoo.stand_in import decode_data, encode_data, stand_in


def test_a_photo_keeps_its_pixels_to_8_bits_and_its_superpixel_map_exactly():
    rng = np.random.default_rng(0)
    photo = Photo(rng.random((6, 5, 3), dtype=np.float32), rng.integers(0, 4, (6, 5)))
    back = decode_data(json.loads(json.dumps(encode_data(photo))))
    assert isinstance(back, Photo) and back.pixels.dtype == np.float32
    assert np.abs(back.pixels - photo.pixels).max() <= 0.5 / 255 + 1e-7
    assert np.array_equal(back.segments, photo.segments)


def test_arrays_and_sentences_come_back_as_they_were():
    digit = np.arange(6, dtype=np.float64).reshape(2, 3) / 7
    back = decode_data(json.loads(json.dumps(encode_data(digit))))
    assert back.dtype == np.float64 and np.array_equal(back, digit)
    assert decode_data(encode_data("not bad at all")) == "not bad at all"


def record_of(sample_id):
    return {"sample_id": sample_id, "title": sample_id, "label": 1, **encode_data(np.zeros(4, np.float32)),
            "prediction": [0.2, 0.8], "candidates": [{"label": "a", "units": [0], "weight": 1.0, "span": None}]}


def test_the_bundled_test_samples_are_the_stand_ins_test_split_and_can_be_picked():
    record = {"title": "T", "modality": "tabular", "class_names": ["a", "b"], "baselines": ["mean"],
              "weights_sha256": "0" * 64, "samples": [record_of("row-1"), record_of("row-test-0")],
              "test_samples": [record_of("row-test-0"), record_of("row-test-1")]}
    model = stand_in("m", record)
    assert model.test_size == 2 and model.test_sample_ids(5) == ["row-test-0", "row-test-1"]
    assert model.test_sample_ids(1, 1) == ["row-test-1"]
    assert [s.sample_id for s in model.samples] == ["row-1", "row-test-0", "row-test-1"]  # each once
    assert model.sample("row-test-1").title == "row-test-1"
    assert stand_in("m", record | {"test_samples": []}).test_sample_ids() == ["row-1", "row-test-0"]  # as before
