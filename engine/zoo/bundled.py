"""The bundled tabular and image models: weights from ``assets/`` (built by ``python -m engine.zoo.train``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

import numpy as np
import torch
from safetensors.torch import load_file

from ..errors import EngineError
from .base import ASSETS, ZooModel, device_of, placed, tensors_sha256
from .adapters import FeatureRow, ImagePatches
from .samples import Sample, TestSplit
from .nets import breast_cancer, digits, split
from .train import RECIPES, SPLIT_SEED, TEST_FRACTION

PATCH = 2  # image players are PATCH×PATCH pixel squares of the 8×8 digit
SAMPLES_PER_MODEL = 8


def _recipe(model_id: str):
    for recipe in RECIPES:
        if recipe.model_id == model_id:
            return recipe
    raise EngineError(f"no bundled model {model_id!r}")


def load_network(model_id: str, state: dict[str, torch.Tensor] | None = None) -> torch.nn.Module:
    """The bundled network ``model_id`` with its final weights (or the given state dict), in eval mode."""
    net = _recipe(model_id).build()
    if state is None:
        path = ASSETS / "models" / f"{model_id}.safetensors"
        if not path.exists():
            raise EngineError(f"weights {path} are missing; rebuild them with `python -m engine.zoo.train`")
        state = load_file(path)
    net.load_state_dict(state)
    return placed(net)


@lru_cache(maxsize=4)
def checkpoint_states(model_id: str) -> dict[int, dict[str, torch.Tensor]]:
    """{epoch: state dict} of a model trained with checkpoints (loaded once per process; do not modify)."""
    path = ASSETS / "checkpoints" / f"{model_id}.safetensors"
    if not path.exists():
        raise EngineError(f"model {model_id!r} has no training checkpoints")
    states: dict[int, dict[str, torch.Tensor]] = {}
    for key, tensor in load_file(path).items():
        epoch, name = key.split("/", 1)
        states.setdefault(int(epoch[1:]), {})[name] = tensor
    return dict(sorted(states.items()))


def _test_indices(labels: np.ndarray, per_class_limit: int) -> list[int]:
    """Test-split rows, cycling over the classes so that the bundled samples show every class."""
    _, test = split(len(labels), TEST_FRACTION, SPLIT_SEED)
    by_class = [[int(i) for i in test if labels[i] == c] for c in np.unique(labels)]
    picked = []
    for rank in range(per_class_limit):
        picked += [rows[rank] for rows in by_class if rank < len(rows)]
    return picked


def test_split(labels: np.ndarray, prefix: str, sample: Callable[[str, int, int], Sample]) -> TestSplit:
    """The held-out rows of the training split as a :class:`TestSplit`; ``sample(sample_id, index, row)``."""
    _, rows = split(len(labels), TEST_FRACTION, SPLIT_SEED)
    split_of = TestSplit(prefix, len(rows), lambda index: sample(split_of.sample_id(index), index, int(rows[index])))
    return split_of


def _classify(net: torch.nn.Module):
    def forward(batch: torch.Tensor) -> torch.Tensor:
        return net(batch.to(device_of(net)).float())

    return forward


def tabular_model(model_id: str, state: dict[str, torch.Tensor] | None = None) -> ZooModel:
    """An MLP on the ten "mean" features of the breast-cancer data; players are the features."""
    x, y, names, mean, std = breast_cancer()
    net = load_network(model_id, state)
    standardise = lambda row: torch.from_numpy((np.asarray(row, dtype=np.float32) - mean) / std)  # noqa: E731
    rows = _test_indices(y, SAMPLES_PER_MODEL // 2)[:SAMPLES_PER_MODEL]
    classes = ["malignant", "benign"]
    samples = [Sample(f"row-{i}", f"patient #{i} ({classes[y[i]]})", x[i], int(y[i])) for i in rows]
    tests = test_split(y, "row", lambda sample_id, index, row: Sample(
        sample_id, f"test patient {index} (#{row}, {classes[y[row]]})", x[row], int(y[row])))
    # "mean": the data-set mean (0 after standardisation); "zero": every feature at 0 in raw units
    baselines = {"mean": torch.zeros(len(names)), "zero": standardise(np.zeros(len(names)))}
    return ZooModel(
        model_id=model_id,
        title=TITLES[model_id],
        class_names=classes,
        samples=samples,
        forward=_classify(net),
        adapter=FeatureRow(names, baselines, standardise),
        weights_hash=tensors_sha256(net.state_dict()),
        provenance={"data": "scikit-learn breast_cancer (UCI, CC BY 4.0)", "features": names,
                    "standardised_with": "full-data mean and std"},
        batch_size=4096,
        test_split=tests,
    )


def image_model(model_id: str, state: dict[str, torch.Tensor] | None = None) -> ZooModel:
    """A network on scikit-learn's 8×8 digits; players are 2×2 pixel patches (the inkiest ten by default)."""
    images, labels = digits()
    net = load_network(model_id, state)
    picked = _test_indices(labels, 1)[:SAMPLES_PER_MODEL]
    samples = [Sample(f"digit-{i}", f"digit {labels[i]} (#{i})", images[i], int(labels[i])) for i in picked]
    tests = test_split(labels, "digit", lambda sample_id, index, row: Sample(
        sample_id, f"test digit {index}: a {labels[row]} (#{row})", images[row], int(labels[row])))
    baselines = {"zero": torch.zeros(64), "mean": torch.from_numpy(images.mean(axis=0).reshape(-1))}
    return ZooModel(
        model_id=model_id,
        title=TITLES[model_id],
        class_names=[str(d) for d in range(10)],
        samples=samples,
        forward=_classify(net),
        adapter=ImagePatches(8, PATCH, baselines),
        weights_hash=tensors_sha256(net.state_dict()),
        provenance={"data": "scikit-learn digits (UCI, CC BY 4.0)", "players": f"{PATCH}x{PATCH} pixel patches"},
        batch_size=4096,
        test_split=tests,
    )


TITLES = {
    "tabular-mlp-wide": "Breast cancer · MLP 2×64",
    "tabular-mlp-deep": "Breast cancer · MLP 3×32",
    "tabular-mlp-overfit": "Breast cancer · MLP 2×64 over-fit (40 rows, checkpoints)",
    "digits-cnn": "Digits 8×8 · CNN",
    "digits-mlp": "Digits 8×8 · MLP",
    "digits-cnn-overfit": "Digits 8×8 · small CNN over-fit (100 images, checkpoints)",
}


@lru_cache(maxsize=16)
def bundled(model_id: str) -> ZooModel:
    """A bundled tabular or image model by id (loaded once per process)."""
    data = _recipe(model_id).data
    return tabular_model(model_id) if data == "breast_cancer" else image_model(model_id)


BUNDLED_IDS = [r.model_id for r in RECIPES]
CHECKPOINT_SEPARATOR = "@"


def checkpoint_id(model_id: str, epoch: int) -> str:
    """The zoo id of a model at one training checkpoint, e.g. ``digits-cnn-overfit@12``."""
    return f"{model_id}{CHECKPOINT_SEPARATOR}{epoch}"


@lru_cache(maxsize=64)
def checkpoint_model(model_id: str, epoch: int) -> ZooModel:
    """A bundled model with the weights it had after ``epoch`` epochs of training (epoch 0: initialisation)."""
    states = checkpoint_states(model_id)
    if epoch not in states:
        raise EngineError(f"model {model_id!r} has no checkpoint at epoch {epoch}; it has {', '.join(map(str, states))}")
    build = tabular_model if _recipe(model_id).data == "breast_cancer" else image_model
    model = build(model_id, states[epoch])
    return replace(model, model_id=checkpoint_id(model_id, epoch), title=f"{TITLES[model_id]} · epoch {epoch}",
                   provenance=model.provenance | {"checkpoint_of": model_id, "epoch": epoch})


def training_history(model_id: str) -> list[dict]:
    """Per-epoch train/test loss and accuracy recorded by the training script (from ``assets/manifest.json``)."""
    manifest = json.loads((ASSETS / "manifest.json").read_text())
    try:
        return manifest[model_id]["checkpoints"]["history"]
    except KeyError:
        raise EngineError(f"model {model_id!r} has no recorded training history") from None
