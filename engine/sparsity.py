"""Sparsity of interactions: salient primitives, sorted strengths and per-order statistics (spec §4).

Throughout, the empty set is left out: I(∅) is the bias v(∅), not an interaction. AND and OR are pooled, as in
Chen et al.: a salient interaction ("primitive") is a (kind, S) with |I(S)| > τ, τ = tau_ratio·max|I| over both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .interaction import Kind
from .masks import n_players_of, popcounts
from .result import InteractionResult

TAU_RATIO = 0.05


def pooled_values(result: InteractionResult, duplicate_and_only: bool = False) -> np.ndarray:
    """All interaction values of non-empty subsets, AND then OR (2·(2^n − 1) entries).

    For an AND-only result with ``duplicate_and_only`` the AND vector is used twice (I′ = I, Chen Appx H), so that its
    curve has as many entries as an AND-OR result's and the two compare fairly.
    """
    second = result.i_and[1:] if duplicate_and_only and not result.has_or else result.i_or[1:]
    return np.concatenate([result.i_and[1:], second])


def largest_strength(result: InteractionResult) -> float:
    """max_{S≠∅} max(|I_and(S)|, |I_or(S)|) (0 when there is no interaction)."""
    return float(np.abs(pooled_values(result)).max(initial=0.0))


def threshold(result: InteractionResult, tau_ratio: float = TAU_RATIO) -> float:
    """τ = tau_ratio · max_{S≠∅} max(|I_and(S)|, |I_or(S)|)."""
    return tau_ratio * largest_strength(result)


def zero_count(result: InteractionResult) -> int:
    """How many of the 2·(2^n − 1) pooled interactions are exact zeros (:func:`engine.result.is_nonzero`; a log axis leaves them
    out)."""
    ranking = result.ranking()
    return len(ranking) - len(ranking.nonzero())


@dataclass
class Salient:
    """Salient AND and OR subsets (bitmask indices) at threshold τ."""

    tau: float
    and_indices: np.ndarray
    or_indices: np.ndarray
    total: int  # number of candidate interactions (non-empty AND and OR subsets)

    @property
    def count(self) -> int:
        return int(self.and_indices.size + self.or_indices.size)

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0


def salient(result: InteractionResult, tau_ratio: float = TAU_RATIO) -> Salient:
    """Ω = {(kind, S) : S ≠ ∅, |I_kind(S)| > τ}, τ = tau_ratio·max|I| (Chen §2.1)."""
    tau = threshold(result, tau_ratio)
    pick = lambda vec: np.flatnonzero(np.abs(vec) > tau)  # noqa: E731
    and_idx, or_idx = pick(result.i_and), pick(result.i_or)
    return Salient(tau, and_idx[and_idx > 0], or_idx[or_idx > 0], 2 * (result.v.size - 1))


def sorted_strengths(result: InteractionResult, normalise: bool = False, duplicate_and_only: bool = False) -> np.ndarray:
    """|I| of every pooled interaction (:meth:`InteractionResult.ranking`), descending; an AND-only result's
    strengths counted twice with ``duplicate_and_only`` (see :func:`pooled_values`); divided by the maximum when
    ``normalise`` (ICML'23 style)."""
    if duplicate_and_only and not result.has_or:
        strengths = np.repeat(result.ranking(("AND",)).strengths, 2)
    else:
        strengths = result.ranking().strengths
    if normalise and strengths.size and strengths[0] > 0:
        strengths = strengths / strengths[0]
    return strengths


def padded(rows: list, fill: float = np.nan) -> np.ndarray:
    """Rows of different lengths stacked into one (rows, longest) array, the missing ends set to ``fill``."""
    out = np.full((len(rows), max((len(r) for r in rows), default=0)), fill)
    for target, row in zip(out, rows):
        target[: len(row)] = row
    return out


def normalised_curves(results: list[InteractionResult], duplicate_and_only: bool = False) -> np.ndarray:
    """(samples, L): each result's |I| divided by its max and sorted (:func:`sorted_strengths`; an AND-only result's
    strengths counted twice with ``duplicate_and_only``, Chen Appx H), zero-padded to the longest (a sample with
    fewer players has no further interactions: |I| = 0). Their mean over samples is the ICML 2023 curve."""
    return padded([sorted_strengths(r, normalise=True, duplicate_and_only=duplicate_and_only) for r in results], 0.0)


@dataclass
class OrderStats:
    """Per-order statistics of one kind of interaction, arrays indexed by order k = 1..n (position k−1)."""

    orders: np.ndarray
    box: np.ndarray  # (n, 5): min, first quartile, median, third quartile, max of |I(S)| over |S| = k
    positive: np.ndarray  # Σ max(0, I(S)) over salient S of order k
    negative: np.ndarray  # Σ min(0, I(S)) over salient S of order k
    salient_count: np.ndarray
    strength: np.ndarray  # Σ |I(S)| over all S of order k


def order_statistics(result: InteractionResult, kind: Kind = "AND", tau_ratio: float = TAU_RATIO) -> OrderStats:
    """Box statistics of |I| per order, and positive / negative sums over the salient S per order (spec §4)."""
    vec = result.vector(kind)
    tau = threshold(result, tau_ratio)
    sizes = result.orders
    orders = np.arange(1, result.n + 1)
    box, pos, neg, count, strength = [], [], [], [], []
    for k in orders:
        values = vec[sizes == k]
        strong = values[np.abs(values) > tau]
        box.append(np.percentile(np.abs(values), [0, 25, 50, 75, 100]))
        pos.append(strong[strong > 0].sum())
        neg.append(strong[strong < 0].sum())
        count.append(strong.size)
        strength.append(np.abs(values).sum())
    return OrderStats(orders, np.array(box), np.array(pos), np.array(neg), np.array(count), np.array(strength))


def strength_by_order(weights: np.ndarray, normalise: str = "sum") -> np.ndarray:
    """Σ_{|S|=k} |w_S| for k = 1..n (last axis), divided by the total ("sum"), the maximum ("max") or
    nothing ("none").
    """
    w = np.abs(np.asarray(weights))
    n = n_players_of(w.shape[-1])
    onehot = (popcounts(n)[:, None] == np.arange(1, n + 1)[None, :]).astype(float)
    per_order = w @ onehot
    if normalise == "none":
        return per_order
    scale = per_order.sum(-1, keepdims=True) if normalise == "sum" else per_order.max(-1, keepdims=True)
    return np.divide(per_order, scale, out=np.zeros_like(per_order), where=scale > 0)


def order_distribution(result: InteractionResult, normalise: str = "sum") -> np.ndarray:
    """I^(k) for k = 1..n: Σ_{|S|=k} (|I_and(S)| + |I_or(S)|), divided by the total ("sum") or the maximum ("max")."""
    return strength_by_order(np.abs(result.i_and) + np.abs(result.i_or), normalise)
