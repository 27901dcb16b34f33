"""Samples the user uploads: a picture of a digit for the image models, a photo for the photo model, a CSV row for
the tabular models.

Uploaded samples are content-addressed (``upload-<kind>-<hash>``, the kind of :attr:`ZooModel.upload_kind`) and
kept in the bounded store :data:`engine.zoo.samples.UPLOADED`, so a link to one works for every session of the same
server (while it is among the most recent uploads) and cached results can never mix two uploads up.

Every upload is read strictly, so that no file is silently read as something else: a picture's byte size and pixel count
are checked (from its header) before it is decoded, and a CSV is parsed cell by cell (no column renaming, every value
a plain decimal number that fits a float32).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re

import numpy as np

from ..errors import EngineError
from .adapters import image_upload_kind
from .samples import UPLOADED, Sample

IMAGE_SIDE = 8
MAX_IMAGE_BYTES = 10 * 2**20
MAX_IMAGE_PIXELS = 16_000_000  # width × height from the header; a 90 KB PNG may claim 400 megapixels
MAX_TABLE_BYTES = 2**20
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
FLOAT32_MAX = float(np.finfo(np.float32).max)


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

    if len(raw) > MAX_IMAGE_BYTES:
        raise EngineError(f"{name} is {len(raw) / 2**20:.1f} MB; upload a picture of at most "
                          f"{MAX_IMAGE_BYTES // 2**20} MB")
    try:
        with Image.open(io.BytesIO(raw)) as picture:  # reads the header only (Pillow refuses beyond 179 megapixels)
            width, height = picture.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(f"{name} is {width:,} × {height:,} pixels")
            return picture.convert(mode)
    except UnidentifiedImageError:  # Pillow's message names the in-memory buffer, <_io.BytesIO object at 0x…>
        raise EngineError(f"cannot read {name} as an image (not a picture format Pillow knows); upload a PNG or "
                          "JPEG") from None
    except Image.DecompressionBombError:
        raise _too_many_pixels(f"{name} claims hundreds of megapixels") from None
    except (OSError, ValueError) as exc:
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


def _too_many_pixels(what: str) -> EngineError:
    return EngineError(f"{what}; upload a picture of at most {MAX_IMAGE_PIXELS / 1e6:g} megapixels (the models "
                       "read at most 224 × 224)")


def table_sample(raw: bytes, features: list[str], name: str = "table") -> Sample:
    """One row of features from a CSV: a header naming the features (any order, extra columns ignored) and one row
    of numbers below it, or a single line of exactly len(features) numbers in the model's order.

    Every value must be a plain decimal number (``-1.5``, ``2e3``) that fits a float32; a header may not name a
    column twice. Anything else is refused with a message that says what is wrong.
    """
    if len(raw) > MAX_TABLE_BYTES:
        raise EngineError(f"{name} is {len(raw) / 2**20:.1f} MB; upload one row of at most "
                          f"{MAX_TABLE_BYTES // 1024} KB")
    try:
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise EngineError(f"cannot read {name} as CSV ({exc})") from None
    rows = [row for row in rows if any(row)]
    if not rows:
        raise EngineError(f"{name} is empty")
    if all(NUMBER.fullmatch(cell) for cell in rows[0]):  # no header: the numbers in the model's order
        if len(rows) > 1 or len(rows[0]) != len(features):
            raise EngineError(f"{name} must be one line of {len(features)} numbers (the features "
                              f"{', '.join(features)} in this order), or a header and one row; it has {len(rows)} "
                              f"line(s) of {len(rows[0])} values")
        return _register("tabular", _numbers(rows[0], features, name), f"your row: {name}")
    header = rows[0]
    twice = sorted({c for c in header if header.count(c) > 1})
    missing = [f for f in features if f not in header]
    if twice or missing:
        raise EngineError(f"{name} must name the features {', '.join(features)} in its header, or be one line of "
                          f"{len(features)} numbers; " + (f"named twice: {', '.join(twice)}" if twice else
                                                           f"missing: {', '.join(missing)}"))
    if len(rows) != 2:
        raise EngineError(f"{name} has a header but no row of values" if len(rows) == 1 else
                          f"{name} has {len(rows) - 1} rows of values; upload one row")
    if len(rows[1]) != len(header):
        raise EngineError(f"{name}'s row has {len(rows[1])} values for {len(header)} columns")
    cells = dict(zip(header, rows[1]))
    return _register("tabular", _numbers([cells[f] for f in features], features, name), f"your row: {name}")


def _numbers(cells: list[str], features: list[str], name: str) -> np.ndarray:
    """The cells as float32 values; refuse any that is not a decimal number or does not fit a float32."""
    bad = [f"{feature}={cell!r}" for feature, cell in zip(features, cells) if not NUMBER.fullmatch(cell)]
    if bad:
        raise EngineError(f"{name} has values that are not numbers: {', '.join(bad[:5])}")
    values = np.array([float(cell) for cell in cells])
    with np.errstate(over="ignore"):
        narrow = values.astype(np.float32)
    lost = [f"{feature}={cell}" for feature, cell, v, n in zip(features, cells, values, narrow)
            if abs(v) > FLOAT32_MAX or (v != 0 and n == 0)]
    if lost:
        raise EngineError(f"{name} has values that do not fit a 32-bit float (magnitudes from about 1e-45 to "
                          f"3.4e38): {', '.join(lost[:5])}")
    return narrow
