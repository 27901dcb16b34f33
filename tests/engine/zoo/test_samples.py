"""The bounded store of uploaded samples."""

from engine.zoo.samples import Sample, SampleStore


def test_the_store_keeps_the_most_recently_used_samples():
    store = SampleStore(max_entries=2)
    for name in ("a", "b"):
        store.add(Sample(name, name, None))
    assert store.get("a").sample_id == "a"  # "a" is now the most recent
    store.add(Sample("c", "c", None))
    assert len(store) == 2 and store.get("b") is None and store.get("a") is not None and store.get("c") is not None
