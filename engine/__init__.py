"""Interaction Explorer's engine: exact Harsanyi AND/OR interactions of a model on all 2^n masked samples.

No Streamlit here. Use it from Python (``engine.explain(engine.Request("digits-cnn", "digit-0"))``) or from the
command line (``python -m engine --help``). Formulas and conventions: ``shared/spec/interactions.md``.
"""

import os

# torch on a shared CPU slows down a hundredfold with OpenMP's busy-waiting; must be set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .errors import Cancelled, EngineError, TooLarge  # noqa: E402
from .harsanyi import (  # noqa: E402
    and_interactions,
    or_interactions,
    values_from_and,
    values_from_and_or,
    values_from_or,
)
from .result import InteractionResult  # noqa: E402

__all__ = [
    "and_interactions",
    "or_interactions",
    "values_from_and",
    "values_from_or",
    "values_from_and_or",
    "InteractionResult",
    "EngineError",
    "Cancelled",
    "TooLarge",
    "Request",
    "explain",
    "explain_shared",
]


def __getattr__(name: str):
    """Lazy access to the model-backed API (it imports transformers only when first used)."""
    if name in ("Request", "explain", "explain_shared"):
        from . import explain as module

        return getattr(module, name)
    raise AttributeError(name)
