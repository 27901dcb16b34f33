"""The model zoo: every bundled model by id, loaded lazily and once per process."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import partial

from ..errors import EngineError
from .base import ZooModel
from .samples import Candidate, Sample
from .bundled import (
    BUNDLED_IDS, CHECKPOINT_SEPARATOR, TITLES, bundled, checkpoint_id, checkpoint_model, checkpoint_states,
    training_history,
)
from .user import HF_PREFIX, is_user_model, load_user_model, user_model_id
from .sentiment import SENTIMENT_RECIPES, SENTIMENT_TITLES, sentiment_model
from .text import TEXT_TITLES, free_text_sample, minilm_l3_sentiment, minilm_sentiment
from .photo import PHOTO_MODEL, PHOTO_TITLE, photo_model

# The trained sentiment classifiers first (the default text model is the first), then the zero-shot heads.
TEXT_MODELS = {**{model_id: partial(sentiment_model, model_id) for model_id in SENTIMENT_RECIPES},
               "text-minilm-l6": minilm_sentiment, "text-minilm-l3": minilm_l3_sentiment}

MODEL_TITLES = {**TITLES, **SENTIMENT_TITLES, **TEXT_TITLES, PHOTO_MODEL: PHOTO_TITLE}
DEFAULT_MODEL = "digits-cnn"

# Pairs trained for the same task, compared on the shared-vs-distinctive view.
MODEL_PAIRS = [("tabular-mlp-wide", "tabular-mlp-deep"), ("digits-cnn", "digits-mlp"),
               ("text-sentiment-l6", "text-sentiment-l3"), ("mnist3-resnet", "mnist3-vgg")]
CHECKPOINT_MODELS = ["digits-cnn-overfit", "tabular-mlp-overfit"]


def model_ids() -> list[str]:
    return list(MODEL_TITLES)


def _checkpoint(model_id: str) -> ZooModel | None:
    base, separator, epoch = model_id.partition(CHECKPOINT_SEPARATOR)
    if not (separator and base in CHECKPOINT_MODELS and epoch.isascii() and epoch.isdigit()):
        return None
    return checkpoint_model(base, int(epoch))


def _text(model_id: str) -> ZooModel | None:
    return TEXT_MODELS[model_id]() if model_id in TEXT_MODELS else None


def _photo(model_id: str) -> ZooModel | None:
    return photo_model() if model_id == PHOTO_MODEL else None


def _bundled(model_id: str) -> ZooModel | None:
    return bundled(model_id) if model_id in BUNDLED_IDS else None


def _user(model_id: str) -> ZooModel | None:
    return load_user_model(model_id) if is_user_model(model_id) else None


# The id schemes, tried in order; each gives the model or None when the id is not of its scheme.
ID_SCHEMES: dict[str, Callable[[str], ZooModel | None]] = {
    "hf:<folder or cached hub name>, hf-pickle:<folder>, py:<file.py>:<function> (the user's own)": _user,
    "<id>@<epoch> (a training checkpoint)": _checkpoint,
    "text-… (a bundled text model)": _text,
    f"{PHOTO_MODEL} (the bundled photo model)": _photo,
    "<id> (a bundled tabular or image model)": _bundled,
}


# Stand-ins for the models of an opened result bundle (engine.bundle), in this thread only: one app session's
# bundle never changes another session's models.
STAND_INS: ContextVar[dict[str, ZooModel]] = ContextVar("stand_ins", default={})


def get_model(model_id: str) -> ZooModel:
    """The model with this id, from the first of :data:`ID_SCHEMES` that knows it: the user's own (``hf:<folder>``,
    ``hf-pickle:<folder>``, ``py:<file.py>:<function>``, see :mod:`.user`), a training checkpoint ``<id>@<epoch>``,
    or a bundled text, photo, tabular or image model; a stand-in of an opened result bundle first (:data:`STAND_INS`)."""
    if (stand_in := STAND_INS.get().get(model_id)) is not None:
        return stand_in
    for load in ID_SCHEMES.values():
        model = load(model_id)
        if model is not None:
            return model
    raise EngineError(f"unknown model {model_id!r}; available: {', '.join(model_ids())}")


__all__ = [
    "Candidate", "Sample", "ZooModel", "get_model", "model_ids", "MODEL_TITLES", "DEFAULT_MODEL", "MODEL_PAIRS",
    "CHECKPOINT_MODELS", "checkpoint_id", "is_user_model", "user_model_id", "HF_PREFIX", "checkpoint_states", "training_history", "free_text_sample",
]
