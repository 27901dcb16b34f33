"""How to mask one kind of input: one adapter per modality (after captum's ``InterpretableInput``).

An adapter turns a sample into *units* (U, *F) the model reads, lists the candidate players (groups of units), and
gives the value a masked unit takes for each named baseline. With a forward that maps masked units to logits, that
is all a game needs (:meth:`engine.zoo.base.ZooModel.make_game`): the game's coalition matrix (2^n, n) picks, per
row, which players keep their units, x_S = where(mask, units, baseline).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from .samples import Candidate, Sample


class InputAdapter(Protocol):
    """The three questions every modality answers: what the units are, who the players are, what "masked" means."""

    modality: str  # "tabular", "image", "photo" or "text"

    @property
    def baselines(self) -> list[str]:
        """The names of the baselines, the default first."""

    def units(self, sample: Sample) -> torch.Tensor:
        """The sample as the model's units, (U, *F)."""

    def baseline(self, sample: Sample, kind: str) -> torch.Tensor:
        """The value of every unit when masked, (U, *F)."""

    def candidates(self, sample: Sample) -> list[Candidate]:
        """The input variables that can be players, each a group of units with a weight for the default choice."""


def float_tensor(row: np.ndarray) -> torch.Tensor:
    """A row of numbers as a float32 tensor."""
    return torch.from_numpy(np.asarray(row, dtype=np.float32))


@dataclass(frozen=True)
class FeatureRow:
    """A table row: unit i is feature i (after ``scale``, e.g. standardisation), every feature is a candidate, and
    the default players are the features farthest from 0 in model units (|scale(x)_i|)."""

    names: list[str]
    baseline_rows: dict[str, torch.Tensor]  # baseline name -> row in model units
    scale: Callable[[np.ndarray], torch.Tensor] = float_tensor  # raw row -> model units
    modality: str = "tabular"

    @property
    def baselines(self) -> list[str]:
        return list(self.baseline_rows)

    def units(self, sample: Sample) -> torch.Tensor:
        return self.scale(sample.data)

    def baseline(self, sample: Sample, kind: str) -> torch.Tensor:
        return self.baseline_rows[kind].clone()

    def candidates(self, sample: Sample) -> list[Candidate]:
        weights = np.abs(self.units(sample).numpy())
        return [Candidate(name, [i], float(weights[i])) for i, name in enumerate(self.names)]


def image_upload_kind(side: int) -> str:
    """The kind of an uploaded grey ``side``² digit in its id ``upload-<kind>-…``: ``image`` (8×8, the first kind
    there was) or ``image<side>``."""
    return "image" if side == 8 else f"image{side}"


@dataclass(frozen=True)
class ImagePatches:
    """A square grey image of ``side``² pixels, one unit per pixel (row-major); players are the cells of a grid of
    ``patch``² squares, the inkiest first by default. As in Chen et al.'s grid (⌈side/patch⌉² cells), the cells at
    the right and bottom edge are cut to the image when ``patch`` does not divide ``side``."""

    side: int
    patch: int
    baseline_images: dict[str, torch.Tensor]  # baseline name -> flattened image
    modality: str = "image"

    @property
    def baselines(self) -> list[str]:
        return list(self.baseline_images)

    def units(self, sample: Sample) -> torch.Tensor:
        return float_tensor(np.asarray(sample.data).reshape(-1))

    def baseline(self, sample: Sample, kind: str) -> torch.Tensor:
        return self.baseline_images[kind].clone()

    @property
    def upload_kind(self) -> str:
        return image_upload_kind(self.side)

    def candidates(self, sample: Sample) -> list[Candidate]:
        pixels = np.asarray(sample.data).reshape(-1)
        out = []
        for r in range(0, self.side, self.patch):
            for c in range(0, self.side, self.patch):
                units = [y * self.side + x for y in range(r, min(r + self.patch, self.side))
                         for x in range(c, min(c + self.patch, self.side))]
                out.append(Candidate(f"r{r // self.patch}c{c // self.patch}", units, float(pixels[units].sum())))
        return out
