"""The AND-OR solvers side by side: time, certified gap, and gap to an exact optimum computed independently.

Run by hand (``python -m bench.solvers [--quick] [--joint] [--no-pdhg] [--n N]``: fewer sizes, the pairs only,
without the forced first-order runs, the games at n = N only; ``--gpu [--from N] [--no-cpu] [--verbose]``: on
a CUDA machine, the interior point there at n = 10…16 (a pair 10…13; from n = N) beside the same LP on the CPU (unless
--no-cpu) and PDHG on the GPU, each step's time on stderr); prints Markdown tables for the README. Games: random tanh
networks and bundled models (the digits CNN and MLP, the tabular MLP) at 8 to 14 players; joint extractions of the
bundled pairs and of two related random networks at 8 to 11. The independent exact optimum is HiGHS on the LP of
:func:`engine.and_or.solve_joint_lp` (one model: m = 1), run where it takes under a few minutes (n ≤ 12 for one model,
n ≤ 11 jointly). "auto" is what the app runs; "pdhg" forces the first-order solver (stopped at a certified 0.5 % or
after 60 s).
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import replace

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from engine import and_or  # noqa: E402
from engine.explain import Request, explain  # noqa: E402
from engine.masks import all_masks  # noqa: E402
from engine.zoo import get_model  # noqa: E402

EXACT_MAX_PLAYERS = 12  # HiGHS as the reference: one model up to here (26-212 s at 12), a pair up to 11
JOINT_EXACT_MAX_PLAYERS = 11


def tanh_network(n: int, seed: int, width: int = 24) -> np.ndarray:
    """u = v − v(∅) of a random one-hidden-layer tanh network on the 2^n masks."""
    rng = np.random.default_rng(seed)
    w1, w2 = rng.normal(size=(n, width)), rng.normal(size=width)
    v = np.tanh(all_masks(n).astype(float) @ w1) @ w2
    return v - v[0]


def model_game(model_id: str, sample_id: str, n: int) -> np.ndarray:
    """u of a bundled model on one sample with its n strongest candidates (inkiest patches, all features) as players."""
    model = get_model(model_id)
    sample = model.sample(sample_id)
    candidates = model.candidates_of(sample)
    order = sorted(range(len(candidates)), key=lambda c: -candidates[c].weight)
    return explain(Request(model_id, sample_id, tuple(sorted(order[:n])), method="and")).u


def exact_optimum(u: np.ndarray, settings: and_or.SolverSettings) -> tuple[float, float]:
    """(optimum, seconds) by HiGHS, independent of the interior-point solver."""
    start = time.perf_counter()
    rows = torch.as_tensor(np.atleast_2d(u), dtype=torch.float64)
    solution = and_or.solve_joint_lp(rows, settings)
    loss = float(and_or.shared_loss(*and_or.interactions_of(rows, solution.p, solution.q), settings.alpha))
    return loss, time.perf_counter() - start


def row(game: str, n: int, solved: and_or.Decomposition, exact: float | None) -> str:
    to_exact = f"{100 * (solved.loss / exact - 1):+.3f} %" if exact else "—"
    gap = f"{100 * solved.gap:.3g} %" if np.isfinite(solved.gap) else "none"
    return (f"| {game} | {n} | {solved.solver} | {solved.loss:.4f} | {gap} | {to_exact} | {solved.seconds:.2f} s "
            f"({solved.iterations:,} it.) |")


def device_row(game: str, n: int, u: np.ndarray, settings: and_or.SolverSettings, exact: float | None) -> float:
    """One solve on the device the settings name (or the plan's), printed as a table row; returns its loss."""
    m = 1 if u.ndim == 1 else u.shape[0]
    where = and_or.plan(n, m, settings).device
    start = time.perf_counter()

    def say(fraction: float, text: str) -> None:  # --verbose: every step's time, on stderr
        print(f"  {time.perf_counter() - start:7.2f} s  {text}", file=sys.stderr, flush=True)

    try:
        solved = and_or.solve(u, settings, progress=say if "--verbose" in sys.argv else None)
    except Exception as error:  # noqa: BLE001 - a benchmark reports the failure and goes on
        print(f"| {game} | {n} | {settings.solver} on {where} | failed: {type(error).__name__}: {error} |", flush=True)
        return math.nan
    print(row(game, n, solved, exact).replace(f"| {solved.solver} |", f"| {solved.solver} on {where} |"), flush=True)
    return solved.loss


def gpu_main() -> None:
    """The interior point on a CUDA GPU against the same LP on the CPU (n ≤ 12) and PDHG on the GPU (n = 16)."""
    print(f"Machine: {torch.cuda.get_device_name()}, torch {torch.__version__}, {os.cpu_count()} CPU cores")
    single, joint = and_or.SolverSettings(), and_or.SolverSettings(qthres=and_or.QTHRES_SHARED,
                                                                   alpha=and_or.ALPHA_SHARED)
    games = [(f"tanh network seed {s}", n, lambda n=n, s=s: tanh_network(n, s)) for s in (11, 12)
             for n in (10, 12, 14)]
    games += [(f"{m} digit-3", n, lambda m=m, n=n: model_game(m, "digit-3", n))
              for m in ("digits-cnn", "digits-mlp") for n in (12, 14)]
    pairs = [("tanh networks seeds 11 + 12·0.4", n, lambda n=n: np.stack(
        [tanh_network(n, 11), tanh_network(n, 11) + 0.4 * tanh_network(n, 12)])) for n in (10, 12, 13)]
    pairs += [("digits-cnn + digits-mlp digit-3", n, lambda n=n: np.stack(
        [model_game("digits-cnn", "digit-3", n), model_game("digits-mlp", "digit-3", n)])) for n in (10, 12)]
    largest = [("tanh network seed 11", 16, lambda: tanh_network(16, 11)),
               ("digits-cnn digit-3", 16, lambda: model_game("digits-cnn", "digit-3", 16))]
    smallest = int(sys.argv[sys.argv.index("--from") + 1]) if "--from" in sys.argv else 0  # skip games below this n
    with_cpu = "--no-cpu" not in sys.argv
    for table, settings, cases, cpu_max in (("game", single, games, 12), ("joint (m = 2)", joint, pairs, 10),
                                            ("game", single, largest, 0)):
        print(f"\n| {table} | n | solver | loss | certified gap | to the CPU's LP | time |")
        print("|---|---|---|---|---|---|---|")
        for name, n, make in [case for case in cases if case[1] >= smallest]:
            u = make()
            cpu = (device_row(name, n, u, replace(settings, solver="lp", device="cpu"), None)
                   if with_cpu and n <= cpu_max else None)
            device_row(name, n, u, settings, cpu)
    u = tanh_network(16, 11)
    device_row("tanh network seed 11", 16, u, replace(single, solver="pdhg", device="cuda", max_seconds=20.0), None)


def main() -> None:
    if "--gpu" in sys.argv:
        gpu_main()
        return
    quick, joint_only = "--quick" in sys.argv, "--joint" in sys.argv
    compared = ("auto",) if "--no-pdhg" in sys.argv else ("auto", "pdhg")
    torch.set_num_threads(2)
    print(f"Machine: {os.cpu_count()} CPU cores, torch {torch.__version__}, no GPU" if not torch.cuda.is_available()
          else f"Machine: {torch.cuda.get_device_name()}")
    print("\n| game | n | solver | loss | certified gap | to exact (HiGHS) | time |")
    print("|---|---|---|---|---|---|---|")
    games = [(f"tanh network seed {s}", n, lambda n=n, s=s: tanh_network(n, s)) for s in (11, 12)
             for n in ((8, 10) if quick else (8, 10, 12, 13, 14))]
    games += [(f"{m} digit-3", n, lambda m=m, n=n: model_game(m, "digit-3", n))
              for m in ("digits-cnn", "digits-mlp") for n in ((10,) if quick else (10, 12, 13, 14))]
    games += [("tabular-mlp-wide row-1", 10, lambda: model_game("tabular-mlp-wide", "row-1", 10))]
    only = int(sys.argv[sys.argv.index("--n") + 1]) if "--n" in sys.argv else None  # one size only
    games = [game for game in games if only in (None, game[1])]
    single = and_or.SolverSettings()
    for name, n, make in [] if joint_only else games:
        u = make()
        exact = exact_optimum(u, single) if n <= EXACT_MAX_PLAYERS else None
        if exact:
            print(f"| {name} | {n} | HiGHS (reference) | {exact[0]:.4f} | 0 | 0 | {exact[1]:.2f} s |")
        for solver in compared if n <= and_or.LP_MAX_PLAYERS else ("auto",):
            print(row(name, n, and_or.decompose(u, solver=solver), exact and exact[0]), flush=True)

    print("\n| joint (m = 2) | n | solver | loss | certified gap | to exact (HiGHS) | time |")
    print("|---|---|---|---|---|---|---|")
    pairs = [("tanh networks seeds 11 + 12·0.4", n, lambda n=n: np.stack([tanh_network(n, 11),
                                                                         tanh_network(n, 11) + 0.4 * tanh_network(n, 12)]))
             for n in ((8,) if quick else (8, 10, 11))]
    pairs += [(f"{a} + {b}", n, lambda a=a, b=b, s=s, n=n: np.stack([model_game(a, s, n), model_game(b, s, n)]))
              for a, b, s, sizes in (("digits-cnn", "digits-mlp", "digit-3", (8, 10, 11)),
                                     ("tabular-mlp-wide", "tabular-mlp-deep", "row-1", (8, 10)))  # 10 features
              for n in ((8,) if quick else sizes)]
    pairs = [pair for pair in pairs if only in (None, pair[1])]
    joint = and_or.SolverSettings(qthres=and_or.QTHRES_SHARED, alpha=and_or.ALPHA_SHARED)
    for name, n, make in pairs:
        u = make()
        exact = exact_optimum(u, joint) if n <= JOINT_EXACT_MAX_PLAYERS else None
        if exact:
            print(f"| {name} | {n} | HiGHS (reference) | {exact[0]:.4f} | 0 | 0 | {exact[1]:.2f} s |")
        for solver in compared:
            print(row(name, n, and_or.decompose_joint(u, solver=solver), exact and exact[0]), flush=True)


if __name__ == "__main__":
    main()
