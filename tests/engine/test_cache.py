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
