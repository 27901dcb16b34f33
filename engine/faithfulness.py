"""Faithfulness ("universal matching"): how well a few interactions reproduce v on all 2^n masked samples (spec §5).

With a selection Ω of AND and OR interactions (Chen Proposition 1):

    v_Ω(T) = v(∅) + Σ_{∅≠S⊆T, S∈Ω_and} I_and(S) + Σ_{S∩T≠∅, S∈Ω_or} I_or(S).

With every interaction selected the reconstruction is exact (up to the bounded noise q of an AND-OR split).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .harsanyi import values_from_and, values_from_or
from .result import InteractionResult


def ranked_interactions(result: InteractionResult) -> tuple[np.ndarray, np.ndarray]:
    """(kind, index) of every non-empty interaction sorted by |I| descending; kind 0 = AND, 1 = OR."""
    values = np.concatenate([result.i_and[1:], result.i_or[1:]])
    kinds = np.repeat([0, 1], result.v.size - 1)
    indices = np.tile(np.arange(1, result.v.size), 2)
    order = np.argsort(-np.abs(values), kind="stable")
    return kinds[order], indices[order]


def reconstruct(result: InteractionResult, top_k: int | None = None) -> np.ndarray:
    """v_Ω on every mask, Ω = the top_k strongest interactions (all when None); the bias I(∅) is always kept."""
    kinds, indices = ranked_interactions(result)
    if top_k is not None:
        kinds, indices = kinds[:top_k], indices[:top_k]
    keep_and = np.zeros_like(result.i_and)
    keep_or = np.zeros_like(result.i_or)
    keep_and[indices[kinds == 0]] = result.i_and[indices[kinds == 0]]
    keep_or[indices[kinds == 1]] = result.i_or[indices[kinds == 1]]
    keep_and[0] = result.i_and[0]
    keep_or[0] = result.i_or[0]
    return (values_from_and(keep_and) + values_from_or(keep_or)).numpy()


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


def matching_precision(result: InteractionResult, top_k: int) -> float:
    """m = Σ_top|I| / (Σ_top|I| + |v(N) − v(∅) − Σ_top I|) over the top_k interactions (Chen Appx M)."""
    kinds, indices = ranked_interactions(result)
    chosen = np.where(kinds[:top_k] == 0, result.i_and[indices[:top_k]], result.i_or[indices[:top_k]])
    mass = np.abs(chosen).sum()
    rest = abs(result.v_full - result.v_empty - chosen.sum())
    return float(mass / (mass + rest)) if mass + rest > 0 else 1.0


def matching_curve(result: InteractionResult, ks: np.ndarray | None = None) -> MatchingCurve:
    """Errors of the top-K reconstruction on all 2^n masks and the matching precision, for each K."""
    ks = default_ks(result) if ks is None else np.asarray(ks)
    scale = abs(result.v_full - result.v_empty) or 1.0
    errors = [np.abs(result.v - reconstruct(result, int(k))) for k in ks]
    mean_err = np.array([e.mean() for e in errors])
    return MatchingCurve(
        ks=ks,
        mean_abs_error=mean_err,
        max_abs_error=np.array([e.max() for e in errors]),
        relative_error=mean_err / scale,
        precision=np.array([matching_precision(result, int(k)) for k in ks]),
    )


def explanation_ratio(result: InteractionResult, top_k: int) -> float:
    """R(Ω) = Σ_{S∈Ω}|I(S)| / (Σ_{S∈Ω}|I(S)| + |Σ_{S∉Ω} I(S)|), Ω = top_k, non-empty S (AOG metrics)."""
    kinds, indices = ranked_interactions(result)
    values = np.where(kinds == 0, result.i_and[indices], result.i_or[indices])
    mass = np.abs(values[:top_k]).sum()
    rest = abs(values[top_k:].sum())
    return float(mass / (mass + rest)) if mass + rest > 0 else 1.0
