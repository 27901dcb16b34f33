"""The per-request time limit: the app lowers it for every request; nothing can raise it above MAX_SECONDS."""

import pytest

from engine import limits
from engine.cache import ResultCache
from engine.errors import TooLarge
from engine.explain import Request, explain


def test_a_request_limit_only_lowers_the_time_limit_and_refuses_with_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SECONDS", 100.0)
    with limits.request_limit(1e9):
        assert limits.time_limit() == 100.0  # cannot be raised
    monkeypatch.setattr(limits, "estimate_seconds", lambda game: 50.0)
    with limits.request_limit(10.0):
        assert limits.time_limit() == 10.0
        with pytest.raises(TooLarge, match=r"about 50 s on this machine \(limit 10 s\)"):
            explain(Request("tabular-mlp-wide", "row-1", method="and"), ResultCache(tmp_path))
    assert limits.time_limit() == 100.0
