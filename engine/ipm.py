"""An exact interior-point solver for the AND-OR LPs, with normal equations built from subset structure.

One model (spec §3.4), with the interactions themselves as variables, a = I_and and o = I_or:

    min 1ᵀ(a⁺ + a⁻ + o⁺ + o⁻)   s.t.   Z(a⁺ − a⁻) + B(o⁺ − o⁻) − q = u,   a±, o± ≥ 0,   −b ≤ q ≤ b,

with Z a(S) = Σ_{T⊆S} a(T) and B o(S) = o(∅) + Σ_{T∩S≠∅} o(T). Two models (Chen et al. eq. 6, spec §7.2) fit the same
mould (:func:`pair`): the per-subset norm N(a₁, a₂) = max(|a₁|, |a₂|) + α(|a₁| + |a₂|) is an atomic norm whose atoms
are ±e₁, ±e₂ (cost 1 + α) and ±(1, 1), ±(1, −1) (cost 1 + 2α), so a₁ = x + s + d and a₂ = y + s − d with the weighted
L1 cost (1 + α)(|x| + |y|) + (1 + 2α)(|s| + |d|); the shared part p̄ with |p̂ᵢ| ≤ β leaves one coupling block,
(Z a₁ − B o₁) − (Z a₂ − B o₂) = 2(p₁ − p₂) ∈ [−4β, 4β]. In general (:class:`Structure`): blocks r of 2^n rows,

    Σ_k c_kr Z λ_k + Σ_l c'_lr B μ_l − s_r = rhs_r,   |s_r| ≤ bound_r,   min Σ_k cost_k ‖λ_k‖₁ + Σ_l cost'_l ‖μ_l‖₁.

Mehrotra's predictor-corrector method, with Gondzio's centrality correctors, solves it in a few dozen Newton steps;
each needs the normal matrix A Θ Aᵀ for a diagonal Θ, whose (r, r') block is
Z diag(Σ_k c_kr c_kr' θ_k) Zᵀ + B diag(Σ_l c'_lr c'_lr' θ'_l) Bᵀ (+ the slacks' diagonal): dense, but with closed
forms that cost O(4^n) gathers instead of sparse products:

    Z Θ Zᵀ(S, R) = ζθ(S ∩ R),
    B Θ Bᵀ(S, R) = θ(∅) + ζθ'(N) − ζθ'(N∖S) − ζθ'(N∖R) + ζθ'(N∖(S ∪ R)),

ζ the zeta transform (ζθ(X) = Σ_{T⊆X} θ(T)) and θ' = θ without its ∅ entry. A dense Cholesky factorisation
(LAPACK on the CPU, cuSOLVER on a CUDA GPU) then solves each step. Every iteration reports progress and can be
cancelled. The result is certified by its dual: the row prices w give the lower bound of
:func:`engine.and_or_ops.dual_bound`.
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
# Once the best gap is within NEAR_OPTIMUM·tol, two such gaps in a row are enough. With and_or's tolerances (1e-6,
# and HiGHS taking over above 1e-4) a solve that stops so early never hands over.
NEAR_STALL_CHECKS, NEAR_OPTIMUM = 2, 100
TOLERANCE = 1e-9  # relative primal and dual residuals and relative complementarity at which Newton steps stop
CORRECTORS = 4  # Gondzio's centrality correctors per step at most (each two triangular solves on the same factor)
SHIFT_TRIES = 5  # diagonal shifts tried for a normal matrix that rounding left indefinite: 1e-14 … 1e-6 of its diagonal
GRID_CACHE_PLAYERS = 10  # up to here the normal matrix's index grids are built once and kept (CPU)
CHUNK_ENTRIES = (1 << 21, 1 << 27)  # (CPU, CUDA): index entries per block of the normal matrix's rows


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
    2^n), the row prices w (blocks, 2^n), and the work done; arrays on the CPU whatever device solved."""

    and_values: np.ndarray
    or_values: np.ndarray
    slacks: np.ndarray
    w: np.ndarray
    iterations: int
    seconds: float


def _chunk_rows(size: int, device: torch.device) -> int:
    """Rows of the normal matrix built at once: CHUNK_ENTRIES (per device) entries of index and gather temporaries."""
    return max(1, CHUNK_ENTRIES[device.type == "cuda"] // size)


def _grids(n: int, r0: int, step: int, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Index grids S ∩ R and N∖(S ∪ R) for the rows S in [r0, r0 + step) and every R. Kept for small games on the
    CPU (n ≤ GRID_CACHE_PLAYERS: one block of 2 × 4 MB), where building them costs as much as the gathers."""
    ids = torch.arange(1 << n, dtype=torch.int32, device=device)  # int32: half the traffic of int64, gathers 2× faster
    rows = ids[r0:r0 + step, None]
    return (rows & ids).reshape(-1), (((1 << n) - 1) ^ (rows | ids)).reshape(-1)


_kept_grids = lru_cache(maxsize=4)(_grids)


def normal_matrix(theta_a: torch.Tensor, theta_o: torch.Tensor, theta_q: torch.Tensor, n: int,
                  out: torch.Tensor | None = None) -> torch.Tensor:
    """Z diag(θa) Zᵀ + B diag(θo) Bᵀ + diag(θq) by the closed forms of the module docstring, on θ's device, into
    ``out`` if given (a buffer kept across steps: a fresh 2^n×2^n matrix costs its page faults every step); the
    index grids S ∩ R and N∖(S ∪ R) are built a block of rows at a time (never 4^n of them at once)."""
    size, full = 1 << n, (1 << n) - 1
    za = zeta(theta_a)
    rest = theta_o.clone()
    rest[0] = 0.0
    zo = zeta(rest)
    comp = zo.flip(0)  # ζθ'(N∖S): N∖S = full − S reverses the bitmask order
    const = theta_o[0] + zo[full]
    mat = torch.empty(size, size, dtype=theta_a.dtype, device=theta_a.device) if out is None else out
    step = _chunk_rows(size, theta_a.device)
    kept = n <= GRID_CACHE_PLAYERS and theta_a.device.type == "cpu"
    join = torch.empty(min(step, size) * size, dtype=theta_a.dtype, device=theta_a.device)
    for r0 in range(0, size, step):
        both, outside = (_kept_grids if kept else _grids)(n, r0, step, str(theta_a.device))
        block = mat[r0:r0 + step]
        torch.index_select(za, 0, both, out=block.view(-1))
        torch.index_select(zo, 0, outside, out=join[: block.numel()])
        block += join[: block.numel()].view_as(block)
        block -= comp[r0:r0 + step, None]
        block -= comp[None, :]
        block += const
    mat.diagonal().add_(theta_q)
    return mat


def solve(
    structure: Structure,
    gap_of: Callable[[IpmOutcome], float],
    tol: float,
    progress: Callable[[float, str], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    device: str | torch.device = "cpu",
) -> IpmOutcome:
    """Mehrotra predictor-corrector on the LP of ``structure``, every vector and the dense normal matrix on
    ``device`` (a CUDA GPU factorises the 2^n×2^n normal matrix in milliseconds where two CPU cores take a second).

    Stops when ``gap_of(outcome)``, the certified relative gap of an iterate (the caller repairs it to a feasible
    point and a dual bound), is at most ``tol``, when that gap failed to improve STALL_CHECKS times in a row
    (NEAR_STALL_CHECKS once it is within NEAR_OPTIMUM·tol: rounding is all that is left there), when the Newton
    steps stall (residuals and complementarity below TOLERANCE), or after MAX_ITERATIONS; returns the iterate with the
    best certified gap.
    """
    start = time.perf_counter()
    dev = torch.device(device)
    blocks, size = structure.rhs.shape
    n = n_players_of(size)

    def tensor(values) -> torch.Tensor:
        return torch.as_tensor(np.asarray(values, dtype=np.float64), device=dev)

    u = tensor(structure.rhs).reshape(-1)
    k_and, k_or = len(structure.and_costs), len(structure.or_costs)
    boxed = [r for r, bound in enumerate(structure.bounds) if bound > 0.0]  # blocks with a slack variable
    free = 2 * (k_and + k_or) * size  # the λ± and μ± variables, then one slack per boxed block
    nv = free + len(boxed) * size
    c_and, c_or = tensor(structure.and_atoms), tensor(structure.or_atoms)

    def parts(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(λ⁺ − λ⁻ per AND variable, μ⁺ − μ⁻ per OR variable, slacks per boxed block)."""
        signed = x[:free].reshape(2 * (k_and + k_or), size)
        net = signed[0::2] - signed[1::2]
        return net[:k_and], net[k_and:], x[free:].reshape(len(boxed), size)

    def apply_a(x: torch.Tensor) -> torch.Tensor:
        lam, mu, slack = parts(x)
        out = zeta(c_and.T @ lam) + values_from_or(c_or.T @ mu)
        out[boxed] -= slack
        return out.reshape(-1)

    def apply_at(y: torch.Tensor) -> torch.Tensor:
        w = y.reshape(blocks, size)
        g = torch.cat([c_and @ zeta_t(w, n), c_or @ or_values_t(w, n)])
        return torch.cat([torch.stack([g, -g], dim=1).reshape(-1), -w[boxed].reshape(-1)])

    costs = tensor(np.concatenate([structure.and_costs, structure.or_costs]))
    c = torch.cat([costs.repeat_interleave(2 * size), torch.zeros(nv - free, dtype=torch.float64, device=dev)])
    bound_of = tensor(np.repeat([structure.bounds[r] for r in boxed], size) if boxed else np.zeros(0))
    lower = torch.cat([torch.zeros(free, dtype=torch.float64, device=dev), -bound_of])
    upper = bound_of  # the slacks, the last nv − free variables, have upper bounds
    pairs = nv + (nv - free)  # complementarity pairs: every lower bound, and the slacks' upper bounds

    def outcome(x: torch.Tensor, y: torch.Tensor, iterations: int) -> IpmOutcome:
        lam, mu, slack = parts(x)
        slacks = np.zeros((blocks, size))
        for i, r in enumerate(boxed):
            slacks[r] = np.clip(slack[i].cpu().numpy(), -structure.bounds[r], structure.bounds[r])
        return IpmOutcome(lam.cpu().numpy(), mu.cpu().numpy(), slacks, y.reshape(blocks, size).cpu().numpy(),
                          iterations, time.perf_counter() - start)

    # Start: every variable strictly inside its bounds, dual slacks positive.
    x = torch.cat([torch.ones(free, dtype=torch.float64, device=dev),
                   torch.zeros(nv - free, dtype=torch.float64, device=dev)])
    y = torch.zeros(blocks * size, dtype=torch.float64, device=dev)
    zl = torch.ones(nv, dtype=torch.float64, device=dev)
    zu = torch.ones(nv - free, dtype=torch.float64, device=dev)
    sl = x - lower  # slacks are kept as variables: recomputing them from x loses them to rounding near a bound
    su = upper - x[free:]
    u_norm = 1.0 + float(torch.linalg.norm(u))
    c_norm = 1.0 + float(torch.linalg.norm(c))
    iterations = 0
    best: IpmOutcome | None = None
    best_gap, worse = math.inf, 0
    buffers: tuple[torch.Tensor, torch.Tensor] | None = None
    for iterations in range(1, MAX_ITERATIONS + 1):
        rp = u - apply_a(x)
        rd = c - apply_at(y) - zl
        rd[free:] += zu
        mu = float(sl @ zl + su @ zu) / pairs
        primal_obj = float(c @ x)
        rel_p = float(torch.linalg.norm(rp)) / u_norm
        rel_d = float(torch.linalg.norm(rd)) / c_norm
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
            if gap <= tol or worse >= (NEAR_STALL_CHECKS if best_gap <= NEAR_OPTIMUM * tol else STALL_CHECKS):
                break
        if max(rel_p, rel_d, rel_mu) < TOLERANCE:  # the Newton steps stalled
            break
        d = zl / sl
        d[free:] += zu / su
        theta = 1.0 / d
        if buffers is None:  # the normal matrix and its factor, kept across steps
            rows = blocks * size
            # the factor's buffer column-major, as LAPACK and cuSOLVER write it (else a third matrix is copied)
            buffers = (torch.empty(rows, rows, dtype=torch.float64, device=dev),
                       torch.empty(rows, rows, dtype=torch.float64, device=dev).mT)
        try:
            factor = cholesky_shifted(_normal_matrix(structure, theta, boxed, n, buffers[0]), buffers[1])
        except torch.linalg.LinAlgError:
            if best is None:
                raise
            break  # the best certified iterate so far stands; the caller judges its gap

        def newton(rl, ru):
            """Direction for complementarity targets s·z = rl (lower bounds) and s·z = ru (upper bounds)."""
            rt = rd - rl / sl
            rt[free:] += ru / su
            rhs = (rp + apply_a(theta * rt))[:, None]
            half = torch.linalg.solve_triangular(factor, rhs, upper=False)  # two triangular solves: 10× faster
            dy = torch.linalg.solve_triangular(factor.mT, half, upper=True)[:, 0]  # than cholesky_solve
            dx = theta * (apply_at(dy) - rt)
            dzl = (rl - zl * dx) / sl
            dzu = (ru + zu * dx[free:]) / su
            return dx, dy, dzl, dzu

        def max_step(v, dv):
            return min(1.0, float(torch.where(dv < 0, -v / dv, math.inf).min())) if len(v) else 1.0

        def steps(direction):
            """The largest primal and dual steps in (0, 1] that keep every slack and dual slack non-negative."""
            dx, _, dzl, dzu = direction
            return (min(max_step(sl, dx), max_step(su, -dx[free:])), min(max_step(zl, dzl), max_step(zu, dzu)))

        # Predictor (affine scaling), then Mehrotra's centring and second-order corrector.
        predictor = newton(-sl * zl, -su * zu)
        dx, _, dzl, dzu = predictor
        dsu = -dx[free:]
        ap, ad = steps(predictor)
        mu_aff = float((sl + ap * dx) @ (zl + ad * dzl) + (su + ap * dsu) @ (zu + ad * dzu)) / pairs
        target = (mu_aff / mu) ** 3 * mu  # σμ
        rl, ru = target - sl * zl - dx * dzl, target - su * zu - dsu * dzu  # Mehrotra's targets
        direction = newton(rl, ru)
        ap, ad = steps(direction)
        for _ in range(CORRECTORS):  # Gondzio's centrality correctors, on the same factor
            if min(ap, ad) > 0.99:  # no longer step to gain
                break
            dx, _, dzl, dzu = direction
            aim_p, aim_d = min(1.0, ap + 0.2), min(1.0, ad + 0.2)  # products at a longer trial step …
            low = (sl + aim_p * dx) * (zl + aim_d * dzl)
            up = (su - aim_p * dx[free:]) * (zu + aim_d * dzu)
            # … pushed back into [0.1, 10]·σμ (the too-large ones by at most 10·σμ)
            rl_more = (low.clamp(0.1 * target, 10.0 * target) - low).clamp(min=-10.0 * target)
            ru_more = (up.clamp(0.1 * target, 10.0 * target) - up).clamp(min=-10.0 * target)
            trial = newton(rl + rl_more, ru + ru_more)
            tp, td = steps(trial)
            if min(tp, td) < min(ap, ad) + 0.01:  # no longer step: keep the direction we have
                break
            direction, ap, ad, rl, ru = trial, tp, td, rl + rl_more, ru + ru_more
        del factor
        dx, dy, dzl, dzu = direction
        dsu = -dx[free:]
        ap, ad = 0.99 * ap, 0.99 * ad
        x = x + ap * dx
        sl = sl + ap * dx
        su = su + ap * dsu
        y = y + ad * dy
        zl = zl + ad * dzl
        zu = zu + ad * dzu
    last = outcome(x, y, iterations)
    return last if best is None else replace(best, iterations=iterations, seconds=last.seconds)


def _normal_matrix(structure: Structure, theta: torch.Tensor, boxed: list[int], n: int,
                   out: torch.Tensor) -> torch.Tensor:
    """A Θ Aᵀ block by block (module docstring), into ``out``."""
    blocks, size = structure.rhs.shape
    k_and = len(structure.and_costs)
    per_var = theta[: 2 * (k_and + len(structure.or_costs)) * size].reshape(-1, 2, size).sum(dim=1)
    theta_and, theta_or = per_var[:k_and], per_var[k_and:]
    slack_theta = theta[len(per_var) * 2 * size:].reshape(len(boxed), size)
    no_slack = torch.zeros(size, dtype=theta.dtype, device=theta.device)

    def coefficients(atoms: np.ndarray, r: int, r2: int) -> torch.Tensor:
        return torch.as_tensor(atoms[:, r] * atoms[:, r2], dtype=theta.dtype, device=theta.device)

    if blocks == 1:  # one model: the block is the matrix
        mat = normal_matrix(coefficients(structure.and_atoms, 0, 0) @ theta_and,
                            coefficients(structure.or_atoms, 0, 0) @ theta_or,
                            slack_theta[0] if boxed else no_slack, n, out)
    else:
        mat, block = out, torch.empty(size, size, dtype=theta.dtype, device=theta.device)
        for r in range(blocks):
            for r2 in range(r, blocks):
                diagonal = slack_theta[boxed.index(r)] if r == r2 and r in boxed else no_slack
                normal_matrix(coefficients(structure.and_atoms, r, r2) @ theta_and,
                              coefficients(structure.or_atoms, r, r2) @ theta_or, diagonal, n, block)
                mat[r * size:(r + 1) * size, r2 * size:(r2 + 1) * size] = block
                if r2 != r:
                    mat[r2 * size:(r2 + 1) * size, r * size:(r + 1) * size] = block.T
    return mat


def cholesky_shifted(mat: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
    """The Cholesky factor L (L Lᵀ = mat + δI) of a normal matrix, with the smallest shift δ = 1e-14·100^k·mean(diag)
    (k < SHIFT_TRIES) at which rounding leaves it positive definite (late steps make it ill-conditioned: LAPACK and
    cuSOLVER round differently). The shift only perturbs the Newton direction; every iterate is still certified by its
    own dual bound. ``mat`` is shifted in place; the factor is written into ``out`` if given."""
    shift = 1e-14 * float(mat.diagonal().mean())
    mat.diagonal().add_(shift)
    outs = None if out is None else (out, torch.empty((), dtype=torch.int32, device=mat.device))
    for _ in range(SHIFT_TRIES - 1):
        factor, info = torch.linalg.cholesky_ex(mat, out=outs)
        if int(info) == 0:
            return factor
        mat.diagonal().add_(99.0 * shift)
        shift *= 100.0
    return torch.linalg.cholesky(mat, out=out)
