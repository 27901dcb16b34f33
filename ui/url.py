"""The explorer's one URL schema: which query parameters a link carries, and how each is written and read.

A link names the shared choices (``model``, ``sample``, ``players`` as comma-separated candidate indices,
``baseline``, ``output``, ``target`` (the class explained, only when chosen), ``method``, ``focus`` as
``"AND:17"``, ``present=1`` for presentation mode), on the dynamics view only its own controls (``dyn_model``,
``epoch``), on the across-samples view its own (``k``, ``start``, ``n`` as numbers, ``pair=1``), on the playground
only its game (``exercise`` as
``t3``, or ``formula`` as the formula's text), and on any view ``tour=1``, which starts the guided tour and is taken
off the URL once read. Links are built with URL encoding, so a sentence used as a sample survives the round trip.

Every value a link carries is checked before it is used; one that does not fit (a model outside the allowed roots,
``focus=AND:²``, a 4,301-digit number, more players than a link may ask for, a text longer than LINK_TEXT_MAX)
becomes a notice in the sidebar and the default is shown. A link can name only ``hf:`` models inside the allowed
roots (:func:`engine.zoo.access.visitor_model_id`), never a Python file or pickle weights.
"""

from __future__ import annotations

import os
import re

from urllib.parse import quote, urlencode

import streamlit as st

from engine.errors import EngineError
from engine.explain import Request
from engine.interaction import Interaction
from engine.zoo import MODEL_TITLES, is_user_model
from engine.zoo.access import visitor_model_id

SHARED_KEYS = ("model", "sample", "players", "baseline", "output", "target", "method", "focus", "present")
DYNAMICS_MODEL, EPOCH = "dyn_model", "epoch"
EXERCISE, FORMULA = "exercise", "formula"
ACROSS_KEYS = ("k", "start", "n", "pair")
FORMULA_MAX = 400  # characters of a formula a link may carry (the playground's input holds no more)
# dropped on the other pages
PAGE_KEYS = {"dynamics": (DYNAMICS_MODEL, EPOCH), "playground": (EXERCISE, FORMULA), "across": ACROSS_KEYS}
TOUR = "tour"
LINK_TEXT_MAX = 2000  # characters of a sentence (or any other value) a link may carry
LINK_PLAYERS_VARIABLE = "INTERACTION_EXPLORER_LINK_MAX_PLAYERS"
NUMBER_DIGITS = 7  # digits of a player index, interaction index or epoch (2^20 < 10^7)


def natural(text: str, digits: int = NUMBER_DIGITS) -> int | None:
    """``text`` as a non-negative integer when it is 1 to ``digits`` ASCII digits (not "²", not 4,301 digits)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= digits else None


def link_max_players() -> int:
    """Players a link may ask for: ``$INTERACTION_EXPLORER_LINK_MAX_PLAYERS``, default 12 (2^12 model runs)."""
    return int(os.environ.get(LINK_PLAYERS_VARIABLE) or 12)


def shown(value: str) -> str:
    """A link's value as a notice quotes it: repr, cut to 60 characters."""
    return repr(value[:60] + ("…" if len(value) > 60 else ""))


def seed_from_link() -> None:
    """Before the widgets run, copy valid query parameters into session state (once per session)."""
    if st.session_state.get("_seeded"):
        return
    st.session_state["_seeded"] = True
    params = st.query_params
    model = params.get("model")
    if model in MODEL_TITLES:
        st.session_state["model"] = model
    elif model is not None and is_user_model(model):  # hf: inside the allowed roots; pickle and .py never
        try:
            st.session_state["model"] = visitor_model_id(model, from_link=True)
            st.session_state["user_models"] = [st.session_state["model"]]
        except EngineError as exc:
            ignored(f"model {shown(model)} ({exc})")
    elif model is not None:
        ignored(f"model {shown(model)}")
    for key in ("sample", "players", "baseline", "output", "target", "method"):
        if key in params and len(params[key]) <= LINK_TEXT_MAX:
            st.session_state[f"url_{key}"] = params[key]
        elif key in params:
            ignored(f"{key} {shown(params[key])} (longer than {LINK_TEXT_MAX:,} characters)")
    if "focus" in params:
        focus = params["focus"]
        kind, _, index = focus.partition(":")
        if kind in ("AND", "OR") and natural(index) is not None:
            st.session_state["url_focus"] = focus
        else:
            ignored(f"focus {shown(focus)} (an interaction is written AND:<index> or OR:<index>)")
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
    """``"0,1,5"`` as distinct candidate indices when every one is a number below ``count``, else None."""
    numbers = [natural(p.strip()) for p in text.split(",") if p.strip() != ""]
    if any(n is None or n >= count for n in numbers) or len(set(numbers)) != len(numbers):
        return None
    return numbers


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
    return st.query_params.get(DYNAMICS_MODEL), natural(st.query_params.get(EPOCH, ""))


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


def across_link() -> dict[str, int]:
    """The across-samples view's own choices a link names ({"k": 20, "start": 0, "n": 8, "pair": 1}): only values
    of 1 to 12 ASCII digits (``str.isdigit`` also takes "²", and ``int`` refuses 4,301 digits); the page clamps them
    to its controls' ranges (:func:`clamp`)."""
    return {key: int(value) for key in ACROSS_KEYS
            if re.fullmatch(r"[0-9]{1,12}", value := str(st.query_params.get(key, "")))}


def clamp(value: int, low: int, high: int) -> int:
    """A number a link names, brought into its control's range [low, high] (a link may carry k=0 or n=1)."""
    return max(low, min(value, high))


def write_across(choices: dict[str, int]) -> None:
    """The across-samples view's own choices, for the link."""
    st.query_params.update({key: str(choices[key]) for key in ACROSS_KEYS if key in choices})


def sample_link(model_id: str, sample_id: str, players: list[int], baseline: str | None, page: str = "") -> str:
    """A relative link that opens one sample of a model in a single-sample view (``page``: its url path; "" the
    first view), with the players and baseline it was explained with."""
    return share_link(f"./{page}", {"model": model_id, "sample": sample_id, "players": players_param(players),
                                    "baseline": baseline or "", "method": "and-or"})
