"""Shared interactions across models: transferability, shared and own salient sets, strength per order."""

import numpy as np
import pytest
from helpers import PLAYERS

from engine.generalizable import paper_ks, shared_sets, shared_strength_by_order, transferability
from engine.result import InteractionResult


def test_transferability_and_shared_sets():
    a = np.zeros(16)
    b = np.zeros(16)
    a[[1, 2, 3]] = [3, 2, 1]
    b[[1, 2, 4]] = [3, -2, 1]
    players = PLAYERS[:4]
    ra, rb = (InteractionResult(players, np.zeros(16), x, np.zeros(16), "shared") for x in (a, b))
    assert transferability([ra, rb], "AND", 2) == 1.0
    assert transferability([ra, rb], "AND", 3) == pytest.approx(2 / 3)
    # Beyond the three nonzero terms the top-k sets stop: zeros tied at 0 are not interactions both models share.
    assert transferability([ra, rb], "AND", 5) == pytest.approx(2 / 5)
    sets = shared_sets([ra, rb])
    assert sets.shared_and.tolist() == [1, 2] and sets.own_and[0].tolist() == [3] and sets.own_and[1].tolist() == [4]
    strength = shared_strength_by_order([ra, rb], model=1)
    assert strength.shared_negative[0] == -2 and strength.all_positive[0] == 4
    assert paper_ks(10).tolist() == [51, 102, 153, 204, 256, 307, 358, 409, 460]
    assert paper_ks(8).tolist() == [12, 25, 38, 51, 64, 76, 89, 102, 115]
