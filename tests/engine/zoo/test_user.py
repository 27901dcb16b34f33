"""The user's own models: tiny random BERT and GPT-2 built from configs in code, pickle opt-in, file.py:function."""

import textwrap

import numpy as np
import pytest
import torch

from engine import and_interactions
from engine.cache import ResultCache
from engine.errors import EngineError
from engine.explain import Request, explain
from engine.zoo import get_model
from helpers import SENTENCE, SUM_MODEL


def direct_log_odds(logits: torch.Tensor, target: int) -> float:
    others = torch.cat([logits[:target], logits[target + 1:]])
    return float(logits[target] - torch.logsumexp(others, 0))


def test_sequence_classifier_explains_its_target_class(bert_folder, tmp_path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = get_model(f"hf:{bert_folder}")
    assert model.modality == "text" and model.class_names == ["neg", "neutral", "pos"]
    result = explain(Request(f"hf:{bert_folder}", SENTENCE, players=(0, 1, 2, 3), method="and"), ResultCache(tmp_path))
    target = result.provenance.target
    reference = AutoModelForSequenceClassification.from_pretrained(bert_folder).eval()
    ids = AutoTokenizer.from_pretrained(bert_folder)(SENTENCE, return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        logits = reference(input_ids=ids).logits[0]
    assert target == int(logits.argmax())
    assert result.v[-1] == pytest.approx(direct_log_odds(logits, target), abs=1e-4)  # v(N): nothing masked
    assert and_interactions(result.v).sum().item() == pytest.approx(result.v[-1])
    assert result.players == ["A", "short", "but", "truly"]


def test_causal_lm_explains_the_next_token(gpt2_folder, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = get_model(f"hf:{gpt2_folder}")
    assert "[PAD]" not in model.baselines and "zero" in model.baselines
    result = explain(Request(f"hf:{gpt2_folder}", SENTENCE, players=(0, 1, 2), baseline="zero", method="and"),
                     ResultCache(tmp_path))
    reference = AutoModelForCausalLM.from_pretrained(gpt2_folder).eval()
    ids = AutoTokenizer.from_pretrained(gpt2_folder)(SENTENCE, return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        logits = reference(input_ids=ids).logits[0, -1]
    target = result.provenance.target
    assert target == int(logits.argmax())
    assert result.v[-1] == pytest.approx(direct_log_odds(logits, target), abs=1e-4)


def test_pickle_weights_need_the_opt_in(bert_folder, tmp_path):
    from transformers import AutoModelForSequenceClassification

    folder = tmp_path / "pickled"
    folder.mkdir()
    state = AutoModelForSequenceClassification.from_pretrained(bert_folder).state_dict()
    torch.save(state, folder / "pytorch_model.bin")  # the old PyTorch format: a pickle
    for file in bert_folder.iterdir():
        if file.suffix != ".safetensors":
            (folder / file.name).write_bytes(file.read_bytes())
    with pytest.raises(EngineError, match="pickle"):
        get_model(f"hf:{folder}")
    assert get_model(f"hf-pickle:{folder}").class_names == ["neg", "neutral", "pos"]


def test_clear_errors_for_folders_that_are_not_usable_models(bert_folder, tmp_path):
    from transformers import BertConfig, BertModel

    with pytest.raises(EngineError, match="neither a folder"):
        get_model(f"hf:{tmp_path / 'nowhere'}")
    (tmp_path / "empty").mkdir()
    with pytest.raises(EngineError, match="no config.json"):
        get_model(f"hf:{tmp_path / 'empty'}")
    bare = tmp_path / "bare"
    BertModel(BertConfig(vocab_size=100, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=16, architectures=["BertModel"])).save_pretrained(bare)
    with pytest.raises(EngineError, match="unsupported architecture"):
        get_model(f"hf:{bare}")


def test_python_file_with_a_module_over_features(tmp_path):
    source = tmp_path / "mine.py"
    source.write_text(SUM_MODEL + textwrap.dedent("""
        def broken():
            raise ValueError("no weights here")
    """))
    result = explain(Request(f"py:{source}:build", "row-0", players=(0, 1, 2), baseline="zero", method="and"),
                     ResultCache(tmp_path / "cache"))
    # v(S) = Σ_{i∈S} x_i (log-odds of class 1 against class 0): only singletons interact
    np.testing.assert_allclose(result.i_and[[1, 2, 4]], [1.0, 2.0, 3.0], atol=1e-6)
    np.testing.assert_allclose(np.delete(result.i_and, [0, 1, 2, 4]), 0.0, atol=1e-6)
    with pytest.raises(EngineError, match="no weights here"):
        get_model(f"py:{source}:broken")
    with pytest.raises(EngineError, match="defines no function"):
        get_model(f"py:{source}:missing")
    with pytest.raises(EngineError, match="file.py:build_function"):
        get_model("py:not-a-python-file")


def test_a_hub_name_loads_from_the_local_cache_only(hub_snapshot):
    """Nothing downloads: a hub name is looked up in the local Hugging Face cache only."""
    assert get_model("hf:someone/tiny-bert").provenance["folder"] == str(hub_snapshot)
    with pytest.raises(EngineError, match="nothing is downloaded"):
        get_model("hf:someone/not-cached")
