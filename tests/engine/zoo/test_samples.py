"""The bounded store of uploaded samples; test-split ids."""

import numpy as np
import pytest

from engine.zoo import samples
from engine.zoo.samples import Sample, SampleStore


def test_the_store_keeps_the_most_recently_used_samples():
    store = SampleStore(max_entries=2)
    for name in ("a", "b"):
        store.add(Sample(name, name, None))
    assert store.get("a").sample_id == "a"  # "a" is now the most recent
    store.add(Sample("c", "c", None))
    assert len(store) == 2 and store.get("b") is None and store.get("a") is not None and store.get("c") is not None


@pytest.mark.parametrize("sample_id, index", [("digit-test-0", 0), ("digit-test-12", 12), ("digit-test-007", None),
                                              ("digit-test-١٢", None), ("digit-test-12 ", None),
                                              ("digit-test-20", None), ("row-test-1", None)])
def test_a_test_split_reads_only_the_ids_it_writes(sample_id, index):
    split = samples.TestSplit("digit", 20, lambda i: None)  # imported by module: pytest would collect Test*
    assert split.index_of(sample_id) == index
    if index is not None:
        assert split.sample_id(index) == sample_id


def test_the_digest_of_a_photo_is_its_arrays_not_its_identity():
    """A photo (a dataclass of arrays) digests by content: two copies agree (cache keys hold across processes), and
    another superpixel map differs."""
    from engine.zoo.photo import Photo
    from engine.zoo.samples import sample_digest

    pixels, segments = np.full((4, 4, 3), 0.5, dtype=np.float32), np.arange(16).reshape(4, 4)
    first = Sample("p", "a photo", Photo(pixels, segments))
    copy = Sample("p", "a photo", Photo(pixels.copy(), segments.copy()))
    other = Sample("p", "a photo", Photo(pixels, segments[::-1].copy()))
    assert sample_digest(first) == sample_digest(copy) != sample_digest(other)
