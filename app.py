"""Interaction Explorer: pick a model and a sample, then see the interaction primitives it encodes.

Run with `make run` (`python -m ui.serve`, which loads the bundled models first; `streamlit run app.py` also works,
leaving them to the first visitors). This file is the frame: it draws the shared sidebar, which builds
the view context once per rerun (request with its target resolved, model, sample, candidates, focus), applies
presentation mode, keeps the choices in the URL, draws the guided tour's step (while a tour runs) and the page's
heading, and runs the page the user picked; the pages in pages/ take the context (ui.context.view_context) and only
draw. The playground and the glossary take it too but compute no model.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch is imported anywhere

import streamlit as st  # noqa: E402

from ui.bundle import bundle_form, use_bundle  # noqa: E402
from ui.startup import import_app_modules  # noqa: E402

import_app_modules()  # once per server, before sessions that start together import the same modules in parallel
from ui.context import publish  # noqa: E402
from ui.presentation import presentation_mode  # noqa: E402
from ui.state import sidebar, write_url  # noqa: E402
from ui.tour import tour  # noqa: E402
from ui.url import share_link, tour_link  # noqa: E402

st.set_page_config(page_title="Interaction Explorer", page_icon=":material/link:", layout="wide")

# (file, title in the navigation, icon, url path, the page's heading, drawn by the frame)
VIEWS = {
    "Start here": [
        ("pages/playground.py", "Playground", ":material/toys:", "playground", "Playground"),
        ("pages/glossary.py", "Glossary", ":material/menu_book:", "glossary", "Glossary"),
    ],
    "Explore": [
        ("pages/primitives.py", "Input and primitives", ":material/grid_view:", "", "Input and primitives"),
        ("pages/sparsity.py", "Sparsity", ":material/show_chart:", "sparsity", "Sparsity"),
        ("pages/orders.py", "Orders", ":material/bar_chart:", "orders", "Orders"),
        ("pages/assumptions.py", "Assumptions", ":material/fact_check:", "assumptions", "Assumptions for sparsity"),
        ("pages/faithfulness.py", "Faithfulness", ":material/rule:", "faithfulness", "Faithfulness"),
        ("pages/attributions.py", "Attributions", ":material/stacked_bar_chart:", "attributions",
         "Attributions from interactions"),
        ("pages/across.py", "Across samples", ":material/stacked_line_chart:", "across", "Across samples"),
    ],
    "Compare": [
        ("pages/shared.py", "Shared vs distinctive", ":material/join_inner:", "shared",
         "Shared vs distinctive primitives"),
        ("pages/dynamics.py", "Training dynamics", ":material/timeline:", "dynamics", "Training dynamics"),
    ],
}
PAGES = {group: [st.Page(file, title=title, icon=icon, url_path=path or None, default=not path)
                 for file, title, icon, path, _ in views] for group, views in VIEWS.items()}
HEADINGS = {path: heading for views in VIEWS.values() for _, _, _, path, heading in views}

navigation = st.navigation(PAGES)
st.sidebar.title("Interaction Explorer")
use_bundle()  # a result bundle opened in this session (or on the command line) replaces the models and results
try:
    context = sidebar()
except Exception as exc:  # a model folder or sample that cannot be loaded: say so, keep the app usable
    bundle_form()
    st.error(f"Could not load this choice: {exc}")
    st.stop()
bundle_form()
publish(context)
presentation_mode(context.presentation)
start_tour = tour_link()  # read before write_url, which keeps only the schema's parameters
write_url(context, navigation.url_path)
with st.sidebar.popover("Copy link to this view"):
    st.caption("The link reopens this page with the same model, sample, players and settings.")
    st.code(share_link((st.context.url or "").split("?")[0], st.query_params.to_dict()), language=None)
tour(navigation.title, start_tour)
st.title(HEADINGS[navigation.url_path])
navigation.run()
