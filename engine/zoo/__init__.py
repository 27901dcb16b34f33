"""The model zoo: every bundled model by id, loaded lazily and once per process."""

from __future__ import annotations

from ..errors import EngineError
from .base import Candidate, Sample, ZooModel
from .bundled import BUNDLED_IDS, TITLES, bundled, checkpoint_states
from .text import free_text_sample, minilm_sentiment

TEXT_MODELS = {"text-minilm-l6": ("Sentences · MiniLM-L6 zero-shot sentiment", minilm_sentiment)}

MODEL_TITLES = {**TITLES, **{k: title for k, (title, _) in TEXT_MODELS.items()}}
DEFAULT_MODEL = "digits-cnn"

# Pairs trained for the same task, compared on the shared-vs-distinctive view.
MODEL_PAIRS = [("tabular-mlp-wide", "tabular-mlp-deep"), ("digits-cnn", "digits-mlp")]
CHECKPOINT_MODELS = ["digits-cnn-overfit", "tabular-mlp-overfit"]


def model_ids() -> list[str]:
    return list(MODEL_TITLES)


def get_model(model_id: str) -> ZooModel:
    """The model with this id (bundled tabular/image or text)."""
    if model_id in TEXT_MODELS:
        return TEXT_MODELS[model_id][1]()
    if model_id in BUNDLED_IDS:
        return bundled(model_id)
    raise EngineError(f"unknown model {model_id!r}; available: {', '.join(model_ids())}")


__all__ = [
    "Candidate", "Sample", "ZooModel", "get_model", "model_ids", "MODEL_TITLES", "DEFAULT_MODEL", "MODEL_PAIRS",
    "CHECKPOINT_MODELS", "checkpoint_states", "free_text_sample",
]
