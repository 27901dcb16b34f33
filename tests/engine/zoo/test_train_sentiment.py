"""The sentiment training pipeline on a tiny synthetic corpus and a tiny random BERT: it runs in seconds, is
deterministic, and what it stores is what the app loads (same logits through the app's forward)."""

import hashlib

import pytest
import torch

from engine.zoo.sentiment import SentimentRecipe, apply_weights, head_logits, stored_deltas
from engine.zoo.sentiment_templates import TEMPLATES, template_sentences
from engine.zoo.text import SentenceEncoder
from engine.zoo.train_sentiment import LowRank, fine_tune, review_sentences, stored_logits, split_corpus

CORPUS = [(f"the {thing} was {word}", label) for thing in ("film", "meal", "show", "book", "trip", "game")
          for word, label in (("great", 1), ("awful", 0), ("lovely", 1), ("dull", 0))]


def tiny_encoder(seed: int = 0) -> SentenceEncoder:
    """A random 3-layer BERT (hidden size 16) with MiniLM's tokenizer, on the CPU."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    from engine.zoo.text import minilm_path

    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(minilm_path())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=3, num_attention_heads=2,
                        intermediate_size=32)
    encoder = SentenceEncoder(tokenizer, BertModel(config, add_pooling_layer=False))
    encoder.model.cpu()
    return encoder


TOP_TWO = SentimentRecipe("tiny-top", "tiny", tiny_encoder, tuned_layers=2, seed=3, epochs=2, lr_layers=1e-3)
ADAPTED = SentimentRecipe("tiny-lowrank", "tiny", tiny_encoder, tuned_layers=1, seed=3, epochs=2, lr_layers=1e-3,
                          rank=2, lr_adapters=1e-2)


def run(encoder: SentenceEncoder, recipe: SentimentRecipe = TOP_TWO):
    train, test = split_corpus(CORPUS)
    return fine_tune(encoder, recipe, train, {"test": test}, log=lambda _: None)


@pytest.mark.parametrize("recipe", [TOP_TWO, ADAPTED], ids=["top-layers", "adapters"])
def test_fine_tuning_is_deterministic_and_stores_fp16_deltas_of_what_it_tunes(recipe):
    first_tensors, first_scores = run(tiny_encoder(), recipe)
    second_tensors, second_scores = run(tiny_encoder(), recipe)
    assert first_scores == second_scores and 0 <= first_scores["test"] <= 1
    assert first_tensors.keys() == second_tensors.keys()
    for key, value in first_tensors.items():
        assert value.dtype == torch.float16
        assert torch.equal(value, second_tensors[key]), key
    layers = {key.split(".")[2] for key in first_tensors if key != "head.weight" and key != "head.bias"}
    assert layers == ({"1", "2"} if recipe is TOP_TWO else {"0", "1", "2"})  # never the embeddings
    assert any(value.abs().max() > 0 for key, value in first_tensors.items() if key.startswith(("delta/", "up/")))


def test_adapters_store_low_rank_factors_of_the_lower_layers_and_full_deltas_of_the_top_one():
    tensors, _ = run(tiny_encoder(), ADAPTED)
    matrices = [key for key in tensors if key.startswith("up/")]
    assert matrices and all(key.split(".")[2] in ("0", "1") for key in matrices)  # layers 0, 1 adapted
    for key in matrices:
        name = key[len("up/"):]
        assert tensors[key].shape[1] == 2 and tensors[f"down/{name}"].shape[0] == 2  # rank 2
        assert f"delta/{name}" not in tensors  # the frozen matrix itself is not stored
    assert "delta/encoder.layer.2.attention.self.query.weight" in tensors  # the top layer, fully
    assert "delta/encoder.layer.0.attention.self.query.bias" in tensors  # biases of adapted layers, fully
    deltas = stored_deltas(tensors)
    name = matrices[0][len("up/"):]
    torch.testing.assert_close(deltas[name], tensors[f"up/{name}"].float() @ tensors[f"down/{name}"].float())
    assert torch.linalg.matrix_rank(deltas[name]) <= 2


def test_a_low_rank_layer_starts_as_the_pretrained_map():
    torch.manual_seed(0)
    base = torch.nn.Linear(5, 3)
    x = torch.randn(4, 5)
    torch.testing.assert_close(LowRank(base, 2)(x), base(x))


@pytest.mark.parametrize("recipe", [TOP_TWO, ADAPTED], ids=["top-layers", "adapters"])
def test_the_app_forward_on_stored_weights_gives_the_scored_logits(recipe):
    """θ + Δ loaded into a fresh encoder (as the app does) and run on input embeddings with no padding gives the
    logits that scored the held-out sentences (padded batches, padding masked out of the attention and the mean)."""
    encoder = tiny_encoder()
    tensors, _ = run(encoder, recipe)
    texts = ["the film was great", "a dull and awful meal, really"]
    scored = stored_logits(encoder, tensors, texts)
    served = tiny_encoder()
    head = apply_weights(served, tensors)
    for text, expected in zip(texts, scored):
        ids = served.tokenizer(text, return_tensors="pt")["input_ids"]
        with torch.inference_mode():
            hidden = served.run(served.token_embeddings(ids)).last_hidden_state
            logits = head_logits(hidden, torch.ones(hidden.shape[:2]), head)[0]
        torch.testing.assert_close(logits, expected, atol=1e-5, rtol=1e-5)


def test_review_sentences_take_the_last_lines_of_each_review_with_its_label(tmp_path, monkeypatch):
    import engine.zoo.train_sentiment as train_sentiment

    reviews = ('1,"a fine opening line here .\nshort .\nthe cast is superb in every single scene .\n'
               'see it now , you will love it ."\n'
               '-1,"it starts out well enough , sadly .\nwhat a dull and boring waste of time ."\n')
    monkeypatch.setattr(train_sentiment, "sdist_member", lambda member, cache: reviews)
    got = review_sentences(2, {"what a dull and boring waste of time ."}, tmp_path)
    assert got == [("the cast is superb in every single scene .", 1), ("see it now , you will love it .", 1),
                   ("it starts out well enough , sadly .", 0)]


def test_templates_are_distinct_reproducible_and_cover_both_classes():
    sentences = template_sentences(300, seed=4)
    assert len({text for text, _ in sentences}) == 300 and sentences == template_sentences(300, seed=4)
    assert {label for _, label in sentences} == {0, 1}
    assert all(label in (0, 1) for _, label in TEMPLATES)
    # The committed models were trained on these very sentences, in this order: a reordered list changes them.
    assert hashlib.sha256(repr(template_sentences()).encode()).hexdigest().startswith("2a25abb04021b3a4")


@pytest.mark.parametrize("negation", [" not ", "not at all", "at all", "not really", "never"])
def test_in_the_templates_no_negation_tells_the_label_alone(negation):
    """A negator that comes mostly with one label is a shortcut: a model trained on the unbalanced list read "not"
    alone (with "bad" masked) as praise, so {not, bad} was no AND primitive."""
    labels = [label for template, label in TEMPLATES if negation in f" {template} "]
    assert labels and labels.count(1) == labels.count(0), (negation, labels)


def test_a_weights_file_that_does_not_fit_the_encoder_is_refused():
    from engine.errors import EngineError

    tensors, _ = run(tiny_encoder())
    tensors["delta/encoder.layer.9.output.dense.weight"] = torch.zeros(2, 2, dtype=torch.float16)
    with pytest.raises(EngineError, match="do not fit"):
        apply_weights(tiny_encoder(), tensors)
