"""An exact interior-point solver for one model's AND-OR LP, with normal equations built from subset structure.

The LP (spec §3.4, with the interactions themselves as variables, a = I_and and o = I_or):

    min 1ᵀ(a⁺ + a⁻ + o⁺ + o⁻)   s.t.   Z(a⁺ − a⁻) + B(o⁺ − o⁻) − q = u,   a±, o± ≥ 0,   −b ≤ q ≤ b,

with Z a(S) = Σ_{T⊆S} a(T) and B o(S) = o(∅) + Σ_{T∩S≠∅} o(T). Mehrotra's predictor-corrector method solves it in a
few dozen Newton steps; each needs the 2^n×2^n normal matrix A Θ Aᵀ for a diagonal Θ, which is dense but has closed
forms that cost O(4^n) gathers instead of sparse products:

    Z Θ Zᵀ(S, R) = ζθ(S ∩ R),
    B Θ Bᵀ(S, R) = θ(∅) + ζθ'(N) − ζθ'(N∖S) − ζθ'(N∖R) + ζθ'(N∖(S ∪ R)),

ζ the zeta transform (ζθ(X) = Σ_{T⊆X} θ(T)) and θ' = θ without its ∅ entry. A dense Cholesky factorisation
(torch's LAPACK) then solves each step. Every iteration reports progress and can be cancelled. The result is certified by its dual: the
row prices w give the lower bound of :func:`engine.and_or_ops.dual_bound`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from .and_or_ops import or_values_t, zeta_t
from .errors import Cancelled
from .harsanyi import values_from_or, zeta
from .masks import n_players_of

MAX_ITERATIONS = 80
TOLERANCE = 1e-9  # relative primal and dual residuals and relative complementarity at which Newton steps stop


@dataclass
class IpmOutcome:
    """AND interactions a and noise q of the last iterate, the row prices w, and the iteration count."""

    a: np.ndarray
    q: np.ndarray
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
    u: np.ndarray,
    bound: float,
    gap_of: Callable[[np.ndarray, np.ndarray, np.ndarray], float],
    tol: float,
    progress: Callable[[float, str], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> IpmOutcome:
    """Mehrotra predictor-corrector on the LP of the module docstring for u (2^n,), u(∅) = 0, |q| ≤ bound.

    Stops when ``gap_of(a, q, w)``, the certified relative gap of an iterate (the caller repairs it to a feasible
    point and a dual bound), is at most ``tol``, or when the Newton steps stall (residuals and complementarity below
    TOLERANCE), or after MAX_ITERATIONS.
    """
    start = time.perf_counter()
    size = u.size
    n = n_players_of(size)

    def or_vec(x):
        return values_from_or(torch.from_numpy(x)).numpy()

    def zeta_t_vec(y):
        return zeta_t(torch.from_numpy(y), n).numpy()

    def or_t_vec(y):
        return or_values_t(torch.from_numpy(y), n).numpy()

    has_q = bound > 0.0  # without a noise term q is fixed at 0 and its columns drop out
    nv = (5 if has_q else 4) * size

    def apply_a(x):  # x = (a⁺, a⁻, o⁺, o⁻[, q])
        parts = np.split(x, nv // size)
        out = _zeta(parts[0] - parts[1]) + or_vec(parts[2] - parts[3])
        return out - parts[4] if has_q else out

    def apply_at(y):
        zy, by = zeta_t_vec(y), or_t_vec(y)
        return np.concatenate([zy, -zy, by, -by] + ([-y] if has_q else []))

    c = np.concatenate([np.ones(4 * size), np.zeros(nv - 4 * size)])
    lower = np.concatenate([np.zeros(4 * size), np.full(nv - 4 * size, -bound)])
    upper_mask = np.zeros(nv, bool)
    upper_mask[4 * size:] = True
    upper = np.full(nv - 4 * size, bound)
    pairs = nv + (nv - 4 * size)  # complementarity pairs: every lower bound, and q's upper bounds

    # Start: every variable strictly inside its bounds, dual slacks positive.
    x = np.concatenate([np.full(4 * size, 1.0), np.zeros(nv - 4 * size)])
    y = np.zeros(size)
    zl = np.ones(nv)
    zu = np.ones(nv - 4 * size)
    sl = x - lower  # slacks are kept as variables: recomputing them from x loses them to rounding near a bound
    su = upper - x[upper_mask]
    u_norm = 1.0 + np.linalg.norm(u)
    iterations = 0
    for iterations in range(1, MAX_ITERATIONS + 1):
        rp = u - apply_a(x)
        rd = c - apply_at(y) - zl
        rd[upper_mask] += zu
        mu = (sl @ zl + su @ zu) / pairs
        primal_obj = c @ x
        rel_p = np.linalg.norm(rp) / u_norm
        rel_d = np.linalg.norm(rd) / (1.0 + np.sqrt(4 * size))
        rel_mu = mu * pairs / (1.0 + abs(primal_obj))
        if progress is not None:
            progress(min(1.0, iterations / 30), f"exact AND-OR LP: interior-point step {iterations}, "
                     f"objective {primal_obj:.5g}")
        if cancel is not None and cancel():
            raise Cancelled("AND-OR decomposition cancelled")
        stalled = max(rel_p, rel_d, rel_mu) < TOLERANCE
        if stalled or (iterations > 5 and gap_of(*_certifiable(x, y, size, nv, bound)) <= tol):
            break
        d = zl / sl
        d[upper_mask] += zu / su
        theta = 1.0 / d
        theta_q = theta[4 * size:] if has_q else np.zeros(size)
        mat = normal_matrix(theta[:size] + theta[size:2 * size], theta[2 * size:3 * size] + theta[3 * size:4 * size],
                            theta_q, n)
        mat[np.diag_indices_from(mat)] += 1e-14 * np.trace(mat) / size  # keeps the factorisation positive definite
        factor = torch.linalg.cholesky(torch.from_numpy(mat))

        def newton(rl, ru):
            """Direction for complementarity targets s·z = rl (lower bounds) and s·z = ru (upper bounds)."""
            rt = rd - rl / sl
            rt[upper_mask] += ru / su
            rhs = torch.from_numpy(rp + apply_a(theta * rt))[:, None]
            dy = torch.cholesky_solve(rhs, factor)[:, 0].numpy()
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
    return IpmOutcome(*_certifiable(x, y, size, nv, bound), iterations, time.perf_counter() - start)


def _certifiable(x: np.ndarray, y: np.ndarray, size: int, nv: int, bound: float) -> tuple[np.ndarray, ...]:
    """(a, q clipped to its box, w) from the stacked variables x = (a⁺, a⁻, o⁺, o⁻[, q]) and the row prices y: all
    a caller needs to rebuild a feasible point (p = Z a − ½(u + q)) and a dual bound."""
    parts = np.split(x, nv // size)
    q = np.clip(parts[4], -bound, bound) if len(parts) > 4 else np.zeros(size)
    return parts[0] - parts[1], q, y
