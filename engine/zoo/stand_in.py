"""A read-only stand-in for a model that is not installed: what a result bundle recorded about it.

It serves the bundled samples, their candidate players and the prediction on each unmasked sample, which is all a
request needs to find its cached results (the keys hold the model id, weights hash, sample, players, baseline,
output and target). It never runs a forward pass: a request whose result the bundle does not hold gets a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..errors import EngineError
from ..game import Game
from ..outputs import OutputSpec
from .base import ZooModel
from .samples import Candidate, Sample


def not_in_bundle(model_title: str, what: str) -> EngineError:
    return EngineError(f"this bundle holds no result for {what}; the model {model_title} is not installed here, so "
                       "nothing new can be computed (open a bundle that holds it, or install the model)")


@dataclass(frozen=True)
class RecordedAdapter:
    """The candidates and baseline names a bundle recorded per sample; a stand-in has no units to mask."""

    modality: str
    baseline_names: list[str]
    recorded: dict[str, list[Candidate]]  # sample id -> candidate players
    model_title: str

    @property
    def baselines(self) -> list[str]:
        return list(self.baseline_names)

    def candidates(self, sample: Sample) -> list[Candidate]:
        if sample.sample_id not in self.recorded:
            raise not_in_bundle(self.model_title, f"the sample {sample.title!r}")
        return self.recorded[sample.sample_id]

    def units(self, sample: Sample) -> torch.Tensor:
        raise not_in_bundle(self.model_title, f"a new computation on {sample.title!r}")

    def baseline(self, sample: Sample, kind: str) -> torch.Tensor:
        return self.units(sample)


@dataclass
class StandInModel(ZooModel):
    """A :class:`ZooModel` built from a bundle's manifest: samples, candidates and predictions, no network."""

    predictions: dict[str, list[float]] = field(default_factory=dict)  # sample id -> p on the unmasked sample

    def sample(self, sample_id: str) -> Sample:
        """A bundled sample (a message naming the bundled ones for any other)."""
        found = next((s for s in self.samples if s.sample_id == sample_id), None)
        if found is None:
            raise not_in_bundle(self.title, f"the sample {sample_id!r} (it holds "
                                            f"{', '.join(s.sample_id for s in self.samples)})")
        return found

    def predict(self, sample: Sample) -> np.ndarray:
        """The prediction the bundle recorded for ``sample`` (a message when it has none)."""
        if sample.sample_id not in self.predictions:
            raise not_in_bundle(self.title, f"the sample {sample.title!r}")
        return np.asarray(self.predictions[sample.sample_id], dtype=float)

    def make_game(self, sample: Sample, player_ids: list[int] | None = None, baseline: str | None = None,
                  output: OutputSpec | None = None) -> Game:
        players = ", ".join(c.label for i, c in enumerate(self.candidates_of(sample)) if i in (player_ids or []))
        raise not_in_bundle(self.title, f"{sample.title!r} with the players {players or 'chosen'}, baseline "
                                        f"{baseline!r} and output {output.kind if output else 'log-odds'!r}")


def _refuse(_: torch.Tensor) -> torch.Tensor:
    raise EngineError("a bundle's stand-in model has no network to run")


def stand_in(model_id: str, record: dict[str, Any]) -> StandInModel:
    """The stand-in for ``model_id`` from its manifest record (:func:`engine.bundle.model_record` writes it)."""
    samples, candidates, predictions = [], {}, {}
    for s in record["samples"]:
        data = s["data"] if isinstance(s["data"], str) else np.asarray(s["data"], dtype=s.get("dtype", "float32"))
        samples.append(Sample(s["sample_id"], s["title"], data, s.get("label")))
        candidates[s["sample_id"]] = [Candidate(c["label"], list(c["units"]), float(c["weight"]),
                                                tuple(c["span"]) if c.get("span") else None) for c in s["candidates"]]
        predictions[s["sample_id"]] = list(s["prediction"])
    adapter = RecordedAdapter(record["modality"], list(record["baselines"]), candidates, record["title"])
    model = StandInModel(model_id, record["title"], list(record["class_names"]), samples, _refuse, adapter,
                         record["weights_sha256"], dict(record.get("provenance", {})) | {"stand_in": "bundle"},
                         default_players=int(record.get("default_players", 10)), predictions=predictions)
    return model
