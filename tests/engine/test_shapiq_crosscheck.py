"""Cross-check against shapiq, an independent library (optional: skipped where shapiq is not installed).

shapiq evaluates a game given as a callable over boolean coalition matrices; our vectors are in bitmask order, so
the callable indexes them by bitmask. Results are compared by sorted player tuple (spec shapiq-crosscheck.md).
"""

import numpy as np
import pytest

from engine import and_interactions
from engine.masks import subset_index
from engine.shapley import banzhaf_values, shapley_interaction_index, shapley_taylor_index, shapley_values

shapiq = pytest.importorskip("shapiq")

N = 7


def as_game(v: np.ndarray):
    def value(coalitions: np.ndarray) -> np.ndarray:
        return v[coalitions.astype(np.int64) @ (1 << np.arange(coalitions.shape[1]))]

    return value


@pytest.fixture(scope="module")
def game():
    v = np.random.default_rng(7).normal(size=1 << N)
    return v, shapiq.ExactComputer(as_game(v), n_players=N)


def test_moebius_matches(game):
    v, computer = game
    ours = and_interactions(v).numpy()
    theirs = computer("Moebius")
    for players, value in theirs.dict_values.items():
        assert ours[subset_index(players)] == pytest.approx(value, abs=1e-10)


@pytest.mark.parametrize("index, ours", [("SV", shapley_values), ("BV", banzhaf_values)])
def test_values_per_player_match(game, index, ours):
    v, computer = game
    theirs = computer(index)
    mine = ours(and_interactions(v))
    for i in range(N):
        assert mine[i] == pytest.approx(theirs[(i,)], abs=1e-10)


def test_pairwise_sii_and_shapley_taylor_match(game):
    v, computer = game
    dividends = and_interactions(v)
    sii, stii = shapley_interaction_index(dividends), shapley_taylor_index(dividends, 2)
    theirs_sii, theirs_stii = computer("SII", order=2), computer("STII", order=2)
    for pair in [(0, 1), (2, 5), (3, 6)]:
        assert sii[subset_index(pair)] == pytest.approx(theirs_sii[pair], abs=1e-10)
        assert stii[subset_index(pair)] == pytest.approx(theirs_stii[pair], abs=1e-10)
