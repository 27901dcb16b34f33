"""Test set-up: quiet OpenMP, a private result cache, and brute-force reference definitions."""

import os
import sys
import tempfile
from itertools import combinations
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("INTERACTION_EXPLORER_CACHE", tempfile.mkdtemp(prefix="ie-cache-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402


def subsets(mask: int):
    """All submasks of ``mask`` (brute force)."""
    sub = mask
    while True:
        yield sub
        if sub == 0:
            return
        sub = (sub - 1) & mask


def brute_and(v: np.ndarray) -> np.ndarray:
    """I_and(S) = Σ_{T⊆S} (-1)^{|S|-|T|} v(T), straight from the definition."""
    out = np.zeros_like(v, dtype=float)
    for s in range(v.size):
        out[s] = sum((-1) ** (bin(s).count("1") - bin(t).count("1")) * v[t] for t in subsets(s))
    return out


def brute_or(v: np.ndarray) -> np.ndarray:
    """I_or(S) = -Σ_{T⊆S} (-1)^{|S|-|T|} v(N∖T) for S ≠ ∅; I_or(∅) = v(∅)."""
    full = v.size - 1
    out = np.zeros_like(v, dtype=float)
    for s in range(1, v.size):
        out[s] = -sum((-1) ** (bin(s).count("1") - bin(t).count("1")) * v[full ^ t] for t in subsets(s))
    out[0] = v[0]
    return out


def game_from_terms(n: int, and_terms: dict, or_terms: dict, bias: float = 0.0) -> np.ndarray:
    """v(S) = bias + Σ_T a_T·1[T⊆S] + Σ_T o_T·1[T∩S≠∅], for terms given as {tuple of players: weight}."""
    masks = np.arange(1 << n)
    v = np.full(1 << n, float(bias))
    for players, weight in and_terms.items():
        t = sum(1 << i for i in players)
        v += weight * ((masks & t) == t)
    for players, weight in or_terms.items():
        t = sum(1 << i for i in players)
        v += weight * ((masks & t) != 0)
    return v


def all_subsets_of_size(n: int, k: int):
    return [sum(1 << i for i in c) for c in combinations(range(n), k)]
