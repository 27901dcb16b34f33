"""A guided tour: one short step per view, drawn above the page; started from the sidebar or by a link with ?tour=1."""

from __future__ import annotations

import streamlit as st

STEPS = (
    ("pages/playground.py", "Playground",
     "Start small: write a game as a formula over a few players and see its AND and OR interactions. Pick an "
     "exercise, predict the interactions, then reveal the answer."),
    ("pages/primitives.py", "Input and primitives",
     "Now a real model. It is run on all 2^n masked samples of the players chosen in the sidebar; the table lists "
     "the strongest interactions. Click a row to see its players on the input."),
    ("pages/sparsity.py", "Sparsity",
     "Only a few interactions are strong. The curve sorts all of them; the dotted line is the salient threshold "
     "τ = 0.05·max|I|."),
    ("pages/orders.py", "Orders",
     "How strength spreads over the number of players an interaction needs: low orders are simple and reusable."),
    ("pages/assumptions.py", "Assumptions",
     "Three conditions under which sparsity is proven (Ren et al. 2024), checked on this sample, with the bound on "
     "the number of valid interactions."),
    ("pages/faithfulness.py", "Faithfulness",
     "Keep only the K strongest interactions and predict every masked output: how close do they come?"),
    ("pages/attributions.py", "Attributions",
     "Shapley and Banzhaf values are sums of interactions: each bar stacks a player's shares of them."),
    ("pages/shared.py", "Shared vs distinctive",
     "Two models trained for the same task: which interactions do they share? Extracted jointly, more are shared."),
    ("pages/dynamics.py", "Training dynamics",
     "Over training, strength first moves to low orders, then higher orders are learned as the model over-fits."),
    ("pages/glossary.py", "Glossary",
     "Every formula of the tour in one place, with its source. That is the tour: restart it from the sidebar."),
)
STEP_KEY = "tour_step"
TITLES = [title for _, title, _ in STEPS]  # the pages' titles in app.py


def _start() -> None:
    st.session_state[STEP_KEY] = 0
    st.session_state["tour_go"] = True


def _end() -> None:
    st.session_state.pop(STEP_KEY, None)


def tour(current_title: str, requested: bool = False) -> None:
    """Start the tour when ``requested`` (a link's ``tour=1``, :func:`ui.url.tour_link`) or on the sidebar button
    (it opens the first view); while it runs, draw the step of the view titled ``current_title`` above the page,
    with links to the previous and next views and End. A view chosen in the sidebar during the tour moves the tour
    to that view's step."""
    if requested:
        _start()
    st.sidebar.button("Guided tour", key="tour-start", on_click=_start, icon=":material/tour:",
                      help="One short step per view; the link ?tour=1 starts it too.")
    if st.session_state.pop("tour_go", False) and current_title != TITLES[0]:
        st.switch_page(STEPS[0][0])
    if st.session_state.get(STEP_KEY) is None or current_title not in TITLES:
        return
    step = st.session_state[STEP_KEY] = TITLES.index(current_title)
    _, title, text = STEPS[step]
    with st.container(border=True):
        st.markdown(f"**Tour {step + 1} of {len(STEPS)} · {title}** — {text}")
        back, forward, end = st.columns([2, 2, 1])
        if step > 0:
            back.page_link(STEPS[step - 1][0], label=f"Back: {TITLES[step - 1]}", icon=":material/arrow_back:")
        if step < len(STEPS) - 1:
            forward.page_link(STEPS[step + 1][0], label=f"Next: {TITLES[step + 1]}", icon=":material/arrow_forward:")
        end.button("End the tour", key="tour-end", on_click=_end)
