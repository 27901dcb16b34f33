"""The linear maps of the AND-OR problem and the dual bound that certifies a solution (spec §3.3-3.4, §7.2).

For m models (rows) with u_i = v_i − v_i(∅), the primal variables are a shared p̄, bounded model-specific parts p̂_i
(|p̂_i| ≤ β) and noise terms q_i (|q_i| ≤ b_i), and the interactions are affine in them:

    I_and,i = M(½(u_i + q_i) + p_i),   I_or,i = M_or(½(u_i + q_i) − p_i),   p_i = p̄ + p̂_i.

The loss is Σ_S N(I_and(S)) + Σ_S N(I_or(S)) with N(z) = max_i |z_i| + α Σ_i |z_i| over the models (for one model,
α = 0: the L1 norm). Its LP dual (taking the interactions a_i, o_i themselves as variables, with Z a_i + B o_i = u_i + q_i
and Z a_i − B o_i = 2p_i, where Z = M⁻¹ and B = M_or⁻¹ rebuild v) is

    max Σ_i [ y_iᵀu_i − b_i‖y_i‖₁ − 2β‖z_i‖₁ ]   s.t.  Σ_i z_i = 0,
        N*((Zᵀ(y_i + z_i))(S))_i ≤ 1  and  N*((Bᵀ(y_i − z_i))(S))_i ≤ 1  for every S,

so any (y, z), repaired to Σ z = 0 and scaled into the constraints, gives a lower bound on the optimum (weak duality).
"""

from __future__ import annotations

import math

import torch

from .kronecker import (
    MOBIUS,
    MOBIUS_REVERSED,
    MOBIUS_T,
    REVERSED_MOBIUS_T,
    REVERSED_ZETA,
    ZETA_T,
    kron_apply,
)


def and_map(x: torch.Tensor, n: int) -> torch.Tensor:
    """M x: I_and(S) = Σ_{T⊆S} (−1)^{|S|−|T|} x(T)."""
    return kron_apply(x, MOBIUS, n)


def and_map_t(y: torch.Tensor, n: int) -> torch.Tensor:
    """Mᵀ y: (Mᵀy)(T) = Σ_{S⊇T} (−1)^{|S|−|T|} y(S)."""
    return kron_apply(y, MOBIUS_T, n)


def or_map(x: torch.Tensor, n: int) -> torch.Tensor:
    """M_or x: I_or(S) = −Σ_{T⊆S} (−1)^{|S|−|T|} x(N∖T) for S ≠ ∅, I_or(∅) = x(∅); that is −M J x with row ∅ reset."""
    out = -kron_apply(x, MOBIUS_REVERSED, n)
    out[..., 0] = x[..., 0]
    return out


def or_map_t(y: torch.Tensor, n: int) -> torch.Tensor:
    """M_orᵀ y = −J Mᵀ y' + y(∅) e_∅, with y' = y except y'(∅) = 0."""
    rest = y.clone()
    rest[..., 0] = 0.0
    out = -kron_apply(rest, REVERSED_MOBIUS_T, n)
    out[..., 0] += y[..., 0]
    return out


def zeta_t(y: torch.Tensor, n: int) -> torch.Tensor:
    """Zᵀ y: (Zᵀy)(T) = Σ_{S⊇T} y(S), the AND reconstruction's transpose."""
    return kron_apply(y, ZETA_T, n)


def or_values_t(y: torch.Tensor, n: int) -> torch.Tensor:
    """Bᵀ y for the OR reconstruction B o(S) = o(∅) + Σ_{T∩S≠∅} o(T):
    (Bᵀy)(T) = Σ_{S∩T≠∅} y(S) = Σ_S y(S) − (J Z y)(T) for T ≠ ∅, and (Bᵀy)(∅) = Σ_S y(S)."""
    total = y.sum(dim=-1, keepdim=True)
    out = total - kron_apply(y, REVERSED_ZETA, n)
    out[..., 0] = total[..., 0]
    return out


def norm_gauge(w: torch.Tensor, alpha: float) -> torch.Tensor:
    """Per subset (columns of w, models on dim 0), the dual norm N*(w) of N(z) = max_i|z_i| + α Σ_i|z_i|.

    Its unit ball is {a + b : ‖a‖₁ ≤ 1, ‖b‖_∞ ≤ α}, so N*(w) = max_k S_k / (1 + kα), with S_k the sum of the k
    largest |w_i| (w ∈ t·ball ⇔ Σ_i max(|w_i| − αt, 0) ≤ t ⇔ S_k − kαt ≤ t for every k).
    """
    top = torch.sort(w.abs(), dim=0, descending=True).values.cumsum(dim=0)
    ks = torch.arange(1, w.shape[0] + 1, dtype=w.dtype, device=w.device).reshape(-1, 1)
    return (top / (1.0 + alpha * ks)).max(dim=0).values


def dual_bound(
    u: torch.Tensor,
    y: torch.Tensor,
    z: torch.Tensor,
    q_bound: torch.Tensor,
    phat_bound: float,
    alpha: float,
    n: int,
) -> float:
    """A certified lower bound on the optimal loss from any (y, z) of shape (m, 2^n) (module docstring).

    z is first repaired to Σ_i z_i = 0 (subtracting its mean over models; for one model z = 0), then (y, z) is
    scaled by 1/max(1, γ), γ the largest dual-norm gauge over all AND and OR columns, which makes it dual feasible.
    """
    z = z - z.mean(dim=0, keepdim=True)
    gauge = torch.maximum(
        norm_gauge(zeta_t(y + z, n), alpha).max(), norm_gauge(or_values_t(y - z, n), alpha).max()
    )
    scale = 1.0 / max(1.0, float(gauge))
    value = (y * u).sum() - (q_bound * y.abs()).sum() - 2.0 * phat_bound * z.abs().sum()
    return float(value) * scale


def relative_gap(loss: float, lower_bound: float) -> float:
    """(loss − lower)/lower, 0 when loss ≤ lower (rounding) and infinite when only a non-positive bound is known."""
    if loss <= lower_bound or loss <= 0.0:
        return 0.0
    return (loss - lower_bound) / lower_bound if lower_bound > 0.0 else math.inf
