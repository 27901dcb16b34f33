"""What the views and the CLI say about an AND-OR solve's distance to the optimum."""

from engine.and_or import exact_max_players
from engine.certificate import certificate_note
from engine.result import SolverReport


def test_an_exact_solve_is_called_the_optimum():
    note = certificate_note(SolverReport("lp", 10.0, seconds=1.2, gap=3e-7))
    assert not note.warning and "the optimum of the L1 loss, certified" in note.text and "interior point" in note.text


def test_a_small_certified_gap_is_said_as_a_number():
    note = certificate_note(SolverReport("pdhg", 10.0, iterations=4000, seconds=3.0, gap=0.0031))
    assert not note.warning and "within 0.31 % of the optimum" in note.text and "4,000 iterations" in note.text


def test_a_solve_that_stopped_short_is_a_warning_that_names_the_gap():
    note = certificate_note(SolverReport("pdhg-joint", 10.0, iterations=9000, seconds=60.0, gap=0.0437), "Joint")
    assert note.warning and note.text.startswith("Joint: the solver stopped")
    assert "up to 4.37 % above the optimum" in note.text
    assert f"at most {exact_max_players(2)} players the exact LP" in note.text
    three = certificate_note(SolverReport("pdhg-joint", 10.0, gap=0.05, models=["a", "b", "c"]), "Joint")
    assert f"at most {exact_max_players(3)} players the exact LP" in three.text  # three models: HiGHS' limit
    stalled = certificate_note(SolverReport("lp", 10.0, seconds=70.0, gap=0.02))  # the exact LP itself stopped short
    assert stalled.warning and "up to 2 % above" in stalled.text and "exact LP runs instead" not in stalled.text
    unknown = certificate_note(SolverReport("pdhg", 10.0, gap=None))
    assert unknown.warning and "no certified bound" in unknown.text


def test_a_first_order_split_that_auto_chose_for_want_of_time_says_what_the_exact_lp_needs():
    note = certificate_note(SolverReport("pdhg", 10.0, seconds=60.0, gap=0.2,
                                         exact_skipped="about 500 s on this machine (limit 60 s)"))
    assert note.warning and note.text.endswith("The exact LP was not run: it needs about 500 s on this machine "
                                               "(limit 60 s).")
    far = certificate_note(SolverReport("pdhg", 10.0, gap=58.61))
    assert "up to 5,860 % above the optimum" in far.text  # no exponent (5.86e+03) where a class reads it
    assert "runs instead" not in note.text
