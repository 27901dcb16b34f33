"""The server's first import: every module of the app at once, so that sessions starting together never race."""

import sys
import threading


def test_every_module_of_the_app_is_imported_once_by_one_caller():
    from ui.startup import import_app_modules

    threads = [threading.Thread(target=import_app_modules) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for name in ("engine.and_or", "engine.zoo.access", "engine.zoo.uploads", "ui.figures_shared", "ui.widgets",
                 "transformers.models.auto.tokenization_auto", "PIL.Image"):
        assert name in sys.modules, name


def test_the_server_runs_no_full_garbage_collection_after_every_script_run():
    """Streamlit's post-run gc.collect() holds the GIL: with 30 sessions on one server it was 70 % of the server's
    Python time and every session waited for it (bench/load.py under py-spy)."""
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none" and config["server"]["runOnSave"] is False


def test_the_models_to_preload_come_from_the_environment(monkeypatch):
    import pytest

    from engine.errors import EngineError
    from engine.zoo import model_ids
    from ui.startup import PRELOAD_VARIABLE, models_to_preload

    monkeypatch.delenv(PRELOAD_VARIABLE, raising=False)
    assert models_to_preload() == model_ids()
    monkeypatch.setenv(PRELOAD_VARIABLE, "All")
    assert models_to_preload() == model_ids()
    monkeypatch.setenv(PRELOAD_VARIABLE, " None ")
    assert models_to_preload() == []
    monkeypatch.setenv(PRELOAD_VARIABLE, "digits-cnn, tabular-mlp-wide,")
    assert models_to_preload() == ["digits-cnn", "tabular-mlp-wide"]
    monkeypatch.setenv(PRELOAD_VARIABLE, "digits-cnn,no-such-model")
    with pytest.raises(EngineError, match="unknown model no-such-model; bundled: .*digits-cnn"):
        models_to_preload()
    monkeypatch.setenv(PRELOAD_VARIABLE, " , ")
    with pytest.raises(EngineError, match="names no model; bundled: .*digits-cnn"):
        models_to_preload()


def test_a_preloaded_model_is_the_one_a_visitor_gets_and_a_model_that_fails_is_logged_and_skipped(monkeypatch):
    import engine.zoo
    from engine.errors import EngineError
    from engine.zoo.bundled import bundled
    from ui.startup import preload_models

    lines = []
    preload_models(["tabular-mlp-wide"], lines.append)
    hits = bundled.cache_info().hits
    first = engine.zoo.get_model("tabular-mlp-wide")
    assert bundled.cache_info().hits == hits + 1  # loaded by the preload, found by the visitor
    assert first is engine.zoo.get_model("tabular-mlp-wide")

    loaded = []

    def get_model(model_id):
        if model_id == "broken":
            raise EngineError("assets/models/broken.safetensors is missing")
        loaded.append(model_id)

    monkeypatch.setattr(engine.zoo, "get_model", get_model)
    lines = []
    preload_models(["digits-cnn", "broken", "tabular-mlp-wide"], lines.append)
    assert loaded == ["digits-cnn", "tabular-mlp-wide"]
    assert lines[0].startswith("  digits-cnn: ") and lines[0].endswith(" s")
    assert lines[1] == "  broken: not loaded (assets/models/broken.safetensors is missing)"
    assert lines[2].startswith("  tabular-mlp-wide: ") and len(lines) == 3


ARENA_PROBE = """
import ctypes, sys, tempfile, threading
from ui.serve import limit_malloc_arenas
print(limit_malloc_arenas())
barrier = threading.Barrier(12)
def work():
    kept = [bytearray(100_000) for _ in range(20)]  # malloc'd (beyond pymalloc, below the mmap threshold)
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(12)]
[t.start() for t in threads]
[t.join() for t in threads]
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile(suffix=".xml") as out:
    handle = libc.fopen(out.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(handle))
    libc.fclose(ctypes.c_void_p(handle))
    print(open(out.name).read().count("<heap nr="))
"""


def test_the_server_bounds_mallocs_arenas_unless_the_operator_chose():
    """12 threads allocating at once: glibc gives them their own heaps (13 here) unless the server bounded them (2);
    an operator's MALLOC_ARENA_MAX or GLIBC_TUNABLES is left as it is."""
    import os
    import platform
    import subprocess
    import sys
    from pathlib import Path

    import pytest

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt is glibc's")
    root = Path(__file__).resolve().parents[2]
    clean = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}

    def probe(env: dict) -> tuple[str, int]:
        done = subprocess.run([sys.executable, "-c", ARENA_PROBE], cwd=root, env=env, capture_output=True, text=True,
                              timeout=60, check=True)
        chosen, heaps = done.stdout.split()
        return chosen, int(heaps)

    assert probe(clean) == ("True", 2)
    chosen, heaps = probe(clean | {"MALLOC_ARENA_MAX": "8"})
    assert chosen == "False" and heaps > 2
    chosen, heaps = probe(clean | {"GLIBC_TUNABLES": "glibc.malloc.arena_max=6"})
    assert chosen == "False" and heaps > 2
