"""Samples and candidate players (the data every model of the zoo works on), and the bounded store of the samples
users upload."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

import numpy as np


@dataclass
class Sample:
    """One input the user can explain: a table row, a digit, a photo or a sentence."""

    sample_id: str
    title: str
    data: Any  # np.ndarray (features or digit), engine.zoo.photo.Photo, or str (text)
    label: int | None = None


def sample_digest(sample: Sample) -> str:
    """SHA-256 of what the model sees of a sample: a text's UTF-8 bytes, or each array's dtype, shape and bytes (one
    array, or every field of a dataclass of arrays), so a cache key changes whenever the data behind a sample id does
    and is the same in every process."""
    if isinstance(sample.data, str):
        return hashlib.sha256(sample.data.encode()).hexdigest()
    data = sample.data  # an array, or a dataclass of arrays (a photo: its pixels and superpixel map)
    parts = [getattr(data, f.name) for f in fields(data)] if is_dataclass(data) else [data]
    digest = hashlib.sha256()
    for part in parts:
        array = np.ascontiguousarray(part)
        digest.update(f"{array.dtype}{array.shape}".encode() + array.tobytes())
    return digest.hexdigest()


@dataclass
class Candidate:
    """An input variable that can be chosen as a player: its label and the units it covers."""

    label: str
    units: list[int]
    weight: float = 0.0  # how strongly the default choice prefers it (ink of a patch, content word, ...)
    span: tuple[int, int] | None = None  # characters of the text it covers (text models)


@dataclass(frozen=True)
class TestSplit:
    """A model's held-out test split, sample by index: ids ``<prefix>-test-<index>``, index 0 … size − 1.

    ``make(index)`` builds the sample (its id must be :meth:`sample_id` of the index); a model that has one sets
    :attr:`engine.zoo.ZooModel.test_split`, and its samples then resolve by id like the showcase ones.
    """

    prefix: str
    size: int
    make: Callable[[int], Sample]

    def sample_id(self, index: int) -> str:
        return f"{self.prefix}-test-{index}"

    def index_of(self, sample_id: str) -> int | None:
        """The index a test id names (None for an id of another form or an index outside the split). Only the id
        :meth:`sample_id` writes counts: ASCII digits without leading zeros (``\d`` also takes "١٢", and "007" would
        be a second id, and a second cache entry, of sample 7)."""
        found = re.fullmatch(re.escape(self.prefix) + r"-test-(0|[1-9][0-9]{0,8})", sample_id)
        return int(found.group(1)) if found and int(found.group(1)) < self.size else None

    def sample(self, index: int) -> Sample:
        return self.make(index)


class SampleStore:
    """Samples by id, at most ``max_entries`` of them (the least recently used goes first); safe for threads.

    Ids are content-addressed by their makers, so the store never mixes two inputs up; a link to a sample that has
    been dropped says that the sample does not exist, like any unknown sample.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._samples: OrderedDict[str, Sample] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, sample: Sample) -> Sample:
        with self._lock:
            self._samples[sample.sample_id] = sample
            self._samples.move_to_end(sample.sample_id)
            while len(self._samples) > self.max_entries:
                self._samples.popitem(last=False)
        return sample

    def get(self, sample_id: str) -> Sample | None:
        with self._lock:
            found = self._samples.get(sample_id)
            if found is not None:
                self._samples.move_to_end(sample_id)
            return found

    def __len__(self) -> int:
        return len(self._samples)


UPLOADED = SampleStore()  # the server's uploads: a link to one works in every session of the same server
