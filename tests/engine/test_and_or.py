"""The AND-OR decomposition: the exact solvers and PDHG against brute-force LPs, their certificates, the papers' toy,
and the joint (shared) extraction."""

from dataclasses import replace

import numpy as np
import pytest
import torch
from helpers import brute_and, brute_or, game_from_terms
from scipy.optimize import linprog

import engine
from engine import and_or
from engine.and_or import (
    Plan,
    SolverSettings,
    and_only_loss,
    decompose,
    decompose_joint,
    half_half_loss,
    plan,
    reorganize,
)
from engine.generalizable import paper_ks, transfer_curve
from engine.masks import all_masks, popcounts, subset_index
from engine.result import InteractionResult


def t3_game():
    """Chen §2.2: f = x1x2x3 + x2x3 + x3x4 + (x4 ∨ x5) (players 0..4)."""
    return game_from_terms(5, {(0, 1, 2): 1, (1, 2): 1, (2, 3): 1}, {(3, 4): 1})


def lp(u, **kwargs):
    return decompose(u, solver="lp", **kwargs)


def pdhg(u, **kwargs):
    return decompose(u, solver="pdhg", **kwargs)


def test_t3_lp_recovers_the_ground_truth():
    solved = lp(t3_game(), qthres=0.0)
    assert solved.loss == pytest.approx(4.0, rel=1e-6)
    i_and, i_or = solved.i_and[0], solved.i_or[0]
    expected_and = {subset_index(s) for s in [(0, 1, 2), (1, 2), (2, 3)]}
    assert {int(i) for i in np.flatnonzero(np.abs(i_and) > 1e-6)} == expected_and
    assert {int(i) for i in np.flatnonzero(np.abs(i_or) > 1e-6)} == {subset_index((3, 4))}


def test_t3_beats_and_only_and_half_split():
    v = t3_game()
    assert and_only_loss(v) == pytest.approx(6.0)
    assert half_half_loss(v) == pytest.approx(10.0)


def test_pdhg_reaches_t3_optimum_within_its_certified_gap():
    solved = pdhg(t3_game(), qthres=0.0)
    assert solved.converged and solved.gap <= 0.005
    assert solved.lower_bound <= 4.0 + 1e-9 <= solved.loss + 1e-9 <= 4.0 * (1 + solved.gap) + 1e-9


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
@pytest.mark.parametrize("qthres", [0.04, 0.0])
def test_solvers_reach_the_optimum_of_the_spec_problem_with_a_valid_certificate(seed, qthres):
    """The exact LP (interior point) takes the interactions as variables; its optimum must be that of the (p, q)
    problem of the spec, and every certificate must hold: lower bound ≤ optimum ≤ loss ≤ (1 + gap)·optimum."""
    u = _random_network(5, seed=seed)
    optimum = spec_lp_optimum(u, qthres)
    for solved in (lp(u, qthres=qthres), pdhg(u, qthres=qthres)):
        assert solved.lower_bound <= optimum * (1 + 1e-9) + 1e-12
        assert optimum <= solved.loss * (1 + 1e-9) + 1e-12
        assert solved.loss <= optimum * (1 + solved.gap) + 1e-9
    assert lp(u, qthres=qthres).loss == pytest.approx(optimum, rel=1e-6)


@pytest.mark.parametrize("seed", [3, 4])
def test_the_certificate_holds_on_larger_games_and_the_lp_is_exact(seed):
    """n = 7: the interior point's certified gap is tiny and PDHG's bounds bracket the exact optimum."""
    u = _random_network(7, seed=seed)
    exact = lp(u)
    assert exact.gap < 1e-5
    first_order = decompose(u, settings=SolverSettings(solver="pdhg", tol=0.01))
    assert first_order.lower_bound <= exact.loss * (1 + 1e-6)
    assert exact.lower_bound <= first_order.loss * (1 + 1e-6)
    assert first_order.converged and first_order.loss <= exact.loss * 1.01


def test_a_solver_never_returns_worse_than_the_starting_splits():
    """Even stopped after one iteration, PDHG returns the better of the half/half and AND-only splits or better."""
    for u in (_random_network(6, seed=5), t3_game()):
        for solved in (decompose(u, settings=SolverSettings(solver="pdhg", max_iter=1)), lp(u)):
            assert solved.loss <= min(half_half_loss(u), and_only_loss(u)) + 1e-9


def test_a_game_no_player_moves_is_solved_without_a_solver(monkeypatch):
    """u ≡ 0 (masked patches on a blank border): the zero split is the optimum, certified by the bound 0, at once,
    one model or a pair, at any size the solvers offer."""
    from engine import ipm

    monkeypatch.setattr(ipm, "solve", lambda *args, **kwargs: pytest.fail("the interior point ran on u ≡ 0"))
    monkeypatch.setattr(and_or, "solve_first_order", lambda *args, **kwargs: pytest.fail("PDHG ran on u ≡ 0"))
    for solved in (lp(np.zeros(1 << 13)), decompose(np.zeros(1 << 14)), decompose_joint(np.zeros((2, 1 << 11)))):
        assert solved.loss == 0.0 and solved.lower_bound == 0.0 and solved.gap == 0.0 and solved.converged
        assert not solved.i_and.any() and not solved.i_or.any() and not solved.p.any() and not solved.q.any()
    from engine.limits import affordable_settings

    settings = SolverSettings(solver="lp")
    assert affordable_settings(np.zeros(1 << 14), settings, max_seconds=1e-9) == (settings, None)  # nothing to estimate


def test_solvers_agree_and_beat_baselines_on_a_random_network():
    u = _random_network(7)
    exact, first_order = lp(u), pdhg(u)
    assert first_order.loss == pytest.approx(exact.loss, rel=0.01)
    assert exact.loss < 0.6 * half_half_loss(u)
    assert exact.loss < 0.6 * and_only_loss(u)


def spec_joint_optimum(u: np.ndarray, qthres: float, pthres: float, alpha: float) -> float:
    """Chen et al. eq. 6 as written, with dense brute-force matrices: variables (p̄, p̂_i, q_i, t_S, e_{i,S}),
    min Σ_S t_S + α Σ e  s.t. ±I_i(S) ≤ t_S, ±I_i(S) ≤ e_{i,S} for every model i and AND/OR row S, with
    I_and,i = M_and(½(u_i+q_i) + p̄ + p̂_i), I_or,i = M_or(½(u_i+q_i) − p̄ − p̂_i), |p̂| ≤ β, |q_i| ≤ qthres·|u_i(N)|."""
    m, size = u.shape
    m_and = np.stack([brute_and(e) for e in np.eye(size)], axis=1)
    m_or = np.stack([brute_or(e) for e in np.eye(size)], axis=1)
    beta = abs(pthres * u[:, -1].mean())
    rows = 2 * size  # AND rows then OR rows
    nvar = size + m * size + m * size + rows + m * rows  # p̄, p̂, q, t, e
    a_ub, b_ub = [], []
    for i in range(m):
        for sign in (1, -1):
            for block, mat, ps in ((0, m_and, 1), (1, m_or, -1)):
                for target in ("t", "e"):
                    row = np.zeros((size, nvar))
                    row[:, :size] = sign * ps * mat
                    row[:, size + i * size: size + (i + 1) * size] = sign * ps * mat
                    q0 = size + m * size + i * size
                    row[:, q0: q0 + size] = sign * 0.5 * mat
                    t0 = size + 2 * m * size + block * size
                    e0 = size + 2 * m * size + rows + i * rows + block * size
                    col = t0 if target == "t" else e0
                    row[:, col: col + size] -= np.eye(size)
                    a_ub.append(row)
                    b_ub.append(-sign * mat @ (0.5 * u[i]))
    bounds = ([(None, None)] * size + [(-beta, beta)] * (m * size)
              + sum([[(-qthres * abs(u[i, -1]), qthres * abs(u[i, -1]))] * size for i in range(m)], [])
              + [(0, None)] * (rows + m * rows))
    cost = np.r_[np.zeros(size + 2 * m * size), np.ones(rows), alpha * np.ones(m * rows)]
    res = linprog(cost, A_ub=np.vstack(a_ub), b_ub=np.concatenate(b_ub), bounds=bounds)
    assert res.status == 0
    return res.fun


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("m", [2, 3])
def test_joint_solvers_reach_the_optimum_of_chen_eq_6_with_a_valid_certificate(seed, m):
    n = 4
    common = _random_network(n, seed=10 + seed)
    u = np.stack([common + 0.4 * _random_network(n, seed=20 + seed + i) for i in range(m)])
    optimum = spec_joint_optimum(u, 0.02, 0.5, 0.1)
    exact = decompose_joint(u, solver="lp")
    assert exact.loss == pytest.approx(optimum, rel=1e-6)
    assert exact.gap < 1e-6
    first_order = decompose_joint(u, solver="pdhg")
    assert first_order.lower_bound <= optimum * (1 + 1e-9)
    assert optimum <= first_order.loss * (1 + 1e-9)
    assert first_order.converged and first_order.loss <= optimum * 1.01


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("qthres", [0.0, 0.02])
def test_a_pair_is_solved_by_the_interior_point_to_highs_optimum_with_a_valid_certificate(seed, qthres, monkeypatch):
    """Two models go through the structured interior point (atoms of the max + α·sum norm, one coupling block), not
    HiGHS; HiGHS, solved independently, agrees, and its optimum lies inside the interior point's certificate."""
    n = 7
    common = _random_network(n, seed=30 + seed)
    u = np.stack([common + 0.4 * _random_network(n, seed=40 + seed), common + 0.3 * _random_network(n, seed=50)])
    rows = torch.as_tensor(u)
    settings = SolverSettings(qthres=qthres, alpha=0.1, pthres=0.5)
    reference = and_or.solve_joint_lp(rows, settings)
    optimum = float(and_or.shared_loss(*and_or.interactions_of(rows, reference.p, reference.q), 0.1))

    def no_highs(*args, **kwargs):
        raise AssertionError("a pair fell back to HiGHS")

    monkeypatch.setattr(and_or, "solve_joint_lp", no_highs)
    exact = decompose_joint(u, alpha=0.1, qthres=qthres, pthres=0.5, solver="lp")
    assert exact.lower_bound <= optimum * (1 + 1e-9) and optimum <= exact.loss * (1 + 1e-9)
    assert exact.loss == pytest.approx(optimum, rel=1e-6) and exact.gap < 1e-6
    beta = 0.5 * abs(u[:, -1].mean())
    specific = exact.p - exact.p.mean(axis=0, keepdims=True)
    assert np.abs(specific).max() <= beta * (1 + 1e-9)  # the returned split is feasible: |p̂| ≤ β
    assert np.abs(exact.q).max(axis=1).max() <= qthres * np.abs(u[:, -1]).max() + 1e-12


def test_one_model_through_the_joint_lp_is_the_single_model_optimum():
    u = _random_network(5, seed=7)
    assert decompose_joint(u[None], alpha=0.0, qthres=0.04, solver="lp").loss == pytest.approx(lp(u).loss, rel=1e-6)


@pytest.mark.parametrize("solver", [lp, pdhg])
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
    first, second = decompose_joint(u, solver="pdhg"), decompose_joint(u, solver="pdhg")
    np.testing.assert_array_equal(first.i_and, second.i_and)
    assert first.i_and.shape == (2, 32)


def test_joint_extraction_raises_shared_top_k():
    """Two networks = one shared random network + a smaller own one: the joint extraction shares more top-k terms."""
    n = 7
    common = _random_network(n, seed=100)
    u = np.stack([common + 0.5 * _random_network(n, seed=200 + i) for i in range(2)])
    players = [f"x{i}" for i in range(n)]
    separate = [lp(row, qthres=0.02) for row in u]
    joint = decompose_joint(u, alpha=0.1, qthres=0.02, pthres=0.5)
    as_results = lambda rows_and, rows_or: [  # noqa: E731
        InteractionResult(players, u[i], rows_and[i], rows_or[i], "and-or") for i in range(2)
    ]
    ks = paper_ks(n)
    s_sep = transfer_curve(as_results([s.i_and[0] for s in separate], [s.i_or[0] for s in separate]), ks)
    s_joint = transfer_curve(as_results(joint.i_and, joint.i_or), ks)
    assert s_joint.s_and.mean() > s_sep.s_and.mean() + 0.15


def test_pdhg_runs_on_torch_input_and_reports_curve():
    u = torch.as_tensor(_random_network(5))
    solved = decompose(u, settings=SolverSettings(solver="pdhg", max_iter=500, tol=0.0))
    assert solved.curve[0][0] == 0 and solved.curve[-1][0] == 500
    iterations, losses, lowers = zip(*solved.curve)
    assert list(losses) == sorted(losses, reverse=True) and list(lowers) == sorted(lowers)  # best so far
    assert not solved.converged


def test_pdhg_does_not_depend_on_the_scale_of_the_output():
    """A probability output (|u| ~ 0.01) converges as fast as log-odds: the loss scales, the iterates do not."""
    u = _random_network(6, seed=3)
    settings = SolverSettings(solver="pdhg", max_iter=3000, tol=0.0)
    big, small = decompose(u, settings=settings), decompose(0.01 * u, settings=settings)
    assert small.loss == pytest.approx(0.01 * big.loss, rel=1e-9)
    assert small.lower_bound == pytest.approx(0.01 * big.lower_bound, rel=1e-9)
    # the same iterates up to rounding (which the non-unique optimum lets drift a little in small entries)
    np.testing.assert_allclose(small.i_and, 0.01 * big.i_and, atol=1e-3 * np.abs(small.i_and).max())


def test_decompose_says_which_solver_runs():
    """The exact LP reports its interior-point steps; PDHG its iterations and certified gap."""
    said = []
    u = _random_network(6, seed=4)
    assert decompose(u, progress=lambda fraction, text: said.append(text)).solver == "lp"
    assert said[0] == "exact LP over 1 × 2 × 2^6 interactions"
    assert all(text.startswith("exact AND-OR LP: interior-point step") for text in said[1:]) and len(said) > 3
    said.clear()
    decompose(u, solver="pdhg", progress=lambda fraction, text: said.append(text))
    assert said and all(text.startswith("AND-OR solver: iteration") and "certified within" in text for text in said)


def test_plan_is_the_one_policy_for_solver_and_device():
    assert plan(13, 1, SolverSettings()) == Plan("lp", "cpu")
    assert plan(14, 1, SolverSettings()).solver == "pdhg"
    assert plan(11, 2, SolverSettings()).solver == "lp"
    assert plan(12, 2, SolverSettings()).solver == "pdhg"
    assert plan(10, 3, SolverSettings()).solver == "lp" and plan(11, 3, SolverSettings()).solver == "pdhg"
    assert plan(8, 1, SolverSettings(solver="pdhg", device="cpu")) == Plan("pdhg", "cpu")
    with pytest.raises(engine.EngineError, match="unknown AND-OR solver"):
        plan(8, 1, SolverSettings(solver="sgd"))
    assert plan(14, 1, SolverSettings(solver="lp")).solver == "lp"  # forced, one player beyond the default
    with pytest.raises(engine.TooLarge, match="exact LP runs up to 14 players"):
        plan(15, 1, SolverSettings(solver="lp"))


def test_with_a_gpu_the_interior_point_moves_there_and_solves_larger_games(monkeypatch):
    """The policy with CUDA present (pretended here): one model exact up to 16 players, a pair up to 13, three or more
    models still HiGHS up to 10; the interior point on the GPU from 2,048 rows; a pinned CPU keeps the CPU's limits."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert and_or.exact_max_players(1) == 16 and and_or.exact_max_players(2) == 13
    assert and_or.exact_max_players(3) == and_or.HIGHS_MAX_PLAYERS
    assert plan(10, 1, SolverSettings()) == Plan("lp", "cpu")
    assert plan(11, 1, SolverSettings()) == Plan("lp", "cuda")
    assert plan(16, 1, SolverSettings()) == Plan("lp", "cuda")
    assert plan(17, 1, SolverSettings()) == Plan("pdhg", "cuda")
    assert plan(9, 2, SolverSettings()) == Plan("lp", "cpu")
    assert plan(10, 2, SolverSettings()) == Plan("lp", "cuda")
    assert plan(13, 2, SolverSettings()).solver == "lp" and plan(14, 2, SolverSettings()).solver == "pdhg"
    assert plan(10, 3, SolverSettings()) == Plan("lp", "cpu") and plan(11, 3, SolverSettings()).solver == "pdhg"
    assert plan(14, 1, SolverSettings(device="cpu")) == Plan("pdhg", "cpu")
    assert and_or.exact_max_players(1, SolverSettings(device="cpu")) == and_or.LP_MAX_PLAYERS


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("m", [1, 2])
def test_the_interior_point_on_cuda_reaches_the_cpu_optimum(m):
    """The same LP on the GPU and on the CPU: one optimum, both certified (run where a GPU is lent)."""
    u = np.stack([_random_network(8, seed=20 + i) for i in range(m)])
    settings = SolverSettings(alpha=0.1 if m == 2 else 0.0, qthres=0.02 if m == 2 else 0.04, solver="lp")
    cpu = and_or.solve(u, replace(settings, device="cpu"))
    gpu = and_or.solve(u, replace(settings, device="cuda"))
    assert gpu.loss == pytest.approx(cpu.loss, rel=1e-5) and gpu.gap < 1e-5 and cpu.gap < 1e-5


def test_one_model_with_alpha_is_certified_on_the_exact_path():
    """For one model N(I) = (1 + α)|I|: the L1 optimum times (1 + α), and a certificate that says so."""
    u = _random_network(5, seed=9)
    solved = decompose_joint(u[None], alpha=0.1, qthres=0.04, solver="lp")
    assert solved.loss == pytest.approx(1.1 * lp(u).loss, rel=1e-6) and solved.gap < 1e-5


def test_a_failing_interior_point_hands_over_to_highs(monkeypatch):
    from engine import ipm

    def fails(*args, **kwargs):
        raise torch.linalg.LinAlgError("not positive definite")

    u = _random_network(5, seed=10)
    exact = lp(u)
    monkeypatch.setattr(ipm, "solve", fails)
    again = lp(u)
    assert again.loss == pytest.approx(exact.loss, rel=1e-6) and again.gap < 1e-6


@pytest.mark.parametrize("kept, chunk", [(True, 1 << 21), (False, 1 << 21), (False, 64)])
def test_the_normal_matrix_is_the_dense_product_by_definition(kept, chunk, monkeypatch):
    """Z diag(θa) Zᵀ + B diag(θo) Bᵀ + diag(θq) with Z and B written out by definition (Z[S, T] = [T ⊆ S];
    B[S, ∅] = 1, B[S, T] = [S ∩ T ≠ ∅]), built with kept or fresh index grids, in one block of rows or many, into a
    kept buffer; and a pair's 3×3 blocks match the dense A Θ Aᵀ of its atoms."""
    from engine import ipm

    monkeypatch.setattr(ipm, "GRID_CACHE_PLAYERS", 10 if kept else 0)
    monkeypatch.setattr(ipm, "CHUNK_ENTRIES", (chunk, chunk))
    n, size = 5, 32
    rng = np.random.default_rng(3)
    theta_a, theta_o, theta_q = (torch.as_tensor(rng.random(size) + 0.1) for _ in range(3))
    z = np.array([[float(t & s == t) for t in range(size)] for s in range(size)])
    b = np.array([[1.0 if t == 0 else float(s & t != 0) for t in range(size)] for s in range(size)])
    dense = z @ np.diag(theta_a) @ z.T + b @ np.diag(theta_o) @ b.T + np.diag(theta_q)
    buffer = torch.full((size, size), np.nan, dtype=torch.float64)
    built = ipm.normal_matrix(theta_a, theta_o, theta_q, n, buffer)
    assert built.data_ptr() == buffer.data_ptr()
    np.testing.assert_allclose(built.numpy(), dense, rtol=1e-12)

    structure = ipm.pair(np.zeros((2, size)), (1.0, 1.0), 0.5, 0.1)
    k = len(structure.and_costs)
    theta = torch.as_tensor(rng.random(2 * 2 * k * size + 3 * size) + 0.1)  # λ±, μ± per atom, then 3 slacks
    per_var = theta[: 4 * k * size].reshape(-1, 2, size).sum(dim=1).numpy()
    columns = [np.kron(structure.and_atoms[j][:, None], z) for j in range(k)]
    columns += [np.kron(structure.or_atoms[j][:, None], b) for j in range(k)]
    full = sum(c @ np.diag(w) @ c.T for c, w in zip(columns, per_var))
    full += np.diag(theta[4 * k * size:].numpy())
    pair = ipm._normal_matrix(structure, theta, [0, 1, 2], n, torch.empty(3 * size, 3 * size, dtype=torch.float64))
    np.testing.assert_allclose(pair.numpy(), full, rtol=1e-12)


def test_an_indefinite_normal_matrix_is_shifted_just_enough_or_refused():
    """Rounding can leave a late normal matrix indefinite: the smallest shift of the tried ones that factorises it is
    used (a singular rank-one matrix needs one), and a matrix no small shift can repair is refused."""
    from engine import ipm

    ones = torch.ones(8, 8, dtype=torch.float64)
    kept = torch.empty(8, 8, dtype=torch.float64)
    factor = ipm.cholesky_shifted(ones.clone(), kept)
    assert factor.data_ptr() == kept.data_ptr()
    shifted = factor @ factor.T - ones
    assert torch.allclose(shifted, torch.diag(shifted.diagonal()), atol=1e-12)
    assert 0.0 < float(shifted.diagonal().max()) <= 1e-6
    with pytest.raises(torch.linalg.LinAlgError):
        ipm.cholesky_shifted(-torch.eye(4, dtype=torch.float64))


@pytest.mark.parametrize("gaps, stops_at, best", [
    ([1e-3, 2e-3, 3e-3, 5e-5, 6e-5, 7e-5, 1e-7], 11, 9),  # near the optimum two gaps no better end it
    ([1e-2, 2e-2, 3e-2, 4e-2, 5e-2, 1e-7], 10, 6),  # far from it four are needed
    ([1e-2, 2e-2, 3e-2, 1e-3, 5e-7], 10, 10),  # a gap within the tolerance ends it at once
    ([5e-5, 1e-2, 2e-2, 3e-2, 1e-7], 8, 6),  # near is the best gap's distance, not the last one's
])
def test_the_interior_point_stops_on_its_certified_gap_or_when_it_stalls(gaps, stops_at, best, monkeypatch):
    """Certified gaps are checked from step 6 on; the best iterate is returned. Once the best gap is within 100 times
    the tolerance 1e-6, rounding is all that is left, and two steps that do not improve it end the solve."""
    from engine import ipm

    monkeypatch.setattr(ipm, "TOLERANCE", 0.0)  # the scripted gaps alone decide
    seen = {}

    def gap_of(out):
        seen[out.iterations] = out
        return gaps[out.iterations - 6]

    out = ipm.solve(ipm.single(_random_network(6, 3), 0.0), gap_of, 1e-6)
    assert max(seen) == stops_at == out.iterations  # the steps taken
    assert np.array_equal(out.and_values, seen[best].and_values) and np.array_equal(out.w, seen[best].w)


def test_beyond_highs_sizes_a_failing_interior_point_is_not_handed_to_highs(monkeypatch):
    """HiGHS takes minutes from 11 players on: there the interior point's failure is a message, not handed over."""
    from engine import ipm

    def fails(*args, **kwargs):
        raise torch.linalg.LinAlgError("not positive definite")

    monkeypatch.setattr(ipm, "solve", fails)
    monkeypatch.setattr(and_or, "solve_joint_lp", lambda *args: pytest.fail("HiGHS ran at 11 players"))
    with pytest.raises(engine.EngineError, match="exact LP of 11 players failed numerically"):
        lp(_random_network(11, seed=3))


def test_cancel_stops_both_solvers():
    u = _random_network(7, seed=8)
    for solver in ("lp", "pdhg"):
        with pytest.raises(engine.Cancelled):
            decompose(u, solver=solver, cancel=lambda: True)


def test_the_digits_cnn_at_12_players_is_solved_to_a_certified_optimum():
    """The game where PDHG once returned its starting point (+371 %) as converged: "auto" now certifies ≤ 1 %."""
    from engine.explain import Request, explain
    from engine.zoo import get_model

    model = get_model("digits-cnn")
    sample = model.sample("digit-3")
    candidates = model.candidates_of(sample)
    inkiest = sorted(sorted(range(len(candidates)), key=lambda c: -candidates[c].weight)[:12])
    u = explain(Request("digits-cnn", "digit-3", tuple(inkiest), method="and")).u
    solved = decompose(u)
    assert solved.solver == "lp" and solved.converged and solved.gap <= 0.01
    assert solved.loss < 0.1 * and_only_loss(u)
