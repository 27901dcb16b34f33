"""The server (`python -m ui.serve [streamlit options] [-- app options]`, what `make run` starts): the engine and the
bundled models are loaded first, then Streamlit serves app.py.

A class opens the app within a minute of each other; with ``streamlit run app.py`` the first visitors would load every
model and import every module together, each waiting for the others (bench/load.py). Here that is done once, before
the server answers: ``$INTERACTION_EXPLORER_PRELOAD`` chooses the models (default: every bundled one, about 650 MB
and 10 s on 2 cores, the server then about 1 GB; ``none`` for none). The options are checked before that.
"""

import ctypes
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch is imported anywhere

APP = Path(__file__).resolve().parents[1] / "app.py"
M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
ARENAS = 2  # at least; more when the gate lets more computations run at once (engine.gate.default_slots)


def limit_malloc_arenas(count: int = ARENAS) -> bool:
    """Let glibc's malloc keep at most ``count`` heaps ("arenas"), unless the operator chose (``$MALLOC_ARENA_MAX``
    or ``glibc.malloc.arena_max`` in ``$GLIBC_TUNABLES``); True when set. By default every thread that allocates may
    get its own, up to 8 per core, and freed memory stays in them: Streamlit runs each script run in a new thread, and
    30 sessions left the server at 1.42-1.50 GB instead of 1.13-1.16 GB (bench/load.py, 2 cores, 2 arenas), no faster.
    A C library other than glibc is left alone."""
    if "MALLOC_ARENA_MAX" in os.environ or "glibc.malloc.arena_max" in os.environ.get("GLIBC_TUNABLES", ""):
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, count))
    except (OSError, AttributeError):
        return False


def check_options(argv: list[str]) -> None:
    """Streamlit's own parse of ``run app.py argv``, before anything is loaded: ``--help`` prints the options and a
    wrong one ends the process with Streamlit's message (exit status 2), at once."""
    import click
    from streamlit.web import cli

    try:
        cli.main_run.make_context("run", [str(APP), *argv])
    except click.exceptions.Exit as done:  # --help, already printed
        sys.exit(done.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


def main(argv: list[str]) -> None:
    """Check the options, bound malloc's arenas, import the engine, preload the models, then run ``streamlit run
    app.py`` with ``argv``."""
    check_options(argv)
    limit_malloc_arenas()  # before the engine's imports start threads
    from engine.errors import EngineError
    from engine.gate import default_slots
    from ui.startup import import_app_modules, models_to_preload, preload_models

    if default_slots() > ARENAS:  # one heap per computation the gate lets run at once
        limit_malloc_arenas(default_slots())
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
