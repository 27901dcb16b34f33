"""The server's first import: every module of the app, once, in one thread, before any session uses them.

Sessions that start together on a fresh server (a class opening the same link) run the app's script in parallel
threads, each importing the same modules for the first time; Python then reports import deadlocks between the
engine's modules or hands one thread a half-initialised module ("cannot import name …"), and that visitor sees a
traceback. :func:`import_app_modules` imports the ``engine`` and ``ui`` packages and the libraries their functions
import lazily (Pillow, transformers' auto classes, SciPy's LP solver) under one lock, so every later import is a
lookup. bench/load.py starts 30 sessions at once on a fresh server to check it.

:func:`preload_models` is the server's first work when it starts through ``python -m ui.serve`` (``make run``): every
bundled model is loaded before the first visitor arrives, instead of by the first visitors of a class, all at once.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import threading
import time
from collections.abc import Callable

SKIPPED = {"engine.__main__", "engine.zoo.train"}  # the command line and the training script
LAZY = ["PIL.Image", "scipy.optimize", "transformers"]  # imported by the engine's functions, not at its import
PRELOAD_VARIABLE = "INTERACTION_EXPLORER_PRELOAD"
_lock = threading.Lock()
_imported: set[str] = set()


def import_app_modules(packages: tuple[str, ...] = ("engine", "ui")) -> None:
    """Import every module of ``packages`` (and with ``engine`` the LAZY libraries), once per process; other callers
    wait for it."""
    with _lock:
        for package in packages:
            if package in _imported:
                continue
            for info in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}."):
                if info.name not in SKIPPED:
                    importlib.import_module(info.name)
            if package == "engine":
                for name in LAZY:
                    importlib.import_module(name)
                from transformers import (  # noqa: F401 - resolved now: transformers imports its classes lazily
                    AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer,
                )
            _imported.add(package)


def models_to_preload() -> list[str]:
    """``$INTERACTION_EXPLORER_PRELOAD``: bundled model ids separated by commas, ``none``, or (unset or ``all``) every
    bundled model; an unknown id, or a value that names none, is an error naming the known ones."""
    from engine.errors import EngineError
    from engine.zoo import model_ids

    value = os.environ.get(PRELOAD_VARIABLE, "").strip()
    if value.lower() in ("", "all"):
        return model_ids()
    if value.lower() == "none":
        return []
    chosen = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [model_id for model_id in chosen if model_id not in model_ids()]
    if not chosen:
        raise EngineError(f"{PRELOAD_VARIABLE}={value!r} names no model; bundled: {', '.join(model_ids())}")
    if unknown:
        raise EngineError(f"{PRELOAD_VARIABLE}: unknown model {', '.join(unknown)}; bundled: {', '.join(model_ids())}")
    return chosen


def preload_models(model_ids: list[str], log: Callable[[str], None] = print) -> None:
    """Load each model once into the engine's per-process caches (``engine.zoo.get_model``), logging its time; a
    model that fails to load is logged and skipped (its visitors then get the page's own message)."""
    from engine.zoo import get_model

    for model_id in model_ids:
        start = time.perf_counter()
        try:
            get_model(model_id)
        except Exception as exc:  # noqa: BLE001 - a missing weights file must not stop the server from starting
            log(f"  {model_id}: not loaded ({exc})")
            continue
        log(f"  {model_id}: {time.perf_counter() - start:.1f} s")
