"""Generalizable (shared) interactions across models (Chen, Lou, Huang, Zhang, ICLR 2024; spec §7).

The joint extraction itself is :func:`engine.and_or.decompose_joint` with m ≥ 2 models and α > 0 (see
:func:`engine.explain.explain_shared`). Here are the metrics over its per-model results:

- transferability with top-k sets: s^(i) = |∩_j topk_j| / k, separately for AND and OR (Definition 1, §7.1),
  where a top-k set never holds exact zeros (an LP's optimum has many: tied at zero and ordered by index, they
  would count as shared interactions of every model);
- shared and distinctive salient sets: Ω_shared = ∩_i Ω^(i), distinctive^(i) = Ω^(i) ∖ Ω_shared;
- Shared/All strength per order (§7.4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .interaction import Interaction, Kind
from .result import InteractionResult
from .sparsity import TAU_RATIO, salient

NOT_SALIENT = "not salient"
PAPER_FRACTIONS = np.arange(1, 10) * 0.05  # k = ⌊fraction·2^n⌋ for fraction 0.05 … 0.45


def paper_ks(n: int) -> np.ndarray:
    """The k values of Chen et al. Fig. 3: ⌊f·2^n⌋ for f = 0.05, 0.10, …, 0.45."""
    return np.floor(PAPER_FRACTIONS * (1 << n) + 1e-9).astype(int)


def transferability(results: list[InteractionResult], kind: Kind, k: int) -> float:
    """s = |∩_i topk(I_kind^(i))| / k over m models (the same for every model); a top-k set is
    :meth:`InteractionResult.top` of one kind: the k largest |I(S)|, S ≠ ∅, exact zeros left out."""
    sets = [{interaction.index for interaction in r.top(k, (kind,))} for r in results]
    return len(set.intersection(*sets)) / k if k else 0.0


@dataclass
class TransferCurve:
    ks: np.ndarray
    s_and: np.ndarray
    s_or: np.ndarray


def transfer_curve(results: list[InteractionResult], ks: np.ndarray | None = None) -> TransferCurve:
    """s_and and s_or against k for the models' results (OR is all zero for AND-only results and gives 0)."""
    ks = paper_ks(results[0].n) if ks is None else np.asarray(ks)
    s_and = np.array([transferability(results, "AND", int(k)) for k in ks])
    has_or = all(r.has_or for r in results)
    s_or = np.array([transferability(results, "OR", int(k)) if has_or else np.nan for k in ks])
    return TransferCurve(ks, s_and, s_or)


@dataclass
class SharedSets:
    """Salient subsets (bitmask indices) shared by all models and each model's own, per kind."""

    shared_and: np.ndarray
    shared_or: np.ndarray
    own_and: list[np.ndarray]
    own_or: list[np.ndarray]


def shared_sets(results: list[InteractionResult], tau_ratio: float = TAU_RATIO) -> SharedSets:
    """Ω_shared = ∩_i Ω^(i) and Ω^(i) ∖ Ω_shared with each model's own τ^(i) = tau_ratio·max|I^(i)|."""
    per_model = [salient(r, tau_ratio) for r in results]
    per_and = [set(s.and_indices.tolist()) for s in per_model]
    per_or = [set(s.or_indices.tolist()) for s in per_model]
    shared_and, shared_or = set.intersection(*per_and), set.intersection(*per_or)
    as_array = lambda s: np.array(sorted(s), dtype=np.int64)  # noqa: E731
    return SharedSets(
        as_array(shared_and),
        as_array(shared_or),
        [as_array(s - shared_and) for s in per_and],
        [as_array(s - shared_or) for s in per_or],
    )


def salient_groups(results: list[InteractionResult], tau_ratio: float = TAU_RATIO) -> dict[str, list[Interaction]]:
    """{"shared": Ω_shared, "A only": Ω^(A) ∖ Ω_shared, "B only": …} (one "only" group per model, lettered), each
    sorted by max_i |I^(i)(S)| descending."""
    sets = shared_sets(results, tau_ratio)
    groups = {"shared": [Interaction("AND", i) for i in sets.shared_and.tolist()]
              + [Interaction("OR", i) for i in sets.shared_or.tolist()]}
    for model, (own_and, own_or) in enumerate(zip(sets.own_and, sets.own_or)):
        groups[f"{chr(ord('A') + model)} only"] = ([Interaction("AND", i) for i in own_and.tolist()]
                                                   + [Interaction("OR", i) for i in own_or.tolist()])
    for members in groups.values():
        members.sort(key=lambda k: -max(abs(r.value(k)) for r in results))
    return groups


@dataclass
class SharedStrength:
    """Per order o = 1..n for one model: All± and Shared± strength summed over AND and OR (Chen Fig. 4)."""

    orders: np.ndarray
    all_positive: np.ndarray
    all_negative: np.ndarray
    shared_positive: np.ndarray
    shared_negative: np.ndarray


def shared_strength_by_order(
    results: list[InteractionResult], model: int, tau_ratio: float = TAU_RATIO
) -> SharedStrength:
    """All±(o) = Σ over salient S of order o of max(0, I)/min(0, I); Shared± restricted to S shared by all models."""
    sets = shared_sets(results, tau_ratio)
    result = results[model]
    own = salient(result, tau_ratio)
    orders = np.arange(1, result.n + 1)
    sizes = result.orders
    arrays = {key: np.zeros(result.n) for key in ("ap", "an", "sp", "sn")}
    for vec, indices, shared in ((result.i_and, own.and_indices, set(sets.shared_and.tolist())),
                                 (result.i_or, own.or_indices, set(sets.shared_or.tolist()))):
        for index in indices.tolist():
            o = sizes[index] - 1
            value = vec[index]
            arrays["ap" if value > 0 else "an"][o] += value
            if index in shared:
                arrays["sp" if value > 0 else "sn"][o] += value
    return SharedStrength(orders, arrays["ap"], arrays["an"], arrays["sp"], arrays["sn"])
