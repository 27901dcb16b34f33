"""Shared test helpers: brute-force definitions, toy games and results, tiny inputs (import as ``helpers``).

The tests folder is on ``sys.path`` (pytest puts the folder of ``conftest.py`` there), so every test file, in any
sub-folder, imports these with ``from helpers import ...``.
"""

import base64
from itertools import combinations
from pathlib import Path

import numpy as np

from engine.result import InteractionResult, Provenance

SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"  # the browser tests' screenshots


def subsets(mask: int):
    """All submasks of ``mask`` (brute force)."""
    sub = mask
    while True:
        yield sub
        if sub == 0:
            return
        sub = (sub - 1) & mask


def brute_and(v: np.ndarray) -> np.ndarray:
    """I_and(S) = Σ_{T⊆S} (-1)^{|S|-|T|} v(T), straight from the definition."""
    out = np.zeros_like(v, dtype=float)
    for s in range(v.size):
        out[s] = sum((-1) ** (bin(s).count("1") - bin(t).count("1")) * v[t] for t in subsets(s))
    return out


def brute_or(v: np.ndarray) -> np.ndarray:
    """I_or(S) = -Σ_{T⊆S} (-1)^{|S|-|T|} v(N∖T) for S ≠ ∅; I_or(∅) = v(∅)."""
    full = v.size - 1
    out = np.zeros_like(v, dtype=float)
    for s in range(1, v.size):
        out[s] = -sum((-1) ** (bin(s).count("1") - bin(t).count("1")) * v[full ^ t] for t in subsets(s))
    out[0] = v[0]
    return out


def game_from_terms(n: int, and_terms: dict, or_terms: dict, bias: float = 0.0) -> np.ndarray:
    """v(S) = bias + Σ_T a_T·1[T⊆S] + Σ_T o_T·1[T∩S≠∅], for terms given as {tuple of players: weight}."""
    masks = np.arange(1 << n)
    v = np.full(1 << n, float(bias))
    for players, weight in and_terms.items():
        t = sum(1 << i for i in players)
        v += weight * ((masks & t) == t)
    for players, weight in or_terms.items():
        t = sum(1 << i for i in players)
        v += weight * ((masks & t) != 0)
    return v


def all_subsets_of_size(n: int, k: int):
    return [sum(1 << i for i in c) for c in combinations(range(n), k)]


SENTENCE = "A short but truly wonderful little film."  # what the tiny text models are explained on
PLAYERS = [f"x{i}" for i in range(6)]


def sparse_result() -> InteractionResult:
    """AND-only result of v = 1 + 4·[x0] + 3·[x1 x2] − 2·[x3 x4 x5] + 0.01·[x0 x5] over six players."""
    v = game_from_terms(6, {(0,): 4.0, (1, 2): 3.0, (3, 4, 5): -2.0, (0, 5): 0.01}, {}, bias=1.0)
    return InteractionResult.harsanyi(PLAYERS, v)


def and_or_result() -> InteractionResult:
    """An AND-OR result over four players with known terms: I_and({x0}) = 2, I_and({x1, x2}) = −1.5,
    I_or({x0, x3}) = 0.5, v(∅) = 0.25 (v itself is the game these terms make)."""
    i_and, i_or = np.zeros(16), np.zeros(16)
    i_and[0], i_and[0b0001], i_and[0b0110], i_or[0b1001] = 0.25, 2.0, -1.5, 0.5
    v = game_from_terms(4, {(0,): 2.0, (1, 2): -1.5}, {(0, 3): 0.5}, bias=0.25)
    return InteractionResult(PLAYERS[:4], v, i_and, i_or, "and-or")


def png(pixels: np.ndarray) -> bytes:
    """A greyscale PNG of ``pixels`` (0-255)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def stroke_on_paper() -> np.ndarray:
    """A dark vertical stroke on white paper, 64×64 pixels (a hand-drawn 1)."""
    pixels = np.full((64, 64), 255)
    pixels[8:56, 28:36] = 0
    return pixels


def numbers(data) -> np.ndarray:
    """A trace's x or y as floats: Plotly writes numpy arrays as {"dtype", "bdata": base64} (NaN stays NaN)."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"])).astype(float)
    return np.array([np.nan if value is None else value for value in data], dtype=float)


def wait_for_app(page, timeout=120_000):
    """Wait until the browser ``page`` is connected to the app and its script has finished running."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(state="attached",
                                                                                          timeout=timeout)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(state="attached",
                                                                                       timeout=timeout)


def toy_pair_of_results(seed: int, n: int = 4) -> tuple[InteractionResult, InteractionResult]:
    """An AND-only result of a random sparse game and an AND-OR result of the same v (its terms split by hand)."""
    rng = np.random.default_rng(seed)
    and_terms = {(0,): rng.normal(2, 1), (1, 2): rng.normal(), (0, 1, 2, 3): 0.3 * rng.normal()}
    or_terms = {(0, 3): rng.normal(), (2,): 0.5}
    v = game_from_terms(n, and_terms | {(2,): 0.5}, {(0, 3): or_terms[(0, 3)]}, bias=1.0)
    provenance = Provenance(target=seed % 2)
    harsanyi = InteractionResult.harsanyi(PLAYERS[:n], v, provenance=provenance)
    i_and, i_or = np.zeros(1 << n), np.zeros(1 << n)
    i_and[0] = 1.0
    for members, value in and_terms.items():
        i_and[sum(1 << i for i in members)] = value
    for members, value in or_terms.items():
        i_or[sum(1 << i for i in members)] = value
    return harsanyi, InteractionResult(PLAYERS[:n], v, i_and, i_or, "and-or", provenance=provenance)


def across_samples(count: int = 3, pair: bool = False) -> list:
    """Synthetic per-sample results for :func:`engine.across.aggregate`: ``count`` samples of one model (two with
    ``pair``, with a made-up joint extraction)."""
    from engine.across import SampleResults

    out = []
    for s in range(count):
        a, a_split = toy_pair_of_results(s)
        b, b_split = toy_pair_of_results(s + 10)
        joint = [and_or_result(), a_split] if pair else None
        out.append(SampleResults(f"s{s}", f"sample {s}", s % 2, [a, b][: 1 + pair], [a_split, b_split][: 1 + pair],
                                 joint))
    return out


SUM_MODEL = """
import torch
FEATURES = ["a", "b", "c"]
SAMPLES = [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]

def build():
    net = torch.nn.Linear(3, 2)
    with torch.no_grad():
        net.weight.copy_(torch.tensor([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]))
        net.bias.zero_()
    return net
"""  # a py: model file whose log-odds are v(S) = Σ_{i∈S} x_i: only singletons interact
