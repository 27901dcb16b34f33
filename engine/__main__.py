"""Command line: ``python -m engine --help``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import EngineError  # sets OMP_WAIT_POLICY before torch is imported

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


def cmd_explain(args) -> None:
    from .explain import Request, explain

    request = Request(args.model, args.sample, _players(args.players), args.baseline, args.output, args.target,
                      args.method)
    out = _output_file(args.out)  # checked before the work, not after
    bar = ProgressBar("explain")
    result = explain(request, progress=bar)
    bar.done()
    if out.suffix == ".npz":
        result.save(out)
    else:
        out.write_text(result.to_json())
    print(f"{result.provenance.model_title} · {result.provenance.sample_title} · {result.method}")
    for interaction, value in result.ranking().nonzero().top(args.top):
        print(f"  {interaction.kind:3s} {value:+10.4f}  {result.label(interaction.index)}")
    print(f"wrote {args.out}")


def cmd_predict(args) -> None:
    from .explain import predict

    if args.top < 1:
        raise EngineError(f"--top must be at least 1, got {args.top}")
    probabilities = predict(args.model, args.sample)
    for name, p in sorted(probabilities.items(), key=lambda item: -item[1])[: args.top]:
        print(f"{p:8.4f}  {name}")


def cmd_precompute(args) -> None:
    from .explain import Request, explain, explain_shared
    from .zoo import MODEL_PAIRS, get_model

    model = get_model(args.model)
    samples = args.samples or [s.sample_id for s in model.samples]
    pair = next((list(p) for p in MODEL_PAIRS if args.model in p), None)
    for number, sample_id in enumerate(samples, start=1):
        bar = ProgressBar(f"{number}/{len(samples)} {sample_id[:16]}")
        for method in args.methods:
            explain(Request(args.model, sample_id, method=method), progress=bar)
        if pair is not None and "and-or" in args.methods:  # the shared view: the joint extraction of the pair
            explain_shared(pair, sample_id, progress=bar)
        bar(1.0, "cached")
        bar.done()


def main(argv: list[str] | None = None) -> int:
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
    p.set_defaults(func=cmd_precompute)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # ours is the only progress bar on stderr
    try:
        args.func(args)
    except EngineError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
