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
from .photo import Photo
from .samples import Candidate, Sample

PHOTO_DTYPE = "photo"  # a photo's record: its pixels as 0-255 integers and its superpixel map


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
    tests: list[Sample] = field(default_factory=list)  # an across aggregate's test samples (also in ``samples``)

    @property
    def test_size(self) -> int:
        """The bundled test samples (the showcase stands in where the bundle recorded none)."""
        return len(self.tests) if self.tests else len(self.samples)

    def test_sample_ids(self, count: int | None = None, start: int = 0) -> list[str]:
        """Ids of the bundled test samples ``start`` … ``start + count − 1`` (the showcase where there are none)."""
        stop = self.test_size if count is None else min(start + count, self.test_size)
        return [s.sample_id for s in (self.tests or self.samples)[start:stop]]

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


def encode_data(data: Any) -> dict[str, Any]:
    """A sample's input as JSON for a bundle's manifest: a sentence as it is, an array as nested lists with its
    dtype, a :class:`~.photo.Photo` as its pixels (round(255·p), 8 bits: only drawn) and superpixel map."""
    if isinstance(data, str):
        return {"data": data, "dtype": None}
    if isinstance(data, Photo):
        return {"data": {"pixels": np.rint(np.asarray(data.pixels) * 255).astype(np.uint8).tolist(),
                         "segments": np.asarray(data.segments).tolist()}, "dtype": PHOTO_DTYPE}
    array = np.asarray(data)
    return {"data": array.tolist(), "dtype": str(array.dtype)}


def decode_data(record: dict[str, Any]) -> Any:
    """The inverse of :func:`encode_data` (a photo's pixels back in [0, 1])."""
    data, dtype = record["data"], record.get("dtype")
    if isinstance(data, str):
        return data
    if dtype == PHOTO_DTYPE:
        return Photo(np.asarray(data["pixels"], dtype=np.float32) / 255.0, np.asarray(data["segments"], dtype=int))
    return np.asarray(data, dtype=dtype or "float32")


def _refuse(_: torch.Tensor) -> torch.Tensor:
    raise EngineError("a bundle's stand-in model has no network to run")


def stand_in(model_id: str, record: dict[str, Any]) -> StandInModel:
    """The stand-in for ``model_id`` from its manifest record (:func:`engine.bundle.model_record` writes it)."""
    candidates, predictions = {}, {}

    def read(s: dict[str, Any]) -> Sample:
        candidates[s["sample_id"]] = [Candidate(c["label"], list(c["units"]), float(c["weight"]),
                                                tuple(c["span"]) if c.get("span") else None) for c in s["candidates"]]
        predictions[s["sample_id"]] = list(s["prediction"])
        return Sample(s["sample_id"], s["title"], decode_data(s), s.get("label"))

    samples, tests = [read(s) for s in record["samples"]], [read(s) for s in record.get("test_samples", [])]
    shown = {s.sample_id for s in samples}
    samples += [t for t in tests if t.sample_id not in shown]  # the sidebar offers them too
    adapter = RecordedAdapter(record["modality"], list(record["baselines"]), candidates, record["title"])
    model = StandInModel(model_id, record["title"], list(record["class_names"]), samples, _refuse, adapter,
                         record["weights_sha256"], dict(record.get("provenance", {})) | {"stand_in": "bundle"},
                         default_players=int(record.get("default_players", 10)), predictions=predictions,
                         tests=tests)
    return model
