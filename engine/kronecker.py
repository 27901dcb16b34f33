"""Transforms over all 2^n subsets as Kronecker powers of a 2×2 factor, applied by a few dense matmuls.

Every transform the AND-OR problem needs is F^{⊗n} for a 2×2 factor F acting on each player's bit (in the bitmask
order of :mod:`engine.masks`), or such a power composed with a reversal and a fix of the ∅ entry:

    Möbius M = [[1, 0], [-1, 1]]^{⊗n},   zeta Z = [[1, 0], [1, 1]]^{⊗n},   reversal J = [[0, 1], [1, 0]]^{⊗n}.

:func:`kron_apply` groups the n bits into chunks of at most ``CHUNK_BITS`` and applies F^{⊗k} (a dense
2^k×2^k matrix) to each chunk as one batched matmul: a handful of BLAS calls per transform instead of the butterfly's
n small kernels, which dominate the cost of an iterative solver at n ≤ 16. Cost O(2^n·Σ_chunks 2^k).
"""

from __future__ import annotations

from functools import lru_cache

import torch

CHUNK_BITS = 7  # 128×128 factor matrices: matmuls large enough to be efficient, small enough to stay O(2^n·128)

MOBIUS = ((1.0, 0.0), (-1.0, 1.0))
ZETA = ((1.0, 0.0), (1.0, 1.0))
REVERSE = ((0.0, 1.0), (1.0, 0.0))


def _product(a: tuple, b: tuple) -> tuple:
    return tuple(tuple(sum(a[i][k] * b[k][j] for k in range(2)) for j in range(2)) for i in range(2))


def _transpose(a: tuple) -> tuple:
    return ((a[0][0], a[1][0]), (a[0][1], a[1][1]))


MOBIUS_T = _transpose(MOBIUS)
ZETA_T = _transpose(ZETA)
MOBIUS_REVERSED = _product(MOBIUS, REVERSE)  # M·J: the Möbius transform of the reversed vector
REVERSED_MOBIUS_T = _transpose(MOBIUS_REVERSED)  # J·Mᵀ
REVERSED_ZETA = _product(REVERSE, ZETA)  # J·Z


@lru_cache(maxsize=64)
def _power(factor: tuple, k: int, dtype: torch.dtype, device: str) -> torch.Tensor:
    """F^{⊗k} as a dense 2^k×2^k matrix (row and column indices in bitmask order)."""
    f = torch.tensor(factor, dtype=dtype, device=device)
    out = torch.ones(1, 1, dtype=dtype, device=device)
    for _ in range(k):
        out = torch.kron(f, out)
    return out


def chunks(n: int) -> list[tuple[int, int]]:
    """(lowest bit, number of bits) of the groups :func:`kron_apply` works on: near-equal, at most CHUNK_BITS each."""
    count = max(1, -(-n // CHUNK_BITS))
    sizes = [n // count + (1 if i < n % count else 0) for i in range(count)]
    starts = [sum(sizes[:i]) for i in range(count)]
    return [(s, k) for s, k in zip(starts, sizes) if k > 0]


def kron_apply(x: torch.Tensor, factor: tuple, n: int) -> torch.Tensor:
    """(F^{⊗n} x) over the last dimension of ``x`` (length 2^n, bitmask order); leading dimensions are a batch."""
    batch = x.shape[:-1]
    size = 1 << n
    y = x.reshape(-1, size)
    rows = y.shape[0]
    device = str(x.device)
    for low, k in chunks(n):
        mat = _power(factor, k, x.dtype, device)
        if low == 0:  # the lowest bits are the last axis: y (…, 2^k) @ Fᵀ
            y = (y.reshape(-1, 1 << k) @ mat.T).reshape(rows, size)
        else:  # bits [low, low + k): axis of length 2^k with 2^low entries after it
            y = (mat @ y.reshape(-1, 1 << k, 1 << low)).reshape(rows, size)
    return y.reshape(*batch, size)
