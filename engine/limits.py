"""Estimates of time and memory before a game is evaluated, and refusals that name the numbers."""

from __future__ import annotations

import os
import time

import numpy as np
import torch

from .and_or import PDHG_MAX_ITER, solve_pdhg
from .errors import TooLarge
from .game import Game
from .masks import all_masks, n_players_of

MAX_SECONDS = float(os.environ.get("INTERACTION_EXPLORER_MAX_SECONDS", 900))
MAX_BATCH_BYTES = 256 * 2**20  # masked inputs of one batch
ACTIVATION_FACTOR = 64  # a network's activations per sample, as a multiple of its input (generous for MiniLM)
PROBE = 8
SOLVER_PROBE = 30  # PDHG iterations timed before a long solve


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
    if device.type == "cuda":
        return int(torch.cuda.mem_get_info(device)[0])
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


def check_affordable(game: Game, device: torch.device | None = None, max_seconds: float = MAX_SECONDS) -> None:
    """Size the batch to the device's memory (:func:`batch_size_for`); refuse when the estimated time exceeds
    ``max_seconds``."""
    game.batch_size = batch_size_for(game, device or torch.device("cpu"))
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


def estimate_solver_seconds(u: np.ndarray, device: str | None = None, **pdhg_settings) -> float:
    """Time for PDHG_MAX_ITER iterations of the AND-OR solver on u (one model's row or m rows), extrapolated from
    SOLVER_PROBE timed iterations with the same settings on the same device."""
    start = time.perf_counter()
    solve_pdhg(u, max_iter=SOLVER_PROBE, check_every=SOLVER_PROBE, device=device, **pdhg_settings)
    return (time.perf_counter() - start) / SOLVER_PROBE * PDHG_MAX_ITER


def check_solver_affordable(u: np.ndarray, device: str | None = None, max_seconds: float | None = None,
                            **pdhg_settings) -> None:
    """Refuse an AND-OR solve by PDHG when its estimated time (:func:`estimate_solver_seconds`) exceeds
    ``max_seconds`` (default MAX_SECONDS); the message names the time and the largest n that fits (a PDHG iteration
    costs ∝ n·2^n)."""
    max_seconds = MAX_SECONDS if max_seconds is None else max_seconds
    seconds = estimate_solver_seconds(u, device, **pdhg_settings)
    if seconds <= max_seconds:
        return
    n = n_players_of(np.shape(u)[-1])
    fits = max([k for k in range(1, n) if seconds * k * 2.0**k / (n * 2.0**n) <= max_seconds], default=1)
    raise TooLarge(
        f"the AND-OR decomposition of {n} players needs up to {PDHG_MAX_ITER:,} solver iterations over "
        f"2 × 2^{n} = {2 << n:,} interactions, about {seconds:,.0f} s on this machine (limit {max_seconds:,.0f} s). "
        f"Choose at most {fits} players, or AND interactions only (no solver)."
    )
