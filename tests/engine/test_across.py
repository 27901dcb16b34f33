"""Across samples: aggregates equal the per-sample analyses averaged by hand; JSON round trip; cache; cancel; CLI."""

import json
import warnings
from dataclasses import replace

import numpy as np
import pytest
from helpers import across_samples as samples

from engine.across import (
    AcrossSettings, Aggregate, Band, SampleResults, aggregate, aggregate_path, aggregate_key, across, cached_aggregate,
    split_sample_ids, store_aggregate,
)
from engine.assumptions import high_order_check, monotonicity_check, polynomial_check, valid_count_bound
from engine.cache import ResultCache
from engine.errors import EngineError
from engine.generalizable import paper_ks, shared_strength_by_order, transfer_curve
from engine.sparsity import order_distribution, salient, sorted_strengths
from engine.result import InteractionResult
from engine.zoo import get_model


DESCRIBE = lambda model_id: (f"title of {model_id}", ["no", "yes"])  # noqa: E731


def test_model_aggregate_is_the_per_sample_analyses_averaged():
    done = samples(3)
    agg = aggregate(["m"], done, ["s0", "s1", "s2", "s3"], describe=DESCRIBE)
    model = agg.models[0]
    assert agg.sample_ids == ["s0", "s1", "s2"] and model.title == "title of m"
    splits = [s.and_or[0] for s in done]
    harsanyis = [s.and_only[0] for s in done]
    assert np.allclose(model.salient_ratios, [salient(r).share for r in splits])
    assert [r.salient_ratio_and for r in model.rows] == pytest.approx(
        [salient(r).count / 15 for r in harsanyis])
    curves = np.array([sorted_strengths(r, normalise=True) for r in splits])
    assert np.allclose(model.curve_and_or.mean, curves.sum(axis=0) / 3)
    assert np.allclose(model.curve_and_or.low, np.percentile(curves, 10, axis=0))
    doubled = [sorted_strengths(r, normalise=True, duplicate_and_only=True) for r in harsanyis]  # as the sparsity view
    assert np.allclose(model.curve_and.high, np.percentile(doubled, 90, axis=0))
    shares = np.array([order_distribution(r) for r in splits])
    assert np.allclose(model.order_share, shares)
    assert [r.high_order_share for r in model.rows] == pytest.approx(shares[:, 2:].sum(axis=1))  # k > n/2 = 2
    checks = [(high_order_check(r).passed, monotonicity_check(r).passed, polynomial_check(r).p) for r in harsanyis]
    rates = model.rates()
    assert rates["high_orders_vanish"] == pytest.approx(np.mean([c[0] for c in checks]))
    assert rates["monotone"] == pytest.approx(np.mean([c[1] for c in checks]))
    ps = [c[2] for c in checks if c[2] is not None and c[1]]  # p and the bound: monotone samples only
    assert rates["polynomial"] == pytest.approx(np.mean([c[2] is not None and c[2] > 0 for c in checks]))
    assert model.p_summary()[0] == pytest.approx(np.mean(ps)) and model.p_summary()[2] == len(ps)
    bounds = [valid_count_bound(r, c[2]) for r, c in zip(harsanyis, checks) if c[1] and c[2] is not None and c[2] > 0]
    assert bounds, "the toy games must have a fitted p > 0 for this test to check the bound"
    real, bound = model.bound_means()
    finite = np.array([b.bound for b in bounds])
    with np.errstate(invalid="ignore"):
        expect = np.nanmean(np.where(np.isfinite(finite), finite, np.nan), axis=0)
    assert np.allclose(bound, expect, equal_nan=True)
    assert np.allclose(real[np.isfinite(expect)],
                       np.mean([b.real for b in bounds], axis=0)[np.isfinite(expect)])


def test_pair_transferability_and_shared_strength_are_averaged_and_summed():
    done = samples(3, pair=True)
    agg = aggregate(["a", "b"], done, ["s0", "s1", "s2"], describe=DESCRIBE)
    ks = paper_ks(4)
    tr = agg.transferability
    assert np.array_equal(tr.k, ks)
    for method, pick in (("joint", lambda s: s.joint), ("alone", lambda s: s.and_or),
                         ("and_only", lambda s: s.and_only)):
        by_hand = np.mean([transfer_curve(pick(s), ks).s_and for s in done], axis=0)
        assert np.allclose(tr.band(method, "s_and").mean[1:], by_hand[1:])
        assert np.isnan(tr.band(method, "s_and").mean[0])  # k = ⌊0.05·16⌋ = 0: undefined, not 0
    assert np.all(np.isnan(tr.band("and_only", "s_or").mean))  # AND-only results have no OR part
    for model in range(2):
        parts = [shared_strength_by_order(s.joint, model) for s in done]
        assert np.allclose(agg.shared[model].all_positive, sum(p.all_positive for p in parts))
        assert np.allclose(agg.shared[model].shared_negative, sum(p.shared_negative for p in parts))


def test_json_round_trip_keeps_every_number():
    agg = aggregate(["a", "b"], samples(3, pair=True), ["s0", "s1", "s2"], describe=DESCRIBE,
                    provenance={"engine_version": "x"})
    text = agg.to_json()
    data = json.loads(text)  # strict JSON: NaN written as null
    assert set(data["transferability"]) >= {"k", "joint", "alone", "and_only"}
    assert set(data["transferability"]["joint"]) >= {"s_and", "s_or"}
    assert len(data["salient_ratio"]["a"]) == 3
    back = Aggregate.from_json(text)
    assert back.to_json() == text
    assert np.allclose(back.models[1].order_share, agg.models[1].order_share)


def test_band_of_no_samples_and_of_missing_values():
    assert Band.of(np.zeros((0, 3))).mean.shape == (3,)
    band = Band.of(np.array([[1.0, np.nan], [3.0, np.nan]]))
    assert band.mean[0] == 2.0 and np.isnan(band.mean[1])


def test_across_is_cached_and_a_cancel_returns_what_is_done(tmp_path):
    cache = ResultCache(tmp_path)
    ids = split_sample_ids("tabular-mlp-wide", 3)
    assert ids == ["row-test-0", "row-test-1", "row-test-2"]
    settings = AcrossSettings(players=4)
    said = []  # cancelled once the third sample has started: inside its computation
    partial = across(["tabular-mlp-wide"], ids, settings, cache, progress=lambda f, text: said.append(text),
                     cancel=lambda: any(text.startswith("sample 3") for text in said))
    assert partial.partial and partial.sample_ids == ids[:2] and partial.requested == ids
    key = aggregate_key(["tabular-mlp-wide"], ids, settings)
    assert not aggregate_path(cache, key).exists()  # a partial aggregate is never stored
    full = across(["tabular-mlp-wide"], ids, settings, cache)
    assert not full.partial and full.sample_ids == ids and aggregate_path(cache, key).exists()
    assert full.models[0].rows[0].n == 4 and full.provenance["models"][0]["model_id"] == "tabular-mlp-wide"
    again = across(["tabular-mlp-wide"], ids, settings, cache, cancel=lambda: True)  # read, nothing computed
    assert not again.partial and again.to_json() == full.to_json()
    aggregate_path(cache, key).write_text("{damaged")
    assert across(["tabular-mlp-wide"], ids, settings, cache).sample_ids == ids  # recomputed from cached results


def test_test_split_ids_and_clear_errors():
    model = get_model("digits-cnn")
    sample = model.sample("digit-test-123")
    assert sample.sample_id == "digit-test-123" and sample.label is not None
    assert model.test_sample_ids(2, start=model.test_size - 1) == [f"digit-test-{model.test_size - 1}"]
    with pytest.raises(EngineError, match="digit-test-0"):
        model.sample(f"digit-test-{model.test_size}")
    with pytest.raises(EngineError, match="at least one"):
        split_sample_ids("digits-cnn", 0)
    with pytest.raises(EngineError, match="test samples"):
        split_sample_ids("digits-cnn", 3, start=10_000)
    with pytest.raises(EngineError, match="two different"):
        across(["digits-cnn", "digits-cnn"], ["digit-test-0"])


def test_settings_with_their_defaults_name_the_same_aggregate():
    ids = ["digit-test-0"]
    assert aggregate_key(["digits-cnn"], ids, AcrossSettings()) == aggregate_key(
        ["digits-cnn"], ids, AcrossSettings(players=10, baseline="zero"))
    assert aggregate_key(["digits-cnn", "digits-mlp"], ids, AcrossSettings()) == aggregate_key(
        ["digits-cnn", "digits-mlp"], ids, AcrossSettings(players=8))
    assert aggregate_key(["digits-cnn"], ids, AcrossSettings()) != aggregate_key(
        ["digits-cnn"], ids, AcrossSettings(players=9))


def random_result(rng, n: int, method: str) -> InteractionResult:
    """Interactions drawn at random (no zeros, no ties), v unused by s: an AND-only result has no OR part."""
    i_or = rng.normal(size=1 << n) if method != "and" else np.zeros(1 << n)
    return InteractionResult([f"x{i}" for i in range(n)], np.zeros(1 << n), rng.normal(size=1 << n), i_or, method)


def brute_force_s(a: np.ndarray, b: np.ndarray, k: int) -> float:
    """|topk(|a|) ∩ topk(|b|)| / k over the non-empty subsets (index 0 = ∅ left out), by sorting."""
    top = lambda x: set(np.argsort(-np.abs(x[1:]))[:k].tolist())  # noqa: E731
    return len(top(a) & top(b)) / k


def test_transferability_against_brute_force_with_samples_of_different_n():
    """Each sample at the paper's f of its own 2^n (n = 8, 5 and 3 here); s undefined (NaN) where ⌊f·2^n⌋ < 1,
    never a 0 that pulls the mean down."""
    rng = np.random.default_rng(7)
    done = []
    for number, n in enumerate((8, 5, 3)):
        pairs = {method: [random_result(rng, n, method) for _ in range(2)] for method in ("and", "and-or", "shared")}
        done.append(SampleResults(f"s{number}", "", None, pairs["and"], pairs["and-or"], pairs["shared"]))
    agg = aggregate(["a", "b"], done, ["s0", "s1", "s2"], describe=DESCRIBE)
    tr = agg.transferability
    assert tr.k.tolist() == paper_ks(8).tolist()  # the largest n names the axis
    fractions = np.arange(1, 10) * 0.05
    for method, pick in (("joint", lambda s: s.joint), ("alone", lambda s: s.and_or),
                         ("and_only", lambda s: s.and_only)):
        for kind, vector in (("s_and", "i_and"), ("s_or", "i_or")):
            by_hand = np.full((3, 9), np.nan)
            for row, s in enumerate(done):
                a, b = (getattr(r, vector) for r in pick(s))
                for column, f in enumerate(fractions):
                    k = int(np.floor(f * a.size + 1e-9))  # a.size = 2^n
                    if k >= 1 and (kind == "s_and" or method != "and_only"):
                        by_hand[row, column] = brute_force_s(a, b, k)
            assert np.allclose(tr.per_sample[method][kind], by_hand, equal_nan=True), (method, kind)
            with warnings.catch_warnings():  # AND-only s_or: no value in any column
                warnings.simplefilter("ignore", RuntimeWarning)
                assert np.allclose(tr.band(method, kind).mean, np.nanmean(by_hand, axis=0), equal_nan=True)
    row = tr.per_sample["joint"]["s_and"][2]  # n = 3: k = ⌊f·8⌋ = 0 for f = 0.05, 0.10
    assert np.isnan(row[:2]).all() and not np.isnan(row[2:]).any()
    assert not np.isnan(tr.per_sample["joint"]["s_and"][0]).any()


def test_transferability_ends_skip_an_undefined_k():
    tr = aggregate(["a", "b"], samples(2, pair=True), ["s0", "s1"], describe=DESCRIBE).transferability
    (small, s_small), (large, s_large) = tr.at_ends("joint")
    assert (small, large) == (1, 7) and s_small == tr.band("joint", "s_and").mean[1]  # n = 4: k = 0, 1, …, 7
    assert s_large == tr.band("joint", "s_and").mean[-1]


@pytest.mark.parametrize("players", [0, 1, -3])
def test_fewer_than_two_players_is_a_clear_error_not_the_default(players, tmp_path):
    with pytest.raises(EngineError, match="at least 2 players"):
        across(["tabular-mlp-wide"], ["row-test-0"], AcrossSettings(players=players), ResultCache(tmp_path))


def test_p_and_the_bound_are_taken_over_monotone_samples_only():
    """Ren et al. fit p and bound R^(k) on monotone samples only (the bound's λ < 0 case uses ū ≥ 0): a sample with
    ū^(1) = 1, ū^(2) = 0.5, ū^(3) = 0.5, ū^(4) = 3 is not monotone, yet its p = log 3 / log 4 > 0."""
    from helpers import game_from_terms

    pairs, triples = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)], [(0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)]
    bumpy = InteractionResult.harsanyi([f"x{i}" for i in range(4)], game_from_terms(
        4, {(i,): 1.0 for i in range(4)} | {t: -1.5 for t in pairs} | {t: 2.0 for t in triples}, {}))
    smooth = InteractionResult.harsanyi([f"x{i}" for i in range(4)], game_from_terms(
        4, {(i,): 1.0 + 0.5 * i for i in range(4)} | {(0, 1): 0.3, (2, 3): 0.2}, {}))
    assert polynomial_check(bumpy).p == pytest.approx(np.log(3) / np.log(4)) and not monotonicity_check(bumpy).passed
    assert polynomial_check(smooth).passed and monotonicity_check(smooth).passed
    done = [SampleResults(f"s{i}", "", None, [r], [r]) for i, r in enumerate((bumpy, smooth))]
    model = aggregate(["m"], done, ["s0", "s1"], describe=DESCRIBE).models[0]
    assert model.rates()["polynomial"] == 1.0 and model.rates()["monotone"] == 0.5
    assert model.p_summary() == (pytest.approx(polynomial_check(smooth).p), 0.0, 1)
    assert np.isnan(model.bound[0]).all() and np.isfinite(model.bound[1]).any()
    alone = valid_count_bound(smooth, polynomial_check(smooth).p).bound  # ∞ where η^(k) = 0: left out of means
    assert np.allclose(model.bound_means()[1], np.where(np.isfinite(alone), alone, np.nan), equal_nan=True)


def test_an_aggregate_stored_by_older_aggregation_code_is_not_read_back(monkeypatch):
    import engine.across as across_module

    key = aggregate_key(["digits-cnn"], ["digit-test-0"], AcrossSettings())
    monkeypatch.setattr(across_module, "AGGREGATE_FORMAT", across_module.AGGREGATE_FORMAT - 1)
    assert aggregate_key(["digits-cnn"], ["digit-test-0"], AcrossSettings()) != key


@pytest.mark.parametrize("damage", [
    lambda d: d | {"models": d["models"][:1]}, lambda d: d | {"partial": True}, lambda d: d | {"models": "x"},
    lambda d: {k: v for k, v in d.items() if k != "transferability"}, lambda d: d | {"sample_ids": d["sample_ids"][:1]},
    lambda d: [d], lambda d: d | {"transferability": d["transferability"] | {"k": d["transferability"]["k"][:3]}},
])
def test_a_damaged_but_parseable_stored_aggregate_is_not_read_back(damage, tmp_path, monkeypatch):
    import engine.across as across_module

    found = aggregate(["a", "b"], samples(2, pair=True), ["s0", "s1"], describe=DESCRIBE)
    monkeypatch.setattr(across_module, "aggregate_path", lambda cache, key: tmp_path / f"{key}.json")
    store_aggregate(ResultCache(tmp_path), "k", found)
    assert cached_aggregate(ResultCache(tmp_path), "k").to_json() == found.to_json()
    (tmp_path / "k.json").write_text(json.dumps(damage(json.loads(found.to_json()))))
    assert cached_aggregate(ResultCache(tmp_path), "k") is None


def test_a_pair_names_the_samples_on_which_its_models_explain_different_classes():
    done = samples(2, pair=True)
    b = done[1].and_or[1]
    done[1].and_or[1] = replace(b, provenance=replace(b.provenance, target=1 - b.provenance.target))
    assert aggregate(["a", "b"], done, ["s0", "s1"], describe=DESCRIBE).disagreeing() == ["s1"]
    assert aggregate(["a"], samples(2), ["s0", "s1"], describe=DESCRIBE).disagreeing() == []


def test_salient_ratios_order_shares_and_curves_against_brute_force():
    """Straight from the definitions, subset by subset: |Ω| / 2(2^n − 1) with Ω = {(kind, S ≠ ∅): |I| > 0.05·max|I|}
    (AND-only: |Ω_and| / (2^n − 1)), I^(k) / Σ I^(k) by popcount, and |I| / max|I| sorted, averaged rank by rank."""
    done = samples(3)
    model = aggregate(["m"], done, ["s0", "s1", "s2"], describe=DESCRIBE).models[0]
    for row, s in zip(model.rows, done):
        split, harsanyi = s.and_or[0], s.and_only[0]
        pooled = [abs(x) for vec in (split.i_and, split.i_or) for x in vec[1:]]
        assert row.salient_ratio == sum(x > 0.05 * max(pooled) for x in pooled) / (2 * 15)
        alone = [abs(x) for x in harsanyi.i_and[1:]]
        assert row.salient_ratio_and == sum(x > 0.05 * max(alone) for x in alone) / 15
    for share, s in zip(model.order_share, done):
        per_order = [sum(abs(s.and_or[0].i_and[m]) + abs(s.and_or[0].i_or[m]) for m in range(1, 16)
                         if bin(m).count("1") == k) for k in range(1, 5)]
        assert np.allclose(share, np.array(per_order) / sum(per_order))
    curves = [sorted((abs(x) for vec in (s.and_or[0].i_and, s.and_or[0].i_or) for x in vec[1:]), reverse=True)
              for s in done]
    assert np.allclose(model.curve_and_or.mean, [sum(c[r] / c[0] for c in curves) / 3 for r in range(30)])


def test_samples_split_by_pdhg_for_want_of_time_are_named_and_the_aggregate_is_not_stored(tmp_path, monkeypatch):
    """Under a limit the exact LP does not fit, "auto" splits by PDHG: the aggregate names those samples and is not
    stored, so that it is computed again, exactly, once the LP fits."""
    from engine import limits

    cache = ResultCache(tmp_path)
    ids, settings = split_sample_ids("tabular-mlp-wide", 2), AcrossSettings(players=4)
    monkeypatch.setattr(limits, "estimate_solver_seconds",
                        lambda u, solver: 0.01 if solver.solver == "pdhg" else 500.0)
    with limits.request_limit(1.0):
        slow = across(["tabular-mlp-wide"], ids, settings, cache)
    assert slow.provenance["first_order_samples"] == ids
    key = aggregate_key(["tabular-mlp-wide"], ids, settings)
    assert not aggregate_path(cache, key).exists()
    monkeypatch.setattr(limits, "estimate_solver_seconds", lambda u, solver: 0.01)
    exact = across(["tabular-mlp-wide"], ids, settings, cache)
    assert exact.provenance["first_order_samples"] == [] and aggregate_path(cache, key).exists()
