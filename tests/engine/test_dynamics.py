"""Two-phase dynamics: the theory's closed form against its definition, σ² fits, phase markers, checkpoints."""

import itertools

import numpy as np
import pytest

from engine import and_interactions
from engine.dynamics import (
    SIGMA2_GRID, fit_sigma2, high_order_turning_point, low_high_ratio, overfitting_onset, theory_weights,
)
from engine.errors import EngineError
from engine.sparsity import strength_by_order


def dense_theory(y: np.ndarray, sigma2: float) -> np.ndarray:
    """w* = (E[J̃ᵀJ̃])⁻¹ E[J̃]ᵀ y from the moments of spec §8 written out subset by subset."""
    size = y.size
    n = size.bit_length() - 1
    gram, rhs = np.zeros((size, size)), np.zeros(size)
    for s, s2, t in itertools.product(range(size), range(size), range(size)):
        moment = 1.0
        for i in range(n):
            in_s, in_s2, in_t = (s >> i) & 1, (s2 >> i) & 1, (t >> i) & 1
            if in_s and in_s2:
                moment *= in_t + sigma2
            elif in_s or in_s2:
                moment *= in_t
        gram[s, s2] += moment
    for s, t in itertools.product(range(size), range(size)):
        rhs[s] += float(s & t == s) * y[t]  # E[J̃_S(T)] = 1[S ⊆ T]
    return np.linalg.solve(gram, rhs)


@pytest.mark.parametrize("sigma2", [0.0, 0.05, 1.0])
def test_theory_matches_the_dense_least_squares_solution(sigma2):
    y = np.random.default_rng(0).normal(size=1 << 4)
    np.testing.assert_allclose(theory_weights(y, sigma2), dense_theory(y, sigma2), atol=1e-10)


def test_noise_free_theory_is_the_harsanyi_interaction():
    y = np.random.default_rng(1).normal(size=(3, 1 << 7))  # batched
    np.testing.assert_allclose(theory_weights(y, 0.0), and_interactions(y).numpy(), atol=1e-10)


@pytest.mark.parametrize("shape", [(1 << 8,), (2, 1 << 8)])
def test_low_to_high_ratio_rises_with_noise(shape):
    y = np.random.default_rng(2).normal(size=shape)
    grid = [0.0, 1e-3, 1e-2, 0.1, 1.0, 10.0]
    for k in range(1, 8):
        ratios = [low_high_ratio(theory_weights(y, s), k) for s in grid]
        assert all(a < b for a, b in zip(ratios, ratios[1:])), (k, ratios)


def test_strength_by_order_normalisations():
    w = np.zeros(8)
    w[[1, 2, 3, 7]] = [1.0, -1.0, 2.0, -4.0]  # order 1: 2, order 2: 2, order 3: 4
    np.testing.assert_allclose(strength_by_order(w, "none"), [2, 2, 4])
    np.testing.assert_allclose(strength_by_order(w, "sum"), [0.25, 0.25, 0.5])
    np.testing.assert_allclose(strength_by_order(w, "max"), [0.5, 0.5, 1.0])


def test_fit_recovers_the_noise_that_made_the_distribution():
    y = np.random.default_rng(3).normal(size=1 << 6)
    truth = SIGMA2_GRID[30]
    fit = fit_sigma2(y, strength_by_order(theory_weights(y, truth)))
    assert fit.sigma2 == pytest.approx(truth) and fit.distance < 1e-12


def test_overfitting_onset_is_where_the_gap_starts_to_grow():
    epochs = list(range(40))
    train = [1.0 / (1 + e) for e in epochs]
    gap = [0.02 + 0.01 * np.sin(e) if e <= 10 else 0.02 + 0.05 * (e - 10) for e in epochs]
    onset = overfitting_onset(epochs, train, list(np.add(train, gap)))
    assert 10 <= onset <= 12


def test_turning_point_is_the_fewest_high_orders():
    distributions = np.array([[0.1, 0.2, 0.4, 0.3], [0.5, 0.3, 0.1, 0.1], [0.3, 0.3, 0.2, 0.2]])
    assert high_order_turning_point([0, 5, 50], distributions, 4) == 5


def test_checkpoints_are_models_of_the_zoo():
    from engine.zoo import checkpoint_states, get_model

    epochs = list(checkpoint_states("digits-cnn-overfit"))
    first, last = get_model(f"digits-cnn-overfit@{epochs[0]}"), get_model(f"digits-cnn-overfit@{epochs[-1]}")
    assert "epoch 0" in first.title and first.weights_hash != last.weights_hash
    assert last.weights_hash == get_model("digits-cnn-overfit").weights_hash  # the final checkpoint is the model
    with pytest.raises(EngineError, match="no checkpoint at epoch 9999"):
        get_model("digits-cnn-overfit@9999")


def test_trajectory_of_the_bundled_image_model_shows_two_phases(tmp_path):
    from engine.cache import ResultCache
    from engine.dynamics import trajectory
    from engine.explain import explain_checkpoints
    from engine.zoo import get_model, training_history

    sample = get_model("digits-cnn-overfit").samples[0].sample_id
    seen = []
    results = explain_checkpoints("digits-cnn-overfit", [sample], cache=ResultCache(tmp_path),
                                  progress=lambda f, t: seen.append(f))
    traj = trajectory(results, training_history("digits-cnn-overfit"))
    assert seen and seen[-1] == pytest.approx(1.0)
    np.testing.assert_allclose(traj.real.sum(-1), 1.0)
    high = traj.real[:, traj.n // 2:].sum(-1)
    turn = traj.epochs.index(traj.turning_point)
    assert 0 < turn < len(traj.epochs) - 1
    assert high[turn] < high[0] - 0.1 and high[-1] > high[turn] + 0.1  # phase 1 removes, phase 2 learns high orders
    assert traj.sigma2_trend() < -0.7  # the fitted noise falls in phase 2
    assert traj.provenance["targets"] == [get_model("digits-cnn-overfit").samples[0].label]
    assert len(traj.table()) == len(traj.epochs) * traj.n


def test_tabular_model_shows_both_phases_with_the_zero_baseline(tmp_path):
    from engine.cache import ResultCache
    from engine.dynamics import trajectory
    from engine.explain import explain_checkpoints
    from engine.zoo import get_model, training_history

    samples = [s.sample_id for s in get_model("tabular-mlp-overfit").samples]
    results = explain_checkpoints("tabular-mlp-overfit", samples, baseline="zero", cache=ResultCache(tmp_path))
    traj = trajectory(results, training_history("tabular-mlp-overfit"))
    high = traj.real[:, traj.n // 2:].sum(-1)
    turn = traj.epochs.index(traj.turning_point)
    assert high[turn] < high[0] - 0.03 and high[-1] > high[turn] + 0.05
    assert traj.onset <= traj.turning_point  # over-fitting has begun by the end of phase 1
