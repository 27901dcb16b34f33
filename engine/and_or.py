"""The AND-OR decomposition (Li & Zhang; Chen et al. eq. 4), solved to its optimum.

Split each model's output u = v − v(∅) into an AND part and an OR part (spec §3.3):

    v_and = ½(u + q) + p,   v_or = ½(u + q) − p,
    I_and = M_and v_and,    I_or = M_or v_or,      |q_T| ≤ qthres·|u(N)|,

and choose (p, q) to make the interactions sparse. For m ≥ 2 models (Chen et al. eq. 6, spec §7.2) p is a shared
part plus a bounded model-specific part, p_i = p̄ + p̂_i with |p̂_i| ≤ pthres·mean_i u_i(N), and the loss is

    Σ_S [ max_i |I_i(S)| + α Σ_i |I_i(S)| ]   over every AND and every OR subset S.

For one model (α = 0) this is the plain L1 loss ‖I_and‖₁ + ‖I_or‖₁. Both are convex (ℓ1-type norms of an affine map
over a box), so two solvers are offered:

- :func:`solve_lp` — the exact linear program (HiGHS), one model, affordable up to about n = 11;
- :func:`solve_pdhg` — a diagonally preconditioned primal-dual hybrid gradient method (Chambolle & Pock 2011,
  Pock & Chambolle 2011) on the fast O(n·2^n) transforms, for any m, batched, on the GPU when there is one.
  Its step sizes come from the row and column sums of |K| alone, so no learning rate needs tuning to |v| or 2^n.

After solving, :func:`reorganize` folds ∅ and singletons into AND (for one player AND and OR coincide).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from .harsanyi import (
    and_interactions,
    mobius_supersets,
    or_interactions,
    or_interactions_transpose,
)
from .masks import n_players_of, popcounts

PDHG_MAX_ITER = 40000
PDHG_MEAN_U = 10.0  # the solver's scale for u: best or near it on random tanh networks at n = 8, 10 and 12
QTHRES_SINGLE = 0.04  # interaction-concept and interaction-sparsity (spec §3.3)
QTHRES_SHARED = 0.02  # generalizable-interaction (spec §7.2)
PTHRES_SHARED = 0.5
ALPHA_SHARED = 0.1


@dataclass
class Decomposition:
    """AND and OR interactions of m models (rows), reorganised, with the fitted parameters and solver report."""

    i_and: np.ndarray  # (m, 2^n), computed on u = v − v(∅): entry ∅ is 0 before v(∅) is added back
    i_or: np.ndarray  # (m, 2^n)
    p: np.ndarray  # (m, 2^n): p̄ + p̂_i
    q: np.ndarray  # (m, 2^n)
    loss: float  # objective value at the solution (before reorganisation)
    solver: str
    iterations: int = 0
    seconds: float = 0.0
    curve: list[tuple[int, float]] = field(default_factory=list)  # (iteration, loss)
    converged: bool = True


def _as_rows(u: np.ndarray | torch.Tensor) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(u, dtype=np.float64)) if isinstance(u, np.ndarray) else u.to(torch.float64)
    return t.reshape(1, -1) if t.dim() == 1 else t


def interactions_of(u: torch.Tensor, p: torch.Tensor, q: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(I_and, I_or) = (M_and(½(u+q) + p), M_or(½(u+q) − p)), batched over leading dimensions."""
    half = 0.5 * (u + q)
    return and_interactions(half + p), or_interactions(half - p)


def shared_loss(i_and: torch.Tensor, i_or: torch.Tensor, alpha: float) -> torch.Tensor:
    """Σ_S max_i|I_i(S)| + α Σ_{i,S} |I_i(S)| over AND and OR rows; models on dim 0. For m = 1, α = 0: the L1 norm."""
    both = torch.cat([i_and, i_or], dim=-1).abs()
    return both.max(dim=0).values.sum() + alpha * both.sum()


def reorganize(i_and: np.ndarray, i_or: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fold ∅ and singleton OR terms into AND: I_and(S) += I_or(S), I_or(S) = 0 for |S| ≤ 1 (spec §3.3)."""
    n = n_players_of(i_and.shape[-1])
    low = popcounts(n) <= 1
    a, o = i_and.copy(), i_or.copy()
    a[..., low] += o[..., low]
    o[..., low] = 0.0
    return a, o


def noise_bounds(u: torch.Tensor, qthres: float) -> torch.Tensor:
    """Per-model bound on |q|: qthres·|u(N) − u(∅)|, shape (m, 1)."""
    return (qthres * (u[:, -1] - u[:, 0]).abs()).reshape(-1, 1)


def _project_dual(y: torch.Tensor, alpha: float) -> torch.Tensor:
    """Project each column y[:, k] (the m models of one subset) onto {a + b : ‖a‖₁ ≤ 1, ‖b‖_∞ ≤ α}.

    That set is the unit ball of the dual norm of ‖z‖_∞ + α‖z‖₁. The excess e = max(|y| − α, 0) is projected onto
    the ℓ1 ball (Duchi et al. 2008, sorting the m entries), and the part of it that does not fit is removed.
    """
    if y.shape[0] == 1:
        return y.clamp(-1.0 - alpha, 1.0 + alpha)
    excess = (y.abs() - alpha).clamp_min(0.0)
    inside = excess.sum(dim=0) <= 1.0
    srt = torch.sort(excess, dim=0, descending=True).values
    css = srt.cumsum(dim=0) - 1.0
    ks = torch.arange(1, y.shape[0] + 1, dtype=y.dtype, device=y.device).reshape(-1, 1)
    rho = ((srt - css / ks) > 0).sum(dim=0, keepdim=True).clamp_min(1)
    theta = css.gather(0, rho - 1) / rho.to(y.dtype)
    projected = (excess - theta).clamp_min(0.0)
    projected = torch.where(inside, excess, projected)
    return y - torch.sign(y) * (excess - projected)


def solve_pdhg(
    u: np.ndarray | torch.Tensor,
    *,
    qthres: float = QTHRES_SINGLE,
    pthres: float = PTHRES_SHARED,
    alpha: float = 0.0,
    max_iter: int = PDHG_MAX_ITER,
    tol: float = 1e-6,
    check_every: int = 100,
    patience: int = 5000,
    device: str | torch.device | None = None,
    progress=None,
    cancel=None,
) -> Decomposition:
    """Minimise the (shared) AND-OR loss of the module docstring with preconditioned PDHG.

    ``u`` is (2^n,) for one model or (m, 2^n) for m models, each with u(∅) = 0. The primal iterate is always
    feasible, so the reported loss is the true objective of the returned (p, q). PDHG's iterates oscillate, so it
    stops when the best loss improved by less than ``tol`` (relative) over the last ``patience`` iterations, or after
    ``max_iter`` iterations. Without restarts PDHG converges sublinearly here: at n = 10 it is within about 1% of
    the LP optimum after 30-40k iterations.

    The problem is solved for u·s with s = PDHG_MEAN_U / mean|u| and the solution scaled back: the loss is
    1-homogeneous in (u, p, q), and PDHG's dual ball has radius 1 whatever the size of u, so without this a
    probability output (|u| ~ 0.01) converges some 20 times slower than log-odds.
    """
    start = time.perf_counter()
    dev = torch.device(device) if device is not None else torch.device("cpu")
    u = _as_rows(torch.as_tensor(u)).to(dev)
    scale = PDHG_MEAN_U / max(float(u.abs().mean()), 1e-300)
    u = u * scale
    m, size = u.shape
    n = n_players_of(size)
    q_bound = noise_bounds(u, qthres)
    phat_bound = (pthres * (u[:, -1] - u[:, 0]).mean()).abs() if m > 1 else torch.tensor(0.0, dtype=u.dtype)
    phat_bound = phat_bound.to(dev)

    k = torch.tensor(popcounts(n), dtype=u.dtype, device=dev)
    and_rows = torch.pow(2.0, k)  # row S of M_and has 2^|S| nonzeros
    or_rows = and_rows.clone()
    or_rows[0] = 1.0
    and_cols = torch.pow(2.0, n - k)  # column T of M_and: supersets of T
    or_cols = torch.pow(2.0, k)  # column T of M_or: rows S ⊇ N∖T (T = ∅ also hits row ∅)
    or_cols[0] += 1.0
    coef_row = 1.0 + 0.5 + (1.0 if m > 1 else 0.0)  # |coefficients| of p̄, q, p̂ in each row
    sigma_and = 1.0 / (coef_row * and_rows)
    sigma_or = 1.0 / (coef_row * or_rows)
    tau_pbar = 1.0 / (m * (and_cols + or_cols))
    tau_phat = 1.0 / (and_cols + or_cols)
    tau_q = 1.0 / (0.5 * (and_cols + or_cols))

    zero_and, zero_or = interactions_of(u, torch.zeros_like(u), torch.zeros_like(u))  # d: the interactions at 0
    pbar = torch.zeros(1, size, dtype=u.dtype, device=dev)
    phat = torch.zeros_like(u)
    q = torch.zeros_like(u)
    y_and = torch.zeros_like(u)
    y_or = torch.zeros_like(u)
    pbar_bar, phat_bar, q_bar = pbar, phat, q

    def objective(pb, ph, qq):
        ia, io = interactions_of(u, pb + ph, qq)
        return float(shared_loss(ia, io, alpha)), ia, io

    best = (objective(pbar, phat, q)[0], pbar.clone(), phat.clone(), q.clone())
    curve = [(0, best[0] / scale)]
    history = [best[0]]
    window = max(1, patience // check_every)  # checks spanning ``patience`` iterations
    converged = False
    iteration = 0
    for iteration in range(1, max_iter + 1):
        p_bar = pbar_bar + phat_bar
        ka = and_interactions(p_bar + 0.5 * q_bar)  # K x̄: AND rows
        ko = or_interactions(0.5 * q_bar - p_bar)
        y_and, y_or = _dual_step(y_and, y_or, ka, ko, zero_and, zero_or, sigma_and, sigma_or, alpha)
        gt_and = mobius_supersets(y_and)  # M_andᵀ y
        gt_or = or_interactions_transpose(y_or)  # M_orᵀ y
        grad_p = gt_and - gt_or
        grad_q = 0.5 * (gt_and + gt_or)
        new_pbar = pbar - tau_pbar * grad_p.sum(dim=0, keepdim=True)
        new_phat = (phat - tau_phat * grad_p).clamp(-phat_bound, phat_bound)
        new_q = torch.maximum(torch.minimum(q - tau_q * grad_q, q_bound), -q_bound)
        pbar_bar, phat_bar, q_bar = 2 * new_pbar - pbar, 2 * new_phat - phat, 2 * new_q - q
        pbar, phat, q = new_pbar, new_phat, new_q
        if iteration % check_every == 0:
            loss = objective(pbar, phat, q)[0]
            if loss < best[0]:
                best = (loss, pbar.clone(), phat.clone(), q.clone())
            history.append(best[0])
            curve.append((iteration, loss / scale))
            if progress is not None:
                progress(iteration / max_iter, f"AND-OR solver: iteration {iteration}, loss {loss / scale:.4g}")
            if cancel is not None and cancel():
                from .errors import Cancelled

                raise Cancelled("AND-OR decomposition cancelled")
            if len(history) > window and history[-window - 1] - history[-1] <= tol * max(abs(history[-1]), 1e-12):
                converged = True
                break
    loss, pb, ph, qq = best
    ia, io = interactions_of(u, pb + ph, qq)
    ia, io = reorganize(ia.cpu().numpy() / scale, io.cpu().numpy() / scale)
    return Decomposition(
        i_and=ia,
        i_or=io,
        p=(pb + ph).cpu().numpy() / scale,
        q=qq.cpu().numpy() / scale,
        loss=loss / scale,
        solver="pdhg",
        iterations=iteration,
        seconds=time.perf_counter() - start,
        curve=curve,
        converged=converged,
    )


def _dual_step(y_and, y_or, ka, ko, d_and, d_or, sigma_and, sigma_or, alpha):
    """y ← proj_dual-ball(y + σ(K x̄ + d)) for the AND and OR rows, projected jointly over models per subset."""
    w_and = y_and + sigma_and * (ka + d_and)
    w_or = y_or + sigma_or * (ko + d_or)
    return _project_dual(w_and, alpha), _project_dual(w_or, alpha)


def _sparse_zeta(n: int):
    """Z as a scipy CSR matrix, (Z a)(S) = Σ_{T⊆S} a(T) (3^n nonzeros): a Kronecker power of [[1,0],[1,1]]."""
    import scipy.sparse as sp

    factor = sp.csr_matrix(np.array([[1.0, 0.0], [1.0, 1.0]]))
    mat = sp.csr_matrix(np.ones((1, 1)))
    for _ in range(n):
        mat = sp.kron(factor, mat, format="csr")
    return mat


def _sparse_or_values(n: int):
    """W with W o = v_or(S) = o(∅) + Σ_{T∩S≠∅} o(T) − Σ_{T≠∅} o(T) = o(∅) − Σ_{∅≠T⊆N∖S} o(T).

    Row S is −(row N∖S of Z), with column ∅ set to +1; the missing Σ_{T≠∅} o(T) is the LP's extra variable s.
    """
    w = -_sparse_zeta(n)[::-1].tocsc()
    w[:, 0] = 1.0
    return w.tocsr()


def solve_lp(u: np.ndarray | torch.Tensor, *, qthres: float = QTHRES_SINGLE) -> Decomposition:
    """Exact optimum of ‖I_and‖₁ + ‖I_or‖₁ over p (free) and |q| ≤ qthres·|u(N)| by linear programming (HiGHS).

    Since p is free, choosing p is choosing any split of u + q into an AND and an OR part, so the LP takes the
    interactions themselves as variables (a = I_and, o = I_or, each as a difference of non-negative parts):

        min Σ|a| + Σ|o|   s.t.   Σ_{T⊆S} a(T) + o(∅) + Σ_{T∩S≠∅} o(T) = u(S) + q(S) for every S,  |q| ≤ bound,

    2^n + 1 equality rows and 4·3^n nonzeros (Chen Theorem 2's reconstruction; spec §3.4). Then
    p = v_and − ½(u + q) with v_and = Z a.
    """
    import scipy.sparse as sp
    from scipy.optimize import linprog

    start = time.perf_counter()
    u_vec = np.asarray(torch.as_tensor(u).reshape(-1).cpu().numpy(), dtype=np.float64)
    size = u_vec.size
    n = n_players_of(size)
    z_mat, w_mat = _sparse_zeta(n), _sparse_or_values(n)
    ones = sp.csr_matrix(np.ones((size, 1)))
    # Columns: a⁺, a⁻, o⁺, o⁻ (≥ 0), q (bounded), s = Σ_{T≠∅} o(T) (free).
    values = sp.hstack([z_mat, -z_mat, w_mat, -w_mat, -sp.identity(size), ones])
    sum_row = np.r_[0.0, np.ones(size - 1)]
    total = sp.csr_matrix(np.r_[np.zeros(2 * size), -sum_row, sum_row, np.zeros(size), 1.0][None])
    bound = qthres * abs(u_vec[-1] - u_vec[0])
    res = linprog(
        np.r_[np.ones(4 * size), np.zeros(size + 1)],
        A_eq=sp.vstack([values, total], format="csc"),
        b_eq=np.r_[u_vec, 0.0],
        bounds=[(0, None)] * (4 * size) + [(-bound, bound)] * size + [(None, None)],
        method="highs-ipm",
    )
    if res.status != 0:
        raise RuntimeError(f"LP solver failed: {res.message}")
    a = res.x[:size] - res.x[size : 2 * size]
    q = res.x[4 * size : 5 * size]
    p = (z_mat @ a) - 0.5 * (u_vec + q)
    ia, io = interactions_of(torch.as_tensor(u_vec)[None], torch.as_tensor(p)[None], torch.as_tensor(q)[None])
    loss = float(shared_loss(ia, io, 0.0))
    ia, io = reorganize(ia.numpy(), io.numpy())
    return Decomposition(ia, io, p[None], q[None], loss, "lp", seconds=time.perf_counter() - start)


def half_half_loss(u: np.ndarray | torch.Tensor) -> float:
    """L1 of the naive split p = q = 0 (v_and = v_or = u/2): the starting point of every solver."""
    t = _as_rows(torch.as_tensor(u))
    ia, io = interactions_of(t, torch.zeros_like(t), torch.zeros_like(t))
    return float(shared_loss(ia, io, 0.0))


def and_only_loss(u: np.ndarray | torch.Tensor) -> float:
    """L1 of the plain Harsanyi dividends of u (no OR part), the AND-only reference."""
    return float(and_interactions(_as_rows(torch.as_tensor(u))).abs().sum())


LP_MAX_PLAYERS = 11
LP_SECONDS_AT_MAX = 5.0  # HiGHS' interior point method at n = 11 on two CPU cores; about 8× per player (README)


def chosen_solver(n: int, solver: str = "auto") -> str:
    """The solver :func:`decompose` runs for n players: "auto" is the LP up to LP_MAX_PLAYERS, PDHG beyond."""
    if solver == "auto":
        return "lp" if n <= LP_MAX_PLAYERS else "pdhg"
    return solver


def decompose(
    u: np.ndarray | torch.Tensor,
    *,
    qthres: float = QTHRES_SINGLE,
    solver: str = "auto",
    device: str | torch.device | None = None,
    progress=None,
    cancel=None,
) -> Decomposition:
    """AND-OR decomposition of one model's u (u(∅) = 0): the exact LP up to n = LP_MAX_PLAYERS ("auto"), PDHG beyond."""
    n = n_players_of(torch.as_tensor(u).shape[-1])
    solver = chosen_solver(n, solver)
    if solver == "lp":
        if progress is not None:  # HiGHS reports nothing while it runs: say what is running and for how long
            seconds = max(1, round(LP_SECONDS_AT_MAX * 8.0 ** (n - LP_MAX_PLAYERS)))
            progress(0.0, f"exact LP over 2 × 2^{n} interactions (about {seconds} s on two CPU cores)")
        return solve_lp(u, qthres=qthres)
    if solver == "pdhg":
        return solve_pdhg(u, qthres=qthres, device=device, progress=progress, cancel=cancel)
    raise ValueError(f"unknown AND-OR solver {solver!r}; choose 'auto', 'lp' or 'pdhg'")
