"""The AND-OR decomposition: exact LP, PDHG against it, the papers' toy, and the joint (shared) extraction."""

import numpy as np
import pytest
import torch
from conftest import brute_and, brute_or, game_from_terms
from scipy.optimize import linprog

import engine
from engine.and_or import and_only_loss, half_half_loss, reorganize, solve_lp, solve_pdhg
from engine.generalizable import paper_ks, transfer_curve
from engine.masks import all_masks, popcounts, subset_index
from engine.result import InteractionResult


def t3_game():
    """Chen §2.2: f = x1x2x3 + x2x3 + x3x4 + (x4 ∨ x5) (players 0..4)."""
    return game_from_terms(5, {(0, 1, 2): 1, (1, 2): 1, (2, 3): 1}, {(3, 4): 1})


def test_t3_lp_recovers_the_ground_truth():
    solved = solve_lp(t3_game(), qthres=0.0)
    assert solved.loss == pytest.approx(4.0, abs=1e-7)
    i_and, i_or = solved.i_and[0], solved.i_or[0]
    expected_and = {subset_index(s) for s in [(0, 1, 2), (1, 2), (2, 3)]}
    assert {int(i) for i in np.flatnonzero(np.abs(i_and) > 1e-6)} == expected_and
    assert {int(i) for i in np.flatnonzero(np.abs(i_or) > 1e-6)} == {subset_index((3, 4))}


def test_t3_beats_and_only_and_half_split():
    v = t3_game()
    assert and_only_loss(v) == pytest.approx(6.0)
    assert half_half_loss(v) == pytest.approx(10.0)


def test_pdhg_reaches_t3_optimum():
    solved = solve_pdhg(t3_game(), qthres=0.0)
    assert solved.loss == pytest.approx(4.0, rel=2e-3)


def _random_network(n, seed=0, width=24):
    rng = np.random.default_rng(seed)
    w1, w2 = rng.normal(size=(n, width)), rng.normal(size=width)
    v = np.tanh(all_masks(n).astype(float) @ w1) @ w2
    return v - v[0]


def spec_lp_optimum(u: np.ndarray, qthres: float) -> float:
    """The spec §3.4 problem as written, with dense brute-force matrices: variables (p, q, t_and, t_or),
    min Σt s.t. ±M_and(½(u+q)+p) ≤ t_and, ±M_or(½(u+q)−p) ≤ t_or, |q| ≤ qthres·|u(N)|."""
    size = u.size
    m_and = np.stack([brute_and(e) for e in np.eye(size)], axis=1)
    m_or = np.stack([brute_or(e) for e in np.eye(size)], axis=1)
    eye, zero = np.eye(size), np.zeros((size, size))
    rows = []
    for sign in (1, -1):
        rows.append((np.hstack([sign * m_and, sign * 0.5 * m_and, -eye, zero]), -sign * m_and @ (0.5 * u)))
        rows.append((np.hstack([-sign * m_or, sign * 0.5 * m_or, zero, -eye]), -sign * m_or @ (0.5 * u)))
    bound = qthres * abs(u[-1] - u[0])
    res = linprog(np.r_[np.zeros(2 * size), np.ones(2 * size)], A_ub=np.vstack([r[0] for r in rows]),
                  b_ub=np.concatenate([r[1] for r in rows]),
                  bounds=[(None, None)] * size + [(-bound, bound)] * size + [(0, None)] * (2 * size))
    assert res.status == 0
    return res.fun


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lp_reaches_the_optimum_of_the_spec_problem(seed):
    """solve_lp takes the interactions as variables; its optimum must be that of the (p, q) problem of the spec."""
    u = _random_network(5, seed=seed)
    assert solve_lp(u, qthres=0.04).loss == pytest.approx(spec_lp_optimum(u, 0.04), rel=1e-7)
    assert solve_lp(u, qthres=0.0).loss == pytest.approx(spec_lp_optimum(u, 0.0), rel=1e-7)


def test_solvers_agree_and_beat_baselines_on_a_random_network():
    u = _random_network(7)
    lp, pd = solve_lp(u), solve_pdhg(u)
    assert pd.loss == pytest.approx(lp.loss, rel=0.01)
    assert lp.loss < 0.6 * half_half_loss(u)
    assert lp.loss < 0.6 * and_only_loss(u)


@pytest.mark.parametrize("solver", [solve_lp, solve_pdhg])
def test_reconstruction_is_exact_up_to_the_bounded_noise(solver):
    u = _random_network(6, seed=1)
    qthres = 0.04
    solved = solver(u, qthres=qthres)
    bound = qthres * abs(u[-1] - u[0])
    assert np.all(np.abs(solved.q) <= bound + 1e-9)
    rebuilt = engine.values_from_and_or(solved.i_and[0], solved.i_or[0]).numpy()
    np.testing.assert_allclose(rebuilt, u + solved.q[0], atol=1e-8)
    assert np.abs(rebuilt - u).max() <= bound + 1e-9


def test_reorganize_folds_low_orders_into_and():
    a, o = np.arange(8.0), np.ones(8)
    ra, ro = reorganize(a, o)
    sizes = popcounts(3)
    assert np.all(ro[sizes <= 1] == 0) and np.all(ro[sizes >= 2] == 1)
    np.testing.assert_allclose(ra[sizes <= 1], a[sizes <= 1] + 1)


def test_pdhg_is_deterministic_and_batched():
    u = np.stack([_random_network(5, seed=s) for s in (1, 2)])
    first, second = solve_pdhg(u, alpha=0.1), solve_pdhg(u, alpha=0.1)
    np.testing.assert_array_equal(first.i_and, second.i_and)
    assert first.i_and.shape == (2, 32)


def test_joint_extraction_raises_shared_top_k():
    """Two networks = one shared random network + a smaller own one: the joint extraction shares more top-k terms."""
    n = 7
    common = _random_network(n, seed=100)
    u = np.stack([common + 0.5 * _random_network(n, seed=200 + i) for i in range(2)])
    players = [f"x{i}" for i in range(n)]
    separate = [solve_lp(row, qthres=0.02) for row in u]
    joint = solve_pdhg(u, alpha=0.1, qthres=0.02, pthres=0.5)
    as_results = lambda rows_and, rows_or: [  # noqa: E731
        InteractionResult(players, u[i], rows_and[i], rows_or[i], "and-or") for i in range(2)
    ]
    ks = paper_ks(n)
    s_sep = transfer_curve(as_results([s.i_and[0] for s in separate], [s.i_or[0] for s in separate]), ks)
    s_joint = transfer_curve(as_results(joint.i_and, joint.i_or), ks)
    assert s_joint.s_and.mean() > s_sep.s_and.mean() + 0.15


def test_pdhg_runs_on_torch_input_and_reports_curve():
    u = torch.as_tensor(_random_network(5))
    solved = solve_pdhg(u, max_iter=500, check_every=100)
    assert solved.curve[0][0] == 0 and solved.curve[-1][0] <= 500
    assert solved.curve[-1][1] <= solved.curve[0][1]


def test_pdhg_does_not_depend_on_the_scale_of_the_output():
    """A probability output (|u| ~ 0.01) converges as fast as log-odds: the loss scales, the iterates do not."""
    u = _random_network(6, seed=3)
    big, small = solve_pdhg(u, max_iter=3000), solve_pdhg(0.01 * u, max_iter=3000)
    assert small.loss == pytest.approx(0.01 * big.loss, rel=1e-9)
    # the same iterates up to rounding (which the non-unique optimum lets drift a little in small entries)
    np.testing.assert_allclose(small.i_and, 0.01 * big.i_and, atol=1e-3 * np.abs(small.i_and).max())
    assert small.curve[-1][1] == pytest.approx(0.01 * big.curve[-1][1], rel=1e-9)


def test_decompose_says_which_solver_runs():
    """HiGHS reports nothing while it runs, so the LP is announced; PDHG reports its iterations."""
    from engine.and_or import decompose

    said = []
    u = _random_network(6, seed=4)
    assert decompose(u, progress=lambda fraction, text: said.append(text)).solver == "lp"
    assert said == ["exact LP over 2 × 2^6 interactions (about 1 s on two CPU cores)"]
    said.clear()
    decompose(u, solver="pdhg", progress=lambda fraction, text: said.append(text))
    assert said and all(text.startswith("AND-OR solver: iteration") for text in said)
