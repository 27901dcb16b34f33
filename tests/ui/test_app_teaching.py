"""AppTest for the teaching pages: playground (formula, truth table, noise term, exercises, links), attributions,
glossary and the guided tour."""

import json
from pathlib import Path

import numpy as np
from helpers import numbers
from streamlit.testing.v1 import AppTest

from engine.playground import exercise

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def run_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def titles(at) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]


def test_playground_reads_a_formula_and_splits_it_exactly_without_q():
    at = run_page("pages/playground.py")
    assert not at.error
    assert "AND-OR split: 2 interactions" in titles(at)
    assert any("Read as: `(x1 and x2) + (x3 or x4)`" in c.value for c in at.caption)
    at.selectbox(key="pg-exercise").set_value("free").run()
    at.text_input(key="pg-formula").input("2*(a and b) + (c or d) - a*b*c").run()
    assert not at.exception and not at.error
    assert any(t.startswith("AND only (Harsanyi):") for t in titles(at))
    at.toggle(key="pg-noise").set_value(True).run()
    assert not at.exception
    deltas = [m.proto.delta for m in at.metric if m.label == "max |v − reconstruction|"]
    assert deltas == ["exact", "exact", "within the noise bound"]  # AND only, OR only, AND-OR with q


def test_playground_refuses_code_with_a_position():
    at = run_page("pages/playground.py")
    at.selectbox(key="pg-exercise").set_value("free").run()
    at.text_input(key="pg-formula").input("__import__('os').system('true')").run()
    assert not at.exception
    assert any("'_' is not part of a formula" in e.value and "(at position 1)" in e.value for e in at.error)


def test_exercise_check_and_reveal():
    at = run_page("pages/playground.py")
    at.selectbox(key="pg-exercise").set_value("t3").run()
    assert at.text_input(key="pg-formula").value.startswith("x1*x2*x3")
    at.text_area(key="pg-guess").input("AND {x1, x2, x3} = 1; AND {x2, x3} = 1; AND {x3, x4} = 1").run()
    at.button(key="pg-check").click().run()
    assert any("3 of 4 matched" in w.value and "missing: OR {x4, x5}" in w.value for w in at.warning)
    at.text_area(key="pg-guess").input("AND {x1,x2,x3}=1; AND {x2,x3}=1; AND {x3,x4}=1; OR {x4,x5}=1").run()
    at.button(key="pg-check").click().run()
    assert any(s.value.startswith("All correct!") for s in at.success)
    at.button(key="pg-reveal-button").click().run()
    assert any("**Answer:**" in i.value and "OR {x4, x5} = 1" in i.value for i in at.info)


def test_truth_table_source_draws_the_same_game():
    at = run_page("pages/playground.py")
    at.radio(key="pg-source").set_value("truth table").run()
    assert not at.exception and not at.error
    assert "AND-OR split: 2 interactions" in titles(at)


def test_attributions_stack_up_to_the_shapley_values():
    at = run_page("pages/attributions.py")
    assert not at.error
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    stacked = specs[0]
    assert stacked["layout"]["barmode"] == "relative"
    bars = sum(numbers(t["x"]) for t in stacked["data"] if t["type"] == "bar")
    diamonds = numbers(next(t for t in stacked["data"] if t["type"] == "scatter")["x"])
    assert np.allclose(bars, diamonds)
    table = at.dataframe[0].value
    assert list(table.columns) == ["player", "Shapley", "Banzhaf"]
    assert np.allclose(table["Shapley"], diamonds)
    assert {s["layout"]["title"]["text"] for s in specs[1:]} == {"Shapley interaction (SII)", "Shapley-Taylor, order 2"}
    at.radio(key="attr-index").set_value("Banzhaf").run()
    assert not at.exception


def test_glossary_lists_every_formula_with_a_source_and_filters():
    at = run_page("pages/glossary.py")
    entries = [m.value for m in at.markdown if m.value.startswith("## ")]
    assert len(entries) >= 12 and all("*Source" in entry for entry in entries)
    for term in ("AND interaction", "OR interaction", "noise term q", "Salient", "Order", "three assumptions",
                 "bound on R^(k)", "Transferability", "Two-phase", "Attributions"):
        assert any(term in entry.splitlines()[0] for entry in entries), term
    at.text_input(key="glossary-find").input("Banzhaf").run()
    assert [m.value.splitlines()[0] for m in at.markdown if m.value.startswith("## ")] == [
        "## Attributions from interactions"]


def tour_text(at) -> str:
    return " ".join(m.value for m in at.markdown if m.value.startswith("**Tour "))


def tour_links(at) -> list[str]:
    return [link.proto.label for link in at.get("page_link")]


def test_a_tour_link_opens_the_first_step():
    """AppTest runs a page file alone after a page switch, without app.py around it, so the steps that follow, End
    and the sidebar button are checked in the browser test."""
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["tour"] = "1"
    at.run()
    assert not at.exception and "tour" not in at.query_params
    assert "**Tour 1 of 10 · Playground**" in tour_text(at)
    assert any(t.startswith("AND-OR split") for t in titles(at))  # the playground itself is drawn below
    assert tour_links(at) == ["Next: Input and primitives"]
    plain = AppTest.from_file(APP, default_timeout=240)
    plain.run()
    assert not tour_text(plain) and plain.sidebar.button(key="tour-start").label == "Guided tour"


def test_a_link_opens_an_exercise_or_a_formula_and_the_url_follows():
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["exercise"] = "t7"
    at.switch_page("pages/playground.py").run()
    assert not at.exception and at.selectbox(key="pg-exercise").value == "t7"
    assert at.text_input(key="pg-formula").value == exercise("t7").formula
    own = AppTest.from_file(APP, default_timeout=240)
    own.query_params["formula"] = "a or b"
    own.switch_page("pages/playground.py").run()
    assert own.text_input(key="pg-formula").value == "a or b" and own.query_params["formula"] == "a or b"
    own.text_input(key="pg-formula").input("a and b").run()
    assert own.query_params["formula"] == "a and b" and "exercise" not in own.query_params
    own.switch_page("pages/sparsity.py").run()  # the playground's own parameters stay on the playground
    assert not own.exception and "formula" not in own.query_params and own.query_params["model"] == "digits-cnn"
