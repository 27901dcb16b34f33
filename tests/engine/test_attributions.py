"""Attributions from interactions: Shapley and Banzhaf shares of AND, OR and noise terms against brute force."""

from math import factorial

import numpy as np
import pytest

from engine.and_or import decompose
from engine.attributions import NOISE, pair_indices, shares
from engine.harsanyi import and_interactions, or_interactions
from engine.playground import game_from_formula, split


def brute_force(v: np.ndarray, index: str) -> np.ndarray:
    """φ(i) = Σ_{S⊆N∖i} |S|!(n−|S|−1)!/n! [v(S∪i) − v(S)]; β(i) = Σ_{S⊆N∖i} [v(S∪i) − v(S)] / 2^{n−1}."""
    n = int(v.size).bit_length() - 1
    out = np.zeros(n)
    for i in range(n):
        for s in range(v.size):
            if s >> i & 1:
                continue
            k = bin(s).count("1")
            weight = factorial(k) * factorial(n - k - 1) / factorial(n) if index == "Shapley" else 0.5 ** (n - 1)
            out[i] += weight * (v[s | 1 << i] - v[s])
    return out


def players(n: int) -> list[str]:
    return [f"p{i}" for i in range(n)]


@pytest.mark.parametrize("index", ["Shapley", "Banzhaf"])
@pytest.mark.parametrize("n", [1, 3, 5, 8])
def test_values_from_and_or_or_only_interactions_equal_brute_force(n, index):
    v = np.random.default_rng(n).normal(size=1 << n)
    expected = brute_force(v, index)
    i_and = and_interactions(v).numpy()
    assert np.allclose(shares(players(n), v, i_and, np.zeros_like(v), index).values, expected)
    i_or = or_interactions(v).numpy()
    bias = np.zeros_like(v)
    bias[0], i_or[0] = i_or[0], 0.0
    only_or = shares(players(n), v, bias, i_or, index)
    assert np.allclose(only_or.values, expected) and NOISE not in only_or.terms  # the OR transform is exact


@pytest.mark.parametrize("index", ["Shapley", "Banzhaf"])
@pytest.mark.parametrize("n", [4, 6])
def test_an_and_or_split_with_noise_still_adds_up_to_the_value_of_v(n, index):
    v = np.tanh(np.random.default_rng(10 + n).normal(size=1 << n).cumsum())
    found = decompose(v - v[0], qthres=0.04)
    i_and = found.i_and.reshape(-1).copy()
    i_and[0] += v[0]
    result = shares(players(n), v, i_and, found.i_or.reshape(-1), index)
    assert NOISE in result.terms  # q is used at its bound somewhere
    assert np.allclose(result.values, brute_force(v, index))


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_an_or_term_gives_each_member_one_share_of_its_size(size):
    """w_T(S) = 1[S ∩ T ≠ ∅]: Shapley 1/|T| and Banzhaf 1/2^{|T|−1} per member of T, 0 for the others."""
    n = size + 2
    w = np.array([float(s & ((1 << size) - 1) != 0) for s in range(1 << n)])
    members = np.r_[np.ones(size), np.zeros(2)]
    assert np.allclose(brute_force(w, "Shapley"), members / size)
    assert np.allclose(brute_force(w, "Banzhaf"), members / 2 ** (size - 1))


def test_shares_name_their_terms():
    found = split(game_from_formula("(x1 and x2) + (x3 or x4)"), "and-or")
    result = shares(list(found.players), found.v, found.i_and, found.i_or)
    assert result.terms == ["AND {x1, x2}", "OR {x3, x4}"] and result.kinds == ["AND", "OR"]
    assert np.allclose(result.shares, [[0.5, 0], [0.5, 0], [0, 0.5], [0, 0.5]])


def test_pair_indices_of_a_pure_pair():
    v = game_from_formula("3*a*b + c").v
    pairs = pair_indices(v)
    for matrix in pairs.values():
        assert matrix[0, 1] == matrix[1, 0] == pytest.approx(3.0)
        assert matrix[0, 2] == matrix[1, 2] == 0.0 and np.all(np.diag(matrix) == 0)
