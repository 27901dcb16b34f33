"""The server's first import: every module of the app, once, in one thread, before any session uses them.

Sessions that start together on a fresh server (a class opening the same link) run the app's script in parallel
threads, each importing the same modules for the first time; Python then reports import deadlocks between the
engine's modules or hands one thread a half-initialised module ("cannot import name …"), and that visitor sees a
traceback. :func:`import_app_modules` imports the ``engine`` and ``ui`` packages and the libraries their functions
import lazily (Pillow, transformers' auto classes, SciPy's LP solver) under one lock, so every later import is a
lookup. bench/load.py starts 30 sessions at once on a fresh server to check it.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading

SKIPPED = {"engine.__main__", "engine.zoo.train"}  # the command line and the training script
LAZY = ["PIL.Image", "scipy.optimize", "transformers"]
_lock = threading.Lock()
_imported = False


def import_app_modules() -> None:
    """Import every module of ``engine`` and ``ui`` (and LAZY), once per process; other callers wait for it."""
    global _imported
    with _lock:
        if _imported:
            return
        for package in ("engine", "ui"):
            for info in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}."):
                if info.name not in SKIPPED:
                    importlib.import_module(info.name)
        for name in LAZY:
            importlib.import_module(name)
        from transformers import (  # noqa: F401 - resolved now: transformers imports its classes lazily
            AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer,
        )
        _imported = True
