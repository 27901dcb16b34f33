"""Playground: write a toy game by hand, see its AND and OR interactions, and try the exercises of spec §10."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.attributions import shares
from engine.formula import FormulaError
from engine.masks import all_masks
from engine.playground import (EXERCISES, SPLITS, ToyGame, check_prediction, exercise, game_from_formula,
                               game_from_table, parse_prediction, split, term_label)
from ui.figures_attributions import shares_figure
from ui.figures_playground import terms_figure, values_figure
from ui.context import view_context
from ui.url import playground_link, write_playground
from ui.widgets import chart, teaching_note

FREE = "free"
view_context()  # taken, not used: toy games need no model (a first deep link to it is rerouted via app.py)
teaching_note(
    "Write a game v over a few named players and see how it decomposes. v(S) is your formula with the players in "
    "S set to 1 (present) and the others to 0 (absent).\n\n"
    "- **AND interaction** (Harsanyi dividend): $I_{and}(S)=\\sum_{T\\subseteq S}(-1)^{|S|-|T|}v(T)$ — fires when "
    "*all* players of S are present.\n"
    "- **OR interaction**: $I_{or}(S)=-\\sum_{T\\subseteq S}(-1)^{|S|-|T|}v(N\\setminus T)$ — fires when *any* "
    "player of S is present.\n"
    "- **AND-OR split** (Chen et al. 2024, eq. 4): v + q = v_and + v_or with the fewest, smallest interactions "
    "(least Σ|I|), the noise term |q| ≤ qthres·|v(N) − v(∅)|. With q off it reproduces v exactly.\n\n"
    "Formulas use `+ − ×`, numbers, `and or not` and parentheses. `not` binds tightest, then `×`, then `+ −`, "
    "then `and`, then `or` (as in C): `a and b + c` is `a and (b + c)`. The line under the box shows how the "
    "formula was read."
)


def _start(key: str) -> None:
    """Load an exercise's formula (or keep the user's) and hide the previous answer."""
    if key != FREE:
        st.session_state["pg-formula"] = exercise(key).formula
    st.session_state["pg-reveal"] = False
    st.session_state["pg-guess"] = ""


def _press(flag: str) -> None:
    """A button's callback: it runs before the script, so the press also survives a rerun that the frame may
    start first (:func:`ui.context.leave_legacy_pages_mode`)."""
    st.session_state[flag] = True


@st.cache_data(max_entries=64, show_spinner="Solving the AND-OR split (exact LP)…")
def _split(players: tuple[str, ...], values: tuple[float, ...], kind: str, qthres: float):
    return split(ToyGame(players, np.array(values)), kind, qthres)


keys = [FREE] + [item.key for item in EXERCISES]
if not st.session_state.get("_pg_seeded"):  # a link ?exercise=t3 or ?formula=... opens that game, once per session
    st.session_state["_pg_seeded"] = True
    linked_exercise, linked_formula = playground_link()
    if linked_exercise in keys[1:]:
        st.session_state["pg-exercise"] = linked_exercise
        _start(linked_exercise)
    elif linked_formula:
        st.session_state["pg-formula"] = linked_formula
st.session_state.setdefault("pg-formula", EXERCISES[3].formula)
titles = {FREE: "Your own game"} | {item.key: item.title for item in EXERCISES}
setup, drawing = st.columns([2, 3])
with setup:
    chosen = st.selectbox("Exercise", keys, format_func=titles.get, key="pg-exercise", on_change=lambda: _start(
        st.session_state["pg-exercise"]), help="Each exercise is a toy game of the spec (§10) with a known answer.")
    source = st.radio("Define v by", ["formula", "truth table"], horizontal=True, key="pg-source")
    locked = chosen != FREE  # an exercise's game is fixed; "Your own game" unlocks it
    text = st.text_input("v =", key="pg-formula", max_chars=400, disabled=locked,
                         help="Example: 2*(a and b) + (c or d) - a*b*c. Up to 8 players; names start with a letter.")
    try:
        game = game_from_formula(text)
    except FormulaError as exc:
        st.error(f"{exc}\n\n```\n{text}\n{' ' * exc.position}^\n```")
        st.stop()
    st.caption(f"Read as: `{game.reading}` · players: {', '.join(game.players)}")
    write_playground(chosen if locked else None, text)
    noise = st.toggle("Noise term q in the AND-OR split", key="pg-noise",
                      help="Off: the split must reproduce v exactly. On: each v(S) may move by up to "
                           "qthres·|v(N) − v(∅)|.")
    qthres = st.slider("qthres", 0.005, 0.1, 0.04, 0.005, key="pg-qthres") if noise else 0.0
    if source == "truth table":
        table = pd.DataFrame(all_masks(len(game.players)).astype(int), columns=list(game.players))
        table["v(S)"] = game.v
        edited = st.data_editor(table, disabled=list(game.players) + (["v(S)"] if locked else []), hide_index=True,
                                key=f"pg-table::{game.reading}", height=min(420, 38 + 35 * len(table)))
        try:
            game = game_from_table(game.players, edited["v(S)"].to_numpy(dtype=float))
        except (ValueError, TypeError) as exc:
            st.error(f"The truth table cannot be used: {exc}")
            st.stop()
with drawing:
    cols = st.columns(3)
    cols[0].metric("Players n", len(game.players), f"{game.v.size} subsets", delta_color="off")
    cols[1].metric("v(∅)", f"{game.v[0]:.4g}")
    cols[2].metric("v(N)", f"{game.v[-1]:.4g}")
    chart(values_figure(game), "pg-values", "the value of the game on every subset")

if chosen != FREE:
    item = exercise(chosen)
    st.subheader(f"Exercise: {item.title}")
    st.markdown(f"**{item.question}** ({SPLITS[item.kind]}" + (", q off)" if item.kind == "and-or" else ")"))
    guess_text = st.text_area("Your prediction, one interaction per line", key="pg-guess",
                              placeholder="AND {x1, x2} = 1\nOR {x3, x4} = 1")
    left, right = st.columns(2)
    left.button("Check my prediction", key="pg-check", on_click=_press, args=("pg-check-now",))
    right.button("Reveal the answer", key="pg-reveal-button", on_click=_press, args=("pg-reveal",))
    check_clicked = st.session_state.pop("pg-check-now", False)  # the check is said once, after the press
    asked = game_from_formula(item.formula)
    actual = _split(asked.players, tuple(asked.v.tolist()), item.kind, item.qthres).terms()
    if check_clicked:
        try:
            result = check_prediction(parse_prediction(guess_text, game.players), actual)
        except ValueError as exc:
            st.error(str(exc))
        else:
            label = lambda term: term_label(term, game.players)  # noqa: E731
            lines = [f":material/check_circle: {label(t)}" for t in result.matched]
            lines += [f":material/edit: {label(t)}: you said {g:g}, it is {a:g}" for t, g, a in result.wrong_value]
            lines += [f":material/add: missing: {label(t)} (a non-zero interaction)" for t, _ in result.missing]
            lines += [f":material/remove: {label(t)} = {g:g} is not there (it is 0)" for t, g in result.extra]
            summary = "All correct!" if result.correct else f"{len(result.matched)} of {len(actual)} matched."
            (st.success if result.correct else st.warning)(summary + "\n\n" + "\n".join(f"- {x}" for x in lines))
    if st.session_state.get("pg-reveal"):
        st.info("**Answer:** " + ", ".join(f"{term_label(t, game.players)} = {v:g}" for t, v in item.answer.items())
                + f"\n\n{item.explanation}")

if locked and not st.session_state.get("pg-reveal"):
    st.info("The interactions of this game are hidden until you reveal the answer: predict them first.")
else:
    values = tuple(game.v.tolist())
    readings = {kind: _split(game.players, values, kind, qthres if kind == "and-or" else 0.0) for kind in SPLITS}
    columns = st.columns(3)
    for column, (kind, found) in zip(columns, readings.items()):
        with column:
            chart(terms_figure(found), f"pg-{kind}", f"the non-zero interactions of the {SPLITS[kind]} reading")
            column.metric("max |v − reconstruction|", f"{found.max_error:.2e}",
                          "exact" if found.max_error < 1e-9 else "within the noise bound", delta_color="off")
    both = readings["and-or"]
    st.caption("The Shapley value shares every interaction equally among its players, AND and OR alike "
               "(see the Attributions view):")
    chart(shares_figure(shares(list(game.players), game.v, both.i_and, both.i_or)), "pg-shapley",
          "the Shapley value of each player as its shares of the AND-OR interactions")
