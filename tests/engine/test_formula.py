"""The toy-game formula language: values, precedence, its reading, and refusals of anything that is not a formula."""

import re

import numpy as np
import pytest

from engine.formula import MAX_DEPTH, MAX_LENGTH, FormulaError, parse, tokenize
from engine.masks import all_masks


def truth(formula: str, **present: int) -> float:
    """v of the subset in which exactly the players set to 1 are present."""
    parsed = parse(formula)
    index = sum(1 << parsed.players.index(name) for name, on in present.items() if on)
    return float(parsed.v[index])


def test_players_are_ones_and_zeros_on_every_subset():
    parsed = parse("2*(a and b) + (c or d) - a*b*c")
    assert parsed.players == ("a", "b", "c", "d")
    masks = all_masks(4).astype(float)
    a, b, c, d = masks.T
    assert np.array_equal(parsed.v, 2 * a * b + np.maximum(c, d) - a * b * c)


@pytest.mark.parametrize("formula, reading", [
    ("a + b * c", "a + (b × c)"),
    ("a - b - c", "(a − b) − c"),
    ("not a * b", "(not a) × b"),
    ("a + b and c", "(a + b) and c"),
    ("a or b and c", "a or (b and c)"),
    ("-a * b", "(−a) × b"),
    ("not not a", "not (not a)"),
    ("(a or b) and c", "(a or b) and c"),
    ("a ∧ b ∨ ¬c", "(a and b) or (not c)"),
    ("2 × a − b", "(2 × a) − b"),
])
def test_precedence_is_shown_fully_parenthesised(formula, reading):
    assert parse(formula).text == reading


def test_logical_operators_give_zero_or_one_and_treat_nonzero_as_true():
    assert truth("2*a and 3*b", a=1, b=1) == 1.0
    assert truth("a - b or 0", a=1, b=1) == 0.0  # a − b = 0 is false
    assert truth("not (a - b)", a=1, b=0) == 0.0
    assert truth("not a + 1", a=1) == 1.0  # (not a) + 1
    assert truth("1.5 * a - .5", a=1) == 1.0


def test_players_in_natural_order_and_given_players_add_dummies():
    assert parse("x10 + x2 + x1").players == ("x1", "x2", "x10")
    parsed = parse("a", players=("a", "b"))
    assert np.array_equal(parsed.v, [0, 1, 0, 1])
    with pytest.raises(FormulaError, match="'c' is not a player"):
        parse("a + c", players=("a", "b"))
    with pytest.raises(FormulaError, match="at most 8"):
        parse(" + ".join(f"p{i}" for i in range(9)))


@pytest.mark.parametrize("source, message, position", [
    ("__import__('os')", "'_' is not part of a formula", 0),
    ("a.__class__", "'.' is not part of a formula", 1),
    ("a; b", "';' is not part of a formula", 1),
    ("eval(a)", "'eval' is not a player", 0),
    ("a + ", "the formula ends", 4),
    ("(a + b", "not closed", 0),
    ("a b", "unexpected 'b'", 2),
    ("a + )", "')' cannot start an operand", 4),
    ("", "empty", 0),
    ("1e999", "'e999' is not a player", 1),
    ("1" * 20, "longer than 12", 0),
])
def test_bad_formulas_are_refused_with_a_position(source, message, position):
    with pytest.raises(FormulaError, match=re.escape(message)) as error:
        parse(source, players=("a", "b"))
    assert error.value.position == position
    assert f"position {position + 1}" in str(error.value)


def test_long_and_deep_input_is_refused_before_work():
    with pytest.raises(FormulaError, match=f"longer than {MAX_LENGTH}"):
        tokenize("a+" * MAX_LENGTH)
    deep = "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(FormulaError, match="nests more than"):
        parse(deep)
    with pytest.raises(FormulaError, match="nests more than"):
        parse("-" * (MAX_DEPTH + 1) + "a")
    assert parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH).text == "a"


def test_huge_values_are_refused():
    with pytest.raises(FormulaError, match="too large"):
        parse("*".join(["999999999999"] * 30))
