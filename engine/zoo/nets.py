"""The small networks of the bundled models and the data they are trained on (all shipped with scikit-learn)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

TABULAR_FEATURES = 10  # the ten "mean ..." columns of the breast-cancer data


def mlp(sizes: list[int]) -> nn.Sequential:
    """Fully connected ReLU network with the given layer widths."""
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


class DigitsCNN(nn.Module):
    """conv(c1)-conv(c2)-maxpool-fc(hidden)-fc(10) on 1×8×8 digits."""

    def __init__(self, c1: int = 16, c2: int = 32, hidden: int = 64) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(c2 * 16, hidden), nn.ReLU(), nn.Linear(hidden, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x.reshape(-1, 1, 8, 8)))


class DigitsMLP(nn.Module):
    """64-128-128-10 MLP on flattened digits."""

    def __init__(self) -> None:
        super().__init__()
        self.net = mlp([64, 128, 128, 10])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.reshape(-1, 64))


def breast_cancer() -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray]:
    """(X, y, feature names, mean, std) of the ten "mean" features of scikit-learn's breast-cancer data (raw units)."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    x = data.data[:, :TABULAR_FEATURES].astype(np.float32)
    names = [name.replace("mean ", "") for name in data.feature_names[:TABULAR_FEATURES]]
    return x, data.target.astype(np.int64), names, x.mean(axis=0), x.std(axis=0)


def digits() -> tuple[np.ndarray, np.ndarray]:
    """(images scaled to [0, 1] with shape (N, 8, 8), labels) of scikit-learn's digits."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return (data.images / 16.0).astype(np.float32), data.target.astype(np.int64)


def split(count: int, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A reproducible random train/test split of range(count)."""
    order = np.random.default_rng(seed).permutation(count)
    cut = int(round(count * (1 - test_fraction)))
    return np.sort(order[:cut]), np.sort(order[cut:])
