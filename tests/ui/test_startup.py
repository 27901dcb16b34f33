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
    monkeypatch.setenv(PRELOAD_VARIABLE, " None ")
    assert models_to_preload() == []
    monkeypatch.setenv(PRELOAD_VARIABLE, "digits-cnn, tabular-mlp-wide,")
    assert models_to_preload() == ["digits-cnn", "tabular-mlp-wide"]
    monkeypatch.setenv(PRELOAD_VARIABLE, "digits-cnn,no-such-model")
    with pytest.raises(EngineError, match="unknown model no-such-model; bundled: .*digits-cnn"):
        models_to_preload()


def test_preloading_fills_the_engine_cache_and_a_model_that_fails_is_logged_and_skipped(monkeypatch):
    import engine.zoo
    from engine.errors import EngineError
    from ui.startup import preload_models

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


def test_the_server_bounds_mallocs_arenas_unless_the_operator_chose(monkeypatch):
    from ui.serve import limit_malloc_arenas

    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    assert limit_malloc_arenas() is False
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    assert limit_malloc_arenas() is True  # glibc (Debian): mallopt returns 1
