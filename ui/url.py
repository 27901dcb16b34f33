"""The explorer's one URL schema: which query parameters a link carries, and how each is written and read.

A link names the shared choices (``model``, ``sample``, ``players`` as comma-separated candidate indices,
``baseline``, ``output``, ``target`` (the class explained, only when chosen), ``method``, ``focus`` as
``"AND:17"``, ``present=1`` for presentation mode), on the dynamics view only its own controls (``dyn_model``,
``epoch``), on the playground only its game (``exercise`` as
``t3``, or ``formula`` as the formula's text), and on any view ``tour=1``, which starts the guided tour and is taken
off the URL once read. Links are built with URL encoding, so a sentence used as a sample survives the round trip.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import streamlit as st

from engine.explain import Request
from engine.interaction import Interaction
from engine.zoo import HF_PREFIX, MODEL_TITLES

SHARED_KEYS = ("model", "sample", "players", "baseline", "output", "target", "method", "focus", "present")
DYNAMICS_MODEL, EPOCH = "dyn_model", "epoch"
EXERCISE, FORMULA = "exercise", "formula"
FORMULA_MAX = 400  # characters of a formula a link may carry (the playground's input holds no more)
PAGE_KEYS = {"dynamics": (DYNAMICS_MODEL, EPOCH), "playground": (EXERCISE, FORMULA)}  # dropped on the other pages
TOUR = "tour"


def seed_from_link() -> None:
    """Before the widgets run, copy valid query parameters into session state (once per session)."""
    if st.session_state.get("_seeded"):
        return
    st.session_state["_seeded"] = True
    params = st.query_params
    if params.get("model") in MODEL_TITLES:
        st.session_state["model"] = params["model"]
    elif str(params.get("model", "")).startswith(HF_PREFIX):  # safetensors only; pickle and .py never from a link
        st.session_state["user_models"] = [params["model"]]
        st.session_state["model"] = params["model"]
    elif "model" in params:
        ignored(f"model {params['model']!r}" + (" (a link never runs a Python file or unpickles weights)"
                                                 if ":" in params["model"] else ""))
    for key in ("sample", "players", "baseline", "output", "target", "method", "focus"):
        if key in params:
            st.session_state[f"url_{key}"] = params[key]
    st.session_state["present"] = params.get("present") == "1"


def ignored(what: str) -> None:
    """Remember a link's choice that does not exist here, to say so once (see :func:`link_notice`)."""
    st.session_state.setdefault("link_ignored", []).append(what)


def link_notice() -> None:
    """Say which of the link's choices were replaced by defaults, once, instead of changing them silently."""
    ignored = st.session_state.pop("link_ignored", [])
    if ignored:
        st.sidebar.warning("This link names choices that do not exist here, so defaults are shown instead: "
                           + "; ".join(ignored) + ".", icon=":material/link:")


def players_param(players: tuple[int, ...] | list[int] | None) -> str:
    """Candidate indices as ``"0,1,5"``."""
    return ",".join(str(p) for p in (players or ()))


def parse_players(text: str, count: int) -> list[int] | None:
    """``"0,1,5"`` as candidate indices when every one is a number below ``count``, else None."""
    tokens = [p for p in text.split(",") if p != ""]
    return [int(p) for p in tokens] if all(p.isdigit() and int(p) < count for p in tokens) else None


def shared_params(request: Request, focus: Interaction | None, presentation: bool,
                  target: int | None = None) -> dict[str, str]:
    """The query parameters of the shared choices; ``target`` only when the user chose a class (the default, the
    predicted class, is left out, so a link follows the prediction of whatever sample it is opened on)."""
    params = {"model": request.model_id, "sample": request.sample_id, "players": players_param(request.players),
              "baseline": request.baseline or "", "output": request.output, "method": request.method}
    if target is not None:
        params["target"] = str(target)
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


def dynamics_link() -> tuple[str | None, int | None]:
    """The checkpoint model and epoch a link to the dynamics view names (None where it names none or no number)."""
    epoch = st.query_params.get(EPOCH, "")
    return st.query_params.get(DYNAMICS_MODEL), int(epoch) if epoch.isdigit() else None


def write_dynamics(model_id: str, epoch: int) -> None:
    """The dynamics view's own choices, for the link."""
    st.query_params.update({DYNAMICS_MODEL: model_id, EPOCH: str(epoch)})


def tour_link() -> bool:
    """Whether the link asks for the guided tour (``tour=1``); the parameter is taken off the URL, so it starts the
    tour once. Read it before :func:`write_query`, which keeps only the schema's parameters."""
    return st.query_params.pop(TOUR, None) == "1"


def playground_link() -> tuple[str | None, str | None]:
    """The exercise key and the formula a link to the playground names (None where it names none; the formula cut to
    FORMULA_MAX characters). The page checks that the exercise exists."""
    formula = st.query_params.get(FORMULA) or None
    return st.query_params.get(EXERCISE) or None, formula[:FORMULA_MAX] if formula else None


def write_playground(exercise: str | None, formula: str | None) -> None:
    """The playground's game, for the link: an exercise by its key, else the user's own formula."""
    st.query_params.pop(FORMULA if exercise else EXERCISE, None)
    st.query_params.update({EXERCISE: exercise} if exercise else {FORMULA: formula or ""})
