"""Sparsity: salient sets, sorted strengths in both curve styles, per-order statistics."""

import numpy as np
import pytest
from helpers import PLAYERS, game_from_terms, sparse_result

from engine.masks import popcounts, subset_index
from engine.result import InteractionResult
from engine.sparsity import normalised_curves, order_distribution, order_statistics, salient, sorted_strengths


def test_normalised_curves_over_samples():
    first = sparse_result()  # |I| = 4, 3, 2, 0.01 and zeros
    second = InteractionResult.harsanyi(PLAYERS, game_from_terms(6, {(2,): -1.0, (0, 1): 0.5}, {}))
    mean = normalised_curves([first, second]).mean(axis=0)  # per sample /max, then averaged rank by rank
    assert mean.size == 2 * 63
    np.testing.assert_allclose(mean[:4], [(1 + 1) / 2, (0.75 + 0.5) / 2, (0.5 + 0) / 2, (0.0025 + 0) / 2])
    doubled = normalised_curves([second], duplicate_and_only=True)[0]  # AND-only counted twice (Chen Appx H)
    assert doubled.size == 2 * 63
    np.testing.assert_allclose(doubled[:5], [1, 1, 0.5, 0.5, 0])
    shorter = InteractionResult.harsanyi(PLAYERS[:3], game_from_terms(3, {(0,): 2.0}, {}))
    np.testing.assert_array_equal(normalised_curves([first, shorter])[1, 7:], 0.0)  # fewer players: zero-padded

def test_salient_set_and_counts():
    s = salient(sparse_result())
    assert s.tau == pytest.approx(0.2)
    assert set(s.and_indices) == {subset_index(t) for t in [(0,), (1, 2), (3, 4, 5)]}
    assert s.count == 3 and s.share == pytest.approx(3 / 126)

def test_parity_game_is_flagged_dense():
    sizes = popcounts(6)
    v = np.where(sizes % 2 == 1, 1.0, -1.0)
    v[0] = 0
    s = salient(InteractionResult.harsanyi(PLAYERS, v))
    # |I(S)| = 2^|S| − 1 ≥ 0.05·63 for every order ≥ 3: 42 salient of 63 AND subsets, a third of all candidates
    assert s.and_indices.size == 42 and s.share == pytest.approx(1 / 3)

def test_sorted_strengths_styles():
    r = sparse_result()
    raw = sorted_strengths(r)
    assert raw[0] == pytest.approx(4.0) and np.all(np.diff(raw) <= 0) and raw.size == 126
    assert sorted_strengths(r, normalise=True)[0] == 1.0
    assert np.count_nonzero(sorted_strengths(r, duplicate_and_only=True)) == 8

def test_order_statistics_and_distribution():
    r = sparse_result()
    stats = order_statistics(r)
    assert stats.positive[0] == pytest.approx(4.0) and stats.negative[2] == pytest.approx(-2.0)
    assert stats.salient_count.tolist() == [1, 1, 1, 0, 0, 0]
    assert stats.box.shape == (6, 5) and stats.box[0, 4] == pytest.approx(4.0)
    dist = order_distribution(r)
    assert dist.sum() == pytest.approx(1.0)
    assert dist[0] == pytest.approx(4.0 / 9.01)
