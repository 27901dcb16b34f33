"""Result bundles: a round trip, any cache entry, browsing without the model, and every bad zip as a message."""

import json
import zipfile

import numpy as np
import pytest

from engine.__main__ import main
from engine.bundle import MANIFEST, export_bundle, import_bundle, open_bundle
from engine.cache import ResultCache
from engine.errors import EngineError
from engine.explain import ENGINE_VERSION, Request, explain
from engine.precompute import run_job, sample_jobs
from engine.zoo import ID_SCHEMES, STAND_INS

MODEL, SAMPLES, METHODS = "tabular-mlp-overfit", ["row-1", "row-3"], ["and", "and-or"]
OTHER_KEY = "ab" * 32  # an entry of another kind (an aggregate over samples, stored as JSON)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A cache with two samples' results and a JSON entry, and a bundle of them."""
    folder = tmp_path_factory.mktemp("bundle")
    cache = ResultCache(folder / "cache")
    for sample_id in SAMPLES:
        for job in sample_jobs(MODEL, sample_id, METHODS):
            run_job(job, cache)
    cache.path(OTHER_KEY).parent.mkdir(parents=True, exist_ok=True)
    cache.path(OTHER_KEY).with_suffix(".json").write_text('{"salient_ratio": [0.1, 0.2]}')
    out = folder / "talk.zip"
    export_bundle(out, [MODEL], SAMPLES, METHODS, cache, extra_keys=[OTHER_KEY])
    return cache, out


def files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.glob("*/*") if p.suffix in (".npz", ".json")}


def test_a_bundle_round_trips_every_entry_byte_for_byte(made, tmp_path):
    cache, out = made
    manifest = import_bundle(out, ResultCache(tmp_path))
    assert files(tmp_path) == files(cache.folder) and len(files(tmp_path)) == 2 * 2 + 1
    assert manifest["engine_version"] == ENGINE_VERSION and list(manifest["models"]) == [MODEL]
    record = manifest["models"][MODEL]
    assert [s["sample_id"] for s in record["samples"]] == SAMPLES and record["modality"] == "tabular"
    assert {e.get("method") for e in manifest["entries"].values()} == {"and", "and-or", None}


def test_a_bundle_is_browsed_without_the_model(made, tmp_path, monkeypatch):
    cache, out = made
    bundle = open_bundle(out, tmp_path)
    for scheme in list(ID_SCHEMES):  # the model is not installed here
        monkeypatch.setitem(ID_SCHEMES, scheme, lambda model_id: None)
    STAND_INS.set(bundle.models)
    try:
        for sample_id in SAMPLES:
            for method in METHODS:
                got = explain(Request(MODEL, sample_id, method=method), bundle.cache,
                              progress=lambda *_: pytest.fail("a bundled result was computed again"))
                want = explain(Request(MODEL, sample_id, method=method), cache)
                assert np.array_equal(got.i_and, want.i_and) and np.array_equal(got.i_or, want.i_or)
        with pytest.raises(EngineError, match="this bundle holds no result for .*not installed"):
            explain(Request(MODEL, "row-1", players=(0, 1, 2), method="and"), bundle.cache)
        with pytest.raises(EngineError, match="this bundle holds no result for the sample"):
            explain(Request(MODEL, "row-7", method="and"), bundle.cache)
    finally:
        STAND_INS.set({})
    assert not list(tmp_path.glob("*/*.tmp")) and len(files(tmp_path)) == 5  # read-only: nothing written


def rewrite(source, target, change):
    """Copy the bundle ``source`` to ``target`` with ``change(name, data)`` -> {name: data} applied per member."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            for name, data in change(info.filename, old.read(info)).items():
                new.writestr(name, data)
    return target


def test_another_engine_version_says_so(made, tmp_path):
    def older(name, data):
        return {name: json.dumps(json.loads(data) | {"engine_version": "0.1.0"}) if name == MANIFEST else data}

    with pytest.raises(EngineError, match=f"engine version '0.1.0', and this is version {ENGINE_VERSION}"):
        import_bundle(rewrite(made[1], tmp_path / "old.zip", older), ResultCache(tmp_path / "c"))


def test_damaged_bundles_get_messages_and_write_nothing_outside_the_cache(made, tmp_path):
    data = made[1].read_bytes()
    target = ResultCache(tmp_path / "cache")
    (tmp_path / "cut.zip").write_bytes(data[: len(data) // 2])  # its npz members are zips: one passes as the zip
    (tmp_path / "start.zip").write_bytes(data[:100])
    for bad, says in ((tmp_path / "cut.zip", "is damaged or not a result bundle"),
                      (tmp_path / "start.zip", "is damaged or not a zip file"), (tmp_path / "none.zip", "no such")):
        with pytest.raises(EngineError, match=says):
            import_bundle(bad, target)

    def slip(name, payload):  # members that point outside the cache are never written
        if not name.endswith(".npz"):
            return {name: payload}
        return {name: payload, f"../escaped-{name[-8:]}": payload, f"entries/../../{name[-68:]}": payload}

    import_bundle(rewrite(made[1], tmp_path / "slip.zip", slip), target)
    assert not list(tmp_path.parent.glob("escaped-*")) and not list(tmp_path.glob("*.npz"))
    assert files(target.folder) == files(made[0].folder)

    def pickled(name, payload):  # an entry holding a pickled object array is refused, never loaded
        if not name.endswith(".npz"):
            return {name: payload}
        import io
        buffer = io.BytesIO()
        np.savez(buffer, meta=np.array([{"evil": 1}], dtype=object))
        return {name: buffer.getvalue()}

    with pytest.raises(EngineError, match="is not a readable result"):
        import_bundle(rewrite(made[1], tmp_path / "pickle.zip", pickled), ResultCache(tmp_path / "other"))
    with pytest.raises(EngineError, match="no manifest.json"):
        import_bundle(rewrite(made[1], tmp_path / "plain.zip", lambda n, d: {} if n == MANIFEST else {n: d}),
                      ResultCache(tmp_path / "other"))


def test_the_cli_exports_and_imports(made, tmp_path, capsys):
    cache, _ = made
    out = tmp_path / "cli.zip"
    assert main(["bundle", "export", "--model", MODEL, "--samples", "row-1", "--key", OTHER_KEY, "--cache",
                 str(cache.folder), str(out)]) == 0
    assert main(["bundle", "import", str(out), "--cache", str(tmp_path / "imported")]) == 0
    assert "added 3 results" in capsys.readouterr().out and len(files(tmp_path / "imported")) == 3
    assert main(["bundle", "export", "--model", MODEL, "--samples", "row-7", "--cache", str(cache.folder),
                 str(out)]) == 2
    err = capsys.readouterr().err
    assert "not in the cache" in err and "tabular-mlp-overfit · row-7 · and-or" in err and "Traceback" not in err


def test_the_cli_exports_an_across_aggregate_with_its_test_samples_but_not_their_default_results(tmp_path, capsys):
    from engine.across import AcrossSettings, across

    cache, tests = ResultCache(tmp_path / "cache"), ["row-test-0", "row-test-1"]
    across([MODEL], tests, AcrossSettings(), cache)  # n = the model's 10 players; no other result of them
    out = tmp_path / "across.zip"
    assert main(["bundle", "export", "--model", MODEL, "--samples", "--across", "--across-samples", "2",
                 "--cache", str(cache.folder), str(out)]) == 0, capsys.readouterr().err
    with zipfile.ZipFile(out) as bundle:
        manifest = json.loads(bundle.read(MANIFEST))
        assert len([n for n in bundle.namelist() if n.startswith("entries/across/")]) == 1
    record = manifest["models"][MODEL]
    assert record["samples"] == [] and [s["sample_id"] for s in record["test_samples"]] == tests
    assert len(manifest["entries"]) == 1 + 2 * 2  # the aggregate; per sample the outputs (AND) and the AND-OR split
    opened = open_bundle(out, tmp_path / "opened")
    assert opened.models[MODEL].test_sample_ids(5) == tests
