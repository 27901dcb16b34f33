"""Benchmark (run by hand: `python -m bench.models`): model evaluation throughput on all 2^n masked samples.

For every bundled model (the MNIST-3 pair and the photo model included), the engine's batched evaluation of the 2^n
masked samples of its first sample at its default players (n = 10; the photo model 8) against the obvious approach,
one forward pass per masked sample, measured in the same run (the obvious approach is timed on the first 128 masks
and scaled to 2^n); ``--models`` picks some. Also the whole training-dynamics computation of one sample over every
checkpoint of each over-fit model, from an empty cache and again from the cache.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

from engine.cache import ResultCache  # noqa: E402
from engine.explain import explain_checkpoints  # noqa: E402
from engine.masks import all_masks  # noqa: E402
from engine.zoo import CHECKPOINT_MODELS, MODEL_TITLES, get_model  # noqa: E402

NAIVE_MASKS = 128


def one_by_one(game, count: int) -> float:
    """Seconds for ``count`` masked samples evaluated one forward pass at a time."""
    masks = all_masks(game.n)[:count]
    start = time.perf_counter()
    with torch.inference_mode():
        for row in masks:
            game.output(game.forward(game.masked_inputs(row[None])))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=[m for m in MODEL_TITLES if "overfit" not in m])
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads"
          + (f", {torch.cuda.get_device_name()}" if torch.cuda.is_available() else ", no GPU"))
    print("| model | n | masks | batched (engine) | masks/s | one at a time (scaled) | speed-up |")
    print("|---|---|---|---|---|---|---|")
    for model_id in args.models:
        model = get_model(model_id)
        game = model.make_game(model.samples[0])
        game.evaluate()  # warm-up
        start = time.perf_counter()
        game.evaluate()
        batched = time.perf_counter() - start
        masks = 1 << game.n
        naive = one_by_one(game, NAIVE_MASKS) * masks / NAIVE_MASKS
        print(f"| `{model_id}` | {game.n} | {masks:,} | {batched:.3f} s | {masks / batched:,.0f} | {naive:.2f} s | "
              f"{naive / batched:.0f}× |")
    print()
    print("| over-fit model | checkpoints | samples | all checkpoints at n = 10, empty cache | again, cached |")
    print("|---|---|---|---|---|")
    for model_id in CHECKPOINT_MODELS:
        sample = get_model(model_id).samples[0].sample_id
        with tempfile.TemporaryDirectory() as folder:
            cache = ResultCache(folder)
            start = time.perf_counter()
            results = explain_checkpoints(model_id, [sample], cache=cache)
            first = time.perf_counter() - start
            start = time.perf_counter()
            explain_checkpoints(model_id, [sample], cache=cache)
            again = time.perf_counter() - start
        print(f"| `{model_id}` | {len(results)} | 1 | {first:.2f} s | {again * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
