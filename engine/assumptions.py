"""The three sufficient conditions for sparse interactions and the R^(k) bound (Ren et al., ICLR 2024; spec §6).

All on u = v − v(∅) and its Harsanyi (AND) dividends I, with I(∅) = 0:

1. No extremely high-order interactions: I(S) = 0 for |S| > M.
2. Monotonicity: ū^(m) = E_{|S|=m}[u(S)] is non-decreasing in m.
3. Polynomial decrease: ū^(m′) ≥ (m′/m)^p ū^(m) for m′ ≤ m; p estimated against order 1 as
   p = max_{m=2..n} log(ū^(m)/ū^(1)) / log m.

Theorem 3 then bounds the number R^(k) of valid (|I| ≥ τ) interactions of order k by
ū^(1)/(τ|η^(k)|)·|λ^(k) n^{p+δ} + Σ_{i<⌊p⌋} â_i^(k) nⁱ|, via the base-n expansion of spec §6.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from math import comb

import numpy as np

from .harsanyi import and_interactions
from .result import InteractionResult
from .sparsity import TAU_RATIO


def _dividends_of_u(result: InteractionResult) -> np.ndarray:
    return and_interactions(result.u).numpy()


@dataclass
class HighOrderCheck:
    """Assumption 1: strength per order and the estimated maximal order M of any valid interaction."""

    orders: np.ndarray  # 1..n
    max_strength: np.ndarray  # max_{|S|=k} |I(S)|
    mean_strength: np.ndarray
    tau: float
    estimated_m: int  # the largest order that has an interaction with |I| ≥ τ
    passed: bool  # M < n: the top order carries no valid interaction


def high_order_check(result: InteractionResult, tau_ratio: float = TAU_RATIO) -> HighOrderCheck:
    """Per-order max and mean |I(S)|; M = the largest k with some |I(S)| ≥ τ (τ = tau_ratio·max|I|)."""
    dividends = np.abs(_dividends_of_u(result))
    sizes = result.orders
    orders = np.arange(1, result.n + 1)
    max_s = np.array([dividends[sizes == k].max() for k in orders])
    mean_s = np.array([dividends[sizes == k].mean() for k in orders])
    tau = tau_ratio * max_s.max()
    valid = orders[max_s >= tau] if tau > 0 else orders[:0]
    estimated_m = int(valid.max()) if valid.size else 0
    return HighOrderCheck(orders, max_s, mean_s, tau, estimated_m, estimated_m < result.n)


@dataclass
class MonotonicityCheck:
    """Assumption 2: ū^(m) and the spread of u(S) within each order m = 0..n."""

    orders: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    violations: list[int]  # the m where ū^(m) < ū^(m−1)

    @property
    def passed(self) -> bool:
        return not self.violations


def monotonicity_check(result: InteractionResult) -> MonotonicityCheck:
    """ū^(m) = mean of u(S) over the C(n, m) subsets of size m; monotone when ū^(m) ≥ ū^(m−1) for all m."""
    u, sizes = result.u, result.orders
    orders = np.arange(result.n + 1)
    mean = np.array([u[sizes == m].mean() for m in orders])
    std = np.array([u[sizes == m].std() for m in orders])
    violations = [int(m) for m in orders[1:] if mean[m] < mean[m - 1]]
    return MonotonicityCheck(orders, mean, std, violations)


@dataclass
class PolynomialCheck:
    """Assumption 3: the fitted exponent p and the curve (m/1)^p·ū^(1) it implies as an upper envelope."""

    p: float | None  # None when ū^(1) ≤ 0 or some ū^(m) ≤ 0 (the log ratio is undefined)
    orders: np.ndarray  # 1..n
    mean: np.ndarray  # ū^(m), m = 1..n
    envelope: np.ndarray  # m^p·ū^(1)

    @property
    def passed(self) -> bool:
        return self.p is not None and self.p > 0


def polynomial_check(result: InteractionResult) -> PolynomialCheck:
    """p = max_{m=2..n} log(ū^(m)/ū^(1)) / log m (compute_p_ref_order of the reference code)."""
    mono = monotonicity_check(result)
    mean = mono.mean[1:]
    orders = np.arange(1, result.n + 1)
    p = None
    if result.n >= 2 and mean[0] > 0 and np.all(mean[1:] > 0):
        p = float(max(math.log(mean[m - 1] / mean[0]) / math.log(m) for m in range(2, result.n + 1)))
    envelope = orders ** (p if p is not None else 0.0) * mean[0]
    return PolynomialCheck(p, orders, mean, envelope)


@dataclass
class ValidCountBound:
    """Theorem 3: the real number of valid interactions per order against the proven bound."""

    orders: np.ndarray  # 1..M
    real: np.ndarray  # R^(k) = |{S : |S| = k, |I(S)| ≥ τ}|
    bound: np.ndarray  # upper bound on R^(k) (inf where η^(k) = 0)
    possible: np.ndarray  # C(n, k)
    p: float
    delta: float | None  # the bound on δ (None when no m₀ gives one)
    tau: float

    @property
    def holds(self) -> bool:
        return bool(np.all(self.real <= self.bound + 1e-9))


def _base_n_digits(x: float, n: int) -> list[float]:
    """Digits a_0..a_q of x ≥ 0 in base n (integer part), with the fractional remainder added to a_0."""
    integer = int(math.floor(x))
    digits = []
    while integer > 0:
        digits.append(float(integer % n))
        integer //= n
    digits = digits or [0.0]
    digits[0] += x - math.floor(x)
    return digits


def valid_count_bound(
    result: InteractionResult, p: float, max_order: int | None = None, tau_ratio: float = TAU_RATIO
) -> ValidCountBound:
    """R^(k) ≤ ū^(1)/(τ|η^(k)|)·|λ^(k) n^{p+δ} + Σ_{i<⌊p⌋} â_i^(k) nⁱ|, δ bounded over m₀ (spec §6, Theorems 2-3).

    ``max_order`` is M of Assumption 1 (default n − 1, as the reference script uses M = 9 for n = 10).
    """
    n = result.n
    big_m = max_order if max_order is not None else n - 1
    dividends = _dividends_of_u(result)
    sizes = result.orders
    tau = tau_ratio * float(np.abs(dividends[1:]).max(initial=0.0))
    u1 = float(result.u[sizes == 1].mean())
    orders = np.arange(1, big_m + 1)
    net = np.array([dividends[sizes == k].sum() for k in orders])  # A^(k)
    total = np.array([np.abs(dividends[sizes == k]).sum() for k in orders])
    eta = np.divide(net, total, out=np.zeros_like(net), where=total > 0)
    real = np.array([(np.abs(dividends[sizes == k]) >= tau).sum() for k in orders]) if tau > 0 else np.zeros(big_m)
    floor_p = int(math.floor(p))
    low, delta_k, signs = [], {}, []
    for idx, k in enumerate(orders):
        ratio = net[idx] / u1 if u1 != 0 else 0.0
        sign = 1.0 if ratio >= 0 else -1.0
        digits = _base_n_digits(abs(ratio), n)
        low.append([sign * (digits[i] if i < len(digits) else 0.0) for i in range(floor_p)])
        high = sum(d * n**i for i, d in enumerate(digits) if i >= floor_p)
        if len(digits) - 1 >= floor_p and high > 0:
            delta_k[int(k)] = math.log(high, n) - p
        signs.append(sign)
    low = np.array(low).reshape(len(orders), floor_p)
    delta_max = max(delta_k.values()) if delta_k else None
    lam = np.array(
        [signs[i] * n ** (delta_k[int(k)] - delta_max) if int(k) in delta_k else 0.0 for i, k in enumerate(orders)]
    )
    delta_bound = None
    for m0 in range(max(big_m, n - big_m), n + 1):
        weights = np.array([comb(m0, int(k)) / comb(n, int(k)) for k in orders])
        lam_m0 = float(weights @ lam)
        a = weights @ low if floor_p else np.zeros(0)
        scaled = float(sum(a[i] * n ** (i - p) for i in range(floor_p)))
        if abs(lam_m0) < 1e-8:
            continue
        arg = (1 - scaled) / lam_m0 if lam_m0 > 0 else scaled / (-lam_m0)
        if arg > 0:
            candidate = math.log(arg, n)
            delta_bound = candidate if delta_bound is None else min(delta_bound, candidate)
    bound = np.full(len(orders), np.inf)
    if delta_bound is not None and tau > 0:
        for i in range(len(orders)):
            if eta[i] != 0:
                magnitude = lam[i] * n ** (p + delta_bound) + sum(low[i, j] * n**j for j in range(floor_p))
                bound[i] = abs(u1) / (tau * abs(eta[i])) * abs(magnitude)
    possible = np.array([comb(n, int(k)) for k in orders])
    return ValidCountBound(orders, real, bound, possible, p, delta_bound, tau)
