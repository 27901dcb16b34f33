"""engine.explain: cache keys hold everything that determines a result (the sample's data and a ``py:`` model's
code, issue #14); the shared view's joint extraction explains one class in every model."""

import textwrap

import numpy as np
from helpers import SUM_MODEL

from engine.cache import ResultCache
from engine.explain import Request, explain, explain_shared, predicted_classes
from engine.zoo import get_model
from engine.zoo.samples import UPLOADED, Sample

PAIR = ["digits-cnn", "digits-mlp"]
PLAYERS = (0, 1, 2, 3, 4, 5)


def test_every_model_explains_the_same_class(tmp_path):
    cache = ResultCache(tmp_path)
    chosen = explain_shared(PAIR, "digit-10", PLAYERS, target=3, cache=cache)
    assert [r.provenance.target for r in chosen] == [3, 3]
    default = explain_shared(PAIR, "digit-10", PLAYERS, cache=cache)
    first = get_model(PAIR[0])
    predicted = first.predicted_class(first.sample("digit-10"))
    assert [r.provenance.target for r in default] == [predicted, predicted]
    assert chosen[0].v_full != default[0].v_full  # another class, another output (not a stale cache entry)


def test_predicted_classes_names_each_models_prediction():
    found = predicted_classes(PAIR, "digit-10")
    assert list(found) == PAIR and set(found.values()) == {"0"}


def singles(tmp_path, source) -> np.ndarray:
    """I_and of the three singletons, from a fresh cache object on the same folder (another process's view)."""
    request = Request(f"py:{source}:build", "row-0", players=(0, 1, 2), baseline="zero", method="and")
    return explain(request, ResultCache(tmp_path / "cache")).i_and[[1, 2, 4]]


def test_a_py_model_whose_samples_or_code_change_is_recomputed(tmp_path):
    source = tmp_path / "mine.py"
    other_samples = SUM_MODEL.replace("[[1.0, 2.0, 3.0],", "[[4.0, 5.0, 6.0],")
    source.write_text(SUM_MODEL)
    np.testing.assert_allclose(singles(tmp_path, source), [1.0, 2.0, 3.0], atol=1e-6)
    source.write_text(other_samples)  # same weights, other samples
    np.testing.assert_allclose(singles(tmp_path, source), [4.0, 5.0, 6.0], atol=1e-6)
    source.write_text(other_samples
                      + textwrap.dedent("""
                          _build = build
                          def build():
                              net = _build()
                              return torch.nn.Sequential(net, torch.nn.Tanh())  # same weights, other forward
                          """))
    # log-odds tanh(Σ x) − tanh(0): a singleton's effect is tanh(x_i)
    np.testing.assert_allclose(singles(tmp_path, source), np.tanh([4.0, 5.0, 6.0]), atol=1e-6)


def test_a_sample_id_whose_data_changes_is_recomputed(tmp_path):
    """Two samples under one id (an upload store of another server process, say) never share a cache entry."""
    cache = ResultCache(tmp_path)
    request = Request("tabular-mlp-wide", "upload-tabular-sameid", players=(0, 1), baseline="zero", method="and")
    UPLOADED.add(Sample("upload-tabular-sameid", "a", np.zeros(10, dtype=np.float32)))
    first = explain(request, cache)
    UPLOADED.add(Sample("upload-tabular-sameid", "b", np.ones(10, dtype=np.float32)))
    second = explain(request, ResultCache(tmp_path))
    assert not np.allclose(first.v, second.v)
