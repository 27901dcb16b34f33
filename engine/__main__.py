"""Command line: ``python -m engine --help``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import Cancelled, EngineError  # sets OMP_WAIT_POLICY before torch is imported

MODEL_HELP = ("a bundled id (see `models`), <id>@<epoch> for a training checkpoint, hf:<folder or cached hub name>, "
              "hf-pickle:<folder>, or py:<file.py>:<function>")
SAMPLE_HELP = "a sample id (see `models --samples`), or any sentence for a text model"


def _players(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        return tuple(int(p) for p in text.split(",") if p.strip())
    except ValueError:
        raise EngineError(f"--players takes comma-separated variable numbers, got {text!r}") from None


def _output_file(text: str) -> Path:
    """--out as a path: a .json export or a .npz result, in a folder that exists and can be written."""
    out = Path(text).expanduser()
    if out.suffix not in (".json", ".npz"):
        raise EngineError(f"--out must end in .json (an export) or .npz (a result file), not {text!r}")
    if not out.parent.is_dir():
        raise EngineError(f"cannot write {text}: the folder {out.parent} does not exist")
    if not os.access(out.parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise EngineError(f"cannot write {text}: no permission")
    return out


class ProgressBar:
    """A one-line text progress bar on stderr."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __call__(self, fraction: float, text: str) -> None:
        filled = int(30 * min(max(fraction, 0.0), 1.0))
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {text[:60]:60s}")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\n")


def cmd_models(args) -> None:
    from .zoo import MODEL_TITLES, get_model

    for model_id, title in MODEL_TITLES.items():
        print(f"{model_id:22s} {title}")
        if args.samples:
            model = get_model(model_id)
            for sample in model.samples:
                labels = [c.label for c in model.candidates_of(sample)]
                print(f"    {sample.sample_id:12s} {sample.title}  ({len(labels)} variables)")


def _warn(text: str | None) -> None:
    """A warning line on stderr (nothing for None)."""
    if text:
        print(f"warning: {text}", file=sys.stderr)


def cmd_explain(args) -> None:
    from .cache import ResultCache
    from .certificate import certificate_note
    from .explain import Request, explain, resolved

    request = Request(args.model, args.sample, _players(args.players), args.baseline, args.output, args.target,
                      args.method)
    out = _output_file(args.out)  # checked before the work, not after
    _, model, sample = resolved(request)
    _warn(model.input_note(sample))
    cache = ResultCache()
    bar = ProgressBar("explain")
    result = explain(request, cache=cache, progress=bar)
    bar.done()
    _warn(cache.warning)
    if out.suffix == ".npz":
        result.save(out)
    else:
        out.write_text(result.to_json())
    print(f"{result.provenance.model_title} · {result.provenance.sample_title} · {result.method}")
    for interaction, value in result.ranking().nonzero().top(args.top):
        print(f"  {interaction.kind:3s} {value:+10.4f}  {result.label(interaction.index)}")
    if result.report is not None:
        note = certificate_note(result.report)
        (_warn if note.warning else print)(note.text)
    print(f"wrote {args.out}")


def cmd_predict(args) -> None:
    from .explain import predict

    if args.top < 1:
        raise EngineError(f"--top must be at least 1, got {args.top}")
    probabilities = predict(args.model, args.sample)
    for name, p in sorted(probabilities.items(), key=lambda item: -item[1])[: args.top]:
        print(f"{p:8.4f}  {name}")


def cmd_precompute(args) -> None:
    from .cache import ResultCache
    from .precompute import run_job, sample_jobs

    cache = ResultCache(args.cache)
    if args.ray is not None:
        return _precompute_on_ray(args, cache)
    from .zoo import get_model

    samples = args.samples or [s.sample_id for s in get_model(args.model).samples]
    for number, sample_id in enumerate(samples, start=1):
        bar = ProgressBar(f"{number}/{len(samples)} {sample_id[:16]}")
        for job in sample_jobs(args.model, sample_id, args.methods):
            run_job(job, cache, bar)
        bar(1.0, "cached")
        bar.done()
    _warn(cache.warning)


def _precompute_on_ray(args, cache) -> None:
    """``precompute --ray``: the same jobs on a Ray cluster; failed jobs are listed at the end (exit status 1)."""
    try:
        from . import cluster
    except ImportError:
        raise EngineError("--ray needs Ray: pip install -r requirements-cluster.txt") from None
    cluster.connect(args.ray)
    bar = ProgressBar(f"ray {args.model[:20]}")
    try:
        outcome = cluster.precompute_on_ray(args.model, args.samples, args.methods, cache, args.workers,
                                            lambda o: bar(o.finished / max(o.total, 1), o.line()))
    finally:
        bar.done()
    for name, reason in outcome.failed.items():
        print(f"failed: {name}: {reason}", file=sys.stderr)
    print(f"{outcome.line()}; {outcome.written} cache entries written to {cache.folder}")
    if outcome.failed:
        raise SystemExit(1)


def cmd_bundle_export(args) -> None:
    from .bundle import across_keys, export_bundle
    from .cache import ResultCache
    from .zoo import get_model

    cache, keys, tests = ResultCache(args.cache), list(args.key), []
    if args.across:  # the aggregates over the first K test samples, as the Across view asks for them
        tests = get_model(args.model[0]).test_sample_ids(args.across_samples)
        keys += across_keys(args.model, tests, cache)
    manifest = export_bundle(args.out, args.model, args.samples, args.methods, cache, keys, tests)
    print(f"wrote {args.out}: {len(manifest['entries'])} results of {', '.join(manifest['models'])}")


def cmd_bundle_import(args) -> None:
    from .bundle import import_bundle
    from .cache import ResultCache

    cache = ResultCache(args.cache)
    manifest = import_bundle(args.bundle, cache)
    print(f"added {len(manifest['entries'])} results of {', '.join(manifest['models'])} to {cache.folder}")


def cmd_app(args) -> None:
    """Serve the app (app.py of the source tree this engine belongs to) as `make run` does (``ui.serve``: the bundled
    models loaded first, then Streamlit); --bundle opens a bundle."""
    import subprocess

    app = Path(__file__).resolve().parents[1] / "app.py"
    if not app.is_file():
        raise EngineError(f"the app is not beside this engine ({app}); install the source tree with `pip install -e .`")
    command = [sys.executable, "-m", "ui.serve", "--server.address", args.address,
               "--server.port", str(args.port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    if args.bundle is not None:
        command += ["--", "--bundle", str(args.bundle.expanduser().resolve())]
    try:
        raise SystemExit(subprocess.call(command, cwd=app.parent))
    except KeyboardInterrupt:
        raise SystemExit(130) from None


def cmd_across(args) -> int:
    import signal

    from .across import AcrossSettings, across, split_sample_ids

    out = Path(args.json).expanduser()
    if out.suffix != ".json" or not out.parent.is_dir() or not os.access(out.parent, os.W_OK):
        raise EngineError(f"--json must name a .json file in a folder that exists and can be written, "
                          f"not {args.json!r}")
    models = [args.model] + ([args.pair] if args.pair else [])
    sample_ids = split_sample_ids(args.model, args.samples, args.start)
    if len(sample_ids) < args.samples:  # the split ends (or the model has only its showcase)
        print(f"only {len(sample_ids)} of {args.samples} samples from index {args.start}: {', '.join(sample_ids[:3])}"
              f"{' …' if len(sample_ids) > 3 else ''}", file=sys.stderr)
    stop = []
    previous = signal.signal(signal.SIGINT, lambda *_: stop.append(True))  # Ctrl-C: finish with what is done
    bar = ProgressBar("across")
    try:
        found = across(models, sample_ids, AcrossSettings(players=args.players, baseline=args.baseline), progress=bar,
                       cancel=lambda: bool(stop))
    finally:
        signal.signal(signal.SIGINT, previous)
        bar.done()
    out.write_text(found.to_json())
    what = f"{len(found.sample_ids)} of {len(found.requested)} samples"
    if found.partial:
        print(f"cancelled: wrote the partial aggregate ({what}) to {args.json}")
        return 130  # as a shell reports Ctrl-C: a script does not go on as if the aggregate were whole
    for model in found.models:
        print(f"{model.model_id}: mean salient ratio {model.salient_ratios.mean():.4f} over {what}")
    if found.transferability is not None:
        for method in found.transferability.per_sample:
            ends = found.transferability.at_ends(method)
            print(f"  s_and {method:8s} " + "  ".join(f"k={k}: {s:.3f}" for k, s in ends))
    print(f"wrote {args.json}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from .across import DEFAULT_SAMPLES
    from .explain import METHODS
    from .outputs import OUTPUT_KINDS

    parser = argparse.ArgumentParser(prog="python -m engine",
                                     description="Exact Harsanyi AND/OR interactions of bundled and your own models.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("models", help="list the bundled models (and their samples with --samples)")
    p.add_argument("--samples", action="store_true")
    p.set_defaults(func=cmd_models)
    p = sub.add_parser("explain", help="compute the interactions of a model on a sample and write them to a file")
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument("sample", help=SAMPLE_HELP)
    p.add_argument("--players", help="comma-separated variable numbers (default: the model's choice of 10)")
    p.add_argument("--baseline")
    p.add_argument("--output", default="log-odds", choices=OUTPUT_KINDS)
    p.add_argument("--target", type=int, help="class explained (default: the predicted class)")
    p.add_argument("--method", default="and-or", choices=METHODS)
    p.add_argument("--out", default="result.json", help="a .json export or a .npz result file")
    p.add_argument("--top", type=int, default=10, help="how many interactions to print")
    p.set_defaults(func=cmd_explain)
    p = sub.add_parser("predict", help="the class probabilities of a model on a sample, most probable first")
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument("sample", help=SAMPLE_HELP)
    p.add_argument("--top", type=int, default=10, help="how many classes to print")
    p.set_defaults(func=cmd_predict)
    p = sub.add_parser("precompute", help="fill the cache for a model's samples (for talks and classrooms); for a "
                                         "bundled pair's model also the shared view's joint extraction")
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument("--samples", nargs="*", help="sample ids (default: all bundled samples)")
    p.add_argument("--methods", nargs="*", default=list(METHODS), choices=METHODS)
    p.add_argument("--cache", type=Path, help="the cache folder to fill (default: $INTERACTION_EXPLORER_CACHE or "
                                              "~/.cache/interaction-explorer)")
    p.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                   help="run the jobs on the Ray cluster at ADDRESS (auto, host:6379, ray://host:10001) or, alone "
                        "or with 'local', on a Ray cluster started on this machine")
    p.add_argument("--workers", type=int, help="with --ray: actors per model (default: one per GPU, else per CPU)")
    p.set_defaults(func=cmd_precompute)
    bundle = sub.add_parser("bundle", help="results in one zip file, to browse on another machine "
                                           "(`python -m ui.serve -- --bundle FILE.zip`)")
    actions = bundle.add_subparsers(dest="action", required=True)
    p = actions.add_parser("export", help="write the cached results of models' samples into a bundle")
    p.add_argument("--model", action="append", required=True, help="a model id (repeat for several)")
    p.add_argument("--samples", nargs="*", help="sample ids (default: all the model's samples; none with "
                                                 "--samples alone)")
    p.add_argument("--methods", nargs="*", default=list(METHODS), choices=METHODS)
    p.add_argument("--across", action="store_true",
                   help="also the cached across-samples aggregates (default settings) of the first K test samples, "
                        "alone and with the model's pair; those samples are the bundle's test split")
    p.add_argument("--across-samples", type=int, default=DEFAULT_SAMPLES, metavar="K",
                   help=f"K for --across (default {DEFAULT_SAMPLES})")
    p.add_argument("--key", action="append", default=[], help="also this cache entry, by its key (any entry: e.g. "
                                                               "an aggregate another view caches); repeatable")
    p.add_argument("--cache", type=Path, help="the cache folder to read (default: the app's)")
    p.add_argument("out", type=Path, help="the bundle to write, OUT.zip")
    p.set_defaults(func=cmd_bundle_export)
    p = actions.add_parser("import", help="add a bundle's results to a cache")
    p.add_argument("bundle", type=Path)
    p.add_argument("--cache", type=Path, help="the cache folder to fill (default: the app's)")
    p.set_defaults(func=cmd_bundle_import)
    p = sub.add_parser("app", help="serve the app on http://ADDRESS:PORT (as `make run`)")
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--bundle", type=Path, help="browse this result bundle (read-only) in every session")
    p.set_defaults(func=cmd_app)
    p = sub.add_parser("across", help="explain K samples of a model's test split (or a pair's, with --pair) and "
                                     "write the aggregate (the papers' figures over a data set) as JSON")
    p.add_argument("model", help="a bundled id (see `models`) or any id `explain` takes")
    p.add_argument("--pair", help="a second model for the pair's joint extraction (same input variables)")
    p.add_argument("--samples", type=int, default=20, help="K: how many test samples (default 20)")
    p.add_argument("--start", type=int, default=0, help="the first test index (default 0)")
    p.add_argument("--players", type=int, help="n per sample (default: the model's 10; 8 for a pair)")
    p.add_argument("--baseline")
    p.add_argument("--json", required=True, help="the .json file to write")
    p.set_defaults(func=cmd_across)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # ours is the only progress bar on stderr
    try:
        status = args.func(args)
    except Cancelled as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 130
    except EngineError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # entries are written atomically: the cache holds whole results only
        print("\ninterrupted; the cache keeps every result finished before", file=sys.stderr)
        return 130
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
