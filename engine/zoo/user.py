"""The user's own models: a Hugging Face classifier or causal LM from a local folder, or ``file.py:build_function``.

Ids: ``hf:<folder or hub name>`` loads safetensors weights only; ``hf-pickle:<...>`` also accepts PyTorch pickle
weights (``pytorch_model.bin``), loaded by transformers with ``torch.load(weights_only=True)`` — an explicit opt-in,
because a pickle from an untrusted source can run code on the machine that unpickles it. Nothing is downloaded: a
hub name must already be in the local Hugging Face cache. ``trust_remote_code`` stays off, so no code from a model
folder runs. ``py:<file.py>:<function>`` runs the user's own Python file (never taken from a shared link; what a
visitor of the app may load is decided in :mod:`.access`). Ids are normalised before a model is loaded, and loaded
models are kept in a small LRU bounded by count and by their parameters' bytes (``$INTERACTION_EXPLORER_USER_MODELS``,
default 4, and ``$INTERACTION_EXPLORER_USER_MODELS_MB``, default 2048); a ``py:`` model is reloaded when its file
changes, and its code's hash goes into every cache key.

Hugging Face models are text models: players are words (all their sub-tokens), masked at the embedding level with
the attention mask kept, like the bundled ones. A sequence classifier explains the target class; a causal LM
explains the target next token at the last position (log-odds over the vocabulary).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from ..errors import EngineError
from ..limits import available_memory
from .access import HF_PICKLE_PREFIX, HF_PREFIX, PY_PREFIX, canonical_id
from .base import ZooModel, device_of, model_device, placed, tensors_bytes, tensors_sha256
from .adapters import FeatureRow
from .samples import Sample
from .text import SentenceEncoder, word_model

MEMORY_HEADROOM = 1.5  # parameters plus activations of a batch, roughly


def is_user_model(model_id: str) -> bool:
    return model_id.startswith((HF_PREFIX, HF_PICKLE_PREFIX, PY_PREFIX))


def user_model_id(source: str, allow_pickle: bool = False) -> str:
    """The id for what a user typed: ``file.py:function`` or a Hugging Face folder / cached hub name."""
    source = source.strip()
    if ".py:" in source:
        return PY_PREFIX + source
    return (HF_PICKLE_PREFIX if allow_pickle else HF_PREFIX) + source


class LoadedModels:
    """Loaded user models by (normalised id, code hash), least recently used first out, at most ``max_models`` of
    them and ``max_bytes`` of parameters (the newest is always kept); loads one model at a time (thread-safe)."""

    def __init__(self, max_models: int, max_bytes: int) -> None:
        self.max_models, self.max_bytes = max_models, max_bytes
        self.models: OrderedDict[tuple[str, str | None], ZooModel] = OrderedDict()
        self._lock = threading.RLock()

    def get(self, key: tuple[str, str | None], load: Callable[[], ZooModel]) -> ZooModel:
        with self._lock:
            if key not in self.models:
                self.models[key] = load()
            self.models.move_to_end(key)
            while len(self.models) > 1 and (len(self.models) > self.max_models or self.held() > self.max_bytes):
                self.models.popitem(last=False)
            return self.models[key]

    def held(self) -> int:
        return sum(model.memory_bytes for model in self.models.values())


LOADED = LoadedModels(int(os.environ.get("INTERACTION_EXPLORER_USER_MODELS") or 4),
                      int(float(os.environ.get("INTERACTION_EXPLORER_USER_MODELS_MB") or 2048) * 2**20))


def load_user_model(model_id: str) -> ZooModel:
    """The model behind a user id (see the module docstring), loaded once per normalised id and code version."""
    model_id = canonical_id(model_id)
    if model_id.startswith(PY_PREFIX):
        return LOADED.get((model_id, code_sha256(model_id)), lambda: python_model(model_id))
    allow_pickle = model_id.startswith(HF_PICKLE_PREFIX)
    return LOADED.get((model_id, None), lambda: hf_model(model_id.split(":", 1)[1], allow_pickle, model_id))


def code_sha256(model_id: str) -> str | None:
    """SHA-256 of a ``py:`` model's file (None when it cannot be read; loading then says why)."""
    try:
        return hashlib.sha256(Path(model_id[len(PY_PREFIX):].rpartition(":")[0]).read_bytes()).hexdigest()
    except (OSError, ValueError):
        return None


def resolve_folder(source: str) -> Path:
    """A local model folder, or the snapshot of a hub name in the local cache (never downloads)."""
    path = Path(source).expanduser()
    if path.is_dir():
        return path
    if path.exists():
        raise EngineError(f"{source} is a file; give the folder that holds config.json and the weights")
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(source, local_files_only=True))
    except Exception:  # noqa: BLE001 - any failure means: not a folder and not cached
        raise EngineError(f"{source!r} is neither a folder on this machine nor a model in the local Hugging Face "
                          "cache (nothing is downloaded)") from None


def check_weights(folder: Path, allow_pickle: bool) -> bool:
    """Whether to load safetensors (True) or pickle weights (False); refuse pickle without the opt-in; check memory."""
    safetensors = list(folder.glob("*.safetensors"))
    pickles = list(folder.glob("pytorch_model*.bin"))
    if not safetensors and not pickles:
        raise EngineError(f"{folder} holds no weights (model.safetensors or pytorch_model.bin)")
    if not safetensors and not allow_pickle:
        raise EngineError(f"{folder} only has PyTorch pickle weights (pytorch_model.bin). A pickle from an untrusted "
                          "source can run code when loaded; convert it to safetensors, or allow pickle weights "
                          "explicitly (they are then loaded with weights_only=True)")
    size = sum(f.stat().st_size for f in (safetensors or pickles))
    free = available_memory(model_device())
    if size * MEMORY_HEADROOM > free:
        raise EngineError(f"the weights take {size / 2**30:.1f} GiB and the {model_device().type.upper()} has "
                          f"{free / 2**30:.1f} GiB free: too little memory for this model")
    return bool(safetensors)


def hf_model(source: str, allow_pickle: bool = False, model_id: str | None = None) -> ZooModel:
    """A Hugging Face sequence classifier or causal LM from a folder (or the local cache) as a text model."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer

    folder = resolve_folder(source)
    if not (folder / "config.json").exists():
        raise EngineError(f"{folder} is not a Hugging Face model folder: it has no config.json")
    try:
        config = AutoConfig.from_pretrained(folder, trust_remote_code=False, local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - transformers raises many types for a bad or custom config
        raise EngineError(f"cannot read {folder}/config.json: {exc}") from None
    architectures = config.architectures or []
    if any(a.endswith("ForSequenceClassification") for a in architectures):
        loader, kind = AutoModelForSequenceClassification, "classifier"
    elif any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in architectures):
        loader, kind = AutoModelForCausalLM, "causal-lm"
    else:
        raise EngineError(f"unsupported architecture {architectures or config.model_type!r}: the explorer takes "
                          "Hugging Face sequence classifiers (…ForSequenceClassification) and causal language "
                          "models (…ForCausalLM / …LMHeadModel)")
    use_safetensors = check_weights(folder, allow_pickle)
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False, local_files_only=True)
        model = loader.from_pretrained(folder, trust_remote_code=False, local_files_only=True,
                                       use_safetensors=use_safetensors).eval()
    except Exception as exc:  # noqa: BLE001
        raise EngineError(f"cannot load the model in {folder}: {exc}") from None
    if not getattr(tokenizer, "is_fast", False):
        raise EngineError(f"{folder} has no fast tokenizer (tokenizer.json), which the explorer needs to find words")
    return _text_model(model_id or f"{HF_PREFIX}{source}", folder, tokenizer, model, kind)


def _text_model(model_id: str, folder: Path, tokenizer, model, kind: str) -> ZooModel:
    encoder = SentenceEncoder(tokenizer, model)

    def forward(embeds: torch.Tensor) -> torch.Tensor:
        logits = encoder.run(embeds).logits
        return logits if kind == "classifier" else logits[:, -1, :]

    if kind == "classifier":
        labels = config_labels(model.config)
    else:
        labels = tokenizer.convert_ids_to_tokens(list(range(model.config.vocab_size)))
    title = f"Your model · {folder.name} ({'classifier' if kind == 'classifier' else 'next token'})"
    provenance = {"folder": str(folder), "architecture": model.config.architectures, "kind": kind,
                  "output": "target class" if kind == "classifier" else "next token at the last position"}
    built = word_model(model_id, title, encoder, forward, [str(label) for label in labels], provenance, 64)
    return replace(built, memory_bytes=tensors_bytes(model.state_dict()))


def config_labels(config) -> list[str]:
    """Class names from the config's id2label (label_0, … when absent)."""
    return [config.id2label.get(i, f"label_{i}") for i in range(config.num_labels)]


def python_model(model_id: str) -> ZooModel:
    """``py:path/to/file.py:function``: the function returns a ZooModel, or a torch module over feature rows.

    A module is explained as a tabular model: it maps a (B, F) float tensor to logits (B, C); the file must then
    define ``SAMPLES`` (rows of F numbers) and may define ``FEATURES`` (names) and ``CLASSES``. Players are the
    features; baselines are zero and the mean of the samples.
    """
    spec = model_id[len(PY_PREFIX):]
    file, _, function = spec.rpartition(":")
    if not file.endswith(".py") or not function.isidentifier():
        raise EngineError(f"write a Python model as path/to/file.py:build_function, not {spec!r}")
    path = Path(file).expanduser()
    if not path.is_file():
        raise EngineError(f"no Python file {path}")
    module_spec = importlib.util.spec_from_file_location(f"user_model_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
        build: Callable = getattr(module, function)
        built = build()
    except AttributeError:
        raise EngineError(f"{path} defines no function {function!r}") from None
    except Exception as exc:  # noqa: BLE001 - the user's code may raise anything
        raise EngineError(f"{path}:{function} failed: {type(exc).__name__}: {exc}") from None
    code = {"code_sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    if isinstance(built, ZooModel):
        return replace(built, provenance=built.provenance | code)
    if not isinstance(built, torch.nn.Module):
        raise EngineError(f"{path}:{function} must return a torch.nn.Module or an engine ZooModel, "
                          f"not {type(built).__name__}")
    tabular = _module_as_tabular(model_id, path, placed(built), module)
    return replace(tabular, provenance=tabular.provenance | code, memory_bytes=tensors_bytes(built.state_dict()))


def _module_as_tabular(model_id: str, path: Path, net: torch.nn.Module, module) -> ZooModel:
    rows = np.asarray(getattr(module, "SAMPLES", None) or [], dtype=np.float32)
    if rows.ndim != 2 or len(rows) == 0:
        raise EngineError(f"{path} must define SAMPLES, a list of feature rows, for a module over features")
    features = list(getattr(module, "FEATURES", [f"x{i}" for i in range(rows.shape[1])]))
    if len(features) != rows.shape[1]:
        raise EngineError(f"FEATURES names {len(features)} features but the samples have {rows.shape[1]}")
    with torch.inference_mode():
        try:
            classes = net(torch.from_numpy(rows[:1]).to(device_of(net))).shape[-1]
        except Exception as exc:  # noqa: BLE001
            raise EngineError(f"the module fails on a sample of shape {tuple(rows[:1].shape)}: {exc}") from None
    baselines = {"zero": torch.zeros(rows.shape[1]), "mean": torch.from_numpy(rows.mean(0))}
    return ZooModel(
        model_id=model_id,
        title=f"Your model · {path.name}",
        class_names=list(getattr(module, "CLASSES", [str(c) for c in range(max(classes, 2))])),
        samples=[Sample(f"row-{i}", f"row {i}", row) for i, row in enumerate(rows)],
        forward=lambda batch: net(batch.to(device_of(net)).float()),
        adapter=FeatureRow(features, baselines),
        weights_hash=tensors_sha256(net.state_dict()),
        provenance={"file": str(path)},
    )
