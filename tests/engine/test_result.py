"""The result object: vectors by kind, the one ranking, top-k, rows, and its typed report and provenance on disk."""

import json

import numpy as np
import pytest
from helpers import PLAYERS, and_or_result, sparse_result

from engine.and_or import Decomposition
from engine.interaction import Interaction
from engine.result import InteractionResult, Provenance, SolverReport


def test_vectors_kinds_and_or_part():
    r = and_or_result()
    assert r.has_or and r.kinds == ("AND", "OR")
    assert r.vector("OR") is r.i_or and r.value(Interaction("OR", 0b1001)) == 0.5
    harsanyi = sparse_result()
    assert not harsanyi.has_or and harsanyi.kinds == ("AND",)
    with pytest.raises(ValueError):
        r.vector("XOR")


def test_one_ranking_strongest_first_ties_and_before_or():
    r = and_or_result()
    ranking = r.ranking()
    assert len(ranking) == 2 * 15  # every non-empty subset of both kinds
    assert [str(i) for i, _ in ranking.top(3)] == ["AND:1", "AND:6", "OR:9"]
    assert list(ranking.top(3).values) == [2.0, -1.5, 0.5]
    assert len(ranking.nonzero()) == 3 and len(ranking.rest(3)) == 27
    assert r.top(10) == [Interaction("AND", 1), Interaction("AND", 6), Interaction("OR", 9)]  # zeros left out
    assert r.top(1, kinds=("OR",)) == [Interaction("OR", 9)]


def test_rows_name_each_interaction_once():
    rows = and_or_result().interactions()
    assert [row["interaction"] for row in rows] == ["AND:1", "AND:6", "OR:9"]
    assert rows[1] == {"interaction": "AND:6", "kind": "AND", "index": 6, "players": rows[1]["players"], "order": 2,
                       "value": -1.5}


def test_report_and_provenance_survive_disk_and_json(tmp_path):
    r = and_or_result()
    r.report = SolverReport("pdhg", 2.0, half_half_loss=3.0, and_only_loss=4.0, iterations=10, curve=[(5, 2.5)],
                            lower_bound=1.9, gap=0.05, qthres=0.1, requested_solver="auto")
    r.provenance = Provenance(model_id="toy", player_ids=[0, 1, 2, 3], target=1, method="and-or")
    r.save(tmp_path / "r.npz")
    again = InteractionResult.load(tmp_path / "r.npz")
    assert again.report == r.report and again.provenance == r.provenance
    exported = json.loads(r.to_json())
    assert exported["solver"]["gap"] == 0.05 and exported["provenance"]["model_id"] == "toy"


def test_old_metadata_loads_with_defaults():
    """A cache entry written before lower_bound and gap existed (or with keys since dropped) still loads."""
    old = {"solver": "lp", "loss": 1.0, "half_half_loss": 2.0, "and_only_loss": 3.0, "iterations": 0,
           "seconds": 0.1, "converged": True, "curve": [], "qthres": 0.0, "requested_solver": "auto",
           "retired_key": 1}
    r = InteractionResult(PLAYERS[:4], np.zeros(16), np.zeros(16), np.zeros(16), "and-or", report=old,
                          provenance={"model_id": "m", "timings": {"evaluation_s": 1.0}})
    assert r.report.lower_bound is None and r.report.gap is None and r.report.loss == 1.0
    assert r.provenance.model_id == "m" and r.provenance.target is None
    assert InteractionResult.harsanyi(PLAYERS[:2], np.zeros(4)).report is None


def test_report_from_a_decomposition():
    solved = Decomposition(np.zeros((1, 4)), np.zeros((1, 4)), np.zeros((1, 4)), np.zeros((1, 4)), loss=1.5,
                           lower_bound=1.2, solver="pdhg", iterations=7, seconds=0.5, curve=[(1, 3.0, 1.0)], tol=0.01)
    report = SolverReport.from_decomposition(solved, half_half_loss=2.0, qthres=0.1)
    assert (report.solver, report.loss, report.iterations, report.converged) == ("pdhg", 1.5, 7, False)
    assert report.lower_bound == 1.2 and report.gap == pytest.approx(0.25)
    assert report.half_half_loss == 2.0 and report.qthres == 0.1 and report.curve == [(1, 3.0, 1.0)]
    no_bound = Decomposition(*[np.zeros((1, 4))] * 4, loss=1.5, lower_bound=0.0, solver="pdhg")
    assert SolverReport.from_decomposition(no_bound).gap is None  # infinite: stored as "no certificate"
    assert SolverReport.from_decomposition(solved, solver="pdhg-joint").solver == "pdhg-joint"
