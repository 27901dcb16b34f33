"""The URL schema: players, focus and links with URL encoding."""

from urllib.parse import parse_qs, urlsplit

from engine.explain import Request
from engine.interaction import Interaction
from ui.url import parse_players, players_param, shared_params, share_link


def test_players_round_trip_and_bad_values_are_refused():
    assert players_param((0, 3, 12)) == "0,3,12" and parse_players("0,3,12", 13) == [0, 3, 12]
    assert parse_players("", 5) == [] and parse_players("0,5", 5) is None and parse_players("a,1", 5) is None


def test_a_link_with_a_sentence_as_sample_round_trips():
    request = Request("text-sentiment-l6", "Not bad & truly #1? 50% off", (0, 2), "[MASK]", "log-odds", None, "and")
    params = shared_params(request, Interaction("OR", 5), presentation=True)
    link = share_link("http://host/sparsity", params)
    parsed = {k: v[0] for k, v in parse_qs(urlsplit(link).query, keep_blank_values=True).items()}
    assert parsed == params and parsed["focus"] == "OR:5" and parsed["present"] == "1"
    assert " " not in link and "#" not in link.split("?", 1)[1]


def test_the_class_explained_is_in_the_link_only_when_chosen():
    request = Request("text-sentiment-l6", "not-bad", (0, 1), "[MASK]", "log-odds", 1, "and-or")
    assert "target" not in shared_params(request, None, presentation=False)  # resolved, not chosen: follows p
    params = shared_params(request, None, presentation=False, target=0)
    link = share_link("http://host/shared", params)
    assert parse_qs(urlsplit(link).query)["target"] == ["0"]
