"""Shapley-type indices from dividends against brute force (spec §9, T10)."""

from itertools import combinations
from math import comb, factorial

import numpy as np
import pytest

import engine
from engine.masks import popcounts, subset_index
from engine.shapley import banzhaf_values, shapley_interaction_index, shapley_taylor_index, shapley_values

N = 5


@pytest.fixture
def game():
    return np.random.default_rng(3).normal(size=1 << N)


def _others(exclude):
    rest = [j for j in range(N) if j not in exclude]
    for k in range(len(rest) + 1):
        for t in combinations(rest, k):
            yield t


def _delta(v, s, t):
    """Δ_S v(T) = Σ_{L⊆S} (−1)^{|S|−|L|} v(T∪L)."""
    return sum((-1) ** (len(s) - k) * v[subset_index(t + l)] for k in range(len(s) + 1) for l in combinations(s, k))


def test_shapley_against_permutation_formula(game):
    phi = shapley_values(engine.and_interactions(game))
    for i in range(N):
        brute = sum(
            factorial(len(t)) * factorial(N - len(t) - 1) / factorial(N) * (game[subset_index(t + (i,))] - game[subset_index(t)])
            for t in _others([i])
        )
        assert phi[i] == pytest.approx(brute)
    assert phi.sum() == pytest.approx(game[-1] - game[0])  # efficiency


def test_shapley_with_and_or_split_is_the_same():
    from engine.and_or import decompose

    v = np.random.default_rng(0).normal(size=1 << N)
    split = decompose(v - v[0])
    phi = shapley_values(split.i_and[0] + split.i_or[0])
    # the split matches v + q, so compare with the Shapley values of u + q
    assert phi == pytest.approx(shapley_values(engine.and_interactions(v - v[0] + split.q[0])))


def test_banzhaf(game):
    beta = banzhaf_values(engine.and_interactions(game))
    for i in range(N):
        brute = sum(game[subset_index(t + (i,))] - game[subset_index(t)] for t in _others([i])) / 2 ** (N - 1)
        assert beta[i] == pytest.approx(brute)


def test_shapley_interaction_index(game):
    sii = shapley_interaction_index(engine.and_interactions(game))
    for s in [(0,), (1, 3), (0, 2, 4)]:
        brute = sum(
            factorial(len(t)) * factorial(N - len(t) - len(s)) / factorial(N - len(s) + 1) * _delta(game, s, t)
            for t in _others(s)
        )
        assert sii[subset_index(s)] == pytest.approx(brute)


def test_shapley_taylor_index(game):
    k = 2
    dividends = engine.and_interactions(game).numpy()
    sti = shapley_taylor_index(dividends, k)
    sizes = popcounts(N)
    np.testing.assert_allclose(sti[sizes < k], dividends[sizes < k])
    assert np.all(sti[sizes > k] == 0)
    for s in [(0, 1), (2, 4)]:
        brute = k / N * sum(_delta(game, s, t) / comb(N - 1, len(t)) for t in _others(s))
        assert sti[subset_index(s)] == pytest.approx(brute)
    assert sti.sum() == pytest.approx(game[-1])  # efficiency, ∅ included
