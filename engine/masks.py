"""Subsets of players as bitmasks.

Every vector over subsets in this engine is in *bitmask order*: entry ``m`` holds the value for the subset
S = {i : bit i of m is set}. Index 0 is the empty set, index 2^n - 1 is the full set N. Nothing else in the engine
depends on this layout beyond this module: per-order statistics use :func:`popcounts`, and the explicit
``(2^n, n)`` boolean matrix of :func:`all_masks` travels with every result.
"""

from __future__ import annotations

from functools import lru_cache
from math import comb

import numpy as np


def all_masks(n: int) -> np.ndarray:
    """The ``(2^n, n)`` boolean matrix whose row m marks the players of subset m (player i <=> bit i)."""
    m = np.arange(1 << n, dtype=np.int64)[:, None]
    return ((m >> np.arange(n, dtype=np.int64)) & 1).astype(bool)


@lru_cache(maxsize=32)
def _popcounts(n: int) -> np.ndarray:
    counts = np.zeros(1 << n, dtype=np.int64)
    for bit in range(n):
        counts[1 << bit : 1 << (bit + 1)] = counts[: 1 << bit] + 1
    counts.setflags(write=False)
    return counts


def popcounts(n: int) -> np.ndarray:
    """|S| for every subset index m in 0..2^n-1 (read-only, cached)."""
    return _popcounts(n)


def subset_index(players: list[int] | tuple[int, ...] | set[int]) -> int:
    """Bitmask index of a subset given by player indices: Σ_{i∈S} 2^i."""
    index = 0
    for i in players:
        index |= 1 << int(i)
    return index


def subset_members(index: int, n: int) -> tuple[int, ...]:
    """Player indices of the subset with bitmask ``index``, ascending."""
    return tuple(i for i in range(n) if (index >> i) & 1)


def subset_label(index: int, labels: list[str]) -> str:
    """Human-readable name of a subset: its player labels joined, or ∅."""
    members = subset_members(index, len(labels))
    return "{" + ", ".join(labels[i] for i in members) + "}" if members else "∅"


def order_sizes(n: int) -> np.ndarray:
    """C(n, k) for k = 0..n: how many subsets each order has."""
    return np.array([comb(n, k) for k in range(n + 1)], dtype=np.int64)


def n_players_of(length: int) -> int:
    """n such that 2^n == length; raises ValueError for a length that is not a power of two."""
    n = int(length).bit_length() - 1
    if length < 1 or (1 << n) != length:
        raise ValueError(f"a vector over all subsets must have length 2^n; got length {length}")
    return n
