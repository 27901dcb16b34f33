"""What a visitor of a shared server may load: model ids from links and the sidebar, confined and normalised.

The CLI and the Python API load any id (``py:`` files and pickle weights included: the user runs their own code).
A visitor of the app (a link, or the sidebar's *Your own model* form) gets only:

- ``hf:<hub name>`` of a model already in the local Hugging Face cache, or ``hf:<folder>`` inside an allowed root
  (the Hugging Face cache, the bundled ``assets/models``, and the folders listed in
  ``$INTERACTION_EXPLORER_MODEL_ROOTS``, separated by ``:``); anything else gets one message, the same for a file,
  a folder and nothing at all, so that a link cannot probe the server's files;
- Python files (``py:``), pickle weights (``hf-pickle:``) and folders anywhere only when the operator sets
  ``INTERACTION_EXPLORER_ALLOW_CODE=1`` (never from a link).

Ids are normalised (a folder's resolved absolute path, a hub name without stray slashes), so every spelling of one
folder loads one copy of the model and shares one cache entry.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import EngineError
from .base import ASSETS

ALLOW_CODE_VARIABLE = "INTERACTION_EXPLORER_ALLOW_CODE"
ROOTS_VARIABLE = "INTERACTION_EXPLORER_MODEL_ROOTS"
HF_PREFIX, HF_PICKLE_PREFIX, PY_PREFIX = "hf:", "hf-pickle:", "py:"
HUB_NAME = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")


def code_allowed() -> bool:
    """Whether the operator lets visitors load Python files, pickle weights and any folder (``…ALLOW_CODE=1``)."""
    return os.environ.get(ALLOW_CODE_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")


def allowed_roots() -> list[Path]:
    """Folders whose model folders visitors may load: the Hugging Face cache, ``assets/models``, and
    ``$INTERACTION_EXPLORER_MODEL_ROOTS`` (resolved)."""
    import huggingface_hub.constants

    listed = [p for p in os.environ.get(ROOTS_VARIABLE, "").split(os.pathsep) if p.strip()]
    return [Path(p).expanduser().resolve() for p in [huggingface_hub.constants.HF_HUB_CACHE, ASSETS / "models",
                                                     *listed]]


def is_hub_name(source: str) -> bool:
    """Written like a hub name, ``org/name`` or ``name`` (not ``/…``, ``./…`` or ``~/…``)."""
    return bool(HUB_NAME.fullmatch(source))


def canonical_source(source: str) -> str:
    """A path that exists (or is not written like a hub name) resolved to its absolute form; else a hub name."""
    source = source.strip()
    path = Path(source).expanduser()
    if not path.exists() and is_hub_name(source.rstrip("/")):
        return source.rstrip("/")
    return str(path.resolve())


def canonical_id(model_id: str) -> str:
    """The normalised form of a user-model id (``hf:``, ``hf-pickle:``, ``py:file.py:function``); others unchanged."""
    for prefix in (HF_PICKLE_PREFIX, HF_PREFIX):
        if model_id.startswith(prefix):
            return prefix + canonical_source(model_id[len(prefix):])
    if model_id.startswith(PY_PREFIX):
        file, separator, function = model_id[len(PY_PREFIX):].rpartition(":")
        return f"{PY_PREFIX}{canonical_source(file)}{separator}{function}" if separator and file else model_id
    return model_id


def refused(source: str) -> EngineError:
    """The one message for a visitor's model that is not available (whatever is, or is not, at that path)."""
    return EngineError(f"no model {source[:200]!r} is available here: give the name of a model in this server's "
                       "Hugging Face cache, or a folder under one of the model folders its operator allows")


def visitor_model_id(model_id: str, from_link: bool = False) -> str:
    """The normalised id of a model a link or the sidebar names, when a visitor may load it; else an EngineError
    (:func:`refused` for every ``hf:`` source outside the allowed roots).

    A link, and the sidebar without ``…ALLOW_CODE``: ``hf:`` only, a cached hub name or a folder inside
    :func:`allowed_roots` (the id then names the resolved folder). The sidebar with it: any user-model id."""
    if not from_link and code_allowed() and model_id.startswith((HF_PREFIX, HF_PICKLE_PREFIX, PY_PREFIX)):
        return canonical_id(model_id)
    if model_id.startswith((HF_PICKLE_PREFIX, PY_PREFIX)):
        raise EngineError("a link never runs a Python file or unpickles weights" if from_link else
                          "Python files and pickle weights cannot be loaded on this server (its operator can allow "
                          f"them with {ALLOW_CODE_VARIABLE}=1)")
    if not model_id.startswith(HF_PREFIX):
        raise refused(model_id)
    source = model_id[len(HF_PREFIX):].strip()
    try:
        folder = cached_snapshot(source.rstrip("/")) if is_hub_name(source.rstrip("/")) else Path(source).resolve()
        inside = folder is not None and folder.is_dir() and any(folder.is_relative_to(r) for r in allowed_roots())
    except (OSError, RuntimeError, ValueError):
        inside = False
    if not inside:
        raise refused(source)
    return HF_PREFIX + str(folder)


def cached_snapshot(name: str) -> Path | None:
    """The local Hugging Face cache's snapshot of hub model ``name`` (resolved), or None; never downloads."""
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(name, local_files_only=True)).resolve()
    except Exception:  # noqa: BLE001 - any failure means: not in the local cache
        return None
