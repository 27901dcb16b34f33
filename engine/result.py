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
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .harsanyi import and_interactions
from .interaction import KINDS, Interaction, Kind
from .masks import all_masks, n_players_of, popcounts, subset_label

if TYPE_CHECKING:
    from .and_or import Decomposition

FORMAT_VERSION = 1
ZERO_RATIO = 1e-5  # |I| ≤ ZERO_RATIO·max|I| is an exact zero up to the exact solver's precision (its optimum's zeros
# come out below 1e-6·max: the interior point stops at a certified gap of 1e-6) or rounding (a dummy player)


def is_nonzero(strengths: np.ndarray, scale: float | None = None) -> np.ndarray:
    """|I| > ZERO_RATIO·scale elementwise (scale: the largest |I| given, unless set)."""
    strengths = np.abs(np.asarray(strengths, dtype=float))
    scale = strengths.max(initial=0.0) if scale is None else scale
    return strengths > ZERO_RATIO * scale


def _from_dict(cls, data: dict[str, Any]):
    """``cls(**data)`` keeping only the fields ``cls`` knows; missing fields take their defaults (old files load)."""
    known = {f.name for f in fields(cls)}
    return cls(**{key: value for key, value in data.items() if key in known})


@dataclass(frozen=True)
class SolverReport:
    """How an AND-OR decomposition was solved: the L1 objective ‖I_and‖₁ + ‖I_or‖₁ it reached, the baselines it beat
    (AND only; half/half split), the solver's work, a certified lower bound on the optimum where the solver gives one
    and the relative gap (loss − lower_bound)/lower_bound it certifies, and the settings it ran with. Saved as JSON;
    keys missing in old files default."""

    solver: str  # "lp", "pdhg", "lp-joint" or "pdhg-joint" (joint extraction over models)
    loss: float
    half_half_loss: float | None = None
    and_only_loss: float | None = None
    iterations: int = 0
    seconds: float = 0.0
    converged: bool = True
    curve: list[tuple] = field(default_factory=list)  # PDHG: (iteration, best loss, best lower bound) at each check
    lower_bound: float | None = None
    gap: float | None = None  # None: no certificate (an old cache entry, or no positive lower bound)
    qthres: float | None = None
    requested_solver: str | None = None  # what the request asked for ("auto", "lp", "pdhg")
    alpha: float | None = None  # joint extraction only
    pthres: float | None = None  # joint extraction only
    models: list[str] = field(default_factory=list)  # joint extraction: the models' ids, in order
    exact_skipped: str | None = None  # "auto" ran PDHG: what the exact LP would have needed (limits.affordable_settings)

    @classmethod
    def from_decomposition(cls, solved: Decomposition, **extra: Any) -> SolverReport:
        """The report of an :class:`engine.and_or.Decomposition` (its solver, loss, work, curve and, when it has
        them, lower bound and gap), with ``extra`` facts and settings (baseline losses, qthres, ...)."""
        return _from_dict(cls, solved.report() | extra)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SolverReport:
        return _from_dict(cls, data | {"curve": [tuple(point) for point in data.get("curve", [])]})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Provenance:
    """Where a result comes from: model (id, title, weights hash, its own provenance), sample, players (candidate
    indices), baseline, output and target class, the prediction on the unmasked sample, method, engine version,
    device and timings. Saved as JSON; keys missing in old files default."""

    model_id: str = ""
    model_title: str = ""
    weights_sha256: str = ""
    model_provenance: dict[str, Any] = field(default_factory=dict)
    sample_id: str = ""
    sample_title: str = ""
    player_ids: list[int] = field(default_factory=list)
    baseline: str | None = None
    output: str = "log-odds"
    target: int | None = None
    target_name: str | None = None
    prediction: list[float] = field(default_factory=list)
    method: str = "and"
    engine_version: str = ""
    device: str = "cpu"
    timings: dict[str, float] = field(default_factory=dict)

    IDENTITY = ("model_id", "weights_sha256", "sample_id", "player_ids", "baseline", "output", "target")

    def identity(self) -> dict[str, Any]:
        """The fields that identify the game (for cache keys built on top of a result)."""
        return {key: getattr(self, key) for key in self.IDENTITY}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        return _from_dict(cls, data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Ranking:
    """Interactions sorted by strength |I| descending (stable: AND before OR, then by subset index).

    Iterating yields (Interaction, I) pairs; ``kinds`` holds 0 for AND and 1 for OR.
    """

    kinds: np.ndarray
    indices: np.ndarray
    values: np.ndarray  # signed I of each entry

    def __len__(self) -> int:
        return int(self.indices.size)

    def __iter__(self) -> Iterator[tuple[Interaction, float]]:
        for kind, index, value in zip(self.kinds.tolist(), self.indices.tolist(), self.values.tolist()):
            yield Interaction(KINDS[kind], index), value

    def _take(self, which) -> Ranking:
        return Ranking(self.kinds[which], self.indices[which], self.values[which])

    def top(self, k: int | None) -> Ranking:
        """The k strongest (all when None)."""
        return self if k is None else self._take(slice(0, max(int(k), 0)))

    def rest(self, k: int) -> Ranking:
        """Everything but the k strongest."""
        return self._take(slice(max(int(k), 0), None))

    def nonzero(self, scale: float | None = None) -> Ranking:
        """Without the exact zeros (|I| ≤ ZERO_RATIO·max|I|, see :func:`is_nonzero`)."""
        return self._take(is_nonzero(self.values, scale))

    @property
    def strengths(self) -> np.ndarray:
        """|I| of each entry, descending."""
        return np.abs(self.values)

    def interactions(self) -> list[Interaction]:
        return [interaction for interaction, _ in self]


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
    report: SolverReport | None = None  # None for an AND-only result (no solver ran)
    provenance: Provenance = field(default_factory=Provenance)

    def __post_init__(self) -> None:
        self.v = np.asarray(self.v, dtype=np.float64)
        self.i_and = np.asarray(self.i_and, dtype=np.float64)
        self.i_or = np.asarray(self.i_or, dtype=np.float64)
        if isinstance(self.report, dict):  # as saved on disk
            self.report = SolverReport.from_dict(self.report) if self.report else None
        if isinstance(self.provenance, dict):
            self.provenance = Provenance.from_dict(self.provenance)
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
        """The players of subset ``index``, e.g. "{x1, x3}"."""
        return subset_label(index, self.players)

    @property
    def has_or(self) -> bool:
        """Whether the result has an OR part (a decomposition was learned); an AND-only result's I_or is all 0."""
        return self.method != "and"

    @property
    def kinds(self) -> tuple[Kind, ...]:
        """The kinds of interaction this result has: ("AND", "OR"), or ("AND",) for an AND-only result."""
        return KINDS if self.has_or else KINDS[:1]

    def vector(self, kind: Kind) -> np.ndarray:
        """I_kind(S) for all 2^n subsets, bitmask order."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind of interaction {kind!r}")
        return self.i_and if kind == "AND" else self.i_or

    def value(self, interaction: Interaction) -> float:
        """I_kind(S) of one interaction."""
        return float(self.vector(interaction.kind)[interaction.index])

    def ranking(self, kinds: Sequence[Kind] = KINDS) -> Ranking:
        """Every non-empty S of the given kinds (both by default, pooled as in Chen et al.: 2·(2^n − 1) entries, OR
        all zero for an AND-only result) sorted by |I(S)| descending; the one ranking every analysis and figure uses."""
        values = np.concatenate([self.vector(kind)[1:] for kind in kinds])
        kind_codes = np.repeat([KINDS.index(kind) for kind in kinds], self.v.size - 1)
        indices = np.tile(np.arange(1, self.v.size), len(kinds))
        order = np.argsort(-np.abs(values), kind="stable")
        return Ranking(kind_codes[order], indices[order], values[order])

    def top(self, k: int, kinds: Sequence[Kind] = KINDS) -> list[Interaction]:
        """The k strongest interactions that are not exact zeros (fewer when fewer are nonzero)."""
        return self.ranking(kinds).nonzero().top(k).interactions()

    def interactions(self) -> list[dict[str, Any]]:
        """One row per nonzero interaction of a non-empty subset, strongest first: interaction ("AND:17"), kind,
        index, players, order, value (the table and CSV export)."""
        return [{"interaction": str(interaction), "kind": interaction.kind, "index": interaction.index,
                 "players": self.label(interaction.index), "order": interaction.order, "value": value}
                for interaction, value in self.ranking().nonzero()]

    def metadata(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "players": self.players,
            "method": self.method,
            "solver": self.report.to_dict() if self.report is not None else {},
            "provenance": self.provenance.to_dict(),
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

    def save(self, path: str | os.PathLike, key: str | None = None) -> None:
        """Write the result atomically (temporary file in the same folder, then rename); ``key``: the cache key it
        is stored under, checked by :meth:`load` so that an entry copied under another key is never served."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {"v": self.v, "i_and": self.i_and, "i_or": self.i_or}
        if self.p is not None:
            arrays["p"] = np.asarray(self.p)
        if self.q is not None:
            arrays["q"] = np.asarray(self.q)
        meta = self.metadata() | ({"cache_key": key} if key is not None else {})
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez_compressed(fh, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike, key: str | None = None) -> InteractionResult:
        """A result written by :meth:`save`; ValueError for another format or (given ``key``) another cache key."""
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            if meta.get("format_version") != FORMAT_VERSION:
                raise ValueError(f"{path}: unsupported result format {meta.get('format_version')}")
            if key is not None and meta.get("cache_key") != key:
                raise ValueError(f"{path}: an entry stored under another key")
            return cls(
                players=meta["players"],
                v=data["v"],
                i_and=data["i_and"],
                i_or=data["i_or"],
                method=meta["method"],
                p=data["p"] if "p" in data else None,
                q=data["q"] if "q" in data else None,
                report=meta["solver"],
                provenance=meta["provenance"],
            )
