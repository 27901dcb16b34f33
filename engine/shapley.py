"""Shapley-type indices from the Harsanyi dividends in closed form (spec §9).

With I the Harsanyi dividends (AND interactions of v, no split):

- Shapley value        φ(i)      = Σ_{S∋i} I(S)/|S|
- Banzhaf value        β(i)      = Σ_{S∋i} I(S)/2^{|S|-1}
- Shapley interaction  I_SII(S)  = Σ_{T⊇S} I(T)/(|T|-|S|+1)
- Shapley-Taylor (k)   I_STI(S)  = I(S) if |S|<k;  Σ_{T⊇S} I(T)/C(|T|,k) if |S|=k;  0 if |S|>k
"""

from __future__ import annotations

from math import comb

import numpy as np
import torch

from .harsanyi import as_tensor, zeta_supersets
from .masks import all_masks, n_players_of, popcounts


def _per_player(dividends: torch.Tensor, weight_of_size) -> np.ndarray:
    n = n_players_of(dividends.shape[-1])
    sizes = popcounts(n)
    weights = np.array([0.0] + [weight_of_size(k) for k in range(1, n + 1)])[sizes]
    weighted = dividends.cpu().numpy().astype(np.float64) * weights
    return weighted @ all_masks(n).astype(np.float64)


def shapley_values(dividends) -> np.ndarray:
    """φ(i) = Σ_{S∋i} I(S)/|S|: each dividend shared equally among its members. Σ_i φ(i) = v(N) − v(∅)."""
    return _per_player(as_tensor(dividends), lambda k: 1.0 / k)


def banzhaf_values(dividends) -> np.ndarray:
    """β(i) = Σ_{S∋i} I(S)/2^{|S|−1}."""
    return _per_player(as_tensor(dividends), lambda k: 1.0 / 2 ** (k - 1))


def _superset_sums_by_size(dividends: torch.Tensor) -> tuple[torch.Tensor, np.ndarray]:
    """R[t, S] = Σ_{T⊇S, |T|=t} I(T), for t = 0..n, via one batched superset-zeta transform."""
    d = as_tensor(dividends).to(torch.float64)
    n = n_players_of(d.shape[-1])
    sizes = popcounts(n)
    by_size = torch.zeros(n + 1, d.shape[-1], dtype=torch.float64)
    by_size[torch.from_numpy(sizes.copy()), torch.arange(d.shape[-1])] = d
    return zeta_supersets(by_size), sizes


def shapley_interaction_index(dividends) -> np.ndarray:
    """I_SII(S) = Σ_{T⊇S} I(T)/(|T|−|S|+1) for every subset S (bitmask order)."""
    sums, sizes = _superset_sums_by_size(dividends)
    t = np.arange(sums.shape[0])[:, None]
    gap = t - sizes[None, :]
    weights = np.where(gap >= 0, 1.0 / np.maximum(gap + 1, 1), 0.0)
    return (sums.numpy() * weights).sum(axis=0)


def shapley_taylor_index(dividends, order: int) -> np.ndarray:
    """Shapley-Taylor index of order k: I(S) below k, Σ_{T⊇S} I(T)/C(|T|,k) at |S| = k, 0 above."""
    sums, sizes = _superset_sums_by_size(dividends)
    d = as_tensor(dividends).to(torch.float64).numpy()
    t = np.arange(sums.shape[0])
    weights = np.array([1.0 / comb(int(s), order) if s >= order else 0.0 for s in t])
    at_k = (sums.numpy() * weights[:, None]).sum(axis=0)
    return np.where(sizes < order, d, np.where(sizes == order, at_k, 0.0))
