"""What a visitor may load (issue #14): hf: only inside allowed roots, one message for the rest, one copy per folder."""

import pytest

from engine.errors import EngineError
from engine.zoo import get_model
from engine.zoo.access import ROOTS_VARIABLE, canonical_id, visitor_model_id
from engine.zoo.user import LOADED


def message(model_id: str, from_link: bool = True) -> str:
    with pytest.raises(EngineError) as refused:
        visitor_model_id(model_id, from_link)
    return str(refused.value)


def test_outside_the_allowed_roots_one_message_for_a_file_a_folder_and_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(ROOTS_VARIABLE, raising=False)
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x")
    probes = ["/etc/passwd", "/root/.ssh", "/root", str(tmp_path / "folder"), str(tmp_path / "file"),
              str(tmp_path / "nothing"), "someone/not-cached", "../../etc", "x" * 5000, "a\0b"]
    said = {message(f"hf:{probe}").replace(repr(probe[:200]), "<source>") for probe in probes}
    assert len(said) == 1 and "is available here" in said.pop()


def test_python_files_and_pickles_need_the_operator_and_never_come_from_a_link(tmp_path, monkeypatch):
    monkeypatch.delenv("INTERACTION_EXPLORER_ALLOW_CODE", raising=False)
    assert "INTERACTION_EXPLORER_ALLOW_CODE=1" in message("py:/usr/lib/python3.11/os.py:abort", from_link=False)
    assert "INTERACTION_EXPLORER_ALLOW_CODE=1" in message(f"hf-pickle:{tmp_path}", from_link=False)
    assert "is available here" in message(f"hf:{tmp_path}", from_link=False)  # any folder: only with the setting
    monkeypatch.setenv("INTERACTION_EXPLORER_ALLOW_CODE", "1")
    assert visitor_model_id(f"py:{tmp_path}/../{tmp_path.name}/m.py:build") == f"py:{tmp_path}/m.py:build"
    assert visitor_model_id(f"hf:{tmp_path}//") == f"hf:{tmp_path}"
    assert "never runs a Python file" in message("py:/usr/lib/python3.11/os.py:abort", from_link=True)
    assert "is available here" in message(f"hf:{tmp_path}", from_link=True)


def test_a_folder_under_a_listed_root_loads_once_whatever_the_spelling(bert_folder, monkeypatch):
    monkeypatch.setenv(ROOTS_VARIABLE, str(bert_folder.parent))
    spellings = [f"hf:{bert_folder}", f"hf:{bert_folder}/", f"hf:{bert_folder}/../{bert_folder.name}",
                 f"hf:{bert_folder}/./"]
    ids = {visitor_model_id(s, from_link=True) for s in spellings}
    assert ids == {f"hf:{bert_folder.resolve()}"}
    LOADED.models.clear()
    models = {id(get_model(s)) for s in spellings}  # the CLI and Python API normalise too
    assert len(models) == 1 and len(LOADED.models) == 1
    assert canonical_id("hf:someone/tiny-bert/") == "hf:someone/tiny-bert"
    assert canonical_id("digits-cnn") == "digits-cnn"


def test_a_cached_hub_name_resolves_to_its_snapshot_for_a_visitor(hub_snapshot):
    assert visitor_model_id("hf:someone/tiny-bert", from_link=True) == f"hf:{hub_snapshot.resolve()}"
    assert "is available here" in message("hf:someone/other")


def test_the_user_model_cache_is_bounded_by_count_and_bytes():
    from engine.zoo.user import LoadedModels

    class Fake:
        def __init__(self, size):
            self.memory_bytes = size

    loaded = LoadedModels(max_models=3, max_bytes=100)
    for k in range(5):
        loaded.get((str(k), None), lambda: Fake(10))
    assert list(k for k, _ in loaded.models) == ["2", "3", "4"]
    loaded.get(("big", None), lambda: Fake(95))
    assert list(k for k, _ in loaded.models) == ["big"]  # the newest stays even alone over the bound
