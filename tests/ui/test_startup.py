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
