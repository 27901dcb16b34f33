"""Estimates of time and memory before a game is evaluated, and refusals that name the numbers."""

from __future__ import annotations

import contextvars
import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
import torch

from .and_or import SolverSettings, ipm_rows, plan, solve
from .errors import TooLarge
from .game import Game
from .masks import all_masks, n_players_of

MAX_SECONDS = float(os.environ.get("INTERACTION_EXPLORER_MAX_SECONDS", 900))
SERVER_MAX_SECONDS = float(os.environ.get("INTERACTION_EXPLORER_SERVER_MAX_SECONDS", 600))  # one request of the app
_REQUEST_LIMIT: contextvars.ContextVar[float] = contextvars.ContextVar("request_limit", default=math.inf)
MAX_BATCH_BYTES = 256 * 2**20  # masked inputs of one batch
ACTIVATION_FACTOR = 64  # a network's activations per sample, as a multiple of its input (generous for MiniLM)
PROBE = 8
SOLVER_PROBE = 30  # PDHG iterations timed before a long solve
PDHG_MIN_ITERATIONS = 2000  # fewer than this in the time limit would leave the first-order solver far from the optimum
IPM_BYTES_PER_ENTRY = 16  # the interior point's normal matrix and its Cholesky factor (float64), per entry
IPM_MEMORY_SHARE = {"cpu": 0.5, "cuda": 0.9}  # of the free memory the exact LP may take (the GPU serves solves alone)
# The Cholesky factorisation timed before an exact LP (at most this many rows, fewer for a smaller LP). Small matrices
# run far below the rate of large ones, so a small probe scaled by rows³ overestimates: on two idle CPU cores 512 rows
# scaled to 8,192 said 880-2,500 s for a one-minute solve (refused); 2,048 rows take 0.07 s there. (The GPU's probe
# was not timed on a GPU yet; an H200 factorises 65,536 rows in 2.3 s.)
IPM_PROBE_ROWS = {"cpu": 2048, "cuda": 8192}
IPM_STEPS = 25  # interior-point steps of an exact solve, rounded up (10-22 on the games of bench/solvers.py)
# A step's factorisation and the rest of it (the normal matrix, up to six pairs of triangular solves): the whole
# solve took 1.4× its factorisations at n = 12 and 1.15× at n = 13 (digits CNN, 2 CPU cores)
IPM_STEP_OVER_FACTOR = 1.5


def time_limit() -> float:
    """Seconds one computation may take: MAX_SECONDS, or less inside :func:`request_limit`."""
    return min(MAX_SECONDS, _REQUEST_LIMIT.get())


@contextmanager
def request_limit(seconds: float) -> Iterator[None]:
    """Within the block (this thread or task only), computations longer than ``seconds`` are refused; the limit can
    only be lowered (the app serves every request under SERVER_MAX_SECONDS, which no link can change)."""
    token = _REQUEST_LIMIT.set(min(seconds, _REQUEST_LIMIT.get()))
    try:
        yield
    finally:
        _REQUEST_LIMIT.reset(token)


def estimate_seconds(game: Game) -> float:
    """Time for all 2^n forward passes, extrapolated from one timed batch of PROBE masked samples."""
    masks = all_masks(game.n)[: min(PROBE, 1 << game.n)]
    with torch.inference_mode():
        game.forward(game.masked_inputs(masks))  # warm-up
        start = time.perf_counter()
        game.forward(game.masked_inputs(masks)).cpu()  # .cpu() waits for a GPU to finish
    per_sample = (time.perf_counter() - start) / masks.shape[0]
    return per_sample * (1 << game.n) * 0.5  # batching amortises overheads; the probe over-estimates


def available_memory(device: torch.device) -> int:
    """Bytes free for new allocations on ``device``: the GPU's free memory, or the machine's MemAvailable."""
    if device.type == "cuda":  # free, plus what torch keeps cached from earlier computations (it reuses that first)
        cached = torch.cuda.memory_reserved(device) - torch.cuda.memory_allocated(device)
        return int(torch.cuda.mem_get_info(device)[0] + cached)
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def batch_size_for(game: Game, device: torch.device) -> int:
    """The model's batch, shrunk so that a batch's inputs and activations fit in the device's free memory:
    batch · input bytes · (1 + ACTIVATION_FACTOR) ≤ free memory / 2, and its inputs stay under MAX_BATCH_BYTES."""
    per = max(input_bytes_per_sample(game), 1)
    fits = available_memory(device) // 2 // (per * (1 + ACTIVATION_FACTOR))
    return int(max(1, min(game.batch_size, MAX_BATCH_BYTES // per, fits)))


def input_bytes_per_sample(game: Game) -> int:
    return int(game.units.numel() * game.units.element_size())


def check_affordable(game: Game, max_seconds: float | None = None) -> None:
    """Refuse a game whose 2^n forward passes, estimated by :func:`estimate_seconds` at its batch size, would take
    longer than ``max_seconds`` (default :func:`time_limit`; the game is not changed)."""
    max_seconds = time_limit() if max_seconds is None else max_seconds
    seconds = estimate_seconds(game)
    if seconds > max_seconds:
        raise TooLarge(
            f"{game.n} players mean {1 << game.n:,} forward passes, about {seconds:,.0f} s on this machine "
            f"(limit {max_seconds:,.0f} s). Choose at most {max_players(seconds, game.n, max_seconds)} players."
        )


def max_players(seconds: float, n: int, max_seconds: float) -> int:
    """The largest n' whose 2^n' evaluations fit in ``max_seconds`` at the measured rate."""
    per_eval = seconds / (1 << n)
    return max(1, int(np.floor(np.log2(max(max_seconds / per_eval, 1.0)))))


def estimate_solver_seconds(u: np.ndarray, settings: SolverSettings) -> float:
    """Time for the solve :func:`engine.and_or.plan` picks for u (one model's row or m rows).

    An exact LP: IPM_STEPS interior-point steps, each a dense Cholesky factorisation of its normal matrix
    (:func:`ipm_rows`), timed at up to IPM_PROBE_ROWS rows on the solve's device (after one untimed factorisation that
    loads the GPU's solver), scaled by rows³ and by IPM_STEP_OVER_FACTOR for the rest of a step (a probe smaller than
    the LP overestimates: 2,048 rows scaled to 8,192 say 4.4 s for a 2.7 s factorisation on 2 CPU cores).
    PDHG: PDHG_MIN_ITERATIONS iterations, extrapolated from SOLVER_PROBE timed ones.
    """
    rows = np.atleast_2d(np.asarray(u, dtype=np.float64))
    m, n = rows.shape[0], n_players_of(rows.shape[-1])
    chosen = plan(n, m, settings)
    if chosen.solver == "lp":
        size = ipm_rows(n, m)
        device = torch.device(chosen.device if m <= 2 else "cpu")  # HiGHS (three or more models) runs on the CPU
        side = min(size, IPM_PROBE_ROWS.get(device.type, IPM_PROBE_ROWS["cpu"]))
        probe = torch.eye(side, dtype=torch.float64, device=device) * side + 1.0
        torch.linalg.cholesky(probe[:64, :64]).cpu()
        start = time.perf_counter()
        torch.linalg.cholesky(probe).cpu()  # .cpu() waits for a GPU to finish
        return (time.perf_counter() - start) * (size / side) ** 3 * IPM_STEPS * IPM_STEP_OVER_FACTOR
    start = time.perf_counter()
    solve(rows, replace(settings, solver="pdhg", max_iter=SOLVER_PROBE, max_seconds=math.inf))
    return (time.perf_counter() - start) / SOLVER_PROBE * PDHG_MIN_ITERATIONS


@dataclass(frozen=True)
class Overrun:
    """A solve that does not fit: the solver :func:`engine.and_or.plan` picked, what it needs against what there is
    (``need``: "about 200 s on this machine (limit 60 s)") and the refusal that says it with the way out
    (``message``)."""

    solver: str
    need: str
    message: str
    memory: bool = False  # the exact LP's matrices, not the time


def solver_overrun(u: np.ndarray, settings: SolverSettings, max_seconds: float | None = None) -> Overrun | None:
    """Why the AND-OR solve :func:`engine.and_or.plan` picks for u does not fit, or None when it does: the exact
    LP's dense matrices over IPM_MEMORY_SHARE of the free memory, or the estimate (:func:`estimate_solver_seconds`)
    over ``max_seconds`` (default :func:`time_limit`), with the largest n that fits (the LP's cost grows ∝ 8^n, a
    PDHG iteration's ∝ n·2^n). An exact LP far beyond its default size is refused at once (TooLarge)."""
    max_seconds = time_limit() if max_seconds is None else max_seconds
    rows = np.atleast_2d(np.asarray(u))
    m, n = rows.shape[0], n_players_of(rows.shape[-1])
    chosen = plan(n, m, settings)  # refuses an exact LP far beyond its size
    if not rows.any():  # u ≡ 0: solved at once, no solver runs (engine.and_or.solve)
        return None
    side = ipm_rows(n, m)
    device = torch.device(chosen.device)
    share = IPM_MEMORY_SHARE.get(device.type, IPM_MEMORY_SHARE["cpu"])
    if chosen.solver == "lp" and m <= 2 and IPM_BYTES_PER_ENTRY * side**2 > available_memory(device) * share:
        dense = f"2^{n}" if m == 1 else f"3·2^{n}"
        where = "the GPU's" if device.type == "cuda" else "the"
        need = (f"dense {dense}×{dense} matrices, about {IPM_BYTES_PER_ENTRY * side**2 / 2**30:,.1f} GiB, more than "
                f"{share:.0%} of {where} free memory")
        return Overrun(chosen.solver, need, f"the exact LP of {n} players needs {need}; choose the first-order solver, fewer "
                             f"players, or AND interactions only (no solver).", memory=True)
    seconds = estimate_solver_seconds(rows, settings)
    if seconds <= max_seconds:
        return None
    if chosen.solver == "lp":
        fits = max([k for k in range(1, n) if seconds / 8.0 ** (n - k) <= max_seconds], default=1)
        work = f"the exact LP over {m} × 2 × 2^{n} = {m * (2 << n):,} interactions"
    else:
        fits = max([k for k in range(1, n) if seconds * k * 2.0**k / (n * 2.0**n) <= max_seconds], default=1)
        work = f"{PDHG_MIN_ITERATIONS:,} first-order solver iterations over 2 × 2^{n} = {2 << n:,} interactions"
    need = f"about {seconds:,.0f} s on this machine (limit {max_seconds:,.0f} s)"
    return Overrun(chosen.solver, need, f"the AND-OR decomposition of {n} players needs {work}, {need}. Choose at "
                                        f"most {fits} players, or AND interactions only (no solver).")


def affordable_settings(u: np.ndarray, settings: SolverSettings,
                        max_seconds: float | None = None) -> tuple[SolverSettings, str | None]:
    """The settings to solve u with, and why the exact LP was skipped (None when it was not).

    ``settings`` when its solve fits (:func:`solver_overrun`). When "auto" picks the exact LP and it does not fit in
    the time or the memory there is (a server's lowered limit, a loaded or small machine), the first-order solver
    (PDHG) if it fits instead, with the LP's need ("about 200 s on this machine (limit 60 s)"), which the
    certificate names. Otherwise the refusal of the solve asked for (TooLarge), or PDHG's when the LP was refused for
    its memory (the LP's message would suggest the first-order solver)."""
    overrun = solver_overrun(u, settings, max_seconds)
    if overrun is None:
        return settings, None
    if settings.solver == "auto" and overrun.solver == "lp":
        first_order = replace(settings, solver="pdhg")
        neither = solver_overrun(u, first_order, max_seconds)
        if neither is None:
            return first_order, overrun.need
        if overrun.memory:
            overrun = neither
    raise TooLarge(overrun.message)


def within_time_limit(settings: SolverSettings) -> SolverSettings:
    """The settings with PDHG's time budget capped at :func:`time_limit` (a new object; the argument is not
    changed)."""
    return replace(settings, max_seconds=min(settings.max_seconds, time_limit()))
