"""Result bundles: cached results in one zip file, computed on one machine and browsed on another.

A bundle holds cache entries (any key: ``entries/<key[:2]>/<key>.npz`` or ``.json``, the files of the
content-addressed cache, :mod:`engine.cache`) and ``manifest.json``: the format, the engine version, each entry's
provenance (model, sample, method) and, per model, what drawing its results needs without the model installed
(title, modality, class names, baselines, weights hash; per sample its input, candidate players and prediction).
Importing copies the entries into a cache folder; nothing in a bundle is ever unpickled (``.npz`` loads with
``allow_pickle=False``, the rest is JSON) and only members named like an entry are written, each to the path its
key gives inside the cache (never a path the zip names). :func:`open_bundle` also builds a read-only stand-in per
model (:mod:`engine.zoo.stand_in`) so that every view can browse the bundle.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


from .cache import ResultCache
from .errors import EngineError
from .explain import ENGINE_VERSION, request_keys, resolve_sample
from .precompute import SHARED, Job, job_keys, pair_of, sample_jobs
from .result import InteractionResult
from .zoo import ZooModel, get_model
from .zoo.stand_in import StandInModel, encode_data, stand_in

FORMAT = "interaction-explorer-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# entries/[<view>/]<key[:2]>/<key>.<npz|json>: the cache's own layout, or a view's folder in it (across/ ...)
ENTRY = re.compile(r"entries/((?:[a-z][a-z0-9_-]{0,31}/)?([0-9a-f]{2})/([0-9a-f]{64})\.(?:npz|json))")
MAX_MEMBER_BYTES = 512 * 2**20  # one entry, uncompressed (2^20 players' v, I_and, I_or in float64 is 24 MiB)
MAX_TOTAL_BYTES = 8 * 2**30  # a whole bundle, uncompressed: refuses zip bombs before reading them


def _sample_record(model: ZooModel, sample_id: str) -> dict[str, Any]:
    """One sample as the manifest lists it: its input, candidate players and prediction."""
    sample = resolve_sample(model, sample_id)
    return {"sample_id": sample.sample_id, "title": sample.title, "label": sample.label, **encode_data(sample.data),
            "prediction": model.predict(sample).tolist(),
            "candidates": [{"label": c.label, "units": list(c.units), "weight": c.weight, "span": c.span}
                           for c in model.candidates_of(sample)]}


def model_record(model: ZooModel, sample_ids: list[str], test_ids: list[str] = ()) -> dict[str, Any]:
    """What drawing ``model``'s results on these samples needs without the model: the manifest's entry; the samples
    ``test_ids`` (those of a bundled across-samples aggregate) are its stand-in's test split."""
    return {"title": model.title, "modality": model.modality, "class_names": list(model.class_names),
            "baselines": list(model.baselines), "weights_sha256": model.weights_hash,
            "default_players": model.default_players, "provenance": model.provenance,
            "samples": [_sample_record(model, sample_id) for sample_id in sample_ids],
            "test_samples": [_sample_record(model, sample_id) for sample_id in test_ids]}


def entry_files(cache: ResultCache, key: str) -> list[Path]:
    """The files of one cache entry: ``<key>.npz`` or ``<key>.json`` in the cache's ``<key[:2]>/`` folder, or in a
    view's folder of the cache (``across/<key[:2]>/``, where the across-samples view keeps its aggregates)."""
    folders = [cache.folder] + sorted(p for p in cache.folder.glob("*") if p.is_dir() and len(p.name) > 2)
    return [path for folder in folders for path in (folder / key[:2] / f"{key}.npz", folder / key[:2] / f"{key}.json")
            if path.is_file()]


def _summary(path: Path) -> dict[str, Any]:
    """The provenance a manifest lists for an entry (model, sample, method), from a result file."""
    if path.suffix != ".npz":
        return {"file": path.name}
    result = InteractionResult.load(path)
    return {"file": path.name, "model_id": result.provenance.model_id, "sample_id": result.provenance.sample_id,
            "method": result.method}


def export_bundle(out: Path, model_ids: list[str], sample_ids: list[str] | None, methods: list[str],
                  cache: ResultCache, extra_keys: list[str] = (), test_ids: list[str] = ()) -> dict[str, Any]:
    """Write the cached results of the jobs (:func:`engine.precompute.sample_jobs`) of each model on ``sample_ids``
    (None: all its samples), and the entries ``extra_keys`` (any cached key), with their manifest into ``out``;
    the samples ``test_ids`` (an across-samples aggregate's) are recorded as the test split of each model and its
    pair, without their results.

    Refuses, naming them, jobs whose results are not all cached (nothing is computed here)."""
    if out.suffix != ".zip":
        raise EngineError(f"a bundle is a .zip file, not {out.name!r}")
    if not out.parent.is_dir():
        raise EngineError(f"cannot write {out}: the folder {out.parent} does not exist")
    keys: dict[str, Job | None] = {key: None for key in extra_keys}
    samples: dict[str, list[str]] = {}
    for model_id in model_ids:
        ids = sample_ids if sample_ids is not None else [s.sample_id for s in get_model(model_id).samples]
        for sample_id in ids:
            for job in sample_jobs(model_id, sample_id, methods):
                keys.update({key: job for key in job_keys(job)})
                for member in pair_of(model_id) if job.method == SHARED else [model_id]:  # whose results it holds
                    ids_of = samples.setdefault(member, [])
                    if sample_id not in ids_of:
                        ids_of.append(sample_id)
    for member in (m for model_id in test_ids and model_ids for m in pair_of(model_id) or [model_id]):
        samples.setdefault(member, [])
    missing = sorted({job.name if job else key for key, job in keys.items() if not entry_files(cache, key)})
    if missing:
        raise EngineError(f"not in the cache {cache.folder}: {', '.join(missing[:5])}"
                          f"{f' and {len(missing) - 5} more' if len(missing) > 5 else ''}; run `python -m engine "
                          "precompute` for them first (with the same --cache)")
    entries = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as bundle:  # npz entries are compressed already
        for key in keys:
            for path in entry_files(cache, key):
                bundle.write(path, f"entries/{path.relative_to(cache.folder).as_posix()}")
                entries[path.name] = _summary(path)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "engine_version": ENGINE_VERSION,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "models": {model_id: model_record(get_model(model_id), ids, test_ids) for model_id, ids in samples.items()},
            "entries": entries,
        }
        bundle.writestr(MANIFEST, json.dumps(manifest, indent=1), compress_type=zipfile.ZIP_DEFLATED)  # photos
    return manifest


def across_keys(model_ids: list[str], sample_ids: list[str], cache: ResultCache) -> list[str]:
    """The keys of the cached across-samples aggregates (:mod:`engine.across`, default settings) of each model over
    ``sample_ids``, alone and with its pair, and of each model's per-sample results in them (a sample's link from
    the Across view opens them); a message when there is none."""
    from .across import AcrossSettings, aggregate_key, cached_aggregate, sample_requests, with_defaults

    groups = [[m] for m in model_ids] + [[m] + [x for x in pair_of(m) if x != m] for m in model_ids if pair_of(m)]
    found, results = [], []
    for ids in groups:
        settings = with_defaults(ids, AcrossSettings())
        key = aggregate_key(ids, sample_ids, settings)
        if entry_files(cache, key):
            found.append(key)
            results += [k for model in cached_aggregate(cache, key).models for row in model.rows
                        for request in sample_requests(model.model_id, row.sample_id, tuple(row.players), settings)
                        for k in request_keys(request)]
    if not found:
        raise EngineError(f"no across-samples aggregate of these {len(sample_ids)} samples is in the cache "
                          f"{cache.folder}; compute it first (`python -m engine across {model_ids[0]} --samples "
                          f"{len(sample_ids)} --json out.json`, the same samples, default settings)")
    return found + list(dict.fromkeys(results))


def read_manifest(bundle: zipfile.ZipFile, name: str) -> dict[str, Any]:
    """The bundle's manifest, checked: its format, and the engine version that made it (keys hold the version)."""
    try:
        manifest = json.loads(bundle.read(MANIFEST))
    except KeyError:
        raise EngineError(f"{name} is damaged or not a result bundle (it has no {MANIFEST})") from None
    except (ValueError, UnicodeDecodeError):
        raise EngineError(f"{name} is damaged: its {MANIFEST} is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise EngineError(f"{name} is not a result bundle of the Interaction Explorer")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise EngineError(f"{name} is a bundle of format {manifest.get('format_version')!r}; this version reads "
                          f"format {FORMAT_VERSION}")
    if manifest.get("engine_version") != ENGINE_VERSION:
        raise EngineError(f"{name} was made by engine version {manifest.get('engine_version')!r}, and this is "
                          f"version {ENGINE_VERSION}: its results would not match this engine's; export it again "
                          f"with engine {ENGINE_VERSION}")
    if not isinstance(manifest.get("models"), dict):
        raise EngineError(f"{name} is damaged: its manifest lists no models")
    return manifest


def _check_entry(name: str, data: bytes) -> None:
    """Raise unless ``data`` is a readable result file (npz without pickles) or JSON."""
    if name.endswith(".json"):
        json.loads(data)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        InteractionResult.load(path)  # np.load(allow_pickle=False): an object array is refused


def import_bundle(source: Path | bytes, cache: ResultCache, name: str | None = None) -> dict[str, Any]:
    """Check the bundle (a path, or its bytes) and copy its entries into ``cache``; its manifest.

    Every failure is an :class:`EngineError` with a message: not a zip, damaged, another engine version, a member
    that is not a valid result, a zip bomb."""
    name = name or (source.name if isinstance(source, Path) else "the bundle")
    try:
        with zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source)) as bundle:
            manifest = read_manifest(bundle, name)
            members = [m for m in bundle.infolist() if ENTRY.fullmatch(m.filename)]
            if any(m.file_size > MAX_MEMBER_BYTES for m in members) or \
                    sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
                raise EngineError(f"{name} is too large to open here (over {MAX_TOTAL_BYTES / 2**30:.0f} GiB, or "
                                  f"an entry over {MAX_MEMBER_BYTES / 2**20:.0f} MiB)")
            for member in members:
                relative, prefix, key = ENTRY.fullmatch(member.filename).groups()
                if prefix != key[:2]:
                    raise EngineError(f"{name} is damaged: {member.filename} is not where its key belongs")
                data = bundle.read(member)
                try:
                    _check_entry(relative, data)
                except Exception:
                    raise EngineError(f"{name} is damaged: {member.filename} is not a readable result") from None
                _write_atomically(cache.folder / relative, data)  # the pattern allows no "..", no absolute path
    except FileNotFoundError:
        raise EngineError(f"no such bundle: {name}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise EngineError(f"{name} is damaged or not a zip file ({exc})") from None
    return manifest


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ReadOnlyCache(ResultCache):
    """A bundle's cache: reads its folder; what is computed on top (an AND-OR split of bundled outputs) stays in
    memory, so the bundle's folder is never changed."""

    def put(self, key: str, result: InteractionResult) -> None:
        self._remember(key, result)


@dataclass
class OpenBundle:
    """An imported bundle: its manifest, a read-only cache of its entries and a stand-in per model."""

    name: str
    manifest: dict[str, Any]
    cache: ReadOnlyCache
    models: dict[str, StandInModel]

    def describe(self) -> str:
        """One line for the sidebar: file, models, how many samples and results, when it was made."""
        titles = ", ".join(m.title for m in self.models.values())
        samples, results = sum(len(m.samples) for m in self.models.values()), len(self.manifest.get("entries", {}))
        return (f"{self.name}: {titles}; {samples} sample{'s' * (samples != 1)}, {results} result"
                f"{'s' * (results != 1)}, made {self.manifest.get('created', '?')}")


def open_bundle(source: Path | bytes, folder: Path, name: str | None = None) -> OpenBundle:
    """Import a bundle into ``folder`` (a folder of its own) and build its stand-in models."""
    cache = ReadOnlyCache(folder)
    manifest = import_bundle(source, ResultCache(folder), name)
    try:
        models = {model_id: stand_in(model_id, record) for model_id, record in manifest["models"].items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise EngineError(f"{name or 'the bundle'} is damaged: a model's record is incomplete ({exc})") from None
    return OpenBundle(name or (source.name if isinstance(source, Path) else "bundle"), manifest, cache, models)
