"""The per-request time limit (the app lowers it for every request; nothing can raise it above MAX_SECONDS) and
what "auto" does when the exact LP does not fit."""

from dataclasses import replace

import numpy as np
import pytest

from engine import limits
from engine.and_or import SolverSettings
from engine.certificate import certificate_note
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


def _estimates(monkeypatch, lp: float, pdhg: float) -> None:
    """Solve-time estimates that depend only on the solver that "auto" or a forced solver picks."""
    monkeypatch.setattr(limits, "estimate_solver_seconds",
                        lambda u, settings: pdhg if settings.solver == "pdhg" else lp)


def test_auto_answers_with_the_first_order_solver_when_the_exact_lp_does_not_fit(tmp_path, monkeypatch):
    """Under a lowered limit, or with too little memory, "auto" runs PDHG and the report says what the LP needed; a
    forced LP is refused, and so is "auto" when PDHG does not fit either (with the LP's numbers)."""
    cache = ResultCache(tmp_path)
    u = explain(Request("tabular-mlp-wide", "row-1", method="and"), cache).u
    auto = SolverSettings()
    _estimates(monkeypatch, lp=500.0, pdhg=0.5)
    assert limits.affordable_settings(u, auto, max_seconds=1e9) == (auto, None)
    chosen, skipped = limits.affordable_settings(u, auto, max_seconds=60.0)
    assert chosen == replace(auto, solver="pdhg") and skipped == "about 500 s on this machine (limit 60 s)"
    pair = np.stack([u, -u])
    assert limits.affordable_settings(pair, SolverSettings(alpha=0.1), max_seconds=60.0)[0].solver == "pdhg"
    with pytest.raises(TooLarge, match=r"exact LP over 1 × 2 × 2\^10 = 2,048 interactions, about 500 s"):
        limits.affordable_settings(u, SolverSettings(solver="lp"), max_seconds=60.0)
    with pytest.raises(TooLarge, match=r"exact LP over 1 × 2 × 2\^10 = 2,048 interactions, about 500 s"):
        limits.affordable_settings(u, auto, max_seconds=0.25)  # PDHG does not fit either
    with limits.request_limit(2.0):
        result = explain(Request("tabular-mlp-wide", "row-1", method="and-or"), cache)
    report = result.report
    assert report.solver == "pdhg" and report.requested_solver == "auto"
    assert report.exact_skipped == "about 500 s on this machine (limit 2 s)"
    assert report.loss <= report.and_only_loss  # a real split, no worse than AND interactions alone
    far = certificate_note(replace(report, gap=0.5))  # however far PDHG got, the warning says why it ran
    assert far.text.endswith("The exact LP was not run: it needs about 500 s on this machine (limit 2 s).")
    with limits.request_limit(2.0):  # the same limit: the stored split is served
        assert explain(Request("tabular-mlp-wide", "row-1", method="and-or"), cache).report == report
    _estimates(monkeypatch, lp=1.0, pdhg=0.5)  # the LP fits now (another limit, an idle machine): solved again
    again = explain(Request("tabular-mlp-wide", "row-1", method="and-or"), cache)
    assert again.report.solver == "lp" and again.report.exact_skipped is None and again.report.gap < 1e-4
    assert explain(Request("tabular-mlp-wide", "row-1", method="and-or"), cache).report == again.report  # stored
    monkeypatch.setattr(limits, "available_memory", lambda device: 2**20)
    chosen, skipped = limits.affordable_settings(u, auto, max_seconds=1e9)
    assert chosen.solver == "pdhg" and skipped.startswith(r"dense 2^10×2^10 matrices") and "free memory" in skipped
    _estimates(monkeypatch, lp=1.0, pdhg=500.0)  # no memory for the LP, no time for PDHG: PDHG's numbers, not
    with pytest.raises(TooLarge, match="2,000 first-order solver iterations"):  # "choose the first-order solver"
        limits.affordable_settings(u, auto, max_seconds=60.0)


def test_a_joint_split_that_auto_solved_by_pdhg_is_solved_again_once_the_lp_fits(tmp_path, monkeypatch):
    from engine.explain import explain_shared

    cache = ResultCache(tmp_path)
    pair, players = ["tabular-mlp-wide", "tabular-mlp-deep"], (0, 1, 2, 3, 4, 5)
    _estimates(monkeypatch, lp=500.0, pdhg=0.5)
    with limits.request_limit(2.0):
        first = explain_shared(pair, "row-1", players, cache=cache)
    assert [r.report.solver for r in first] == ["pdhg-joint"] * 2 and first[0].report.exact_skipped
    _estimates(monkeypatch, lp=1.0, pdhg=0.5)
    again = explain_shared(pair, "row-1", players, cache=cache)
    assert [r.report.solver for r in again] == ["lp-joint"] * 2 and again[0].report.exact_skipped is None
