"""Attributions from interactions: each player's Shapley (or Banzhaf) value as a sum of shares of interactions.

Harsanyi (1963): the Shapley value shares every dividend equally among its members, φ(i) = Σ_{S∋i} I(S)/|S|
(spec §9; :mod:`engine.shapley`). The same holds for an AND-OR split term by term:

- an AND term a(T) is the game a(T)·1[T⊆S], with Shapley value a(T)/|T| for each member of T;
- an OR term o(T) is the game o(T)·1[S∩T≠∅]. Its dividends are (−1)^{|R|+1}·o(T) on every ∅≠R⊆T, so a member i of T
  gets Σ_{k=1}^{|T|} C(|T|−1, k−1)(−1)^{k+1}/k · o(T) = o(T)/|T|, the same share as an AND term
  (checked by brute force in the tests).

For the Banzhaf value the share of a term of order k is I(T)/2^{k−1} for AND and OR alike
(Σ_k C(|T|−1, k−1)(−1)^{k+1}/2^{k−1} = 2^{1−|T|}). A split with a noise term reproduces v + q, not v; the share of
the game −q is therefore kept as its own column, and the shares of every player add up to its value for v exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .harsanyi import and_interactions, values_from_and_or
from .masks import all_masks, n_players_of, popcounts, subset_label
from .result import ZERO_RATIO
from .shapley import banzhaf_values, shapley_interaction_index, shapley_taylor_index, shapley_values

WEIGHTS = {"Shapley": lambda k: 1.0 / k, "Banzhaf": lambda k: 1.0 / 2.0 ** (k - 1)}
VALUES = {"Shapley": shapley_values, "Banzhaf": banzhaf_values}
NOISE = "noise −q"


@dataclass
class Shares:
    """``shares[i, j]``: player i's part of term j (an AND or OR interaction, or the noise −q); rows add up to the
    players' values of v."""

    index: str  # "Shapley" or "Banzhaf"
    players: list[str]
    terms: list[str]  # "AND {a, b}", "OR {c, d}", NOISE
    kinds: list[str]  # "AND", "OR" or "noise", per term
    shares: np.ndarray  # (n, number of terms)

    @property
    def values(self) -> np.ndarray:
        """φ(i) (or β(i)) of v: the sum of player i's shares."""
        return self.shares.sum(axis=1)


def shares(players: list[str], v: np.ndarray, i_and: np.ndarray, i_or: np.ndarray, index: str = "Shapley") -> Shares:
    """Split each player's value into the shares of the non-zero interactions of non-empty subsets:
    share_i(T) = I(T)·w(|T|) for i ∈ T, w(k) = 1/k (Shapley) or 1/2^{k−1} (Banzhaf), plus the value of −q.

    Terms below ZERO_RATIO·max(1, max|v|) are rounding (an interior-point solve leaves its zeros there) and left out;
    what they carried goes to the noise share, which is v minus what the terms shown reconstruct, so every row still
    adds up to the player's value of v. The noise share is shown when it is above that level too."""
    weight = WEIGHTS[index]
    n = len(players)
    members = all_masks(n).T.astype(np.float64)  # (n, 2^n)
    sizes = popcounts(n)
    tiny = ZERO_RATIO * max(1.0, float(np.abs(v).max(initial=0.0)))  # rounding, not an interaction
    columns, terms, kinds, kept = [], [], [], []
    for kind, vec in (("AND", np.asarray(i_and, dtype=float)), ("OR", np.asarray(i_or, dtype=float))):
        shown = np.where(np.abs(vec) > tiny, vec, 0.0)
        shown[0] = vec[0]  # v(∅) (or an OR ∅ entry) is no interaction but still part of the reconstruction
        kept.append(shown)
        for t in np.flatnonzero(shown):
            if t:
                columns.append(members[:, t] * vec[t] * weight(int(sizes[t])))
                terms.append(f"{kind} {subset_label(int(t), players)}")
                kinds.append(kind)
    noise = np.asarray(v, dtype=float) - values_from_and_or(*kept).numpy()  # −q, and the rounding left out
    noise_share = VALUES[index](and_interactions(noise))
    if np.abs(noise).max(initial=0.0) > tiny:
        columns.append(noise_share)
        terms.append(NOISE)
        kinds.append("noise")
    matrix = np.stack(columns, axis=1) if columns else np.zeros((n, 0))
    return Shares(index, list(players), terms, kinds, matrix)


def pair_indices(v: np.ndarray) -> dict[str, np.ndarray]:
    """Pairwise interaction indices of v as symmetric (n, n) matrices (zero diagonal), from its dividends I:
    Shapley interaction I_SII({i,j}) = Σ_{T⊇{i,j}} I(T)/(|T|−1) and Shapley-Taylor of order 2
    I_STI({i,j}) = Σ_{T⊇{i,j}} I(T)/C(|T|,2)."""
    dividends = and_interactions(np.asarray(v, dtype=float))
    n = n_players_of(dividends.shape[-1])
    found = {"Shapley interaction (SII)": shapley_interaction_index(dividends),
             "Shapley-Taylor, order 2": shapley_taylor_index(dividends, 2)}
    out = {}
    for name, vector in found.items():
        matrix = np.zeros((n, n))
        for i in range(n):
            for j in range(i + 1, n):
                matrix[i, j] = matrix[j, i] = vector[(1 << i) | (1 << j)]
        out[name] = matrix
    return out
