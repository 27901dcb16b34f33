"""Benchmark (run by hand: `python -m bench.across`): the bundled models and pairs over K test samples.

For every bundled pair (``engine.zoo.MODEL_PAIRS``): s_and and s_or at the smallest and the largest k of Chen et al.
Fig. 3 for the joint extraction, each model alone and AND-only, averaged over the samples (n = 8 players, the
paper's MNIST-3 setting: k = 12 … 115). For every bundled model: the mean salient ratio of its AND-OR interactions
(n = 10) and the rates of the three assumption checks. Prints Markdown tables (for the README), the machine, and
how long each aggregate took (from the shared result cache: what is cached costs nothing).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from engine.across import DEFAULT_SAMPLES, AcrossSettings, across, split_sample_ids  # noqa: E402
from engine.zoo import CHECKPOINT_MODELS, MODEL_PAIRS, MODEL_TITLES  # noqa: E402

METHOD_NAMES = {"joint": "joint (Chen eq. 6)", "alone": "each model alone", "and_only": "AND-only (Harsanyi)"}


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average {load}"


def pairs(count: int, chosen: set[str] | None = None) -> None:
    print("| pair | samples | method | s_and (small k) | s_or (small k) | s_and (large k) | s_or (large k) | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for pair in MODEL_PAIRS:
        if chosen and not chosen & set(pair):
            continue
        start = time.perf_counter()
        found = across(list(pair), split_sample_ids(pair[0], count))
        seconds = time.perf_counter() - start
        tr = found.transferability
        for method, name in METHOD_NAMES.items():
            (small, and_small), (large, and_large) = tr.at_ends(method)
            (_, or_small), (_, or_large) = tr.at_ends(method, "s_or")
            cell = lambda x: "–" if x != x else f"{x:.2f}"  # noqa: E731
            print(f"| {' vs '.join(pair)} | {len(found.sample_ids)} | {name} | {cell(and_small)} (k={small}) | "
                  f"{cell(or_small)} | {cell(and_large)} (k={large}) | {cell(or_large)} | {seconds:.0f} |",
                  flush=True)


def models(count: int, chosen: set[str] | None = None) -> None:
    print("| model | samples | n | mean salient ratio (± sd) | high orders ≈ 0 | monotone | p > 0 (mean p, monotone) "
          "| seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for model_id in MODEL_TITLES:
        if chosen and model_id not in chosen:
            continue
        start = time.perf_counter()
        found = across([model_id], split_sample_ids(model_id, count), AcrossSettings())
        seconds = time.perf_counter() - start
        model = found.models[0]
        ratios, rates = model.salient_ratios, model.rates()
        p_mean, _, _ = model.p_summary()
        print(f"| {model_id} | {len(ratios)} | {model.rows[0].n} | {ratios.mean():.3f} (± {ratios.std():.3f}) | "
              f"{rates['high_orders_vanish']:.0%} | {rates['monotone']:.0%} | {rates['polynomial']:.0%} "
              f"({p_mean:.2f}) | {seconds:.0f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES)
    parser.add_argument("--only", choices=["pairs", "models"])
    parser.add_argument("--models", nargs="+", metavar="ID", choices=list(MODEL_TITLES),
                        help="only these models and the pairs that hold one")
    args = parser.parse_args()
    chosen = set(args.models or [])
    print(f"Machine: {machine()}; checkpoint models {', '.join(CHECKPOINT_MODELS)} use their final weights.\n")
    if args.only != "models":
        pairs(args.samples, chosen)
        print()
    if args.only != "pairs":
        models(args.samples, chosen)
    print(f"\nDone; load average now {', '.join(f'{x:.1f}' for x in os.getloadavg())}.")


if __name__ == "__main__":
    main()
