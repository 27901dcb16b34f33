"""The server (`python -m ui.serve [streamlit options] [-- app options]`, what `make run` starts): the engine and the
bundled models are loaded first, then Streamlit serves app.py.

A class opens the app within a minute of each other; with ``streamlit run app.py`` the first visitors would load every
model and import every module together, each waiting for the others (bench/load.py). Here that is done once, before
the server answers: ``$INTERACTION_EXPLORER_PRELOAD`` chooses the models (default: every bundled one, about 1 GB and
10 s on 2 cores; ``none`` for none).
"""

import ctypes
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch is imported anywhere

APP = Path(__file__).resolve().parents[1] / "app.py"
M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
ARENAS = 2


def limit_malloc_arenas(count: int = ARENAS) -> bool:
    """Let glibc's malloc keep at most ``count`` heaps ("arenas") unless ``$MALLOC_ARENA_MAX`` says otherwise; True
    when set. By default every thread that allocates may get its own, up to 8 per core, and freed memory stays in
    them: Streamlit runs each script run in a new thread, and 30 sessions left the server at 1.45 GB instead of
    1.15 GB (bench/load.py), with no gain in speed. A C library other than glibc is left alone."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, count))
    except (OSError, AttributeError):
        return False


def main(argv: list[str]) -> None:
    """Bound malloc's arenas, import the engine, preload the models, then run ``streamlit run app.py`` with ``argv``."""
    limit_malloc_arenas()
    from engine.errors import EngineError
    from ui.startup import import_app_modules, models_to_preload, preload_models

    import_app_modules(("engine",))
    try:
        chosen = models_to_preload()
    except EngineError as exc:
        sys.exit(f"Interaction Explorer: {exc}")
    if chosen:
        print(f"Interaction Explorer: loading {len(chosen)} bundled models before serving", flush=True)
        preload_models(chosen, lambda line: print(line, flush=True))
    from streamlit.web import cli

    cli.main(args=["run", str(APP), *argv], prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
