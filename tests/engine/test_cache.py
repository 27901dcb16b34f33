"""Results on disk and the cache: round trip, computing once, damaged entries."""

import numpy as np
from helpers import PLAYERS, sparse_result

from engine.cache import ResultCache
from engine.result import Provenance, SolverReport


def test_result_round_trip_and_cache(tmp_path):
    r = sparse_result()
    r.provenance = Provenance(model_id="toy", player_ids=[0, 1])
    r.report = SolverReport("lp", 1.5, curve=[(1, 2.0)])
    cache = ResultCache(tmp_path)
    calls = []
    first = cache.get_or_compute({"k": 1}, lambda: calls.append(1) or r)
    again = ResultCache(tmp_path).get_or_compute({"k": 1}, lambda: calls.append(1) or r)
    assert calls == [1]
    np.testing.assert_array_equal(again.i_and, first.i_and)
    assert again.provenance == r.provenance and again.players == PLAYERS and again.report == r.report

def test_damaged_cache_entry_is_recomputed(tmp_path):
    from engine.cache import cache_key

    cache = ResultCache(tmp_path)
    path = cache.path(cache_key({"k": 2}))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an npz")
    result = cache.get_or_compute({"k": 2}, sparse_result)
    assert ResultCache(tmp_path).get(cache_key({"k": 2})) is not None
    assert result.n == 6
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_foreign_entry_under_a_key_is_recomputed(tmp_path):
    """An entry copied under another key (a valid result, but not this key's) is never served."""
    import shutil

    from engine.cache import cache_key

    cache = ResultCache(tmp_path)
    cache.put(cache_key({"k": 1}), sparse_result())
    other = cache.path(cache_key({"k": 2}))
    other.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(cache.path(cache_key({"k": 1})), other)
    calls = []
    ResultCache(tmp_path).get_or_compute({"k": 2}, lambda: calls.append(1) or sparse_result())
    assert calls == [1]


def test_a_full_or_read_only_disk_keeps_the_result_and_warns(tmp_path, monkeypatch):
    import errno

    from engine.result import InteractionResult

    def full(self, path, key=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(InteractionResult, "save", full)
    cache = ResultCache(tmp_path)
    result = cache.get_or_compute({"k": 3}, sparse_result)
    assert result.n == 6 and "No space left on device" in cache.warning and "memory only" in cache.warning
    assert cache.get_or_compute({"k": 3}, lambda: None) is result  # kept in memory
    monkeypatch.undo()
    cache.get_or_compute({"k": 4}, sparse_result)
    assert cache.warning is None  # a write that works again clears it


def test_no_home_folder_keeps_results_in_memory(monkeypatch):
    from pathlib import Path

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("INTERACTION_EXPLORER_CACHE")
    monkeypatch.setattr(Path, "home", no_home)
    cache = ResultCache()
    assert cache.folder is None and "HOME" in cache.warning
    assert cache.get_or_compute({"k": 5}, sparse_result).n == 6


def test_the_memory_front_is_bounded_by_bytes():
    from engine.cache import result_bytes

    size = result_bytes(sparse_result())
    cache = ResultCache(folder=None, memory_bytes=3 * size)
    cache.folder = None
    for k in range(10):
        cache.put(str(k), sparse_result())
    assert list(cache.memory) == ["7", "8", "9"] and cache._held == 3 * size


def test_the_disk_is_bounded_with_least_recently_used_entries_deleted_first(tmp_path):
    import os

    from engine.cache import cache_key

    probe = ResultCache(tmp_path / "probe")
    probe.put("x", sparse_result())
    size = probe.path("x").stat().st_size
    cache = ResultCache(tmp_path / "c", memory_bytes=0, disk_bytes=int(3.5 * size))
    keys = [cache_key({"k": k}) for k in range(3)]
    for age, key in enumerate(keys):
        cache.put(key, sparse_result())
        os.utime(cache.path(key), (1000 + age, 1000 + age))
    assert cache.get(keys[0]) is not None  # read: now the most recently used
    for k in (3, 4):  # two more: the two least recently used go
        cache.put(cache_key({"k": k}), sparse_result())
    kept = {p.stem for p in (tmp_path / "c").rglob("*.npz")}
    assert len(kept) == 3 and keys[0] in kept and keys[1] not in kept and keys[2] not in kept


def test_a_read_only_cache_still_serves_its_entries(tmp_path, monkeypatch):
    import os

    from engine.cache import cache_key

    ResultCache(tmp_path).put(cache_key({"k": 6}), sparse_result())

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(os, "utime", read_only)
    assert ResultCache(tmp_path).get_or_compute({"k": 6}, lambda: None).n == 6
