"""Analyses over results: sparsity, orders, faithfulness, the assumption checks, results on disk and the cache."""

from math import comb

import numpy as np
import pytest
from conftest import game_from_terms

from engine.assumptions import high_order_check, monotonicity_check, polynomial_check, valid_count_bound
from engine.cache import ResultCache
from engine.faithfulness import explanation_ratio, matching_curve, matching_precision, reconstruct
from engine.generalizable import paper_ks, shared_sets, shared_strength_by_order, transferability
from engine.masks import popcounts, subset_index
from engine.result import InteractionResult, Provenance, SolverReport
from engine.sparsity import (
    mean_normalised_curve, order_distribution, order_statistics, pooled_curve, salient, sorted_strengths,
)

PLAYERS = [f"x{i}" for i in range(6)]


def sparse_result():
    v = game_from_terms(6, {(0,): 4.0, (1, 2): 3.0, (3, 4, 5): -2.0, (0, 5): 0.01}, {}, bias=1.0)
    return InteractionResult.harsanyi(PLAYERS, v)


def test_both_curve_styles_over_samples():
    first = sparse_result()  # |I| = 4, 3, 2, 0.01 and zeros
    second = InteractionResult.harsanyi(PLAYERS, game_from_terms(6, {(2,): -1.0, (0, 1): 0.5}, {}))
    mean = mean_normalised_curve([first, second])  # per sample /max, then averaged rank by rank
    assert mean.size == 2 * 63
    np.testing.assert_allclose(mean[:4], [(1 + 1) / 2, (0.75 + 0.5) / 2, (0.5 + 0) / 2, (0.0025 + 0) / 2])
    pooled = pooled_curve([first, second])  # raw |I| of both samples in one sorted list; AND-only duplicated
    assert pooled.size == 2 * 2 * 63
    np.testing.assert_allclose(pooled[:10], [4, 4, 3, 3, 2, 2, 1, 1, 0.5, 0.5])
    assert np.all(np.diff(pooled) <= 0)


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


def test_faithfulness_from_top_k():
    r = sparse_result()
    np.testing.assert_allclose(reconstruct(r), r.v, atol=1e-12)
    np.testing.assert_allclose(reconstruct(r, 3), r.v - game_from_terms(6, {(0, 5): 0.01}, {}), atol=1e-12)
    curve = matching_curve(r, ks=[0, 1, 3, 4])
    assert curve.mean_abs_error[-1] == pytest.approx(0, abs=1e-12)
    assert np.all(np.diff(curve.mean_abs_error) <= 1e-12)
    assert matching_precision(r, 4) == pytest.approx(1.0)
    assert explanation_ratio(r, 3) == pytest.approx(9 / 9.01)


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


def test_transferability_and_shared_sets():
    a = np.zeros(16)
    b = np.zeros(16)
    a[[1, 2, 3]] = [3, 2, 1]
    b[[1, 2, 4]] = [3, -2, 1]
    players = PLAYERS[:4]
    ra, rb = (InteractionResult(players, np.zeros(16), x, np.zeros(16), "shared") for x in (a, b))
    assert transferability([ra, rb], "AND", 2) == 1.0
    assert transferability([ra, rb], "AND", 3) == pytest.approx(2 / 3)
    # Beyond the three nonzero terms the top-k sets stop: zeros tied at 0 are not interactions both models share.
    assert transferability([ra, rb], "AND", 5) == pytest.approx(2 / 5)
    sets = shared_sets([ra, rb])
    assert sets.shared_and.tolist() == [1, 2] and sets.own_and[0].tolist() == [3] and sets.own_and[1].tolist() == [4]
    strength = shared_strength_by_order([ra, rb], model=1)
    assert strength.shared_negative[0] == -2 and strength.all_positive[0] == 4
    assert paper_ks(10).tolist() == [51, 102, 153, 204, 256, 307, 358, 409, 460]
    assert paper_ks(8).tolist() == [12, 25, 38, 51, 64, 76, 89, 102, 115]


def test_result_round_trip_and_cache(tmp_path):
    r = sparse_result()
    r.provenance = Provenance(model_id="toy", player_ids=[0, 1])
    r.report = SolverReport("lp", 1.5, curve=[(1, 2.0)])
    cache = ResultCache(tmp_path)
    calls = []
    first = cache.get_or_compute({"k": 1}, lambda: calls.append(1) or r)
    again = ResultCache(tmp_path).get_or_compute({"k": 1}, lambda: calls.append(1) or r)
    assert calls == [1]
    np.testing.assert_array_equal(again.i_and, first.i_and)
    assert again.provenance == r.provenance and again.players == PLAYERS and again.report == r.report


def test_damaged_cache_entry_is_recomputed(tmp_path):
    from engine.cache import cache_key

    cache = ResultCache(tmp_path)
    path = cache.path(cache_key({"k": 2}))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an npz")
    result = cache.get_or_compute({"k": 2}, sparse_result)
    assert ResultCache(tmp_path).get(cache_key({"k": 2})) is not None
    assert result.n == 6
    assert not list(tmp_path.rglob("*.tmp"))
