"""The AND-OR decomposition (Li & Zhang; Chen et al. eq. 4), solved to a certified optimum.

Split each model's output u = v − v(∅) into an AND part and an OR part (spec §3.3):

    v_and = ½(u + q) + p,   v_or = ½(u + q) − p,
    I_and = M_and v_and,    I_or = M_or v_or,      |q_T| ≤ qthres·|u(N)|,

and choose (p, q) to make the interactions sparse. For m ≥ 2 models (Chen et al. eq. 6, spec §7.2) p is a shared
part plus a bounded model-specific part, p_i = p̄ + p̂_i with |p̂_i| ≤ pthres·|mean_i u_i(N)|, and the loss is

    Σ_S [ max_i |I_i(S)| + α Σ_i |I_i(S)| ]   over every AND and every OR subset S.

For one model (α = 0) this is the plain L1 loss ‖I_and‖₁ + ‖I_or‖₁. Both are linear programs. Solvers:

- ``"lp"``, exact: one model or a pair by the interior-point method of :mod:`engine.ipm` (HiGHS if its certificate
  ever falls short, up to HIGHS_MAX_PLAYERS); three or more models by HiGHS on the joint LP (:func:`solve_joint_lp`);
- ``"pdhg"``, first order: restarted PDHG on the fast transforms (:mod:`engine.pdhg`), any m, on the GPU when there is
  one, stopped by time or by its certified gap.

Every solve returns a :class:`Decomposition` whose ``loss`` is the true objective of the returned (p, q) and whose
``gap`` is certified by a dual feasible point (:func:`engine.and_or_ops.dual_bound`): loss ≤ (1 + gap)·optimum. No solve
returns a point worse than the half/half split (p = q = 0) or the AND-only split (v_or = 0). :func:`plan` is the one
policy that picks the solver and the device; :func:`reorganize` folds ∅ and singletons into AND afterwards.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from . import ipm, pdhg
from .and_or_ops import dual_bound, relative_gap
from .errors import EngineError, TooLarge
from .harsanyi import and_interactions, or_interactions, zeta
from .masks import n_players_of, popcounts

QTHRES_SINGLE = 0.04  # interaction-concept and interaction-sparsity (spec §3.3)
QTHRES_SHARED = 0.02  # generalizable-interaction (spec §7.2)
PTHRES_SHARED = 0.5
ALPHA_SHARED = 0.1
SOLVE_MEAN_U = 10.0  # every solver works on u scaled to mean |u| = 10 (the loss is 1-homogeneous) and scales back
GAP_TOLERANCE = 0.005  # PDHG stops once its certified gap is below 0.5 %
PDHG_MAX_ITER = 200_000
PDHG_MAX_SECONDS = 60.0
LP_MAX_PLAYERS = 13  # one model: the exact interior point up to here on a CPU (2^n rows: 8-15 s at n = 12, 49-66 s at 13)
JOINT_LP_MAX_PLAYERS = 11  # a pair: the exact interior point up to here on a CPU (3·2^n rows: 3-5 s at 10, 18-24 s at 11)
HIGHS_MAX_PLAYERS = 10  # three or more models, and the interior point's fallback: HiGHS, minutes beyond (212 s at 12)
GPU_LP_MAX_PLAYERS = 16  # on a CUDA GPU, one model (the 2^16×2^16 normal matrix and its factor: 69 GB, 64 GiB)
GPU_JOINT_LP_MAX_PLAYERS = 13  # on a CUDA GPU, a pair (3·2^13 rows: 9.7 GB); three or more models stay with HiGHS
IPM_GPU_MIN_ROWS = 2048  # the interior point moves to a CUDA GPU from this many normal-matrix rows (n = 11, a pair 10)
LP_METHOD = "highs-ipm"  # HiGHS' interior point: 2-3× faster than its simplex on the joint LP at n = 8
GPU_MIN_PLAYERS = 16  # below this PDHG's small kernels run faster on the CPU (H100: 5×)
SOLVERS = ("auto", "lp", "pdhg")


@dataclass(frozen=True)
class SolverSettings:
    """Everything besides the outputs that decides an AND-OR solve.

    ``alpha`` and ``pthres`` matter for m ≥ 2 models only; ``tol``, ``max_iter`` and ``max_seconds`` for PDHG only.
    """

    qthres: float = QTHRES_SINGLE
    alpha: float = 0.0
    pthres: float = PTHRES_SHARED
    solver: str = "auto"
    tol: float = GAP_TOLERANCE
    max_iter: int = PDHG_MAX_ITER
    max_seconds: float = PDHG_MAX_SECONDS
    device: str | None = None


@dataclass(frozen=True)
class Plan:
    """Which solver runs, and where."""

    solver: str  # "lp" or "pdhg"
    device: str


def ipm_rows(n: int, m: int) -> int:
    """Rows of the exact LP's normal matrix: 2^n for one model, 3·2^n for a pair (two models and their coupling,
    :func:`engine.ipm.pair`), and m·2^(n+1) for HiGHS' joint LP of three or more (its sum and difference rows)."""
    return (1 << n) if m == 1 else 3 << n if m == 2 else m << (n + 1)


def uses_cuda(settings: SolverSettings | None = None) -> bool:
    """Whether solves may run on a CUDA GPU: there is one, and the settings do not pin a device other than CUDA."""
    device = None if settings is None else settings.device
    return (device is None or torch.device(device).type == "cuda") and torch.cuda.is_available()


def exact_max_players(m: int, settings: SolverSettings | None = None) -> int:
    """Most players that "auto" solves exactly for m models: LP_MAX_PLAYERS (one model), JOINT_LP_MAX_PLAYERS (a pair)
    and HIGHS_MAX_PLAYERS (three or more, HiGHS) on a CPU; with a CUDA GPU (:func:`uses_cuda`) GPU_LP_MAX_PLAYERS and
    GPU_JOINT_LP_MAX_PLAYERS (the interior point's dense normal matrix of 2^n or 3·2^n rows is factorised there)."""
    gpu = uses_cuda(settings)
    if m == 1:
        return GPU_LP_MAX_PLAYERS if gpu else LP_MAX_PLAYERS
    if m == 2:
        return GPU_JOINT_LP_MAX_PLAYERS if gpu else JOINT_LP_MAX_PLAYERS
    return HIGHS_MAX_PLAYERS


def plan(n: int, m: int, settings: SolverSettings) -> Plan:
    """The one placement policy: "auto" is the exact LP up to :func:`exact_max_players`, PDHG beyond (and where the
    LP does not fit the time or the memory: :func:`engine.limits.affordable_settings`), and an exact LP is refused
    more than one player beyond it. With a CUDA GPU the interior point runs there from IPM_GPU_MIN_ROWS
    normal-matrix rows (one model or a pair) and PDHG from GPU_MIN_PLAYERS; everything else on the CPU."""
    if settings.solver not in SOLVERS:
        raise EngineError(f"unknown AND-OR solver {settings.solver!r}; choose one of {', '.join(SOLVERS)}")
    solver = settings.solver
    exact_max = exact_max_players(m, settings)
    if solver == "auto":
        solver = "lp" if n <= exact_max else "pdhg"
    elif solver == "lp" and n > exact_max + 1:  # dense 4^n matrices: out of memory long before out of time
        raise TooLarge(f"the exact {'joint ' if m > 1 else ''}LP runs up to {exact_max + 1} players (here {n}); "
                       f"choose the first-order solver, fewer players, or AND interactions only (no solver).")
    device = settings.device
    if device is None:
        big = ipm_rows(n, m) >= IPM_GPU_MIN_ROWS and m <= 2 if solver == "lp" else n >= GPU_MIN_PLAYERS
        device = "cuda" if big and uses_cuda() else "cpu"
    return Plan(solver, device)


@dataclass
class Decomposition:
    """AND and OR interactions of m models (rows), reorganised, with the fitted parameters and the solver's report."""

    i_and: np.ndarray  # (m, 2^n), computed on u = v − v(∅): entry ∅ is 0 before v(∅) is added back
    i_or: np.ndarray  # (m, 2^n)
    p: np.ndarray  # (m, 2^n): p̄ + p̂_i
    q: np.ndarray  # (m, 2^n)
    loss: float  # the true objective of (p, q), before reorganisation
    lower_bound: float  # certified: no (p, q) has a smaller loss
    solver: str
    iterations: int = 0
    seconds: float = 0.0
    curve: list[tuple[int, float, float]] = field(default_factory=list)  # (iteration, best loss, best lower bound)
    tol: float = 0.0  # the gap the solver aimed for

    @property
    def gap(self) -> float:
        """Certified relative gap (loss − lower bound)/lower bound: an upper bound on loss/optimum − 1."""
        return relative_gap(self.loss, self.lower_bound)

    @property
    def converged(self) -> bool:
        """Whether the certified gap met the solver's aim."""
        return self.gap <= self.tol

    def report(self) -> dict:
        """The solve's facts as JSON-ready values (an infinite gap, where no positive bound is known, as None)."""
        return {"solver": self.solver, "loss": self.loss, "lower_bound": self.lower_bound,
                "gap": self.gap if math.isfinite(self.gap) else None, "iterations": self.iterations,
                "seconds": self.seconds, "converged": self.converged, "curve": self.curve}


@dataclass
class _Solution:
    """What a solver hands back, on the scaled u: a feasible (p, q), a certified lower bound, its work."""

    p: torch.Tensor
    q: torch.Tensor
    lower_bound: float
    iterations: int = 0
    curve: list[tuple[int, float, float]] = field(default_factory=list)


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


def specific_bound(u: torch.Tensor, pthres: float) -> float:
    """Bound β on the model-specific parts |p̂_i|: pthres·|mean_i (u_i(N) − u_i(∅))|; 0 for one model (p is free)."""
    return float((pthres * (u[:, -1] - u[:, 0]).mean()).abs()) if u.shape[0] > 1 else 0.0


def within_specific_bound(p: torch.Tensor, beta: float) -> torch.Tensor:
    """p with each model's specific part clipped, p_i = p̄ + clip(p_i − p̄, ±β), p̄ the mean over models (the rows);
    one model's p is free and returned as it is."""
    if p.shape[0] == 1:
        return p
    shared = p.mean(dim=0, keepdim=True)
    return shared + (p - shared).clamp(-beta, beta)


def _starts(u: torch.Tensor, beta: float) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Feasible (p, q) every solver must beat: the half/half split p = q = 0 and the AND-only split p = ½u (for
    several models with p̂ clipped to ±β, which leaves it AND-only wherever the models agree closely enough)."""
    zero = torch.zeros_like(u)
    return [(zero, zero), (within_specific_bound(0.5 * u, beta), zero)]


def _finish(u: torch.Tensor, solution: _Solution, alpha: float, scale: float, beta: float, **report) -> Decomposition:
    """Keep the best of the solution and the starting splits, scale back to u's units, and reorganise."""
    candidates = [(solution.p, solution.q)] + _starts(u, beta)
    losses = [float(shared_loss(*interactions_of(u, cp, cq), alpha)) for cp, cq in candidates]
    best = int(np.argmin(losses))
    p, q = candidates[best]
    ia, io = interactions_of(u, p, q)
    ia, io = reorganize(ia.cpu().numpy() / scale, io.cpu().numpy() / scale)
    curve = [(it, loss / scale, low / scale) for it, loss, low in solution.curve]
    return Decomposition(ia, io, p.cpu().numpy() / scale, q.cpu().numpy() / scale, losses[best] / scale,
                         solution.lower_bound / scale, iterations=solution.iterations, curve=curve, **report)


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


def solve_lp(u: torch.Tensor, settings: SolverSettings, progress=None, cancel=None, device: str = "cpu") -> _Solution:
    """Exact optimum of one model or a pair (u of shape (1 or 2, 2^n)) by :mod:`engine.ipm` on ``device``; m ≥ 3 by
    HiGHS.

    The interior point stops at a certified gap of IPM_GAP; its row prices w give the lower bound (for a pair, the
    coupling block's prices w_c are the dual of the shared part: z₁ = w_c, z₂ = −w_c). It leaves the optimum's zeros
    below 1e-6 of the largest interaction (:data:`engine.result.ZERO_RATIO` counts them as zeros). Should the interior
    point fail numerically or its certificate stay above IPM_FALLBACK_GAP (neither has happened on any game tried),
    HiGHS solves the LP instead where it takes seconds (n ≤ HIGHS_MAX_PLAYERS); beyond, the interior point's best
    certified iterate stands, and its gap is what the views show. For one model the loss N(I) = (1 + α)|I| is the L1
    loss times (1 + α), so the L1 bound is scaled by it.
    """
    m = u.shape[0]
    if m > 2:
        return solve_joint_lp(u, settings)
    n = n_players_of(u.shape[-1])
    bound = noise_bounds(u, settings.qthres)
    beta = specific_bound(u, settings.pthres)
    rows = u.cpu().numpy()
    structure = (ipm.single(rows[0], float(bound[0, 0])) if m == 1
                 else ipm.pair(rows, (float(bound[0, 0]), float(bound[1, 0])), beta, settings.alpha))

    def lower_of(w: np.ndarray) -> float:
        if m == 1:
            l1_bound = dual_bound(u, torch.as_tensor(w[:1]), torch.zeros_like(u), bound, 0.0, 0.0, n)
            return (1.0 + settings.alpha) * l1_bound
        z = torch.as_tensor(np.stack([w[2], -w[2]]))
        return dual_bound(u, torch.as_tensor(w[:2]), z, bound, beta, settings.alpha, n)

    def point_of(out: ipm.IpmOutcome) -> tuple[torch.Tensor, torch.Tensor]:
        """The feasible (p, q) of an iterate: p from its AND interactions, p̂ clipped to ±β for a pair."""
        a = torch.as_tensor(structure.and_atoms[:, :m].T @ out.and_values)
        p, q = split_of(u, a, torch.as_tensor(out.slacks[:m]))
        return within_specific_bound(p, beta), q

    def loss_of(point: tuple[torch.Tensor, torch.Tensor]) -> float:
        return float(shared_loss(*interactions_of(u, *point), settings.alpha))

    def gap_of(out: ipm.IpmOutcome) -> float:
        return relative_gap(loss_of(point_of(out)), lower_of(out.w))

    highs_affordable = n <= HIGHS_MAX_PLAYERS
    out_of_memory = False
    try:
        out = ipm.solve(structure, gap_of, IPM_GAP, progress=progress, cancel=cancel, device=device)
    except (torch.linalg.LinAlgError, FloatingPointError, ValueError):  # a factorisation lost positive definiteness
        if highs_affordable:
            return solve_joint_lp(u, settings)
        raise EngineError(f"the exact LP of {n} players failed numerically in its first steps; choose the first-order "
                          f"solver, fewer players, or AND interactions only (no solver).") from None
    except torch.cuda.OutOfMemoryError:
        out_of_memory = True  # raised below, outside this block: the error's frames hold the solver's buffers
    if out_of_memory:
        raise TooLarge(f"the exact LP of {n} players does not fit in the GPU's memory; choose the first-order solver, "
                       f"fewer players, or AND interactions only (no solver).")
    lower, point = lower_of(out.w), point_of(out)
    if relative_gap(loss_of(point), lower) > IPM_FALLBACK_GAP and highs_affordable:
        return solve_joint_lp(u, settings)
    return _Solution(*point, lower, out.iterations)


IPM_GAP = 1e-6
IPM_FALLBACK_GAP = 1e-4


def split_of(u: torch.Tensor, a: torch.Tensor, q: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(p, q) whose AND interactions are a: v_and = Z a = ½(u + q) + p."""
    return zeta(a) - 0.5 * (u + q), q



def solve_joint_lp(u: torch.Tensor, settings: SolverSettings) -> _Solution:
    """Exact optimum of the (joint) loss for u of shape (m, 2^n) by HiGHS.

    Variables per model: a±, o± ≥ 0 (the interactions), q, s = Σ_{T≠∅} o(T), p̂; shared: p̄ and the per-subset
    maxima t_and, t_or. Rows per model: Z a + W o + s − q = u and Z a − W o − s − 2p̄ − 2p̂ = 0 (the sum and the
    difference of v_and and v_or, with B o = W o + s, W o(S) = o(∅) − Σ_{∅≠T⊆N∖S} o(T)), s = Σ_{T≠∅} o(T), and
    a⁺ + a⁻ ≤ t_and, o⁺ + o⁻ ≤ t_or. Objective: Σ t_and + Σ t_or + α Σ (a⁺ + a⁻ + o⁺ + o⁻).
    """
    import scipy.sparse as sp
    from scipy.optimize import linprog

    m, size = u.shape
    n = n_players_of(size)
    u_np = u.cpu().numpy()
    z_mat, w_mat = _sparse_zeta(n), _sparse_or_values(n)
    eye, ones = sp.identity(size, format="csr"), sp.csr_matrix(np.ones((size, 1)))
    nonempty = sp.csr_matrix(np.r_[0.0, np.ones(size - 1)][None])
    width = 6 * size + 1  # a⁺, a⁻, o⁺, o⁻, q, p̂, s
    total = m * width + 3 * size  # then p̄, t_and, t_or
    pbar_col, ta_col, to_col = m * width, m * width + size, m * width + 2 * size

    def block(pieces: dict[int, sp.spmatrix], rows: int) -> sp.csr_matrix:
        """A row block with ``pieces`` placed at their first columns."""
        mats, cursor = [], 0
        for col, mat in sorted(pieces.items()):
            mats += [sp.csr_matrix((rows, col - cursor)), mat]
            cursor = col + mat.shape[1]
        mats.append(sp.csr_matrix((rows, total - cursor)))
        return sp.hstack(mats, format="csr")

    eq, eq_rhs, ub = [], [], []
    bound = noise_bounds(u, settings.qthres).cpu().numpy()[:, 0]
    beta = specific_bound(u, settings.pthres)
    for i in range(m):
        c0 = i * width
        eq.append(block({c0: sp.hstack([z_mat, -z_mat, w_mat, -w_mat, -eye]), c0 + 6 * size: ones}, size))
        eq_rhs.append(u_np[i])
        eq.append(block({c0: sp.hstack([z_mat, -z_mat, -w_mat, w_mat]), c0 + 5 * size: -2 * eye,
                         c0 + 6 * size: -ones, pbar_col: -2 * eye}, size))
        eq_rhs.append(np.zeros(size))
        eq.append(block({c0 + 2 * size: sp.hstack([-nonempty, nonempty]), c0 + 6 * size: sp.csr_matrix([[1.0]])}, 1))
        eq_rhs.append(np.zeros(1))
        ub.append(block({c0: sp.hstack([eye, eye]), ta_col: -eye}, size))
        ub.append(block({c0 + 2 * size: sp.hstack([eye, eye]), to_col: -eye}, size))
    cost = np.zeros(total)
    cost[ta_col:] = 1.0
    for i in range(m):
        cost[i * width: i * width + 4 * size] = settings.alpha
    bounds = []
    for i in range(m):
        bounds += [(0, None)] * (4 * size) + [(-bound[i], bound[i])] * size + [(-beta, beta)] * size + [(None, None)]
    bounds += [(None, None)] * size + [(0, None)] * (2 * size)
    res = linprog(cost, A_ub=sp.vstack(ub, format="csc"), b_ub=np.zeros(2 * m * size),
                  A_eq=sp.vstack(eq, format="csc"), b_eq=np.concatenate(eq_rhs), bounds=bounds, method=LP_METHOD)
    if res.status != 0:  # HiGHS gave up: the best starting split, with no certificate (the views warn)
        return _Solution(*_starts(u, beta)[1], 0.0)
    x = res.x
    pbar = x[pbar_col: pbar_col + size]
    p = np.stack([pbar + np.clip(x[i * width + 5 * size: i * width + 6 * size], -beta, beta) for i in range(m)])
    q = np.stack([x[i * width + 4 * size: i * width + 5 * size] for i in range(m)])
    q = np.clip(q, -bound[:, None], bound[:, None])
    duals = res.eqlin.marginals.reshape(m, 2 * size + 1)
    y, z = torch.as_tensor(duals[:, :size]), torch.as_tensor(duals[:, size: 2 * size])
    lower = dual_bound(u, y, z, torch.as_tensor(bound).reshape(-1, 1), beta, settings.alpha, n)
    return _Solution(torch.as_tensor(p), torch.as_tensor(q), lower)


def solve_first_order(u: torch.Tensor, settings: SolverSettings, device: str, progress=None,
                      cancel=None) -> _Solution:
    """Restarted PDHG (:mod:`engine.pdhg`) from the best starting split, on ``device``."""
    dev = torch.device(device)
    u = u.to(dev)
    beta = specific_bound(u, settings.pthres)
    out = pdhg.solve(u, noise_bounds(u, settings.qthres), beta, settings.alpha, _starts(u, beta), tol=settings.tol,
                     max_iter=settings.max_iter, max_seconds=settings.max_seconds, progress=progress, cancel=cancel)
    return _Solution(out.p.cpu(), out.q.cpu(), out.lower_bound, out.iterations, out.curve)


def half_half_loss(u: np.ndarray | torch.Tensor) -> float:
    """L1 of the naive split p = q = 0 (v_and = v_or = u/2): the starting point of every solver."""
    t = _as_rows(torch.as_tensor(u))
    ia, io = interactions_of(t, torch.zeros_like(t), torch.zeros_like(t))
    return float(shared_loss(ia, io, 0.0))


def and_only_loss(u: np.ndarray | torch.Tensor) -> float:
    """L1 of the plain Harsanyi dividends of u (no OR part), the AND-only reference."""
    return float(and_interactions(_as_rows(torch.as_tensor(u))).abs().sum())


def solve(u: np.ndarray | torch.Tensor, settings: SolverSettings, progress=None, cancel=None) -> Decomposition:
    """The AND-OR decomposition of u (2^n,) or (m, 2^n), each row with u(∅) = 0, by the solver :func:`plan` picks."""
    start = time.perf_counter()
    rows = _as_rows(torch.as_tensor(u)).cpu()
    m, size = rows.shape
    n = n_players_of(size)
    chosen = plan(n, m, settings)
    mean = float(rows.abs().mean())
    scale = SOLVE_MEAN_U / mean if mean > 0 else 1.0
    scaled = rows * scale
    if mean == 0.0:  # u ≡ 0 (no player moves the output): p = q = 0 is optimal, its loss 0 its own lower bound
        solution = _Solution(torch.zeros_like(scaled), torch.zeros_like(scaled), 0.0)
    elif chosen.solver == "lp":
        if progress is not None:
            progress(0.0, f"exact LP over {m} × 2 × 2^{n} interactions")
        solution = solve_lp(scaled, settings, progress, cancel, chosen.device)
    else:
        solution = solve_first_order(scaled, settings, chosen.device, progress, cancel)
    return _finish(scaled, solution, settings.alpha, scale, beta=specific_bound(scaled, settings.pthres),
                   solver=chosen.solver, seconds=time.perf_counter() - start,
                   tol=settings.tol if chosen.solver == "pdhg" else IPM_FALLBACK_GAP)


def decompose(
    u: np.ndarray | torch.Tensor,
    *,
    qthres: float = QTHRES_SINGLE,
    solver: str = "auto",
    settings: SolverSettings | None = None,
    progress=None,
    cancel=None,
) -> Decomposition:
    """AND-OR decomposition of one model's u (u(∅) = 0): ``.loss`` is the objective of the returned solution,
    ``.gap`` its certified relative gap to the optimum. ``settings`` (if given) overrides ``qthres`` and ``solver``."""
    settings = settings or SolverSettings(qthres=qthres, solver=solver)
    return solve(u, replace(settings, alpha=0.0), progress, cancel)


def decompose_joint(
    u_stack: np.ndarray | torch.Tensor,
    *,
    alpha: float = ALPHA_SHARED,
    pthres: float = PTHRES_SHARED,
    qthres: float = QTHRES_SHARED,
    solver: str = "auto",
    settings: SolverSettings | None = None,
    progress=None,
    cancel=None,
) -> Decomposition:
    """Joint extraction (Chen et al. eq. 6) over m ≥ 2 models, u_stack of shape (m, 2^n), each row with u(∅) = 0;
    ``.loss`` is the joint objective of the returned solution, ``.gap`` its certified relative gap."""
    settings = settings or SolverSettings(qthres=qthres, alpha=alpha, pthres=pthres, solver=solver)
    return solve(u_stack, settings, progress, cancel)
