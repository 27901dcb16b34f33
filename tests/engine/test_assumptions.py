"""The assumption checks of Ren et al. 2024 on games with known answers."""

from math import comb

import numpy as np
import pytest
from helpers import PLAYERS, game_from_terms, sparse_result

from engine.assumptions import high_order_check, monotonicity_check, polynomial_check, valid_count_bound
from engine.masks import popcounts
from engine.result import InteractionResult


def test_mean_by_order_identity_t9():
    v = np.random.default_rng(1).normal(size=64)
    r = InteractionResult.harsanyi(PLAYERS, v)
    mono = monotonicity_check(r)
    dividends = r.i_and
    sizes = popcounts(6)
    net = [dividends[sizes == k].sum() for k in range(7)]
    for m in range(1, 7):
        expected = sum(comb(m, k) / comb(6, k) * net[k] for k in range(1, m + 1))
        assert mono.mean[m] == pytest.approx(expected)

def test_assumption_checks_on_a_monotone_sparse_game():
    r = sparse_result()
    assert high_order_check(r).estimated_m == 3 and high_order_check(r).passed
    v = game_from_terms(6, {(0,): 1.0, (1,): 1.0, (2,): 0.5, (1, 2): 2.0, (3, 4): 1.0}, {})
    good = InteractionResult.harsanyi(PLAYERS, v)
    assert monotonicity_check(good).passed
    poly = polynomial_check(good)
    assert poly.passed and np.all(poly.mean <= poly.envelope + 1e-9)
    bound = valid_count_bound(good, poly.p)
    assert bound.holds and bound.real.sum() == 5
    bad = InteractionResult.harsanyi(PLAYERS, game_from_terms(6, {(0,): 1.0, (0, 1): -3.0}, {}))
    assert not monotonicity_check(bad).passed
