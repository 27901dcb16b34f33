"""The certificate of an AND-OR solve under every view that draws one (the words: :mod:`engine.certificate`): a
caption, or a warning when the solve stopped short of the gap the views accept."""

from __future__ import annotations

import streamlit as st

from engine.certificate import certificate_note
from engine.result import SolverReport


def draw_certificate(report: SolverReport | None, what: str = "AND-OR split") -> None:
    """A caption under the view, or a warning when the solve stopped short of
    :data:`engine.certificate.GAP_OK` (nothing for AND-only)."""
    if report is not None:
        draw_certificates({what: report})


def draw_certificates(reports: dict[str, SolverReport]) -> None:
    """Several solves in one caption (one sentence each), or one warning when any stopped short of
    :data:`engine.certificate.GAP_OK`."""
    notes = [certificate_note(report, what) for what, report in reports.items()]
    text = " ".join(note.text for note in notes)
    if any(note.warning for note in notes):
        st.warning(text, icon=":material/warning:")
    else:
        st.caption(text)
