"""Test set-up: quiet OpenMP, a private result cache, and brute-force reference definitions."""

import os
import sys
import tempfile
from itertools import combinations
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("INTERACTION_EXPLORER_CACHE", tempfile.mkdtemp(prefix="ie-cache-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402


def subsets(mask: int):
    """All submasks of ``mask`` (brute force)."""
    sub = mask
    while True:
        yield sub
        if sub == 0:
            return
        sub = (sub - 1) & mask


def brute_and(v: np.ndarray) -> np.ndarray:
    """I_and(S) = Σ_{T⊆S} (-1)^{|S|-|T|} v(T), straight from the definition."""
    out = np.zeros_like(v, dtype=float)
    for s in range(v.size):
        out[s] = sum((-1) ** (bin(s).count("1") - bin(t).count("1")) * v[t] for t in subsets(s))
    return out


def brute_or(v: np.ndarray) -> np.ndarray:
    """I_or(S) = -Σ_{T⊆S} (-1)^{|S|-|T|} v(N∖T) for S ≠ ∅; I_or(∅) = v(∅)."""
    full = v.size - 1
    out = np.zeros_like(v, dtype=float)
    for s in range(1, v.size):
        out[s] = -sum((-1) ** (bin(s).count("1") - bin(t).count("1")) * v[full ^ t] for t in subsets(s))
    out[0] = v[0]
    return out


def game_from_terms(n: int, and_terms: dict, or_terms: dict, bias: float = 0.0) -> np.ndarray:
    """v(S) = bias + Σ_T a_T·1[T⊆S] + Σ_T o_T·1[T∩S≠∅], for terms given as {tuple of players: weight}."""
    masks = np.arange(1 << n)
    v = np.full(1 << n, float(bias))
    for players, weight in and_terms.items():
        t = sum(1 << i for i in players)
        v += weight * ((masks & t) == t)
    for players, weight in or_terms.items():
        t = sum(1 << i for i in players)
        v += weight * ((masks & t) != 0)
    return v


def all_subsets_of_size(n: int, k: int):
    return [sum(1 << i for i in c) for c in combinations(range(n), k)]


SENTENCE = "A short but truly wonderful little film."  # what the tiny text models are explained on


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


def png(pixels: np.ndarray) -> bytes:
    """A greyscale PNG of ``pixels`` (0-255)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def stroke_on_paper() -> np.ndarray:
    """A dark vertical stroke on white paper, 64×64 pixels (a hand-drawn 1)."""
    pixels = np.full((64, 64), 255)
    pixels[8:56, 28:36] = 0
    return pixels
