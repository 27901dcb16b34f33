"""The one result object that every analysis reads and every view draws, with its provenance and disk format.

A result holds, for one model on one sample: the player labels, v on all 2^n masked samples (bitmask order, raw
output, v(∅) not subtracted), the AND and OR interactions (reorganised; I_and(∅) = v(∅) so that the AND-OR
reconstruction gives v back up to the bounded noise q), the fitted p and q where a decomposition was learned, the
solver's report, and the provenance (model, weights hash, sample, players, baseline, output, method, engine
version, device, timings). On disk it is a single ``.npz`` file (numpy arrays plus the metadata as UTF-8 JSON
bytes), loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .harsanyi import and_interactions
from .masks import all_masks, n_players_of, popcounts, subset_label

FORMAT_VERSION = 1


@dataclass
class InteractionResult:
    """Interactions of one model on one sample over all 2^n subsets of its n players."""

    players: list[str]
    v: np.ndarray
    i_and: np.ndarray
    i_or: np.ndarray
    method: str = "and"  # "and" (Harsanyi only), "and-or", or "shared" (joint extraction over models)
    p: np.ndarray | None = None
    q: np.ndarray | None = None
    solver: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.v = np.asarray(self.v, dtype=np.float64)
        self.i_and = np.asarray(self.i_and, dtype=np.float64)
        self.i_or = np.asarray(self.i_or, dtype=np.float64)
        if n_players_of(self.v.size) != len(self.players):
            raise ValueError(f"{len(self.players)} players need 2^{len(self.players)} values, got {self.v.size}")

    @classmethod
    def harsanyi(cls, players: list[str], v, **kwargs) -> InteractionResult:
        """AND-only result: I_and = Harsanyi dividends of v, no OR part."""
        v = np.asarray(v, dtype=np.float64)
        return cls(players, v, and_interactions(v).numpy(), np.zeros_like(v), method="and", **kwargs)

    @property
    def n(self) -> int:
        return len(self.players)

    @property
    def masks(self) -> np.ndarray:
        """(2^n, n) boolean matrix: row m marks the players present in subset m."""
        return all_masks(self.n)

    @property
    def orders(self) -> np.ndarray:
        """|S| for every subset index."""
        return popcounts(self.n)

    @property
    def v_empty(self) -> float:
        return float(self.v[0])

    @property
    def v_full(self) -> float:
        return float(self.v[-1])

    @property
    def u(self) -> np.ndarray:
        """u(S) = v(S) − v(∅)."""
        return self.v - self.v[0]

    def label(self, index: int) -> str:
        return subset_label(index, self.players)

    def interactions(self) -> list[dict[str, Any]]:
        """Every non-zero interaction of a non-empty subset: kind, index, players, order, value; strongest first."""
        rows = []
        for kind, vec in (("AND", self.i_and), ("OR", self.i_or)):
            for index in np.flatnonzero(vec):
                if index == 0:
                    continue
                rows.append(
                    {
                        "kind": kind,
                        "index": int(index),
                        "players": self.label(int(index)),
                        "order": int(self.orders[index]),
                        "value": float(vec[index]),
                    }
                )
        rows.sort(key=lambda r: -abs(r["value"]))
        return rows

    def metadata(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "players": self.players,
            "method": self.method,
            "solver": self.solver,
            "provenance": self.provenance,
        }

    def to_json(self) -> str:
        """Self-describing JSON export: metadata, v and both interaction vectors (bitmask order)."""
        data = self.metadata() | {
            "bit_order": "entry m is the subset {i : bit i of m set}",
            "v": self.v.tolist(),
            "i_and": self.i_and.tolist(),
            "i_or": self.i_or.tolist(),
        }
        return json.dumps(data, indent=1)

    def save(self, path: str | os.PathLike) -> None:
        """Write the result atomically (temporary file in the same folder, then rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {"v": self.v, "i_and": self.i_and, "i_or": self.i_or}
        if self.p is not None:
            arrays["p"] = np.asarray(self.p)
        if self.q is not None:
            arrays["q"] = np.asarray(self.q)
        arrays["meta"] = np.frombuffer(json.dumps(self.metadata()).encode(), dtype=np.uint8)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez_compressed(fh, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike) -> InteractionResult:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            if meta.get("format_version") != FORMAT_VERSION:
                raise ValueError(f"{path}: unsupported result format {meta.get('format_version')}")
            return cls(
                players=meta["players"],
                v=data["v"],
                i_and=data["i_and"],
                i_or=data["i_or"],
                method=meta["method"],
                p=data["p"] if "p" in data else None,
                q=data["q"] if "q" in data else None,
                solver=meta["solver"],
                provenance=meta["provenance"],
            )
