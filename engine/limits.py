"""Estimates of time and memory before a game is evaluated, and refusals that name the numbers."""

from __future__ import annotations

import os
import time

import numpy as np
import torch

from .errors import TooLarge
from .game import Game
from .masks import all_masks

MAX_SECONDS = float(os.environ.get("INTERACTION_EXPLORER_MAX_SECONDS", 900))
MAX_BATCH_BYTES = 256 * 2**20  # masked inputs of one batch
PROBE = 8


def estimate_seconds(game: Game) -> float:
    """Time for all 2^n forward passes, extrapolated from one timed batch of PROBE masked samples."""
    masks = all_masks(game.n)[: min(PROBE, 1 << game.n)]
    with torch.inference_mode():
        game.forward(game.masked_inputs(masks))  # warm-up
        start = time.perf_counter()
        game.forward(game.masked_inputs(masks))
    per_sample = (time.perf_counter() - start) / masks.shape[0]
    return per_sample * (1 << game.n) * 0.5  # batching amortises overheads; the probe over-estimates


def input_bytes_per_sample(game: Game) -> int:
    return int(game.units.numel() * game.units.element_size())


def check_affordable(game: Game, max_seconds: float = MAX_SECONDS) -> None:
    """Shrink the batch to fit MAX_BATCH_BYTES; refuse when the estimated time exceeds ``max_seconds``."""
    per = input_bytes_per_sample(game)
    game.batch_size = int(max(1, min(game.batch_size, MAX_BATCH_BYTES // max(per, 1))))
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
