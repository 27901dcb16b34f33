"""Faithfulness ("universal matching"): how well a few interactions reproduce v on all 2^n masked samples (spec §5).

With a selection Ω of AND and OR interactions (Chen Proposition 1):

    v_Ω(T) = v(∅) + Σ_{∅≠S⊆T, S∈Ω_and} I_and(S) + Σ_{S∩T≠∅, S∈Ω_or} I_or(S).

With every interaction selected the reconstruction is exact (up to the bounded noise q of an AND-OR split).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .harsanyi import values_from_and, values_from_or
from .result import InteractionResult, Ranking


def _reconstruct(result: InteractionResult, chosen: Ranking) -> np.ndarray:
    """v_Ω on every mask for the interactions Ω in ``chosen``, with the bias I(∅) of both kinds."""
    keep = {code: np.zeros_like(result.v) for code in (0, 1)}
    for code, vector in keep.items():
        mine = chosen.kinds == code
        vector[chosen.indices[mine]] = chosen.values[mine]
    keep[0][0], keep[1][0] = result.i_and[0], result.i_or[0]
    return (values_from_and(keep[0]) + values_from_or(keep[1])).numpy()


def reconstruct(result: InteractionResult, top_k: int | None = None) -> np.ndarray:
    """v_Ω on every mask, Ω = the top_k strongest interactions (all when None); the bias I(∅) is always kept."""
    return _reconstruct(result, result.ranking().top(top_k))


@dataclass
class MatchingCurve:
    """Reconstruction quality against the number K of interactions kept."""

    ks: np.ndarray
    mean_abs_error: np.ndarray  # mean_T |v(T) − v_K(T)|
    max_abs_error: np.ndarray
    relative_error: np.ndarray  # mean_T |v(T) − v_K(T)| / |v(N) − v(∅)|
    precision: np.ndarray  # matching precision (Chen Appx M)


def default_ks(result: InteractionResult, points: int = 24) -> np.ndarray:
    """K values from 0 to the number of non-empty interactions, roughly log-spaced."""
    total = 2 * (result.v.size - 1)
    return np.unique(np.concatenate([[0], np.geomspace(1, total, points).round().astype(int)]))


def _precision(result: InteractionResult, chosen: Ranking) -> float:
    """m = Σ_{S∈chosen}|I(S)| / (Σ_{S∈chosen}|I(S)| + |v(N) − v(∅) − Σ_{S∈chosen} I(S)|)."""
    mass = chosen.strengths.sum()
    rest = abs(result.v_full - result.v_empty - chosen.values.sum())
    return float(mass / (mass + rest)) if mass + rest > 0 else 1.0


def matching_precision(result: InteractionResult, top_k: int) -> float:
    """m = Σ_top|I| / (Σ_top|I| + |v(N) − v(∅) − Σ_top I|) over the top_k interactions (Chen Appx M)."""
    return _precision(result, result.ranking().top(top_k))


def matching_curve(result: InteractionResult, ks: np.ndarray | None = None) -> MatchingCurve:
    """Errors of the top-K reconstruction on all 2^n masks and the matching precision, for each K."""
    ks = default_ks(result) if ks is None else np.asarray(ks)
    scale = abs(result.v_full - result.v_empty) or 1.0
    ranking = result.ranking()
    errors = [np.abs(result.v - _reconstruct(result, ranking.top(int(k)))) for k in ks]
    mean_err = np.array([e.mean() for e in errors])
    return MatchingCurve(
        ks=ks,
        mean_abs_error=mean_err,
        max_abs_error=np.array([e.max() for e in errors]),
        relative_error=mean_err / scale,
        precision=np.array([_precision(result, ranking.top(int(k))) for k in ks]),
    )


def explanation_ratio(result: InteractionResult, top_k: int) -> float:
    """R(Ω) = Σ_{S∈Ω}|I(S)| / (Σ_{S∈Ω}|I(S)| + |Σ_{S∉Ω} I(S)|), Ω = top_k, non-empty S (AOG metrics)."""
    ranking = result.ranking()
    mass = ranking.top(top_k).strengths.sum()
    rest = abs(ranking.rest(top_k).values.sum())
    return float(mass / (mass + rest)) if mass + rest > 0 else 1.0


@dataclass
class TopKFit:
    """The top-K reconstruction v_K on every mask, its errors against v, and the explanation ratio R."""

    approx: np.ndarray
    mean_abs_error: float  # mean_T |v(T) − v_K(T)|
    max_abs_error: float  # max_T |v(T) − v_K(T)|
    explanation_ratio: float


def fit(result: InteractionResult, top_k: int) -> TopKFit:
    """v_K = :func:`reconstruct` with the top_k interactions, mean_T and max_T |v(T) − v_K(T)|, and
    :func:`explanation_ratio`."""
    approx = reconstruct(result, top_k)
    error = np.abs(result.v - approx)
    return TopKFit(approx, float(error.mean()), float(error.max()), explanation_ratio(result, top_k))
