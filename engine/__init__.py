"""Interaction Explorer's engine: exact Harsanyi AND/OR interactions of a model on all 2^n masked samples.

No Streamlit here. Use it from Python (``engine.explain(engine.Request("digits-cnn", "digit-0"))``) or from the
command line (``python -m engine --help``). Formulas and conventions: ``shared/spec/interactions.md``.

The public names are imported eagerly: ``engine.explain`` is the function, which replaces the submodule of the same
name as the package's attribute (import the submodule's other names with ``from engine.explain import ...``).
Nothing here imports transformers; a text or Hugging Face model imports it when it is first loaded.
"""

import os

# torch on a shared CPU slows down a hundredfold with OpenMP's busy-waiting; must be set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .errors import Cancelled, EngineError, TooLarge  # noqa: E402
from .explain import Request, explain, explain_shared, predict  # noqa: E402  (binds engine.explain to the function)
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
    "predict",
]
