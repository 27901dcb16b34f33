"""engine.explain: the shared view's joint extraction explains one class in every model."""

from engine.cache import ResultCache
from engine.explain import explain_shared, predicted_classes
from engine.zoo import get_model

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

