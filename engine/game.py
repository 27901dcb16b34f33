"""A game: a model, one sample, n players, a baseline and an output, evaluated once on all 2^n masked samples.

The sample is a tensor of *units* of shape (U, *F): U features of a table row (F = ()), U pixels of an image
(F = ()), or U token embeddings of a sentence (F = (hidden,)). A player is a group of unit indices; units that
belong to no player are background and always keep their value. The masked sample x_S is

    x_S[u] = x[u] if u is background or belongs to a player in S, else baseline[u],

and ``forward`` maps a batch of masked samples (B, U, *F) to logits (B, C). The output function then turns logits
into the scalar v(x_S) (see :mod:`engine.outputs`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from .errors import Cancelled, EngineError
from .masks import all_masks
from .outputs import OutputSpec

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]

MAX_PLAYERS = 20


@dataclass
class Game:
    """Everything needed to evaluate v(x_S) for all S ⊆ N."""

    units: torch.Tensor  # (U, *F), the sample
    baseline: torch.Tensor  # (U, *F), the value of a masked unit
    players: list[list[int]]  # unit indices of each player
    player_labels: list[str]
    forward: Callable[[torch.Tensor], torch.Tensor]  # (B, U, *F) -> logits (B, C)
    output: OutputSpec
    batch_size: int = 256

    def __post_init__(self) -> None:
        n, units = len(self.players), self.units.shape[0]
        if n == 0:
            raise EngineError("choose at least one player")
        if n > MAX_PLAYERS:
            raise EngineError(f"{n} players need 2^{n} = {1 << n:,} model evaluations; at most {MAX_PLAYERS} are allowed")
        if len(self.player_labels) != n:
            raise EngineError(f"{n} players but {len(self.player_labels)} labels")
        if self.baseline.shape != self.units.shape:
            raise EngineError(f"baseline shape {tuple(self.baseline.shape)} differs from sample {tuple(self.units.shape)}")
        seen: set[int] = set()
        for group in self.players:
            if not group:
                raise EngineError("a player must cover at least one input unit")
            bad = [u for u in group if not 0 <= u < units]
            if bad:
                raise EngineError(f"player units {bad} are outside the sample's {units} units")
            if seen & set(group):
                raise EngineError("two players share an input unit; players must be disjoint")
            seen |= set(group)

    @property
    def n(self) -> int:
        return len(self.players)

    def unit_masks(self, player_masks: np.ndarray) -> torch.Tensor:
        """(B, U) boolean: which units keep their value for each row of a (B, n) player mask."""
        owner = np.full(self.units.shape[0], -1)
        for i, group in enumerate(self.players):
            owner[group] = i
        keep = np.ones((player_masks.shape[0], owner.size), dtype=bool)
        covered = owner >= 0
        keep[:, covered] = player_masks[:, owner[covered]]
        return torch.from_numpy(keep)

    def masked_inputs(self, player_masks: np.ndarray) -> torch.Tensor:
        """x_S for each row S of ``player_masks``: (B, U, *F)."""
        keep = self.unit_masks(player_masks).to(self.units.device)
        keep = keep.reshape(*keep.shape, *([1] * (self.units.dim() - 1)))
        return torch.where(keep, self.units.unsqueeze(0), self.baseline.unsqueeze(0))

    def evaluate(self, progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> np.ndarray:
        """v(x_S) for all 2^n subsets in bitmask order (float64), in batches, under inference mode."""
        masks = all_masks(self.n)
        values = np.empty(masks.shape[0], dtype=np.float64)
        start = time.perf_counter()
        with torch.inference_mode():
            for lo in range(0, masks.shape[0], self.batch_size):
                if cancel is not None and cancel():
                    raise Cancelled("model evaluation cancelled")
                hi = min(lo + self.batch_size, masks.shape[0])
                logits = self.forward(self.masked_inputs(masks[lo:hi]))
                values[lo:hi] = self.output(logits).double().cpu().numpy()
                if progress is not None:
                    elapsed = time.perf_counter() - start
                    progress(hi / masks.shape[0], f"model on {hi:,} of {masks.shape[0]:,} masked samples ({elapsed:.1f} s)")
        if not np.all(np.isfinite(values)):
            bad = int((~np.isfinite(values)).sum())
            raise EngineError(f"the model's output is NaN or infinite on {bad} of {values.size} masked samples")
        return values
