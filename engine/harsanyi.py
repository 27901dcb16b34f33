"""Harsanyi AND and OR interactions: exact fast transforms over all 2^n subsets, O(n·2^n).

Definitions (spec §3.1), for a vector ``v`` over subsets in bitmask order (see :mod:`engine.masks`):

- AND (Harsanyi dividend, Möbius transform): I_and(S) = Σ_{T⊆S} (-1)^{|S|-|T|} v(T), so I_and(∅) = v(∅).
- OR: I_or(S) = -Σ_{T⊆S} (-1)^{|S|-|T|} v(N∖T) for S ≠ ∅, and I_or(∅) = v(∅).
- Reconstruction: v(S) = Σ_{T⊆S} I_and(T) and v(S) = I_or(∅) + Σ_{T∩S≠∅} I_or(T).

Every function takes a tensor (or numpy array) whose *last* dimension has length 2^n and treats all leading
dimensions as a batch. The butterfly used here visits each bit once: for bit b, the half of the entries whose bit
b is set is updated from its partner with the bit cleared. No 2^n×2^n matrix is ever formed. Results keep the
input's floating dtype (float64 in, float64 out); integer input is promoted to float64.
"""

from __future__ import annotations

import numpy as np
import torch

from .masks import n_players_of

ArrayLike = np.ndarray | torch.Tensor


def as_tensor(v: ArrayLike) -> torch.Tensor:
    """A floating torch tensor view/copy of ``v`` (float64 for numpy and integer input)."""
    t = torch.from_numpy(np.ascontiguousarray(v)) if isinstance(v, np.ndarray) else v
    if not torch.is_floating_point(t):
        t = t.to(torch.float64)
    return t


def _butterfly(v: ArrayLike, sign: float, supersets: bool) -> torch.Tensor:
    """Apply x[with b] += sign·x[without b] (subsets) or x[without b] += sign·x[with b] (supersets) for every bit."""
    x = as_tensor(v).clone()
    n = n_players_of(x.shape[-1])
    batch = x.shape[:-1]
    for b in range(n):
        view = x.reshape(*batch, 1 << (n - 1 - b), 2, 1 << b)
        src, dst = (1, 0) if supersets else (0, 1)
        view[..., dst, :].add_(view[..., src, :], alpha=sign)
    return x


def mobius(v: ArrayLike) -> torch.Tensor:
    """Möbius transform over subsets: m(S) = Σ_{T⊆S} (-1)^{|S|-|T|} v(T)."""
    return _butterfly(v, -1.0, supersets=False)


def zeta(v: ArrayLike) -> torch.Tensor:
    """Zeta transform over subsets (inverse of :func:`mobius`): z(S) = Σ_{T⊆S} v(T)."""
    return _butterfly(v, 1.0, supersets=False)


def mobius_supersets(y: ArrayLike) -> torch.Tensor:
    """Transpose of the Möbius matrix: (Mᵀy)(T) = Σ_{S⊇T} (-1)^{|S|-|T|} y(S)."""
    return _butterfly(y, -1.0, supersets=True)


def zeta_supersets(y: ArrayLike) -> torch.Tensor:
    """Transpose of the zeta matrix: (Zᵀy)(T) = Σ_{S⊇T} y(S)."""
    return _butterfly(y, 1.0, supersets=True)


def and_interactions(v: ArrayLike) -> torch.Tensor:
    """AND (Harsanyi) interactions I_and(S) = Σ_{T⊆S} (-1)^{|S|-|T|} v(T); I_and(∅) = v(∅)."""
    return mobius(v)


def or_interactions(v: ArrayLike) -> torch.Tensor:
    """OR interactions I_or(S) = -Σ_{T⊆S} (-1)^{|S|-|T|} v(N∖T) for S ≠ ∅; I_or(∅) = v(∅).

    Computed as the negated Möbius transform of v on complements (v reversed), with the ∅ entry reset.
    """
    t = as_tensor(v)
    out = -mobius(torch.flip(t, dims=(-1,)))
    out[..., 0] = t[..., 0]
    return out


def values_from_and(i_and: ArrayLike) -> torch.Tensor:
    """Inverse of :func:`and_interactions`: v(S) = Σ_{T⊆S} I_and(T)."""
    return zeta(i_and)


def values_from_or(i_or: ArrayLike) -> torch.Tensor:
    """Inverse of :func:`or_interactions`: v(S) = I_or(∅) + Σ_{T: T∩S≠∅} I_or(T).

    With x = I_or outside ∅: Σ_{T∩S≠∅} x(T) = Σ_T x(T) − Σ_{T⊆N∖S} x(T), the last sum a zeta transform.
    """
    t = as_tensor(i_or)
    x = t.clone()
    x[..., 0] = 0
    inside_complement = torch.flip(zeta(x), dims=(-1,))
    return t[..., :1] + x.sum(dim=-1, keepdim=True) - inside_complement


def or_interactions_transpose(y: ArrayLike) -> torch.Tensor:
    """Transpose of the OR transform M_or (for gradients): M_orᵀ y = y(∅)·e_∅ − flip(Mᵀ y'), y' = y with y(∅)=0."""
    t = as_tensor(y)
    rest = t.clone()
    rest[..., 0] = 0
    out = -torch.flip(mobius_supersets(rest), dims=(-1,))
    out[..., 0] += t[..., 0]
    return out


def values_from_and_or(i_and: ArrayLike, i_or: ArrayLike) -> torch.Tensor:
    """AND-OR reconstruction (Chen Theorem 2): v(S) = Σ_{T⊆S} I_and(T) + Σ_{T∩S≠∅} I_or(T) + I_or(∅)."""
    return values_from_and(i_and) + values_from_or(i_or)
