"""The bounded store of uploaded samples; test-split ids."""

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
