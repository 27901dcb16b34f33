"""Restarted, diagonally preconditioned PDHG for the AND-OR problem, with a certified gap at every check.

The problem of :mod:`engine.and_or_ops` is the saddle point

    min_{p̄, |p̂| ≤ β, |q| ≤ b}  max_{Y ∈ D}  Σ Yᵀ(K x + d),    K x = (M(p + ½q), M_or(½q − p)),  d = (M ½u, M_or ½u),

with D the product over subsets of the unit balls of the dual norm N*. PDHG (Chambolle & Pock 2011) alternates a
projected primal step x⁺ = proj(x − τ KᵀY) and a projected dual step Y⁺ = proj_D(Y + σ(K(2x⁺ − x) + d)), with the
diagonal step sizes of Pock & Chambolle (2011): τ_j = η/(ω Σ_i|K_ij|), σ_i = ηω/Σ_j|K_ij|.

What makes it converge fast (Applegate et al. 2021, PDLP):
- **adaptive restarts**: every ``check_every`` iterations the current point and the average since the last restart
  are scored by their KKT error (stationarity in p and q, and the saddle gap); the better one becomes the new start
  when the error fell enough since the last restart (factor 0.2), stopped falling (factor 0.8), or the epoch grew
  long;
- **primal weight** ω, rebalanced at each restart from how far the primal and dual parts moved.

The primal iterate is always feasible, so its loss is an upper bound; :func:`engine.and_or_ops.dual_bound` turns the
dual iterate into a lower bound. The solver returns the best primal point seen (never worse than the half/half and
the AND-only splits, which are its first candidates) and stops when (upper − lower)/lower ≤ ``tol``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from .and_or_ops import and_map, and_map_t, dual_bound, or_map, or_map_t, relative_gap
from .errors import Cancelled
from .masks import n_players_of, popcounts

STEP = 0.99  # η: below 1 = ‖Σ^½ K T^½‖ bound of the diagonal preconditioner
RESTART_SUFFICIENT = 0.2
RESTART_NECESSARY = 0.8
RESTART_ARTIFICIAL = 0.36
PRIMAL_WEIGHT_SMOOTHING = 0.5


@dataclass
class PdhgOutcome:
    """The best primal point (p per model, q per model) with its loss, the best lower bound, and the run's record."""

    p: torch.Tensor
    q: torch.Tensor
    loss: float
    lower_bound: float
    iterations: int
    seconds: float
    curve: list[tuple[int, float, float]] = field(default_factory=list)  # (iteration, best loss, best lower bound)


@dataclass
class _Point:
    """A primal-dual pair with its images under K and Kᵀ (kept so that averages cost no transforms)."""

    pbar: torch.Tensor
    phat: torch.Tensor
    q: torch.Tensor
    ya: torch.Tensor
    yo: torch.Tensor
    ka: torch.Tensor  # M(p + ½q)
    ko: torch.Tensor  # M_or(½q − p)
    ga: torch.Tensor  # Mᵀ ya
    go: torch.Tensor  # M_orᵀ yo

    def fields(self) -> tuple[torch.Tensor, ...]:
        return (self.pbar, self.phat, self.q, self.ya, self.yo, self.ka, self.ko, self.ga, self.go)

    def scaled_add(self, other: _Point, weight: float) -> None:
        for mine, theirs in zip(self.fields(), other.fields()):
            mine.add_(theirs, alpha=weight)

    def copy(self) -> _Point:
        return _Point(*(t.clone() for t in self.fields()))


def project_dual(y: torch.Tensor, alpha: float) -> torch.Tensor:
    """Project each column y[:, S] (the m models of one subset) onto {a + b : ‖a‖₁ ≤ 1, ‖b‖_∞ ≤ α}, the unit ball of
    the dual norm of N(z) = max_i|z_i| + α Σ_i|z_i|: the excess e = max(|y| − α, 0) is projected onto the ℓ1 ball
    (Duchi et al. 2008, sorting the m entries) and the part that does not fit is removed."""
    if y.shape[0] == 1:
        return y.clamp(-1.0 - alpha, 1.0 + alpha)
    excess = (y.abs() - alpha).clamp_min(0.0)
    inside = excess.sum(dim=0) <= 1.0
    srt = torch.sort(excess, dim=0, descending=True).values
    css = srt.cumsum(dim=0) - 1.0
    ks = torch.arange(1, y.shape[0] + 1, dtype=y.dtype, device=y.device).reshape(-1, 1)
    rho = ((srt - css / ks) > 0).sum(dim=0, keepdim=True).clamp_min(1)
    theta = css.gather(0, rho - 1) / rho.to(y.dtype)
    projected = torch.where(inside, excess, (excess - theta).clamp_min(0.0))
    return y - torch.sign(y) * (excess - projected)


def solve(
    u: torch.Tensor,
    q_bound: torch.Tensor,
    phat_bound: float,
    alpha: float,
    starts: list[tuple[torch.Tensor, torch.Tensor]],
    *,
    tol: float,
    max_iter: int,
    max_seconds: float,
    check_every: int = 64,
    progress: Callable[[float, str], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> PdhgOutcome:
    """Minimise the AND-OR loss of :mod:`engine.and_or_ops` for u (m, 2^n) with |q| ≤ q_bound (m, 1), |p̂| ≤ phat_bound.

    ``starts`` are feasible (p, q) pairs (each (m, 2^n)) scored first; the best one is where PDHG starts.
    """
    start_time = time.perf_counter()
    m, size = u.shape
    n = n_players_of(size)
    joint = m > 1
    half = 0.5 * u
    d_and, d_or = and_map(half, n), or_map(half, n)

    def loss_of(ka: torch.Tensor, ko: torch.Tensor) -> float:
        both = torch.cat([ka + d_and, ko + d_or], dim=-1).abs()
        return float(both.max(dim=0).values.sum() + alpha * both.sum())

    def lower_of(point: _Point) -> float:
        y, z = 0.5 * (point.ga + point.go), 0.5 * (point.ga - point.go)
        bound = dual_bound(u, y, z, q_bound, phat_bound, alpha, n)
        if not joint:  # one model: z must be 0, and Mᵀya or M_orᵀyo alone are dual candidates too
            zero = torch.zeros_like(z)
            bound = max(bound, dual_bound(u, point.ga, zero, q_bound, 0.0, alpha, n),
                        dual_bound(u, point.go, zero, q_bound, 0.0, alpha, n))
        return bound

    # Step sizes from the row and column sums of |K| (Pock & Chambolle 2011, α = 1).
    k = torch.tensor(popcounts(n), dtype=u.dtype, device=u.device)
    and_rows = torch.pow(2.0, k)  # row S of M has 2^|S| nonzeros
    or_rows = and_rows.clone()
    or_rows[0] = 1.0
    and_cols = torch.pow(2.0, n - k)  # column T of M: the supersets of T
    or_cols = torch.pow(2.0, k)  # column T of M_or: rows S ⊇ N∖T (T = ∅ also hits row ∅)
    or_cols[0] += 1.0
    coef_row = 1.0 + 0.5 + (1.0 if joint else 0.0)  # |coefficients| of p̄, q, p̂ in each row
    sigma_and = 1.0 / (coef_row * and_rows)
    sigma_or = 1.0 / (coef_row * or_rows)
    cols = and_cols + or_cols
    tau_pbar, tau_phat, tau_q = 1.0 / (m * cols), 1.0 / cols, 1.0 / (0.5 * cols)

    def primal_point(p: torch.Tensor, q: torch.Tensor) -> _Point:
        pbar = p.mean(dim=0, keepdim=True) if joint else p.clone()
        phat = p - pbar if joint else torch.zeros_like(p)
        zeros = torch.zeros_like(u)
        return _Point(pbar, phat, q.clone(), zeros, zeros.clone(), and_map(p + 0.5 * q, n), or_map(0.5 * q - p, n),
                      zeros.clone(), zeros.clone())

    candidates = [primal_point(p, q) for p, q in starts]
    scores = [loss_of(c.ka, c.ko) for c in candidates]
    best_index = min(range(len(scores)), key=scores.__getitem__)
    best_loss = scores[best_index]
    best_p = candidates[best_index].pbar + candidates[best_index].phat
    best_q = candidates[best_index].q.clone()
    current = candidates[best_index]
    best_lower = lower_of(current)  # Y = 0 gives 0: a valid, trivial bound

    def kkt_error(point: _Point, weight: float) -> float:
        """PDLP-style KKT error: stationarity in p and q (projected) and the saddle gap Σ N(Kx+d) − Yᵀ(Kx+d)."""
        grad_p = point.ga - point.go
        res_p = grad_p.sum(dim=0) if joint else grad_p
        lam = 0.5 * (point.ga + point.go)
        res_q = point.q - torch.maximum(torch.minimum(point.q - lam, q_bound), -q_bound)
        ia, io = point.ka + d_and, point.ko + d_or
        both = torch.cat([ia, io], dim=-1).abs()
        paired = float((point.ya * ia).sum() + (point.yo * io).sum())
        saddle = float(both.max(dim=0).values.sum() + alpha * both.sum()) - paired
        dual_sq = float((res_p ** 2).sum() + (res_q ** 2).sum())
        return math.sqrt(dual_sq / weight + saddle ** 2)

    omega = 1.0
    restart_point = current.copy()
    restart_gap = math.inf
    previous_candidate_gap = math.inf
    average = current.copy()
    weight = 1
    since_restart = 0
    curve = [(0, best_loss, best_lower)]
    iteration = 0
    while iteration < max_iter:
        tau_scale, sigma_scale = STEP / omega, STEP * omega
        x = current
        grad_p = x.ga - x.go
        grad_q = 0.5 * (x.ga + x.go)
        pbar = x.pbar - tau_scale * tau_pbar * grad_p.sum(dim=0, keepdim=True)
        if joint:
            phat = (x.phat - tau_scale * tau_phat * grad_p).clamp(-phat_bound, phat_bound)
        else:
            phat = x.phat
        q = torch.maximum(torch.minimum(x.q - tau_scale * tau_q * grad_q, q_bound), -q_bound)
        p = pbar + phat
        ka, ko = and_map(p + 0.5 * q, n), or_map(0.5 * q - p, n)
        ya = project_dual(x.ya + sigma_scale * sigma_and * (2 * ka - x.ka + d_and), alpha)
        yo = project_dual(x.yo + sigma_scale * sigma_or * (2 * ko - x.ko + d_or), alpha)
        current = _Point(pbar, phat, q, ya, yo, ka, ko, and_map_t(ya, n), or_map_t(yo, n))
        iteration += 1
        since_restart += 1
        weight += 1
        average.scaled_add(current, 1.0)
        if iteration % check_every and iteration < max_iter:
            continue

        mean = _Point(*(t / weight for t in average.fields()))
        scored = []
        for point in (current, mean):
            upper, lower = loss_of(point.ka, point.ko), lower_of(point)
            if upper < best_loss:
                best_loss, best_p, best_q = upper, (point.pbar + point.phat).clone(), point.q.clone()
            best_lower = max(best_lower, lower)
            scored.append((kkt_error(point, omega), point))
        candidate_gap, candidate = min(scored, key=lambda s: s[0])
        curve.append((iteration, best_loss, best_lower))
        gap = relative_gap(best_loss, best_lower)
        if progress is not None:
            within = f"certified within {100 * gap:.2g} %" if math.isfinite(gap) else "certified within: no bound yet"
            progress(min(1.0, iteration / max_iter),
                     f"AND-OR solver: iteration {iteration}, loss {best_loss:.4g}, {within}")
        if cancel is not None and cancel():
            raise Cancelled("AND-OR decomposition cancelled")
        if gap <= tol:
            break
        if time.perf_counter() - start_time > max_seconds:
            break
        restart = (
            candidate_gap <= RESTART_SUFFICIENT * restart_gap
            or (candidate_gap <= RESTART_NECESSARY * restart_gap and candidate_gap > previous_candidate_gap)
            or since_restart >= RESTART_ARTIFICIAL * iteration
        )
        previous_candidate_gap = candidate_gap
        if restart:
            moved_primal = math.sqrt(float(((candidate.pbar - restart_point.pbar) ** 2).sum()
                                           + ((candidate.phat - restart_point.phat) ** 2).sum()
                                           + ((candidate.q - restart_point.q) ** 2).sum()))
            moved_dual = math.sqrt(float(((candidate.ya - restart_point.ya) ** 2).sum()
                                         + ((candidate.yo - restart_point.yo) ** 2).sum()))
            if moved_primal > 1e-10 and moved_dual > 1e-10:
                omega = math.exp(PRIMAL_WEIGHT_SMOOTHING * math.log(moved_dual / moved_primal)
                                 + (1 - PRIMAL_WEIGHT_SMOOTHING) * math.log(omega))
            current = candidate.copy()
            restart_point = current.copy()
            restart_gap = candidate_gap
            previous_candidate_gap = math.inf
            average = current.copy()
            weight = 1
            since_restart = 0
    return PdhgOutcome(best_p, best_q, best_loss, best_lower, iteration, time.perf_counter() - start_time, curve)
