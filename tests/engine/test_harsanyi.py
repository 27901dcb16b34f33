"""AND / OR transforms against the brute-force definitions, the spec's toy games and known sparse games."""

import numpy as np
import pytest
import torch
from helpers import brute_and, brute_or, game_from_terms
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.harsanyi import mobius, mobius_supersets, or_interactions_transpose, zeta, zeta_supersets
from engine.masks import all_masks, popcounts, subset_index


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_transforms_match_brute_force(n):
    v = np.random.default_rng(n).normal(size=1 << n)
    np.testing.assert_allclose(engine.and_interactions(v).numpy(), brute_and(v), atol=1e-10)
    np.testing.assert_allclose(engine.or_interactions(v).numpy(), brute_or(v), atol=1e-10)


@pytest.mark.parametrize("n", [1, 4, 8])
def test_round_trips(n):
    v = torch.randn(3, 1 << n, dtype=torch.float64)
    torch.testing.assert_close(engine.values_from_and(engine.and_interactions(v)), v)
    torch.testing.assert_close(engine.values_from_or(engine.or_interactions(v)), v)
    torch.testing.assert_close(zeta(mobius(v)), v)


def test_batch_dimensions_and_dtypes():
    v = torch.randn(2, 3, 16, dtype=torch.float64)
    out = engine.and_interactions(v)
    assert out.shape == v.shape and out.dtype == torch.float64
    torch.testing.assert_close(out[1, 2], engine.and_interactions(v[1, 2]))
    assert engine.and_interactions(np.arange(8)).dtype == torch.float64
    assert engine.and_interactions(torch.ones(4, dtype=torch.float32)).dtype == torch.float32


def test_rejects_length_not_power_of_two():
    with pytest.raises(ValueError, match="2\\^n"):
        engine.and_interactions(np.ones(6))


def test_transposes_are_adjoint():
    n = 6
    x, y = torch.randn(1 << n, dtype=torch.float64), torch.randn(1 << n, dtype=torch.float64)
    assert torch.isclose((mobius(x) * y).sum(), (x * mobius_supersets(y)).sum())
    assert torch.isclose((zeta(x) * y).sum(), (x * zeta_supersets(y)).sum())
    assert torch.isclose((engine.or_interactions(x) * y).sum(), (x * or_interactions_transpose(y)).sum())


def _f_game(f, x):
    """v(S) = f(x ⊙ 1_S) over all masks (baseline 0)."""
    masks = all_masks(len(x)).astype(float)
    return np.array([f(m * np.asarray(x, dtype=float)) for m in masks])


def test_t1_product_plus_single():
    v = _f_game(lambda x: x[0] * x[1] + x[2], [1, 1, 1])
    i = engine.and_interactions(v).numpy()
    expected = np.zeros(8)
    expected[subset_index([0, 1])] = 1
    expected[subset_index([2])] = 1
    np.testing.assert_allclose(i, expected, atol=1e-12)


def test_t2_or_replaces_three_and_terms():
    v = _f_game(lambda x: max(x[0], x[1]), [1, 1])
    np.testing.assert_allclose(engine.and_interactions(v).numpy(), [0, 1, 1, -1])
    np.testing.assert_allclose(engine.or_interactions(v).numpy(), [0, 0, 0, 1])


def test_t4_square_of_sum():
    v = _f_game(lambda x: (x[0] + x[1]) ** 2, [1.5, -2])
    np.testing.assert_allclose(engine.and_interactions(v).numpy(), [0, 2.25, 4, -6])


def test_t5_product_has_only_top_order():
    x = [2.0, -1.5, 3.0]
    i = engine.and_interactions(_f_game(np.prod, x)).numpy()
    np.testing.assert_allclose(i[:-1], 0, atol=1e-12)
    assert i[-1] == pytest.approx(np.prod(x))


def test_t6_additive_function_has_only_singletons():
    g = [np.sin, np.cos, np.exp, np.tanh]
    x = [0.3, -1.2, 0.5, 2.0]
    i = engine.and_interactions(_f_game(lambda z: sum(gi(zi) for gi, zi in zip(g, z)), x)).numpy()
    sizes = popcounts(4)
    np.testing.assert_allclose(i[sizes >= 2], 0, atol=1e-12)
    for k in range(4):
        assert i[1 << k] == pytest.approx(g[k](x[k]) - g[k](0))


def test_t7_parity_is_dense():
    n = 6
    sizes = popcounts(n)
    v = np.where(sizes % 2 == 1, 1.0, -1.0)
    v[0] = 0
    i = engine.and_interactions(v).numpy()
    np.testing.assert_allclose(i[1:], ((-1.0) ** (sizes[1:] + 1)) * (2.0 ** sizes[1:] - 1))


def test_t8_noise_variance_doubles_per_order():
    n, draws = 4, 40000
    noise = torch.randn(draws, 1 << n, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    var = engine.and_interactions(noise).var(dim=0).numpy()
    sizes = popcounts(n)
    np.testing.assert_allclose(var, 2.0**sizes, rtol=0.05)


def _term_vector(n, terms, bias):
    """The interaction vector a game built from ``terms`` must have: the bias at ∅, each weight at its subset."""
    expected = np.zeros(1 << n)
    expected[0] = bias
    for players, weight in terms.items():
        expected[subset_index(players)] += weight
    return expected


@pytest.mark.parametrize("n", [6, 12, 20])
def test_sparse_games_with_known_and_or_terms(n):
    rng = np.random.default_rng(n)
    and_terms = {tuple(rng.choice(n, size=k, replace=False)): rng.normal() for k in (1, 2, 3, 5)}
    or_terms = {tuple(rng.choice(n, size=k, replace=False)): rng.normal() for k in (2, 4)}
    pure_and = game_from_terms(n, and_terms, {}, bias=0.7)
    pure_or = game_from_terms(n, {}, or_terms, bias=0.2)
    np.testing.assert_allclose(engine.and_interactions(pure_and).numpy(), _term_vector(n, and_terms, 0.7), atol=1e-9)
    np.testing.assert_allclose(engine.or_interactions(pure_or).numpy(), _term_vector(n, or_terms, 0.2), atol=1e-9)
    np.testing.assert_allclose(
        engine.values_from_and_or(engine.and_interactions(pure_and), engine.or_interactions(pure_or)).numpy(),
        game_from_terms(n, and_terms, or_terms, bias=0.9),
        atol=1e-9,
    )


vectors = st.integers(1, 7).flatmap(
    lambda n: st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1 << n, max_size=1 << n)
)


@settings(max_examples=60, deadline=None)
@given(vectors, st.floats(-10, 10, allow_nan=False))
def test_linearity_and_inverse_property(values, scale):
    v = torch.tensor(values, dtype=torch.float64)
    w = torch.flip(v, dims=(0,))
    for transform, inverse in ((engine.and_interactions, engine.values_from_and),
                               (engine.or_interactions, engine.values_from_or)):
        torch.testing.assert_close(transform(scale * v + w), scale * transform(v) + transform(w), atol=1e-6, rtol=1e-9)
        torch.testing.assert_close(inverse(transform(v)), v, atol=1e-7, rtol=1e-9)
