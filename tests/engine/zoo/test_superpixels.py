"""Superpixels partition the image into at most k connected regions; the Lab conversion matches known values."""

import numpy as np
import pytest
from scipy import ndimage

from engine.zoo.superpixels import rgb_to_lab, superpixels


def test_lab_of_known_colours():
    lab = rgb_to_lab(np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))
    assert lab[0] == pytest.approx([100.0, 0.0, 0.0], abs=0.01)
    assert lab[1] == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)
    assert lab[2] == pytest.approx([53.24, 80.09, 67.20], abs=0.05)  # sRGB red (the standard table)
    assert lab[3] == pytest.approx([32.30, 79.19, -107.86], abs=0.05)  # sRGB blue


def noisy_quadrants(seed: int = 0) -> np.ndarray:
    """64×64 RGB: four flat quadrants of different colours, with a little noise, and a stray pixel of each colour
    scattered into the others (pieces that the connectivity step must give away)."""
    rng = np.random.default_rng(seed)
    image = np.zeros((64, 64, 3))
    image[:32, :32], image[:32, 32:], image[32:, :32], image[32:, 32:] = (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0)
    image[5, 50], image[50, 5], image[40, 40] = (1, 0, 0), (0, 1, 0), (1, 0, 0)
    return np.clip(image + rng.normal(0, 0.03, image.shape), 0, 1)


@pytest.mark.parametrize("k", [2, 4, 7, 10])
def test_regions_partition_the_image_and_are_connected(k):
    labels = superpixels(noisy_quadrants(), k)
    assert labels.shape == (64, 64)
    values = np.unique(labels)
    assert values.tolist() == list(range(len(values))) and 1 <= len(values) <= k  # every pixel in exactly one
    for value in values:
        assert ndimage.label(labels == value)[1] == 1, f"region {value} is in pieces"
    centroid_rows = [np.nonzero(labels == value)[0].mean() for value in values]
    assert centroid_rows == sorted(centroid_rows)  # numbered top to bottom


def test_four_flat_quadrants_are_found():
    labels = superpixels(noisy_quadrants(), 4)
    quadrants = [labels[:32, :32], labels[:32, 32:], labels[32:, :32], labels[32:, 32:]]
    assert len({int(np.bincount(q.ravel()).argmax()) for q in quadrants}) == 4
    assert all(np.mean(q == np.bincount(q.ravel()).argmax()) > 0.95 for q in quadrants)


def test_deterministic():
    assert np.array_equal(superpixels(noisy_quadrants(), 6), superpixels(noisy_quadrants(), 6))
