"""The one encoding of an interaction: kind + subset index, written "AND:17"."""

import pytest

from engine.interaction import Interaction


def test_string_form_round_trips_and_orders():
    interaction = Interaction("OR", 0b10110)
    assert str(interaction) == "OR:22" and Interaction.parse("OR:22") == interaction
    assert interaction.order == 3 and interaction.members() == [1, 2, 4]
    assert sorted([Interaction("OR", 1), Interaction("AND", 5)])[0].kind == "AND"


@pytest.mark.parametrize("text", ["", "AND", "AND:", "XOR:3", "and:3", "AND:-1", "AND:1.5", "OR:x"])
def test_malformed_strings_are_refused(text):
    with pytest.raises(ValueError):
        Interaction.parse(text)


def test_find_keeps_only_non_empty_subsets_of_the_current_players():
    assert Interaction.find("AND:3", n=2) == Interaction("AND", 3)
    assert Interaction.find("AND:4", n=2) is None  # player 2 does not exist with two players
    assert Interaction.find("AND:0", n=2) is None  # the empty set is the bias, not an interaction
    assert Interaction.find("nonsense", n=2) is None and Interaction.find(None, n=2) is None
