"""Faithfulness: reconstruction from the top-k interactions, matching precision, explanation ratio."""

import numpy as np
import pytest
from helpers import game_from_terms, sparse_result

from engine.faithfulness import explanation_ratio, matching_curve, matching_precision, reconstruct


def test_faithfulness_from_top_k():
    r = sparse_result()
    np.testing.assert_allclose(reconstruct(r), r.v, atol=1e-12)
    np.testing.assert_allclose(reconstruct(r, 3), r.v - game_from_terms(6, {(0, 5): 0.01}, {}), atol=1e-12)
    curve = matching_curve(r, ks=[0, 1, 3, 4])
    assert curve.mean_abs_error[-1] == pytest.approx(0, abs=1e-12)
    assert np.all(np.diff(curve.mean_abs_error) <= 1e-12)
    assert matching_precision(r, 4) == pytest.approx(1.0)
    assert explanation_ratio(r, 3) == pytest.approx(9 / 9.01)
