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
