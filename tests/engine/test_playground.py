"""Playground: the toy games of spec §10 give their published interactions; guesses are checked term by term."""

import numpy as np
import pytest

from engine.playground import (EXERCISES, check_prediction, exercise, game_from_formula, game_from_table,
                               parse_prediction, split)


@pytest.mark.parametrize("item", EXERCISES, ids=lambda e: e.key)
def test_each_exercise_has_the_published_answer_and_reproduces_v(item):
    found = split(game_from_formula(item.formula), item.kind, item.qthres)
    terms = found.terms()
    assert terms.keys() == item.answer.keys()
    for term, value in item.answer.items():
        assert terms[term] == pytest.approx(value, abs=1e-6)  # the interior-point LP: within 1e-6
    assert found.max_error < 1e-9


def test_and_or_split_without_q_is_exact_and_with_q_stays_within_its_bound():
    game = game_from_formula("x1 and x2 + (x3 or x4)")  # and binds looser than +: x1 and (x2 + ...)
    assert game_from_formula("(x1 and x2) + (x3 or x4)").v.tolist() != game.v.tolist()
    game = game_from_formula("(x1 and x2) + (x3 or x4)")
    exact = split(game, "and-or", qthres=0.0)
    assert exact.terms() == {("OR", frozenset({"x3", "x4"})): pytest.approx(1.0),
                             ("AND", frozenset({"x1", "x2"})): pytest.approx(1.0)}
    noisy = split(game, "and-or", qthres=0.04)
    bound = 0.04 * abs(game.v[-1] - game.v[0])
    assert noisy.max_error <= bound + 1e-9
    assert noisy.l1 <= exact.l1 + 1e-9


def test_bias_stays_in_the_empty_set():
    game = game_from_formula("3 - x1")
    for kind in ("and", "or", "and-or"):
        found = split(game, kind)
        assert found.i_and[0] == pytest.approx(3.0) and found.i_or[0] == 0.0
        assert np.allclose(found.reconstruction, game.v)


def test_truth_table_is_validated():
    game = game_from_table(["a", "b"], [0, 1, 1, 1])
    assert split(game, "or").terms() == {("OR", frozenset({"a", "b"})): 1.0}
    with pytest.raises(ValueError, match="2 players need 2\\^2 = 4 values"):
        game_from_table(["a", "b"], [0, 1, 1])
    with pytest.raises(ValueError, match="finite"):
        game_from_table(["a"], [0, float("nan")])
    with pytest.raises(ValueError, match="same name"):
        game_from_table(["a", "a"], [0, 1, 1, 1])


def test_prediction_check_says_what_matched():
    item = exercise("and-or")
    players = ("x1", "x2", "x3", "x4")
    guess = parse_prediction("AND {x1, x2} = 1\nOR x3 x4 = 2; x1 = 0.5", players)
    check = check_prediction(guess, item.answer)
    assert check.matched == [("AND", frozenset({"x1", "x2"}))]
    assert check.wrong_value == [(("OR", frozenset({"x3", "x4"})), 2.0, 1.0)]
    assert check.extra == [(("AND", frozenset({"x1"})), 0.5)] and not check.missing and not check.correct
    assert check_prediction(parse_prediction("x1,x2=1; or {x3,x4} = 1", players), item.answer).correct
    with pytest.raises(ValueError, match="entry 1"):
        parse_prediction("AND {x1} is 1", players)
    with pytest.raises(ValueError, match="players of this game"):
        parse_prediction("AND {x9} = 1", players)
