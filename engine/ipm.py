"""An exact interior-point solver for the AND-OR LPs, with normal equations built from subset structure.

One model (spec §3.4), with the interactions themselves as variables, a = I_and and o = I_or:

    min 1ᵀ(a⁺ + a⁻ + o⁺ + o⁻)   s.t.   Z(a⁺ − a⁻) + B(o⁺ − o⁻) − q = u,   a±, o± ≥ 0,   −b ≤ q ≤ b,

with Z a(S) = Σ_{T⊆S} a(T) and B o(S) = o(∅) + Σ_{T∩S≠∅} o(T). Two models (Chen et al. eq. 6, spec §7.2) fit the same
mould (:func:`pair`): the per-subset norm N(a₁, a₂) = max(|a₁|, |a₂|) + α(|a₁| + |a₂|) is an atomic norm whose atoms
are ±e₁, ±e₂ (cost 1 + α) and ±(1, 1), ±(1, −1) (cost 1 + 2α), so a₁ = x + s + d and a₂ = y + s − d with the weighted
L1 cost (1 + α)(|x| + |y|) + (1 + 2α)(|s| + |d|); the shared part p̄ with |p̂ᵢ| ≤ β leaves one coupling block,
(Z a₁ − B o₁) − (Z a₂ − B o₂) = 2(p₁ − p₂) ∈ [−4β, 4β]. In general (:class:`Structure`): blocks r of 2^n rows,

    Σ_k c_kr Z λ_k + Σ_l c'_lr B μ_l − s_r = rhs_r,   |s_r| ≤ bound_r,   min Σ_k cost_k ‖λ_k‖₁ + Σ_l cost'_l ‖μ_l‖₁.

Mehrotra's predictor-corrector method solves it in a few dozen Newton steps; each needs the normal matrix A Θ Aᵀ for a
diagonal Θ, whose (r, r') block is Z diag(Σ_k c_kr c_kr' θ_k) Zᵀ + B diag(Σ_l c'_lr c'_lr' θ'_l) Bᵀ (+ the slacks'
diagonal): dense, but with closed forms that cost O(4^n) gathers instead of sparse products:

    Z Θ Zᵀ(S, R) = ζθ(S ∩ R),
    B Θ Bᵀ(S, R) = θ(∅) + ζθ'(N) − ζθ'(N∖S) − ζθ'(N∖R) + ζθ'(N∖(S ∪ R)),

ζ the zeta transform (ζθ(X) = Σ_{T⊆X} θ(T)) and θ' = θ without its ∅ entry. A dense Cholesky factorisation
(torch's LAPACK) then solves each step. Every iteration reports progress and can be cancelled. The result is certified
by its dual: the row prices w give the lower bound of :func:`engine.and_or_ops.dual_bound`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import torch

from .and_or_ops import or_values_t, zeta_t
from .errors import Cancelled
from .harsanyi import values_from_or, zeta
from .masks import n_players_of

MAX_ITERATIONS = 80
STALL_CHECKS = 4  # certified gaps in a row no better than the best: the iterates only lose precision from there
TOLERANCE = 1e-9  # relative primal and dual residuals and relative complementarity at which Newton steps stop


@dataclass(frozen=True)
class Structure:
    """An AND-OR LP in the form of the module docstring: ``rhs`` (blocks, 2^n), per block the slack's bound (0: the
    block is an equality), and the AND and OR variables' block coefficients (K, blocks) and costs (K,)."""

    rhs: np.ndarray
    bounds: tuple[float, ...]
    and_atoms: np.ndarray
    and_costs: np.ndarray
    or_atoms: np.ndarray
    or_costs: np.ndarray


def single(u: np.ndarray, bound: float) -> Structure:
    """One model: Z a + B o − q = u, |q| ≤ bound, cost ‖a‖₁ + ‖o‖₁."""
    one = np.ones((1, 1))
    return Structure(u[None], (bound,), one, np.ones(1), one, np.ones(1))


def pair(u: np.ndarray, bounds: tuple[float, float], beta: float, alpha: float) -> Structure:
    """Two models (u of shape (2, 2^n), |q_i| ≤ bounds[i], |p̂_i| ≤ β): blocks model 1, model 2, coupling; AND atoms
    x, y, s, d with a₁ = x + s + d, a₂ = y + s − d (OR alike, its coupling coefficients negated)."""
    atoms = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, -1.0], [1.0, 1.0, 0.0], [1.0, -1.0, 2.0]])
    costs = np.array([1.0 + alpha, 1.0 + alpha, 1.0 + 2.0 * alpha, 1.0 + 2.0 * alpha])
    return Structure(np.concatenate([u, np.zeros((1, u.shape[1]))]), (bounds[0], bounds[1], 4.0 * beta),
                     atoms, costs, atoms * np.array([1.0, 1.0, -1.0]), costs)


@dataclass
class IpmOutcome:
    """The last iterate: AND and OR variables (K, 2^n) and (L, 2^n) (λ⁺ − λ⁻), slacks clipped to their boxes (blocks,
    2^n), the row prices w (blocks, 2^n), and the work done."""

    and_values: np.ndarray
    or_values: np.ndarray
    slacks: np.ndarray
    w: np.ndarray
    iterations: int
    seconds: float


@lru_cache(maxsize=1)
def _grids(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Index grids (S ∩ R) and (N∖(S ∪ R)) over all pairs of subsets, as int32 (2 × 4^n × 4 bytes)."""
    ids = np.arange(1 << n, dtype=np.int32)
    full = (1 << n) - 1
    return np.bitwise_and.outer(ids, ids), full ^ np.bitwise_or.outer(ids, ids)


def _zeta(x: np.ndarray) -> np.ndarray:
    return zeta(torch.from_numpy(x)).numpy()


def normal_matrix(theta_a: np.ndarray, theta_o: np.ndarray, theta_q: np.ndarray, n: int) -> np.ndarray:
    """Z diag(θa) Zᵀ + B diag(θo) Bᵀ + diag(θq) by the closed forms of the module docstring."""
    both, outside = _grids(n)
    za = _zeta(theta_a)
    rest = theta_o.copy()
    rest[0] = 0.0
    zo = _zeta(rest)
    full = (1 << n) - 1
    comp = zo[full ^ np.arange(1 << n)]  # ζθ'(N∖S)
    mat = za[both]
    mat += zo[outside]
    mat -= comp[:, None]
    mat -= comp[None, :]
    mat += theta_o[0] + zo[full]
    mat[np.diag_indices_from(mat)] += theta_q
    return mat


def solve(
    structure: Structure,
    gap_of: Callable[[IpmOutcome], float],
    tol: float,
    progress: Callable[[float, str], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> IpmOutcome:
    """Mehrotra predictor-corrector on the LP of ``structure``.

    Stops when ``gap_of(outcome)``, the certified relative gap of an iterate (the caller repairs it to a feasible
    point and a dual bound), is at most ``tol``, when that gap failed to improve STALL_CHECKS times in a row (rounding
    near the optimum), when the Newton steps stall (residuals and complementarity below TOLERANCE), or after
    MAX_ITERATIONS; returns the iterate with the best certified gap.
    """
    start = time.perf_counter()
    blocks, size = structure.rhs.shape
    n = n_players_of(size)
    u = structure.rhs.reshape(-1)
    k_and, k_or = len(structure.and_costs), len(structure.or_costs)
    boxed = [r for r, bound in enumerate(structure.bounds) if bound > 0.0]  # blocks with a slack variable
    free = 2 * (k_and + k_or) * size  # the λ± and μ± variables, then one slack per boxed block
    nv = free + len(boxed) * size
    c_and, c_or = structure.and_atoms, structure.or_atoms

    def parts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(λ⁺ − λ⁻ per AND variable, μ⁺ − μ⁻ per OR variable, slacks per boxed block)."""
        signed = x[:free].reshape(2 * (k_and + k_or), size)
        net = signed[0::2] - signed[1::2]
        return net[:k_and], net[k_and:], x[free:].reshape(len(boxed), size)

    def apply_a(x: np.ndarray) -> np.ndarray:
        lam, mu, slack = parts(x)
        out = zeta(torch.from_numpy(c_and.T @ lam)).numpy() + values_from_or(torch.from_numpy(c_or.T @ mu)).numpy()
        out[boxed] -= slack
        return out.reshape(-1)

    def apply_at(y: np.ndarray) -> np.ndarray:
        w = torch.from_numpy(y.reshape(blocks, size))
        g = np.concatenate([c_and @ zeta_t(w, n).numpy(), c_or @ or_values_t(w, n).numpy()])
        return np.concatenate([np.stack([g, -g], axis=1).reshape(-1), -y.reshape(blocks, size)[boxed].reshape(-1)])

    costs = np.concatenate([structure.and_costs, structure.or_costs])
    c = np.concatenate([np.repeat(costs, 2 * size), np.zeros(nv - free)])
    bound_of = np.repeat([structure.bounds[r] for r in boxed], size) if boxed else np.zeros(0)
    lower = np.concatenate([np.zeros(free), -bound_of])
    upper_mask = np.zeros(nv, bool)
    upper_mask[free:] = True
    upper = bound_of
    pairs = nv + (nv - free)  # complementarity pairs: every lower bound, and the slacks' upper bounds

    def outcome(x: np.ndarray, y: np.ndarray, iterations: int) -> IpmOutcome:
        lam, mu, slack = parts(x)
        slacks = np.zeros((blocks, size))
        for i, r in enumerate(boxed):
            slacks[r] = np.clip(slack[i], -structure.bounds[r], structure.bounds[r])
        return IpmOutcome(lam, mu, slacks, y.reshape(blocks, size), iterations, time.perf_counter() - start)

    # Start: every variable strictly inside its bounds, dual slacks positive.
    x = np.concatenate([np.full(free, 1.0), np.zeros(nv - free)])
    y = np.zeros(blocks * size)
    zl = np.ones(nv)
    zu = np.ones(nv - free)
    sl = x - lower  # slacks are kept as variables: recomputing them from x loses them to rounding near a bound
    su = upper - x[upper_mask]
    u_norm = 1.0 + np.linalg.norm(u)
    iterations = 0
    best: IpmOutcome | None = None
    best_gap, worse = math.inf, 0
    for iterations in range(1, MAX_ITERATIONS + 1):
        rp = u - apply_a(x)
        rd = c - apply_at(y) - zl
        rd[upper_mask] += zu
        mu = (sl @ zl + su @ zu) / pairs
        primal_obj = c @ x
        rel_p = np.linalg.norm(rp) / u_norm
        rel_d = np.linalg.norm(rd) / (1.0 + np.linalg.norm(c))
        rel_mu = mu * pairs / (1.0 + abs(primal_obj))
        if progress is not None:
            progress(min(1.0, iterations / 30), f"exact AND-OR LP: interior-point step {iterations}, "
                     f"objective {primal_obj:.5g}")
        if cancel is not None and cancel():
            raise Cancelled("AND-OR decomposition cancelled")
        if iterations > 5:  # the best certified iterate is kept: rounding can make later ones worse
            current = outcome(x, y, iterations)
            gap = gap_of(current)
            best, worse = (current, 0) if best is None or gap < best_gap else (best, worse + 1)
            best_gap = min(best_gap, gap)
            if gap <= tol or worse >= STALL_CHECKS:
                break
        if max(rel_p, rel_d, rel_mu) < TOLERANCE:  # the Newton steps stalled
            break
        d = zl / sl
        d[upper_mask] += zu / su
        theta = 1.0 / d
        factor = torch.linalg.cholesky(torch.from_numpy(_normal_matrix(structure, theta, boxed, n)))

        def newton(rl, ru):
            """Direction for complementarity targets s·z = rl (lower bounds) and s·z = ru (upper bounds)."""
            rt = rd - rl / sl
            rt[upper_mask] += ru / su
            rhs = torch.from_numpy(rp + apply_a(theta * rt))[:, None]
            half = torch.linalg.solve_triangular(factor, rhs, upper=False)  # two triangular solves: 10× faster
            dy = torch.linalg.solve_triangular(factor.mT, half, upper=True)[:, 0].numpy()  # than cholesky_solve
            dx = theta * (apply_at(dy) - rt)
            dzl = (rl - zl * dx) / sl
            dzu = (ru + zu * dx[upper_mask]) / su
            return dx, dy, dzl, dzu

        def max_step(v, dv):
            neg = dv < 0
            return min(1.0, float(np.min(-v[neg] / dv[neg]))) if neg.any() else 1.0

        # Predictor (affine scaling), then Mehrotra's centring and second-order corrector.
        dx, dy, dzl, dzu = newton(-sl * zl, -su * zu)
        dsu = -dx[upper_mask]
        ap = min(max_step(sl, dx), max_step(su, dsu))
        ad = min(max_step(zl, dzl), max_step(zu, dzu))
        mu_aff = ((sl + ap * dx) @ (zl + ad * dzl) + (su + ap * dsu) @ (zu + ad * dzu)) / pairs
        sigma = (mu_aff / mu) ** 3
        dx, dy, dzl, dzu = newton(sigma * mu - sl * zl - dx * dzl, sigma * mu - su * zu - dsu * dzu)
        dsu = -dx[upper_mask]
        ap = 0.99 * min(max_step(sl, dx), max_step(su, dsu))
        ad = 0.99 * min(max_step(zl, dzl), max_step(zu, dzu))
        x = x + ap * dx
        sl = sl + ap * dx
        su = su + ap * dsu
        y = y + ad * dy
        zl = zl + ad * dzl
        zu = zu + ad * dzu
    last = outcome(x, y, iterations)
    return last if best is None else replace(best, iterations=iterations, seconds=last.seconds)


def _normal_matrix(structure: Structure, theta: np.ndarray, boxed: list[int], n: int) -> np.ndarray:
    """A Θ Aᵀ block by block (module docstring), with a tiny diagonal shift that keeps it positive definite."""
    blocks, size = structure.rhs.shape
    k_and = len(structure.and_costs)
    per_var = theta[: 2 * (k_and + len(structure.or_costs)) * size].reshape(-1, 2, size).sum(axis=1)
    theta_and, theta_or = per_var[:k_and], per_var[k_and:]
    slack_theta = theta[len(per_var) * 2 * size:].reshape(len(boxed), size)
    if blocks == 1:  # one model: the block is the matrix
        mat = normal_matrix(structure.and_atoms[:, 0] ** 2 @ theta_and, structure.or_atoms[:, 0] ** 2 @ theta_or,
                            slack_theta[0] if boxed else np.zeros(size), n)
        mat[np.diag_indices_from(mat)] += 1e-14 * np.trace(mat) / len(mat)
        return mat
    mat = np.empty((blocks * size, blocks * size))
    for r in range(blocks):
        for r2 in range(r, blocks):
            diagonal = slack_theta[boxed.index(r)] if r == r2 and r in boxed else np.zeros(size)
            block = normal_matrix((structure.and_atoms[:, r] * structure.and_atoms[:, r2]) @ theta_and,
                                  (structure.or_atoms[:, r] * structure.or_atoms[:, r2]) @ theta_or, diagonal, n)
            mat[r * size:(r + 1) * size, r2 * size:(r2 + 1) * size] = block
            if r2 != r:
                mat[r2 * size:(r2 + 1) * size, r * size:(r + 1) * size] = block.T
    mat[np.diag_indices_from(mat)] += 1e-14 * np.trace(mat) / len(mat)
    return mat
