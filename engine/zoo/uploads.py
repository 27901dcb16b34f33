"""Samples the user uploads: a picture of a digit for the image models, a photo for the photo model, a CSV row for
the tabular models.

Uploaded samples are content-addressed (``upload-<kind>-<hash>``, the kind of :attr:`ZooModel.upload_kind`) and
kept in the bounded store :data:`engine.zoo.samples.UPLOADED`, so a link to one works for every session of the same
server (while it is among the most recent uploads) and cached results can never mix two uploads up.
"""

from __future__ import annotations

import hashlib
import io
import re

import numpy as np

from ..errors import EngineError
from .adapters import image_upload_kind
from .samples import UPLOADED, Sample

IMAGE_SIDE = 8


def _content_id(kind: str, data: np.ndarray) -> str:
    """``upload-<kind>-<first 12 hex digits of SHA-256 of the data's float32 bytes>``."""
    digest = hashlib.sha256(np.ascontiguousarray(data, dtype=np.float32).tobytes()).hexdigest()[:12]
    return f"upload-{kind}-{digest}"


def _register(kind: str, data: np.ndarray, title: str) -> Sample:
    """Store the sample under its content id (:func:`_content_id`)."""
    return UPLOADED.add(Sample(_content_id(kind, data), title, data.astype(np.float32), None))


def _picture(raw: bytes, name: str, mode: str):
    """The picture in Pillow ``mode`` ("L": grey, "RGB"), decoded; what Pillow cannot read is an EngineError."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(raw)) as picture:
            return picture.convert(mode)
    except UnidentifiedImageError:  # Pillow's message names the in-memory buffer, <_io.BytesIO object at 0x…>
        raise EngineError(f"cannot read {name} as an image (not a picture format Pillow knows); upload a PNG or "
                          "JPEG") from None
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        detail = re.sub(r"<_io\.BytesIO object at 0x[0-9a-fA-F]+>", name, str(exc))
        raise EngineError(f"cannot read {name} as an image ({detail}); upload a PNG or JPEG") from None


def image_sample(raw: bytes, name: str = "image", side: int = IMAGE_SIDE) -> Sample:
    """A ``side``×``side`` digit in [0, 1] (ink bright, like scikit-learn's digits and MNIST) from any picture
    Pillow reads, stored as an upload of kind ``image`` (8×8) or ``image<side>``.

    The picture is turned to grey, shrunk with area averaging, inverted when its border is brighter than its
    middle (dark ink on light paper), and stretched to the full [0, 1] range.
    """
    from PIL import Image

    grey = np.asarray(_picture(raw, name, "L").resize((side, side), Image.Resampling.BOX), dtype=float)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]]).mean()
    if border > grey[2:-2, 2:-2].mean():
        grey = 255.0 - grey
    low, high = grey.min(), grey.max()
    if high - low < 1e-6:
        raise EngineError(f"{name} is a blank image; upload a picture of a digit")
    return _register(image_upload_kind(side), (grey - low) / (high - low), f"your image: {name}")


def photo_sample(raw: bytes, name: str = "photo") -> Sample:
    """A photo for the photo model (:func:`engine.zoo.photo.photo_from_array`: centred square, 224², superpixels)
    from any picture Pillow reads, stored as an upload of kind ``photo``."""
    from .photo import photo_from_array

    rgb = np.asarray(_picture(raw, name, "RGB"))
    if min(rgb.shape[:2]) < 16:
        raise EngineError(f"{name} is {rgb.shape[1]}×{rgb.shape[0]} pixels; upload a photo at least 16 pixels on "
                          "each side")
    photo = photo_from_array(rgb)
    return UPLOADED.add(Sample(_content_id("photo", photo.pixels), f"your photo: {name}", photo, None))


def table_sample(raw: bytes, features: list[str], name: str = "table") -> Sample:
    """One row of features from a CSV: a header naming the features (any order, extra columns ignored) and a row
    of numbers below it, or a single line of exactly len(features) numbers in the model's order."""
    import pandas as pd

    try:
        text = raw.decode("utf-8-sig")
        frame = pd.read_csv(io.StringIO(text))
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise EngineError(f"cannot read {name} as CSV ({exc})") from None
    columns = [str(c).strip() for c in frame.columns]
    if set(features) <= set(columns):
        if frame.empty:
            raise EngineError(f"{name} has a header but no row of values")
        values = frame.rename(columns=dict(zip(frame.columns, columns)))[features].iloc[0]
    else:
        header_numbers = pd.to_numeric(pd.Series(columns), errors="coerce")
        if len(columns) != len(features) or header_numbers.isna().any():
            missing = [f for f in features if f not in columns]
            raise EngineError(f"{name} must name the features {', '.join(features)} in its header, or be one line "
                              f"of {len(features)} numbers; missing: {', '.join(missing)}")
        values = header_numbers
    numbers = pd.to_numeric(pd.Series(list(values)), errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(numbers)):
        raise EngineError(f"{name} has values that are not numbers")
    return _register("tabular", numbers, f"your row: {name}")
