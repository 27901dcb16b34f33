"""The model zoo: every bundled model by id, loaded lazily and once per process."""

from __future__ import annotations

from ..errors import EngineError
from .base import Candidate, Sample, ZooModel
from .bundled import (
    BUNDLED_IDS, CHECKPOINT_SEPARATOR, TITLES, bundled, checkpoint_id, checkpoint_model, checkpoint_states,
    training_history,
)
from .user import HF_PREFIX, is_user_model, load_user_model, user_model_id
from .text import TEXT_TITLES, free_text_sample, minilm_l3_sentiment, minilm_sentiment

TEXT_MODELS = {"text-minilm-l6": minilm_sentiment, "text-minilm-l3": minilm_l3_sentiment}

MODEL_TITLES = {**TITLES, **TEXT_TITLES}
DEFAULT_MODEL = "digits-cnn"

# Pairs trained for the same task, compared on the shared-vs-distinctive view.
MODEL_PAIRS = [("tabular-mlp-wide", "tabular-mlp-deep"), ("digits-cnn", "digits-mlp"), ("text-minilm-l6", "text-minilm-l3")]
CHECKPOINT_MODELS = ["digits-cnn-overfit", "tabular-mlp-overfit"]


def model_ids() -> list[str]:
    return list(MODEL_TITLES)


def get_model(model_id: str) -> ZooModel:
    """The model with this id: bundled tabular/image or text; ``<id>@<epoch>``, a training checkpoint;
    ``hf:<folder>``, ``hf-pickle:<folder>`` or ``py:<file.py>:<function>``, the user's own (:mod:`.user`)."""
    if is_user_model(model_id):
        return load_user_model(model_id)
    base, separator, epoch = model_id.partition(CHECKPOINT_SEPARATOR)
    if separator and base in CHECKPOINT_MODELS and epoch.isdigit():
        return checkpoint_model(base, int(epoch))
    if model_id in TEXT_MODELS:
        return TEXT_MODELS[model_id]()
    if model_id in BUNDLED_IDS:
        return bundled(model_id)
    raise EngineError(f"unknown model {model_id!r}; available: {', '.join(model_ids())}")


__all__ = [
    "Candidate", "Sample", "ZooModel", "get_model", "model_ids", "MODEL_TITLES", "DEFAULT_MODEL", "MODEL_PAIRS",
    "CHECKPOINT_MODELS", "checkpoint_id", "is_user_model", "user_model_id", "HF_PREFIX", "checkpoint_states", "training_history", "free_text_sample",
]
