"""The explorer's one URL schema: which query parameters a link carries, and how each is written and read.

A link names the shared choices (``model``, ``sample``, ``players`` as comma-separated candidate indices,
``baseline``, ``output``, ``method``, ``focus`` as ``"AND:17"``, ``present=1`` for presentation mode) and, on the
dynamics view only, its own controls (``dyn_model``, ``epoch``). Links are built with URL encoding, so a sentence
used as a sample survives the round trip.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import streamlit as st

from engine.explain import Request
from engine.interaction import Interaction

SHARED_KEYS = ("model", "sample", "players", "baseline", "output", "method", "focus", "present")
PAGE_KEYS = {"dynamics": ("dyn_model", "epoch")}  # a page's own controls, dropped on the other pages


def players_param(players: tuple[int, ...] | list[int] | None) -> str:
    """Candidate indices as ``"0,1,5"``."""
    return ",".join(str(p) for p in (players or ()))


def parse_players(text: str, count: int) -> list[int] | None:
    """``"0,1,5"`` as candidate indices when every one is a number below ``count``, else None."""
    tokens = [p for p in text.split(",") if p != ""]
    return [int(p) for p in tokens] if all(p.isdigit() and int(p) < count for p in tokens) else None


def shared_params(request: Request, focus: Interaction | None, presentation: bool) -> dict[str, str]:
    """The query parameters of the shared choices."""
    params = {"model": request.model_id, "sample": request.sample_id, "players": players_param(request.players),
              "baseline": request.baseline or "", "output": request.output, "method": request.method}
    if focus is not None:
        params["focus"] = str(focus)
    if presentation:
        params["present"] = "1"
    return params


def write_query(params: dict[str, str], page: str) -> None:
    """Make the browser's query string ``params`` plus the page's own keys (``page``: the url path shown)."""
    own = PAGE_KEYS.get(page, ())
    for key in list(st.query_params):
        if key not in params and key not in own:
            del st.query_params[key]
    st.query_params.update(params)


def share_link(base: str, params: dict[str, str]) -> str:
    """``base?key=value&…`` with every key and value percent-encoded (spaces as %20)."""
    return f"{base}?{urlencode(params, quote_via=quote)}" if params else base
