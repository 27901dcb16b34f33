"""The sentiment training pipeline on a tiny synthetic corpus and a tiny random BERT: it runs in seconds, is
deterministic, and what it stores is what the app loads (same logits through the app's forward)."""

import pytest
import torch

from engine.zoo.sentiment import apply_weights, head_logits
from engine.zoo.sentiment_templates import TEMPLATES, template_sentences
from engine.zoo.text import SentenceEncoder
from engine.zoo.train_sentiment import TopLayers, fine_tune, frozen_activations, load_stored, padded, split_corpus

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


def run(encoder: SentenceEncoder):
    train, test = split_corpus(CORPUS)
    return fine_tune(encoder, 2, 3, train, {"test": test}, epochs=2, log=lambda _: None)


def test_fine_tuning_is_deterministic_and_stores_fp16_deltas_of_the_top_layers():
    first_tensors, first_scores = run(tiny_encoder())
    second_tensors, second_scores = run(tiny_encoder())
    assert first_scores == second_scores and 0 <= first_scores["test"] <= 1
    assert first_tensors.keys() == second_tensors.keys()
    for key, value in first_tensors.items():
        assert value.dtype == torch.float16
        assert torch.equal(value, second_tensors[key]), key
    layers = {key.split(".")[2] for key in first_tensors if key.startswith("delta/")}
    assert layers == {"1", "2"}  # the top 2 of 3 layers, and nothing of the frozen layer or the embeddings
    assert any(value.abs().max() > 0 for key, value in first_tensors.items() if key.startswith("delta/"))


def test_the_app_forward_on_stored_weights_gives_the_training_logits():
    """θ + Δ loaded into a fresh encoder (as the app does) and run on input embeddings with no padding gives the
    logits of the training path (cached frozen states → tuned layers → masked mean → head) on padded batches."""
    encoder = tiny_encoder()
    tensors, _ = run(encoder)
    texts = ["the film was great", "a dull and awful meal, really"]
    top = TopLayers(encoder.model, 2)
    load_stored(top, encoder.model, 2, tensors)
    top.eval()
    with torch.inference_mode():
        training = top(*padded(frozen_activations(encoder, texts, 2)))
    served = tiny_encoder()
    head = apply_weights(served, tensors)
    for text, expected in zip(texts, training):
        ids = served.tokenizer(text, return_tensors="pt")["input_ids"]
        with torch.inference_mode():
            hidden = served.run(served.token_embeddings(ids)).last_hidden_state
            logits = head_logits(hidden, torch.ones(hidden.shape[:2]), head)[0]
        torch.testing.assert_close(logits, expected, atol=1e-5, rtol=1e-5)


def test_templates_are_distinct_reproducible_and_cover_both_classes():
    sentences = template_sentences(300, seed=4)
    assert len({text for text, _ in sentences}) == 300 and sentences == template_sentences(300, seed=4)
    assert {label for _, label in sentences} == {0, 1}
    assert all(label in (0, 1) for _, label in TEMPLATES)


def test_a_weights_file_that_does_not_fit_the_encoder_is_refused():
    from engine.errors import EngineError

    tensors, _ = run(tiny_encoder())
    tensors["delta/encoder.layer.9.output.dense.weight"] = torch.zeros(2, 2, dtype=torch.float16)
    with pytest.raises(EngineError, match="do not fit"):
        apply_weights(tiny_encoder(), tensors)
