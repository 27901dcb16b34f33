"""Glossary: every formula the views use, with its source (docs/glossary.md, searchable by word)."""

from pathlib import Path

import streamlit as st

from ui.context import view_context

GLOSSARY = Path(__file__).resolve().parents[1] / "docs" / "glossary.md"

view_context()  # taken, not used: the glossary needs no model (a first deep link to it is rerouted via app.py)
st.caption("Every formula the views use, in one place, with the paper it comes from. Definitions and conventions: "
           "the project's spec (shared/spec/interactions.md).")
sections = ["## " + part for part in GLOSSARY.read_text(encoding="utf-8").split("## ") if part.strip()]
wanted = st.text_input("Find", key="glossary-find", placeholder="e.g. Shapley, q, order").strip().lower()
shown = [s for s in sections if wanted in s.lower()]
if not shown:
    st.info(f"No entry mentions “{wanted}”.")
for section in shown:
    st.markdown(section)
