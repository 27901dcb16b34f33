"""Samples the user uploads: a picture of a digit for the image models, a CSV row for the tabular models.

Uploaded samples are content-addressed (``upload-<modality>-<hash>``) and kept in the bounded store
:data:`engine.zoo.samples.UPLOADED`, so a link to one works for every session of the same server (while it is among
the most recent uploads) and cached results can never mix two uploads up.
"""

from __future__ import annotations

import hashlib
import io
import re

import numpy as np

from ..errors import EngineError
from .samples import UPLOADED, Sample

IMAGE_SIDE = 8


def _register(modality: str, data: np.ndarray, title: str) -> Sample:
    """Store the sample under ``upload-<modality>-<first 12 hex digits of SHA-256 of its float32 bytes>``."""
    digest = hashlib.sha256(np.ascontiguousarray(data, dtype=np.float32).tobytes()).hexdigest()[:12]
    return UPLOADED.add(Sample(f"upload-{modality}-{digest}", title, data.astype(np.float32), None))


def image_sample(raw: bytes, name: str = "image") -> Sample:
    """An 8×8 digit in [0, 1] (ink bright, like scikit-learn's digits) from any picture Pillow reads.

    The picture is turned to grey, shrunk with area averaging, inverted when its border is brighter than its
    middle (dark ink on light paper), and stretched to the full [0, 1] range.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        picture = Image.open(io.BytesIO(raw))
        grey = np.asarray(picture.convert("L").resize((IMAGE_SIDE, IMAGE_SIDE), Image.Resampling.BOX), dtype=float)
    except UnidentifiedImageError:  # Pillow's message names the in-memory buffer, <_io.BytesIO object at 0x…>
        raise EngineError(f"cannot read {name} as an image (not a picture format Pillow knows); upload a PNG or "
                          "JPEG") from None
    except (OSError, ValueError) as exc:
        detail = re.sub(r"<_io\.BytesIO object at 0x[0-9a-fA-F]+>", name, str(exc))
        raise EngineError(f"cannot read {name} as an image ({detail}); upload a PNG or JPEG") from None
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]]).mean()
    if border > grey[2:-2, 2:-2].mean():
        grey = 255.0 - grey
    low, high = grey.min(), grey.max()
    if high - low < 1e-6:
        raise EngineError(f"{name} is a blank image; upload a picture of a digit")
    return _register("image", (grey - low) / (high - low), f"your image: {name}")


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
