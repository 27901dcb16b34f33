"""The scalar output v explained, computed from a batch of logits (B, C) (spec §2.1).

- ``log-odds`` (default): z_y − logsumexp_{j≠y} z_j, the stable form of log(p_y / (1 − p_y)). With a single logit
  (a binary model with a sigmoid output) the log-odds of the positive class is the logit itself, negated for y = 0.
- ``logit``: z_y.
- ``probability``: softmax(z)_y (sigmoid for a single logit).

For a causal language model the forward already returns the logits at the last position, so the same functions
give the log-odds of the target next token.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .errors import EngineError

OUTPUT_KINDS = ("log-odds", "logit", "probability")


@dataclass(frozen=True)
class OutputSpec:
    kind: str = "log-odds"
    target: int = 0

    def __post_init__(self) -> None:
        if self.kind not in OUTPUT_KINDS:
            raise EngineError(f"unknown output {self.kind!r}; choose one of {', '.join(OUTPUT_KINDS)}")

    def __call__(self, logits: torch.Tensor) -> torch.Tensor:
        return output_value(logits, self.kind, self.target)

    def describe(self) -> str:
        return f"{self.kind} of class {self.target}"


def log_odds(logits: torch.Tensor, target: int) -> torch.Tensor:
    """z_y − logsumexp_{j≠y} z_j (stable), or ±z for a single logit."""
    if logits.shape[-1] == 1:
        z = logits[..., 0]
        return z if target == 1 else -z
    others = torch.cat([logits[..., :target], logits[..., target + 1 :]], dim=-1)
    return logits[..., target] - torch.logsumexp(others, dim=-1)


def output_value(logits: torch.Tensor, kind: str, target: int) -> torch.Tensor:
    """The scalar of ``kind`` for class ``target`` from logits (B, C)."""
    logits = logits.double()
    classes = logits.shape[-1]
    if not (0 <= target < max(classes, 2)):
        raise EngineError(f"target class {target} does not exist; the model has {max(classes, 2)} classes")
    if kind == "log-odds":
        return log_odds(logits, target)
    if kind == "logit":
        return logits[..., 0] * (1 if target == 1 else -1) if classes == 1 else logits[..., target]
    if classes == 1:
        return torch.sigmoid(log_odds(logits, target))
    return torch.softmax(logits, dim=-1)[..., target]
