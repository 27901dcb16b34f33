"""AppTest: the app as a shared server (issue #14): a safe sidebar, links whose odd values become notices, uploads
reopened by link, long texts said, a cache that cannot be written, the queue for computations."""

import errno
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def opened(page=None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params.update(params)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def notices(at: AppTest) -> str:
    return " ".join(w.value for w in at.sidebar.warning)


def test_the_sidebar_never_imports_a_python_file_unless_the_operator_allows_it(tmp_path, monkeypatch):
    """Issue #14: ``/usr/lib/python3.11/os.py:abort`` in the form killed the server for every user."""
    monkeypatch.delenv("INTERACTION_EXPLORER_ALLOW_CODE", raising=False)
    marker = tmp_path / "ran"
    source = tmp_path / "evil.py"
    source.write_text(f"open({str(marker)!r}, 'w').write('x')\ndef build():\n    return None\n")
    for typed in ("/usr/lib/python3.11/os.py:abort", f"{source}:build"):
        at = opened()
        assert not at.checkbox  # no pickle opt-in either
        at.text_input(key="own_source").input(typed)
        at.button(key="own_load").click().run()
        assert not at.exception and "INTERACTION_EXPLORER_ALLOW_CODE=1" in at.session_state["own_error"]
        assert at.session_state["model"] == "digits-cnn"
    assert not marker.exists()
    at.text_input(key="own_source").input(str(tmp_path)).run()  # a folder outside the allowed roots
    at.button(key="own_load").click().run()
    assert "is available here" in at.session_state["own_error"]
    monkeypatch.setenv("INTERACTION_EXPLORER_ALLOW_CODE", "1")  # the operator's choice: the user's file runs
    at = opened()
    at.text_input(key="own_source").input(f"{source}:build")
    at.button(key="own_load").click().run()
    assert marker.exists() and "must return a torch.nn.Module" in at.session_state["own_error"]


ODD_LINKS = {
    "focus-superscript": dict(focus="AND:²"),
    "focus-4301-digits": dict(focus="AND:" + "9" * 4301),
    "players-superscript": dict(players="1,²"),
    "players-5000-digits": dict(players="1" * 5000),
    "players-twice": dict(players="1,1"),
    "model-file": dict(model="hf:/etc/passwd"),
    "model-py": dict(model="py:/usr/lib/python3.11/os.py:abort"),
    "epoch": dict(dyn_model="digits-cnn-overfit", epoch="²"),
    "baseline-long": dict(baseline="x" * 10_000),
    "sample-long": dict(model="text-minilm-l6", sample="word " * 1000),
    "formula": dict(formula="a and (", exercise="nope"),
    "upload-gone": dict(sample="upload-image-0123456789ab"),
}


@pytest.mark.parametrize("params", ODD_LINKS.values(), ids=ODD_LINKS.keys())
@pytest.mark.parametrize("page", ["pages/primitives.py", "pages/orders.py", "pages/dynamics.py",
                                  "pages/playground.py"])
def test_every_odd_link_value_becomes_a_notice_never_a_traceback(page, params):
    at = opened(None if page == "pages/primitives.py" else page, **params)  # the notice shows on the first run
    assert not at.error, [e.value for e in at.error]
    if page == "pages/primitives.py" and "exercise" not in params and "epoch" not in params:
        assert "This link names choices that do not exist here" in notices(at)


def test_a_link_cannot_tell_a_file_a_folder_and_nothing_apart():
    said = set()
    for probe in ("/etc/passwd", "/root/.ssh", "/nothing/here", "/tmp"):
        said.add(notices(opened(model=f"hf:{probe}")).replace(probe, "<path>"))
    assert len(said) == 1 and "is available here" in said.pop()


def test_links_ask_for_at_most_a_dozen_players():
    """Issue #14: anonymous links asked for 16-18 text players, about 15 min of CPU each."""
    sentence = "the film was long but every single scene of it felt warm and honest and truly very funny indeed"
    at = opened(model="text-minilm-l6", sample=sentence, players=",".join(map(str, range(16))), method="and")
    assert "16 players (a link may ask for at most 12" in notices(at)
    assert len(at.session_state[f"players::text-minilm-l6::{sentence}"]) == 10  # the default choice


def test_a_link_to_an_upload_reopens_it_while_the_server_holds_it():
    from helpers import png, stroke_on_paper

    from engine.zoo.uploads import image_sample

    sample = image_sample(png(stroke_on_paper()), "one.png")
    at = opened(sample=sample.sample_id, method="and")
    assert at.selectbox(key="sample::digits-cnn").value == sample.sample_id and not notices(at)
    assert at.query_params["sample"] == sample.sample_id


def test_a_long_sentence_says_how_much_of_it_is_used():
    at = opened(model="text-minilm-l6", sample=" ".join(["good"] * 200), method="and")
    assert any("only the first 62 of the 200 words" in i.value for i in at.sidebar.info)


def test_a_cache_that_cannot_be_written_still_shows_the_result_with_a_warning(monkeypatch):
    from engine.result import InteractionResult

    def full(self, path, key=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(InteractionResult, "save", full)
    at = opened("pages/orders.py", model="tabular-mlp-wide", players="0,2,4,6,8", method="and")
    assert at.get("plotly_chart") and any("No space left on device" in w.value for w in at.warning)


def test_a_waiting_visitor_sees_their_place_in_line(monkeypatch):
    from streamlit.delta_generator import DeltaGenerator

    from ui.compute import shared_cache

    said, original = [], DeltaGenerator.progress

    def progress(self, value, text=None):
        said.append(text or "")
        return original(self, value, text=text)

    monkeypatch.setattr(DeltaGenerator, "progress", progress)
    gate, release = shared_cache().gate, threading.Event()

    def hold() -> None:
        with gate.slot():
            release.wait(30)

    holders = [threading.Thread(target=hold) for _ in range(gate.slots)]
    for holder in holders:
        holder.start()
    threading.Timer(3.0, release.set).start()
    started = time.perf_counter()
    at = opened("pages/orders.py", model="tabular-mlp-deep", players="1,3,5,7,9", method="and")
    assert at.get("plotly_chart") and time.perf_counter() - started > 2.5
    assert any(f"waiting in line: {gate.slots} computation" in text for text in said)


def test_copy_link_encodes_a_sentence_with_every_special_character():
    sentence = "Not bad & truly #1? 50% + off"
    at = opened(model="text-minilm-l6", sample=sentence, method="and")
    link = next(c.value for c in at.sidebar.code if "?" in c.value)
    parsed = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert parsed["sample"] == sentence and parsed["model"] == "text-minilm-l6"


@pytest.mark.parametrize("model, megabytes", [("digits-cnn", 10), ("tabular-mlp-wide", 1)])
def test_the_uploader_states_the_limit_the_server_enforces(model, megabytes):
    """It said "200MB per file" (Streamlit's default) while uploads above 10 MB were refused after the transfer."""
    at = opened(model=model)
    uploaders = [e for e in at.get("file_uploader") if "upload" in e.proto.label]
    assert uploaders and all(e.proto.max_upload_size_mb == megabytes for e in uploaders)
