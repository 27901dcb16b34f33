"""Interaction Explorer: pick a model and a sample, then see the interaction primitives it encodes.

Run with `make run` (or `streamlit run app.py`). This file draws the shared sidebar, keeps the choices in the URL
and hands over to the page the user picked; the pages in pages/ only draw what the engine computes.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch is imported anywhere

import streamlit as st  # noqa: E402

from ui.presentation import presentation_mode  # noqa: E402
from ui.state import sidebar, write_url  # noqa: E402
from ui.tour import tour  # noqa: E402

st.set_page_config(page_title="Interaction Explorer", page_icon="🔗", layout="wide")

PAGES = {
    "Start here": [
        st.Page("pages/playground.py", title="Playground", icon=":material/toys:", url_path="playground"),
        st.Page("pages/glossary.py", title="Glossary", icon=":material/menu_book:", url_path="glossary"),
    ],
    "Explore": [
        st.Page("pages/primitives.py", title="Input and primitives", icon=":material/grid_view:", default=True),
        st.Page("pages/sparsity.py", title="Sparsity", icon=":material/show_chart:", url_path="sparsity"),
        st.Page("pages/orders.py", title="Orders", icon=":material/bar_chart:", url_path="orders"),
        st.Page("pages/assumptions.py", title="Assumptions", icon=":material/fact_check:", url_path="assumptions"),
        st.Page("pages/faithfulness.py", title="Faithfulness", icon=":material/rule:", url_path="faithfulness"),
        st.Page("pages/attributions.py", title="Attributions", icon=":material/stacked_bar_chart:",
                url_path="attributions"),
    ],
    "Compare": [
        st.Page("pages/shared.py", title="Shared vs distinctive", icon=":material/join_inner:", url_path="shared"),
        st.Page("pages/dynamics.py", title="Training dynamics", icon=":material/timeline:", url_path="dynamics"),
    ],
}

navigation = st.navigation(PAGES)
st.sidebar.title("Interaction Explorer")
try:
    selection = sidebar()
except Exception as exc:  # a model folder or sample that cannot be loaded: say so, keep the app usable
    st.error(f"Could not load this choice: {exc}")
    st.stop()
st.session_state["selection"] = selection
presentation_mode(selection.presentation)
write_url(selection, navigation.url_path)
with st.sidebar.popover("Copy link to this view"):
    st.caption("The link reopens this page with the same model, sample, players and settings.")
    st.code((st.context.url or "").split("?")[0] + "?" + "&".join(f"{k}={v}" for k, v in st.query_params.items()),
            language=None)
tour(navigation.title)
navigation.run()
