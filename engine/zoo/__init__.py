"""The model zoo: every bundled model by id, loaded lazily and once per process."""

from __future__ import annotations

from ..errors import EngineError
from .base import Candidate, Sample, ZooModel
from .bundled import (
    BUNDLED_IDS, CHECKPOINT_SEPARATOR, TITLES, bundled, checkpoint_id, checkpoint_model, checkpoint_states,
    training_history,
)
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
    """The model with this id (bundled tabular/image or text); ``<id>@<epoch>`` is a training checkpoint."""
    base, separator, epoch = model_id.partition(CHECKPOINT_SEPARATOR)
    if separator and base in CHECKPOINT_MODELS and epoch.isdigit():
        return checkpoint_model(base, int(epoch))
    if model_id in TEXT_MODELS:
        return TEXT_MODELS[model_id][1]()
    if model_id in BUNDLED_IDS:
        return bundled(model_id)
    raise EngineError(f"unknown model {model_id!r}; available: {', '.join(model_ids())}")


__all__ = [
    "Candidate", "Sample", "ZooModel", "get_model", "model_ids", "MODEL_TITLES", "DEFAULT_MODEL", "MODEL_PAIRS",
    "CHECKPOINT_MODELS", "checkpoint_id", "checkpoint_states", "training_history", "free_text_sample",
]
