"""Two-phase dynamics (Ren et al., NeurIPS 2024; spec §8): interactions of each order over training epochs.

Real side: the normalised strength per order I^(k) at every checkpoint (see
:func:`engine.sparsity.order_distribution`), averaged over samples, and the onset of over-fitting in the loss curves.

Theory side — an *approximation of Ren et al. 2024* (the paper's exact noise model is unverified, spec §8): the
output on the 2^n masked samples y_T = v(x_T) is regressed on noisy AND triggering functions
J̃_S(T) = Π_{i∈S} (1[i∈T] + ε_i), ε_i ~ N(0, σ²) iid. The minimiser of E‖y − J̃w‖² is

    w*(σ²) = (E[J̃ᵀJ̃])⁻¹ E[J̃]ᵀ y = (⊗_i g⁻¹) Zᵀ y,   g = [[2, 1], [1, 1 + 2σ²]],

because E[J̃ᵀJ̃] factorises over players into one 2×2 Gram matrix g per player (rows/columns: i ∉ S, i ∈ S), and
E[J̃] = Z is the 0/1 matrix Z[T, S] = 1[S ⊆ T]. With σ² = 0, g = ZᵢᵀZᵢ and w* = Z⁻¹y are the Harsanyi interactions
(Theorem 5's analogue); a larger σ² penalises order k like (1 + 2σ²)^k, which pushes strength to low orders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .harsanyi import as_tensor, zeta_supersets
from .masks import n_players_of
from .sparsity import order_distribution, strength_by_order

SIGMA2_GRID = np.geomspace(1e-4, 1e2, 61)


def theory_weights(y: np.ndarray | torch.Tensor, sigma2: float) -> np.ndarray:
    """w*(σ²) = (⊗ g⁻¹) Zᵀ y with g = [[2, 1], [1, 1 + 2σ²]] (noisy-triggering regression; σ² = 0: Harsanyi).

    ``y`` has its last dimension of length 2^n in bitmask order; leading dimensions are a batch.
    """
    x = zeta_supersets(as_tensor(y).to(torch.float64))  # Zᵀy: (Zᵀy)(S) = Σ_{T⊇S} y(T)
    n = n_players_of(x.shape[-1])
    batch = x.shape[:-1]
    a, b, d = 2.0, 1.0, 1.0 + 2.0 * sigma2
    det = a * d - b * b
    for bit in range(n):  # apply g⁻¹ = [[d, −b], [−b, a]] / det along each player's axis
        view = x.reshape(*batch, 1 << (n - 1 - bit), 2, 1 << bit)
        out, inn = view[..., 0, :].clone(), view[..., 1, :].clone()
        view[..., 0, :] = (d * out - b * inn) / det
        view[..., 1, :] = (a * inn - b * out) / det
    return x.numpy()


def low_high_ratio(weights: np.ndarray, k: int) -> float:
    """r^(k) = Σ_{1≤|S|≤k} |w_S| / Σ_{|S|>k} |w_S|: low- over high-order strength (Proposition 1's ratio), pooled
    over any leading (sample) dimensions."""
    per_order = strength_by_order(weights, normalise="none")  # (..., n); leading dimensions are pooled
    high = per_order[..., k:].sum()
    return float(per_order[..., :k].sum() / high) if high > 0 else float("inf")


@dataclass
class TheoryFit:
    """The σ² whose theoretical distribution is closest (L1) to the real one, and that distribution."""

    sigma2: float
    distribution: np.ndarray
    distance: float


def theory_distributions(y: np.ndarray, grid: np.ndarray = SIGMA2_GRID) -> tuple[np.ndarray, np.ndarray]:
    """σ² = 0 and the grid, with the sum-normalised I_theo^(k)(σ²) of each (averaged over a (samples, 2^n) stack)."""
    y = np.atleast_2d(y)
    sigmas = np.concatenate([[0.0], grid])
    return sigmas, np.stack([strength_by_order(theory_weights(y, float(s))).mean(0) for s in sigmas])


def closest_fit(sigmas: np.ndarray, distributions: np.ndarray, real: np.ndarray) -> TheoryFit:
    """The candidate σ² whose distribution is nearest (L1) to ``real``; the first one on ties."""
    distances = np.abs(distributions - real).sum(-1)
    best = int(np.argmin(distances))
    return TheoryFit(float(sigmas[best]), distributions[best], float(distances[best]))


def fit_sigma2(y: np.ndarray, real: np.ndarray, grid: np.ndarray = SIGMA2_GRID) -> TheoryFit:
    """argmin over the grid (and σ² = 0) of ‖I_theo(σ²) − I_real‖₁ between sum-normalised distributions over k.

    ``y`` are the outputs on all masks of one sample, or a (samples, 2^n) stack whose distributions are averaged.
    """
    return closest_fit(*theory_distributions(y, grid), real)


def overfitting_onset(epochs: list[int], train_loss: list[float], test_loss: list[float]) -> int:
    """The epoch after which the train-test loss gap keeps growing: the last epoch where the gap was still at most
    its minimum plus 10 % of its range, searching from the start up to the epoch of the largest gap.

    The paper lines the start of its second phase up with this growth of the gap (spec §8).
    """
    gap = np.asarray(test_loss) - np.asarray(train_loss)
    peak = int(np.argmax(gap))
    low = gap[: peak + 1].min()
    limit = low + 0.1 * (gap[peak] - low)
    below = np.flatnonzero(gap[: peak + 1] <= limit)
    return int(epochs[below[-1]])


def high_order_share(distributions: np.ndarray, n: int) -> np.ndarray:
    """Σ_{k > n/2} I^(k) of sum-normalised distributions over k = 1..n (last axis): the share of high orders."""
    return np.asarray(distributions)[..., n // 2 :].sum(-1)


def high_order_turning_point(epochs: list[int], distributions: np.ndarray, n: int) -> int:
    """The checkpoint where the share of high orders (k > n/2) is smallest: the end of phase 1 seen in I^(k)."""
    return int(epochs[int(np.argmin(high_order_share(distributions, n)))])


@dataclass
class Trajectory:
    """Everything the training-dynamics view draws, for one model over its checkpoints (averaged over samples)."""

    epochs: list[int]
    n: int
    real: np.ndarray  # (epochs, n): I_real^(k), k = 1..n, sum-normalised and averaged over samples
    theory: np.ndarray  # (epochs, n): I_theo^(k) at the fitted σ², same normalisation
    sigma2: np.ndarray  # (epochs,): the fitted σ² per checkpoint
    distance: np.ndarray  # (epochs,): ‖I_theo − I_real‖₁ at the fitted σ²
    history: list[dict]  # per-epoch train/test loss and accuracy
    onset: int  # epoch where the train-test loss gap starts to grow
    turning_point: int  # epoch where the share of high-order strength is smallest
    final_target: np.ndarray  # (samples, 2^n): u = v − v(∅) of the final checkpoint, the theory's regression target
    provenance: dict

    @property
    def high_share(self) -> np.ndarray:
        """(epochs,): the share of the real strength in orders k > n/2 at each checkpoint."""
        return high_order_share(self.real, self.n)

    def shows_second_phase(self, margin: float = 0.05) -> bool:
        """Whether the high-order share ends at least ``margin`` above its minimum (the turning point)."""
        share = self.high_share
        return bool(share[-1] >= share[self.epochs.index(self.turning_point)] + margin)

    def sigma2_trend(self) -> float:
        """Spearman rank correlation of the fitted σ² with the epoch over phase 2: the checkpoints after the turning
        point, without the last one (the regression target itself, whose σ² is 0 by construction). Negative: σ²
        falls, as the theory predicts; NaN with fewer than three such checkpoints."""
        start = self.epochs.index(self.turning_point) + 1
        values = self.sigma2[start:-1]
        if values.size < 3:
            return float("nan")
        ranks = lambda x: np.argsort(np.argsort(x, kind="stable"), kind="stable")  # noqa: E731
        if np.ptp(values) == 0:
            return 0.0
        return float(np.corrcoef(ranks(np.arange(values.size)), ranks(values))[0, 1])

    def table(self) -> list[dict]:
        """One row per (epoch, order): the real and theoretical I^(k) (sum-normalised) and the fitted σ²."""
        return [{"epoch": e, "order": k + 1, "real": float(self.real[i, k]), "theory": float(self.theory[i, k]),
                 "sigma2": float(self.sigma2[i])}
                for i, e in enumerate(self.epochs) for k in range(self.n)]

    def normalised(self, which: str, normalise: str) -> np.ndarray:
        """The real or theoretical distributions, rescaled to "sum" (as stored) or "max" normalisation."""
        values = self.real if which == "real" else self.theory
        return values if normalise == "sum" else values / values.max(-1, keepdims=True)


def trajectory(results: dict[int, list], history: list[dict], grid: np.ndarray = SIGMA2_GRID) -> Trajectory:
    """Real and theoretical I^(k) per checkpoint from {epoch: [result per sample]} and the training history.

    The theory regresses the *final* checkpoint's outputs u = v − v(∅) on noisy triggering functions, fitting one σ²
    per checkpoint so that its distribution matches that checkpoint's I_real^(k) (spec §8, steps 1-5).
    """
    epochs = sorted(results)
    n = results[epochs[0]][0].n
    real = np.stack([np.mean([order_distribution(r) for r in results[e]], axis=0) for e in epochs])
    final = results[epochs[-1]]
    target = np.stack([r.u for r in final])
    candidates = theory_distributions(target, grid)  # the same for every checkpoint: computed once
    fits = [closest_fit(*candidates, real[i]) for i in range(len(epochs))]
    losses = {key: [h[key] for h in history] for key in ("epoch", "train_loss", "test_loss")}
    provenance = {
        "checkpoints_of": final[0].provenance.model_provenance.get("checkpoint_of"),
        "epochs": epochs,
        "weights_sha256": {e: results[e][0].provenance.weights_sha256 for e in epochs},
        "samples": [r.provenance.sample_id for r in final],
        "player_ids": [r.provenance.player_ids for r in final],
        "players": [r.players for r in final],
        "targets": [r.provenance.target for r in final],
        "baseline": final[0].provenance.baseline,
        "output": final[0].provenance.output,
        "method": final[0].method,
        "theory": "approximation of Ren et al. 2024: w*(σ²) = (⊗ g⁻¹) Zᵀ y, g = [[2,1],[1,1+2σ²]], "
                  "y = final checkpoint's v − v(∅); σ² fitted per checkpoint by L1 on a log grid",
        "engine_version": final[0].provenance.engine_version,
    }
    return Trajectory(
        epochs=epochs,
        n=n,
        real=real,
        theory=np.stack([f.distribution for f in fits]),
        sigma2=np.array([f.sigma2 for f in fits]),
        distance=np.array([f.distance for f in fits]),
        history=history,
        onset=overfitting_onset(losses["epoch"], losses["train_loss"], losses["test_loss"]),
        turning_point=high_order_turning_point(epochs, real, n),
        final_target=target,
        provenance=provenance,
    )


def ratio_curves(y: np.ndarray, grid: np.ndarray = SIGMA2_GRID) -> np.ndarray:
    """r^(k)(σ²) of the theory's weights for y, as a (len(grid), n − 1) array over k = 1..n−1."""
    rows = []
    for sigma2 in grid:
        w = theory_weights(y, float(sigma2))
        rows.append([low_high_ratio(w, k) for k in range(1, n_players_of(w.shape[-1]))])
    return np.array(rows)
