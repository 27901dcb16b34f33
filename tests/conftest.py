"""Test set-up: quiet OpenMP, a private result cache, and the tiny Hugging Face models (session fixtures).

Brute-force definitions, toy games and results live in ``helpers.py``."""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("INTERACTION_EXPLORER_CACHE", tempfile.mkdtemp(prefix="ie-cache-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest  # noqa: E402
import torch  # noqa: E402

from helpers import SENTENCE  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def components_scanned_once():
    """Every new AppTest scans all installed distributions for Streamlit components (0.6 s each, a few hundred AppTests
    a run); the installed packages do not change while the tests run, so the scan runs once."""
    from functools import lru_cache

    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    manifest_scanner.scan_component_manifests = lru_cache(maxsize=None)(scan)
    yield
    manifest_scanner.scan_component_manifests = scan


@pytest.fixture(scope="session")
def bert_folder(tmp_path_factory):
    """A tiny random BERT sentence classifier (3 labels) with MiniLM's tokenizer, saved as safetensors."""
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from engine.zoo.text import minilm_path

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(minilm_path())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, num_labels=3, id2label={0: "neg", 1: "neutral", 2: "pos"},
                        label2id={"neg": 0, "neutral": 1, "pos": 2}, architectures=["BertForSequenceClassification"])
    folder = tmp_path_factory.mktemp("tiny-bert")
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def gpt2_folder(tmp_path_factory):
    """A tiny random GPT-2 with a byte-level BPE tokenizer trained here on a few sentences."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    torch.manual_seed(1)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([SENTENCE, "the film was not bad at all", "a truly short story"] * 20, vocab_size=300,
                            special_tokens=["<|endoftext|>"])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>", unk_token="<|endoftext|>",
                                        bos_token="<|endoftext|>")
    config = GPT2Config(vocab_size=tokenizer.vocab_size, n_embd=32, n_layer=2, n_head=2, n_positions=64,
                        architectures=["GPT2LMHeadModel"])
    folder = tmp_path_factory.mktemp("tiny-gpt2")
    GPT2LMHeadModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture
def hub_snapshot(bert_folder, tmp_path, monkeypatch):
    """The tiny BERT as hub model ``someone/tiny-bert`` in a private Hugging Face cache (models--org--name/{refs/main,
    snapshots/<commit>/files}); returns the snapshot folder."""
    import huggingface_hub.constants

    commit = "0" * 40
    snapshot = tmp_path / "hub" / "models--someone--tiny-bert" / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for file in bert_folder.iterdir():
        (snapshot / file.name).write_bytes(file.read_bytes())
    (snapshot.parents[1] / "refs").mkdir()
    (snapshot.parents[1] / "refs" / "main").write_text(commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    return snapshot
