"""The user's own models in the app: loading from the sidebar form, bad folders, and links that never run code."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_app_loads_an_own_model_and_reports_bad_folders(bert_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("INTERACTION_EXPLORER_MODEL_ROOTS", str(bert_folder.parent))  # the operator allows it
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    at.text_input(key="own_source").input(str(tmp_path / "nowhere"))
    at.button(key="own_load").click().run()
    assert not at.exception and "is available here" in at.session_state["own_error"]  # shown in the sidebar form
    assert at.query_params["model"] == "digits-cnn"
    at = AppTest.from_file(APP, default_timeout=240)  # a fresh session
    at.run()
    at.text_input(key="own_source").input(str(bert_folder))
    at.button(key="own_load").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["own_error"] is None
    assert at.session_state["user_models"] == [f"hf:{bert_folder.resolve()}"]  # selected (normalised)


def test_a_model_that_ignores_its_players_is_called_out(bert_folder, monkeypatch):
    monkeypatch.setenv("INTERACTION_EXPLORER_MODEL_ROOTS", str(bert_folder.parent))
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params.update({"model": f"hf:{bert_folder}", "method": "and"})
    at.run()
    assert not at.exception and any("hardly changes the output" in i.value for i in at.info)


def test_links_never_run_python_files_or_unpickle(tmp_path):
    marker = tmp_path / "ran"
    source = tmp_path / "evil.py"
    source.write_text(f"open({str(marker)!r}, 'w').write('x')\ndef build():\n    return None\n")
    for model in (f"py:{source}:build", f"hf-pickle:{tmp_path}"):
        at = AppTest.from_file(APP, default_timeout=240)
        at.query_params["model"] = model
        at.run()
        assert not at.exception and at.query_params["model"] == "digits-cnn"
    assert not marker.exists()
