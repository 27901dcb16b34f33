"""The photo drawn with its superpixel players: the focused primitive tinted, the background washed out."""

import numpy as np

from ui.figures import ORANGE, PINK
from ui.figures_photo import photo_figure


def quadrant_photo() -> tuple[np.ndarray, np.ndarray]:
    """A 40×40 mid-grey photo cut into four 20×20 superpixels, numbered row by row."""
    segments = np.zeros((40, 40), dtype=int)
    segments[:20, 20:], segments[20:, :20], segments[20:, 20:] = 1, 2, 3
    return np.full((40, 40, 3), 0.5), segments


def test_the_focused_players_are_tinted_and_the_background_washed_out():
    pixels, segments = quadrant_photo()
    fig = photo_figure(pixels, segments, ["R1", "R2", "R3", "R4"], players=[0, 1, 3], highlighted={1}, kind="AND")
    image = np.asarray(fig.data[0].z, dtype=float)  # uint8: every expected value within rounding
    grey = 0.5 * 255
    assert np.allclose(image[5, 5], grey, atol=0.5)  # a player, not focused, away from any border: untouched
    orange = np.array([int(ORANGE[i:i + 2], 16) for i in (1, 3, 5)])
    assert np.allclose(image[5, 30], 0.55 * grey + 0.45 * orange, atol=0.5)  # players[1] = superpixel 1: tinted
    assert image[30, 5].mean() > grey + 40  # superpixel 2 is no player: washed out towards white
    assert np.allclose(image[30, 30], grey, atol=0.5)  # player superpixel 3, not focused
    assert np.allclose(image[10, 20], orange)  # the focused superpixel's border, in the kind's colour
    texts = [a.text for a in fig.layout.annotations]
    assert texts == ["R1", "<b>R2</b>", "R4"]  # one label per player, the focused one bold


def test_an_or_primitive_is_drawn_in_pink():
    pixels, segments = quadrant_photo()
    image = np.asarray(photo_figure(pixels, segments, ["a", "b", "c", "d"], [0, 1], {0}, kind="OR").data[0].z)
    pink = np.array([int(PINK[i:i + 2], 16) for i in (1, 3, 5)])
    assert np.allclose(image[5, 5], 0.55 * 0.5 * 255 + 0.45 * pink, atol=0.5)
