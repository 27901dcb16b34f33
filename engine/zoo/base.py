"""What every model of the zoo provides: samples, candidate players, baselines and a game for a choice of them."""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..errors import EngineError
from ..game import Game
from ..outputs import OutputSpec
from .adapters import InputAdapter
from .samples import UPLOADED, Candidate, Sample, TestSplit

ASSETS = Path(__file__).resolve().parents[2] / "assets"
DEVICE_VARIABLE = "INTERACTION_EXPLORER_DEVICE"
PREDICTIONS_KEPT = 256  # predictions memoised per model (by sample id)


def model_device() -> torch.device:
    """Where the zoo's networks run: CUDA when there is a GPU, else the CPU (``INTERACTION_EXPLORER_DEVICE`` overrides).

    Masks are built on the CPU; each batch of masked samples moves to the network's device, outputs come back.
    """
    return torch.device(os.environ.get(DEVICE_VARIABLE) or ("cuda" if torch.cuda.is_available() else "cpu"))


def placed(module: torch.nn.Module) -> torch.nn.Module:
    """``module`` in eval mode on :func:`model_device`."""
    return module.to(model_device()).eval()


def device_of(module: torch.nn.Module) -> torch.device:
    return next(module.parameters()).device


@dataclass
class ZooModel:
    """A loaded model: its samples, a forward from masked units to logits, and the adapter of its modality that
    says how to mask its input (units, candidate players, baselines).

    ``samples`` are the hand-picked showcase; ``test_split`` (optional) is the whole held-out split by index
    (``digit-test-123``). A model without one offers its showcase as its test set (:meth:`test_sample_ids`)."""

    model_id: str
    title: str
    class_names: list[str]
    samples: list[Sample]
    forward: Callable[[torch.Tensor], torch.Tensor]  # (B, U, *F) -> logits
    adapter: InputAdapter
    weights_hash: str
    provenance: dict[str, Any] = field(default_factory=dict)
    batch_size: int = 1024
    default_players: int = 10
    test_split: TestSplit | None = None
    memory_bytes: int = 0  # its parameters and buffers (what keeping it loaded costs; 0: not measured)
    _predictions: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict, init=False, repr=False,
                                                       compare=False)

    @property
    def modality(self) -> str:
        return self.adapter.modality

    @property
    def baselines(self) -> list[str]:
        return self.adapter.baselines

    @property
    def upload_kind(self) -> str:
        """The kind of sample a user uploads for this model, in its id ``upload-<kind>-<hash>``: the adapter's own
        (an 8×8 digit, a 28×28 digit and a photo are all images) or else the modality."""
        return getattr(self.adapter, "upload_kind", self.modality)

    def units_of(self, sample: Sample) -> torch.Tensor:
        return self.adapter.units(sample)

    def baseline_of(self, sample: Sample, kind: str) -> torch.Tensor:
        return self.adapter.baseline(sample, kind)

    def candidates_of(self, sample: Sample) -> list[Candidate]:
        return self.adapter.candidates(sample)

    def input_note(self, sample: Sample) -> str | None:
        """What of ``sample`` the model cannot see (a text longer than its window), said in a sentence; else None."""
        note = getattr(self.adapter, "note", None)
        return note(sample) if note is not None else None

    def sample(self, sample_id: str) -> Sample:
        """A bundled sample, or one the user uploaded for this kind of model (see :mod:`.uploads`)."""
        for s in self.samples:
            if s.sample_id == sample_id:
                return s
        if sample_id.startswith(f"upload-{self.upload_kind}-") and (found := UPLOADED.get(sample_id)) is not None:
            return found
        split = self.test_split
        if split is not None and (index := split.index_of(sample_id)) is not None:
            return split.sample(index)
        known = ", ".join(s.sample_id for s in self.samples)
        tests = f", or {split.sample_id(0)} … {split.sample_id(split.size - 1)}" if split is not None else ""
        raise EngineError(f"model {self.model_id!r} has no sample {sample_id!r}; its samples: {known}{tests}")

    @property
    def test_size(self) -> int:
        """How many samples :meth:`test_sample_ids` can give."""
        return self.test_split.size if self.test_split is not None else len(self.samples)

    def test_sample_ids(self, count: int | None = None, start: int = 0) -> list[str]:
        """Ids of the test split's samples ``start`` … ``start + count − 1`` (clipped to the split; all by default);
        the showcase samples for a model without a test split."""
        stop = self.test_size if count is None else min(start + count, self.test_size)
        if self.test_split is None:
            return [s.sample_id for s in self.samples[start:stop]]
        return [self.test_split.sample_id(i) for i in range(start, stop)]

    def default_player_ids(self, sample: Sample, n: int | None = None) -> list[int]:
        """The n candidates with the largest weight, in input order."""
        n = self.default_players if n is None else n
        candidates = self.candidates_of(sample)
        best = sorted(range(len(candidates)), key=lambda i: -candidates[i].weight)[:n]
        return sorted(best)

    def predict(self, sample: Sample) -> np.ndarray:
        """Class probabilities on the unmasked sample, p = softmax(z) (for a single logit z: (1 − σ(z), σ(z))).

        Memoised by sample id (a sample id names its content: bundled, content-addressed upload, or the sentence
        itself), so the target class of a request costs one forward pass per model and sample, not one per call.
        """
        found = self._predictions.get(sample.sample_id)
        if found is None:
            with torch.inference_mode():
                logits = self.forward(self.units_of(sample).unsqueeze(0))[0].double().cpu()
            if logits.numel() == 1:
                p = torch.sigmoid(logits[0])
                found = np.array([1 - float(p), float(p)])
            else:
                found = torch.softmax(logits, dim=-1).numpy()
            self._predictions[sample.sample_id] = found
            while len(self._predictions) > PREDICTIONS_KEPT:
                self._predictions.popitem(last=False)
        return found.copy()

    def predicted_class(self, sample: Sample) -> int:
        return int(np.argmax(self.predict(sample)))

    def make_game(
        self,
        sample: Sample,
        player_ids: list[int] | None = None,
        baseline: str | None = None,
        output: OutputSpec | None = None,
    ) -> Game:
        """Game on ``sample`` with the chosen candidate indices as players (default: the model's default choice)."""
        candidates = self.candidates_of(sample)
        player_ids = self.default_player_ids(sample) if player_ids is None else list(player_ids)
        if len(set(player_ids)) != len(player_ids):
            raise EngineError("the same input variable was chosen twice as a player")
        bad = [i for i in player_ids if not 0 <= i < len(candidates)]
        if bad:
            raise EngineError(
                f"this sample has {len(candidates)} input variables; cannot use variable(s) {bad} as players"
            )
        baseline = baseline or self.baselines[0]
        if baseline not in self.baselines:
            raise EngineError(f"unknown baseline {baseline!r}; choose one of {', '.join(self.baselines)}")
        output = output or OutputSpec("log-odds", self.predicted_class(sample))
        return Game(
            units=self.units_of(sample),
            baseline=self.baseline_of(sample, baseline),
            players=[candidates[i].units for i in player_ids],
            player_labels=[candidates[i].label for i in player_ids],
            forward=self.forward,
            output=output,
            batch_size=self.batch_size,
        )


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tensors_bytes(tensors: dict[str, torch.Tensor]) -> int:
    """Bytes held by a state dict's tensors."""
    return sum(t.numel() * t.element_size() for t in tensors.values())


def tensors_sha256(tensors: dict[str, torch.Tensor]) -> str:
    """Hash of a state dict's names and bytes, independent of the file it came from."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        h.update(name.encode())
        h.update(tensors[name].detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()
