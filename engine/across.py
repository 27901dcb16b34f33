"""The papers' figures over a data set: one model (or a pair) explained on K samples, aggregated (spec §4, §6, §7).

Ren et al. (ICLR 2024) show normalised sorted strengths, per-order box plots and the fitted p over many samples;
Chen et al. (ICLR 2024) average s_and / s_or over samples (Fig. 3) and sum Shared/All per order (Fig. 4). Every
per-sample result comes from the cached :func:`engine.explain.explain` / :func:`engine.explain.explain_shared`, so a
sample computed once costs nothing again; the aggregate itself is cached as JSON beside the results (reopening reads
one file). A cancelled computation returns what is done, marked ``partial`` (and not cached).

Bands are the 10th to 90th percentile over samples, beside the mean.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from . import and_or
from .assumptions import high_order_check, monotonicity_check, polynomial_check, valid_count_bound
from .cache import ResultCache, cache_key
from .dynamics import high_order_share
from .errors import Cancelled, EngineError
from .explain import ENGINE_VERSION, Request, explain, explain_shared, resolve_sample
from .game import CancelFn, ProgressFn
from .generalizable import SharedStrength, TransferCurve, paper_ks, shared_strength_by_order, transfer_curve
from .result import InteractionResult
from .sparsity import TAU_RATIO, normalised_curves, order_distribution, padded, salient
from .zoo import get_model

AGGREGATE_FORMAT = 2  # in the cache key; 2: p and bound on monotone samples, s at each own n, AND-only curve doubled
DEFAULT_SAMPLES = 20
PAIR_PLAYERS = 8  # the joint LP takes 3.2-4.6 s per sample at n = 10 on two CPU cores, under 0.4 s at n = 8
BAND = (10, 90)  # percentiles of the band drawn around a mean
METHODS = ("joint", "alone", "and_only")  # the three extractions of Chen Fig. 3


@dataclass(frozen=True)
class AcrossSettings:
    """How every sample is explained: its ``players`` strongest candidates (None: the model's default, or
    :data:`PAIR_PLAYERS` for a pair), the baseline (None: the model's first), the AND-OR and joint-extraction
    settings, and the salient threshold ratio."""

    players: int | None = None
    baseline: str | None = None
    qthres: float = and_or.QTHRES_SINGLE
    alpha: float = and_or.ALPHA_SHARED
    pthres: float = and_or.PTHRES_SHARED
    qthres_shared: float = and_or.QTHRES_SHARED
    tau_ratio: float = TAU_RATIO


def _floats(values) -> list:
    """An array as nested lists of floats, None where it is not finite (strict JSON has no NaN or ∞)."""
    array = np.asarray(values, dtype=float)
    return np.where(np.isfinite(array), array, None).tolist()


def _array(values) -> np.ndarray:
    """Nested lists from :func:`_floats` as an array (None → NaN)."""
    return np.array(values if values is not None else [], dtype=float)


def _matrix(values: list) -> np.ndarray:
    """A (rows, columns) array from :func:`_floats` output, (0, 0) for no rows."""
    return _array(values).reshape(len(values), -1) if values else np.zeros((0, 0))


@dataclass
class Band:
    """A quantity over samples, point by point: its mean and the 10-90 % band (NaN where no sample has a value)."""

    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @classmethod
    def of(cls, rows: np.ndarray) -> Band:
        """mean_s x_s[j] and the BAND percentiles of x_s[j] over the samples s (rows), NaNs left out."""
        rows = np.asarray(rows, dtype=float)
        if rows.ndim != 2 or rows.shape[0] == 0:
            empty = np.zeros(rows.shape[-1] if rows.ndim == 2 else 0)
            return cls(empty, empty.copy(), empty.copy())
        with warnings.catch_warnings():  # a column without any value stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = np.nanpercentile(rows, BAND, axis=0)
            return cls(np.nanmean(rows, axis=0), low, high)

    def to_dict(self) -> dict[str, list]:
        return {"mean": _floats(self.mean), "low": _floats(self.low), "high": _floats(self.high)}

    @classmethod
    def from_dict(cls, data: dict) -> Band:
        return cls(_array(data["mean"]), _array(data["low"]), _array(data["high"]))


@dataclass
class SampleRow:
    """One sample's numbers for one model."""

    sample_id: str
    title: str
    label: int | None  # the true class, where the data set has one
    target: int  # the class explained (the model's prediction)
    players: list[int]  # the candidate indices explained (the model's n default players of this sample)
    n: int
    salient_ratio: float  # |Ω| / 2(2^n − 1) of the AND-OR result (Chen §2.1)
    salient_ratio_and: float  # |Ω_and| / (2^n − 1) of the AND-only (Harsanyi) result
    high_order_share: float  # Σ_{k > n/2} I^(k) / Σ_k I^(k), AND-OR
    high_orders_vanish: bool  # assumption 1: no valid interaction of order n
    monotone: bool  # assumption 2
    p: float | None  # assumption 3's fitted exponent (None when it cannot be fitted)

    @classmethod
    def from_dict(cls, data: dict) -> SampleRow:
        return cls(**data)


@dataclass
class ModelAggregate:
    """One model over the samples: per-sample rows and the curves and matrices the figures draw."""

    model_id: str
    title: str
    class_names: list[str]
    rows: list[SampleRow]
    curve_and_or: Band  # normalised sorted strengths |I| / max|I| by rank (Ren Fig. 3)
    curve_and: Band  # the same for the AND-only (Harsanyi) interactions, counted twice (I′ = I, Chen Appx H) so that
    # its 2(2^n − 1) ranks compare with AND-OR's, as the single-sample sparsity figure does
    order_share: np.ndarray  # (samples, n): I^(k) / Σ_k I^(k), AND-OR, per sample
    bound_real: np.ndarray  # (samples, n − 1): R^(k), the valid interactions of order k (NaN: no bound)
    bound: np.ndarray  # (samples, n − 1): Theorem 3's bound on R^(k) (NaN: none, or not monotone, or p ≤ 0)

    @property
    def salient_ratios(self) -> np.ndarray:
        """|Ω_s| / 2(2^n − 1) of the AND-OR result, per sample."""
        return np.array([r.salient_ratio for r in self.rows])

    def rates(self) -> dict[str, float]:
        """The assumption checks as rates over samples: how often assumption 1, 2 and 3 (p > 0) hold, and how
        often the real R^(k) stays under the bound at every order (among samples with a bound)."""
        if not self.rows:
            return {"high_orders_vanish": np.nan, "monotone": np.nan, "polynomial": np.nan, "bound_holds": np.nan}
        bounded = np.isfinite(self.bound).any(axis=1) if self.bound.size else np.zeros(len(self.rows), bool)
        holds = [bool(np.all(real[np.isfinite(b)] <= b[np.isfinite(b)] + 1e-9))
                 for real, b in zip(self.bound_real[bounded], self.bound[bounded])]
        return {"high_orders_vanish": float(np.mean([r.high_orders_vanish for r in self.rows])),
                "monotone": float(np.mean([r.monotone for r in self.rows])),
                "polynomial": float(np.mean([r.p is not None and r.p > 0 for r in self.rows])),
                "bound_holds": float(np.mean(holds)) if holds else np.nan}

    def p_summary(self) -> tuple[float, float, int]:
        """Mean and standard deviation of the fitted p over the monotone samples where it exists (Ren et al. Fig.
        5(b): p is fitted on monotone samples only), and their number."""
        ps = np.array([r.p for r in self.rows if r.p is not None and r.monotone])
        return (float(ps.mean()), float(ps.std()), int(ps.size)) if ps.size else (np.nan, np.nan, 0)

    def bound_means(self) -> tuple[np.ndarray, np.ndarray]:
        """R^(k) and its bound averaged over the samples that have a (finite) bound at order k."""
        finite = np.isfinite(self.bound)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            real = np.nanmean(np.where(finite, self.bound_real, np.nan), axis=0)
            return real, np.nanmean(np.where(finite, self.bound, np.nan), axis=0)

    def to_dict(self) -> dict[str, Any]:
        p_mean, p_std, p_count = self.p_summary()
        real, bound = self.bound_means()
        return {"model_id": self.model_id, "title": self.title, "class_names": self.class_names,
                "rows": [asdict(r) for r in self.rows], "curve_and_or": self.curve_and_or.to_dict(),
                "curve_and": self.curve_and.to_dict(), "order_share": _floats(self.order_share),
                "bound_real": _floats(self.bound_real), "bound": _floats(self.bound),
                "summary": {"mean_salient_ratio": _floats(np.mean(self.salient_ratios)) if self.rows else None,
                            "rates": {k: _floats(v) for k, v in self.rates().items()},
                            "p_mean": _floats(p_mean), "p_std": _floats(p_std), "p_samples": p_count,
                            "bound_real_mean": _floats(real), "bound_mean": _floats(bound)}}

    @classmethod
    def from_dict(cls, data: dict) -> ModelAggregate:
        return cls(data["model_id"], data["title"], data["class_names"],
                   [SampleRow.from_dict(r) for r in data["rows"]], Band.from_dict(data["curve_and_or"]),
                   Band.from_dict(data["curve_and"]), _matrix(data["order_share"]), _matrix(data["bound_real"]),
                   _matrix(data["bound"]))


@dataclass
class Transferability:
    """s_and and s_or against k per sample for the three extractions (Chen Fig. 3): {method: {"s_and": (samples,
    len(k)), "s_or": …}}."""

    k: np.ndarray
    per_sample: dict[str, dict[str, np.ndarray]]

    def band(self, method: str, kind: str) -> Band:
        """Mean and band over samples of s_kind(k) for one extraction (``method``)."""
        return Band.of(self.per_sample[method][kind])

    def at_ends(self, method: str, kind: str = "s_and") -> list[tuple[int, float]]:
        """(k, s̄(k)) at the smallest k ≥ 1 and at the largest k (at k = 0, for n ≤ 4, s is undefined)."""
        mean, first = self.band(method, kind).mean, int(np.argmax(self.k >= 1))
        return [(int(self.k[i]), float(mean[i])) for i in (first, len(self.k) - 1)]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"k": self.k.tolist()}
        for method, kinds in self.per_sample.items():
            out[method] = {}
            for kind, rows in kinds.items():
                band = Band.of(rows)
                out[method] |= {kind: _floats(band.mean), f"{kind}_low": _floats(band.low),
                                f"{kind}_high": _floats(band.high), f"{kind}_samples": _floats(rows)}
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Transferability:
        per_sample = {method: {kind: _array(data[method][f"{kind}_samples"]).reshape(
            len(data[method][f"{kind}_samples"]), len(data["k"])) for kind in ("s_and", "s_or")} for method in METHODS}
        return cls(np.array(data["k"], dtype=int), per_sample)


def _strength_dict(s: SharedStrength) -> dict[str, list]:
    return {k: _floats(getattr(s, k)) for k in ("orders", "all_positive", "all_negative", "shared_positive",
                                                  "shared_negative")}


@dataclass
class Aggregate:
    """One model or a pair over K samples: the models' aggregates, for a pair the transferability curves and the
    Shared/All strength per order summed over samples (one per model); ``partial`` when cancelled before the end.

    ``sample_ids`` are the samples done, in order; ``requested`` all that were asked for."""

    model_ids: list[str]
    sample_ids: list[str]
    requested: list[str]
    models: list[ModelAggregate]
    transferability: Transferability | None = None
    shared: list[SharedStrength] | None = None
    partial: bool = False
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def is_pair(self) -> bool:
        return len(self.model_ids) > 1

    def disagreeing(self) -> list[str]:
        """The samples on which the models of a pair explain different classes (each explains its own prediction,
        :func:`engine.explain.explain_shared`; Chen et al. explain the true label in both), [] for one model."""
        if not self.is_pair:
            return []
        return [a.sample_id for a, b in zip(self.models[0].rows, self.models[1].rows) if a.target != b.target]

    def to_json(self) -> str:
        """Strict JSON (NaN and ∞ written as null): provenance, ``salient_ratio`` {model: per sample}, the models'
        aggregates, and for a pair ``transferability`` ({k, joint, alone, and_only} with s_and / s_or means, bands
        and per-sample rows) and ``shared_by_order``."""
        data: dict[str, Any] = {
            "provenance": self.provenance, "partial": self.partial, "model_ids": self.model_ids,
            "sample_ids": self.sample_ids, "requested": self.requested,
            "salient_ratio": {m.model_id: m.salient_ratios.tolist() for m in self.models},
            "models": [m.to_dict() for m in self.models],
        }
        if self.transferability is not None:
            data["transferability"] = self.transferability.to_dict()
        if self.shared is not None:
            data["shared_by_order"] = [_strength_dict(s) for s in self.shared]
        return json.dumps(data, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> Aggregate:
        data = json.loads(text)
        transfer = data.get("transferability")
        shared = data.get("shared_by_order")
        return cls(data["model_ids"], data["sample_ids"], data["requested"],
                   [ModelAggregate.from_dict(m) for m in data["models"]],
                   Transferability.from_dict(transfer) if transfer is not None else None,
                   [SharedStrength(**{k: _array(v) for k, v in s.items()}) for s in shared]
                   if shared is not None else None,
                   data["partial"], data["provenance"])


@dataclass
class SampleResults:
    """Everything computed on one sample: per model its AND-only and AND-OR results, for a pair the joint one."""

    sample_id: str
    title: str
    label: int | None
    and_only: list[InteractionResult]
    and_or: list[InteractionResult]
    joint: list[InteractionResult] | None = None


def model_aggregate(model_id: str, title: str, class_names: list[str], samples: list[SampleResults], index: int,
                    tau_ratio: float = TAU_RATIO) -> ModelAggregate:
    """Model ``index`` of every sample: salient ratios, normalised curves, order shares, the assumption checks and
    the R^(k) bound (at M = n − 1, the reference script's choice, so that every sample has the same orders; on the
    monotone samples with p > 0 only, as the reference script skips the others)."""
    rows, shares, reals, bounds = [], [], [], []
    for s in samples:
        harsanyi, split = s.and_only[index], s.and_or[index]
        share = order_distribution(split, "sum")
        poly, monotone = polynomial_check(harsanyi), monotonicity_check(harsanyi).passed
        rows.append(SampleRow(
            s.sample_id, s.title, s.label, int(split.provenance.target or 0), list(split.provenance.player_ids),
            split.n,
            salient(split, tau_ratio).share, salient(harsanyi, tau_ratio).count / (harsanyi.v.size - 1),
            float(high_order_share(share, split.n)), high_order_check(harsanyi, tau_ratio).passed, monotone, poly.p))
        shares.append(share)
        if monotone and poly.passed:  # Ren et al. skip non-monotone samples (the bound's λ < 0 case needs ū ≥ 0)
            bound = valid_count_bound(harsanyi, poly.p, tau_ratio=tau_ratio)
            reals.append(bound.real.astype(float))
            bounds.append(bound.bound)
        else:
            reals.append(np.full(split.n - 1, np.nan))
            bounds.append(np.full(split.n - 1, np.nan))
    return ModelAggregate(
        model_id, title, class_names, rows,
        Band.of(normalised_curves([s.and_or[index] for s in samples])),
        Band.of(normalised_curves([s.and_only[index] for s in samples], duplicate_and_only=True)),
        padded(shares), padded(reals), padded(bounds))


def at_paper_ks(results: list[InteractionResult]) -> TransferCurve:
    """s_and(k), s_or(k) of one sample's results at the paper's k = ⌊f·2^n⌋ (f = 0.05, 0.10, …, 0.45) of its own
    n (:func:`engine.generalizable.paper_ks`); NaN where k < 1 (f·2^n < 1 for n ≤ 4: |∩ topk| / k is undefined)."""
    ks = paper_ks(results[0].n)
    curve = transfer_curve(results, np.maximum(ks, 1))
    return TransferCurve(ks, np.where(ks >= 1, curve.s_and, np.nan), np.where(ks >= 1, curve.s_or, np.nan))


def transferability(samples: list[SampleResults]) -> Transferability:
    """s_and(k), s_or(k) per sample for the joint extraction, each model alone (AND-OR) and AND-only, each sample at
    the paper's fractions f of its own 2^n (:func:`at_paper_ks`), so that samples with different n (short sentences)
    are compared at the same f; ``k`` is ⌊f·2^n⌋ of the largest n among them. The mean over samples is
    s̄(k) = (1/S) Σ_s |∩_i topk(I^(i)_s)| / k, the top-k sets being sets of S (signs are not compared, as in Chen et
    al.'s Definition 1 and code)."""
    ks = paper_ks(max(s.and_only[0].n for s in samples)) if samples else np.zeros(0, dtype=int)
    per_sample: dict[str, dict[str, np.ndarray]] = {}
    for method, pick in (("joint", lambda s: s.joint), ("alone", lambda s: s.and_or),
                         ("and_only", lambda s: s.and_only)):
        curves = [at_paper_ks(pick(s)) for s in samples]
        per_sample[method] = {"s_and": np.array([c.s_and for c in curves]).reshape(len(curves), len(ks)),
                              "s_or": np.array([c.s_or for c in curves]).reshape(len(curves), len(ks))}
    return Transferability(np.asarray(ks, dtype=int), per_sample)


def shared_over_samples(samples: list[SampleResults], model: int, tau_ratio: float = TAU_RATIO) -> SharedStrength:
    """Chen Fig. 4 over a data set: All± and Shared± per order of model ``model`` summed over the samples' joint
    results."""
    parts = [shared_strength_by_order(s.joint, model, tau_ratio) for s in samples]
    total = lambda name: padded([getattr(p, name) for p in parts], 0.0).sum(axis=0)  # noqa: E731
    orders = padded([p.orders for p in parts], 0.0).max(axis=0) if parts else np.zeros(0)
    return SharedStrength(orders, total("all_positive"), total("all_negative"), total("shared_positive"),
                          total("shared_negative"))


def describe_model(model_id: str) -> tuple[str, list[str]]:
    """A zoo model's title and class names."""
    model = get_model(model_id)
    return model.title, model.class_names


def aggregate(model_ids: list[str], samples: list[SampleResults], requested: list[str],
              settings: AcrossSettings = AcrossSettings(), partial: bool = False,
              provenance: dict[str, Any] | None = None,
              describe: Callable[[str], tuple[str, list[str]]] = describe_model) -> Aggregate:
    """The aggregate of per-sample results (pure: no model runs here; ``describe`` gives a model's title and
    class names)."""
    models = [model_aggregate(model_id, *describe(model_id), samples, index, settings.tau_ratio)
              for index, model_id in enumerate(model_ids)]
    pair = len(model_ids) > 1
    return Aggregate(
        list(model_ids), [s.sample_id for s in samples], list(requested), models,
        transferability(samples) if pair else None,
        [shared_over_samples(samples, i, settings.tau_ratio) for i in range(len(model_ids))] if pair else None,
        partial, provenance or {})


def sample_requests(model_id: str, sample_id: str, players: tuple[int, ...],
                    settings: AcrossSettings) -> tuple[Request, Request]:
    """The AND-only and the AND-OR request of one model on one sample, as :func:`sample_results` explains them."""
    return (Request(model_id, sample_id, players, settings.baseline, method="and"),
            Request(model_id, sample_id, players, settings.baseline, method="and-or", qthres=settings.qthres))


def sample_results(model_ids: list[str], sample_id: str, settings: AcrossSettings, cache: ResultCache,
                   progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> SampleResults:
    """Explain one sample (cached): AND-only and AND-OR per model on the first model's n default players, and the
    joint extraction for a pair."""
    first = get_model(model_ids[0])
    sample = resolve_sample(first, sample_id)
    players = tuple(first.default_player_ids(sample, with_defaults(model_ids, settings).players))
    and_only, and_or_ = [], []
    for model_id in model_ids:
        alone, split = sample_requests(model_id, sample_id, players, settings)
        and_only.append(explain(alone, cache, progress, cancel))
        and_or_.append(explain(split, cache, progress, cancel))
    joint = None
    if len(model_ids) > 1:
        joint = explain_shared(list(model_ids), sample_id, players, settings.baseline, alpha=settings.alpha,
                               pthres=settings.pthres, qthres=settings.qthres_shared, cache=cache, progress=progress,
                               cancel=cancel)
    return SampleResults(sample_id, sample.title, sample.label, and_only, and_or_, joint)


def aggregate_key(model_ids: list[str], sample_ids: list[str], settings: AcrossSettings) -> str:
    """The cache key of an aggregate: how it is aggregated (:data:`AGGREGATE_FORMAT`, so that an aggregate stored
    by older code is not read back), engine version, models with their weights, samples and settings (defaults
    filled in)."""
    weights = [get_model(m).weights_hash for m in model_ids]
    return cache_key({"what": "across", "format": AGGREGATE_FORMAT, "engine": ENGINE_VERSION,
                      "models": list(model_ids), "weights": weights, "samples": list(sample_ids),
                      "settings": asdict(with_defaults(model_ids, settings))})


def aggregate_path(cache: ResultCache, key: str) -> Path:
    """Where the aggregate under ``key`` is stored: ``across/<first two hex digits>/<key>.json`` in the cache."""
    return cache.folder / "across" / key[:2] / f"{key}.json"


def complete(found: Aggregate) -> bool:
    """Whether a stored aggregate is whole: not partial, one model aggregate per model with one row per sample, and
    for a pair its transferability (one row per sample) and Shared/All per model."""
    samples = len(found.sample_ids)
    return (not found.partial and samples > 0 and found.sample_ids == found.requested
            and len(found.models) == len(found.model_ids) and all(len(m.rows) == samples for m in found.models)
            and (not found.is_pair or (found.transferability is not None and found.shared is not None
                                       and len(found.shared) == len(found.model_ids)
                                       and all(rows.shape[0] == samples for kinds in found.transferability.per_sample
                                               .values() for rows in kinds.values()))))


def cached_aggregate(cache: ResultCache, key: str) -> Aggregate | None:
    """The stored aggregate under ``key`` (None when absent, unreadable or not whole (:func:`complete`): it is then
    recomputed from the cached per-sample results)."""
    path = aggregate_path(cache, key)
    try:
        found = Aggregate.from_json(path.read_text())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return found if complete(found) else None


def store_aggregate(cache: ResultCache, key: str, found: Aggregate) -> None:
    """Write atomically (temporary file + rename), so a reader sees the whole aggregate or none."""
    path = aggregate_path(cache, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        out.write(found.to_json())
    os.replace(temporary, path)


def split_sample_ids(model_id: str, count: int, start: int = 0) -> list[str]:
    """Ids of ``count`` samples of the model's test split from index ``start`` (fewer where the split ends)."""
    model = get_model(model_id)
    if count < 1:
        raise EngineError(f"choose at least one sample, not {count}")
    what = "test samples" if model.test_split is not None else "samples (no test split: its showcase stands in)"
    if not 0 <= start < model.test_size:
        raise EngineError(f"{model.title} has {model.test_size} {what}, 0 to {model.test_size - 1}; "
                          f"cannot start at {start}")
    return model.test_sample_ids(count, start)


def with_defaults(model_ids: list[str], settings: AcrossSettings) -> AcrossSettings:
    """``settings`` with n and the baseline filled in (the first model's default n, :data:`PAIR_PLAYERS` for a
    pair; its first baseline), so that the same aggregate has one cache key however it was asked for."""
    first = get_model(model_ids[0])
    n = settings.players or (PAIR_PLAYERS if len(model_ids) > 1 else first.default_players)
    return replace(settings, players=n, baseline=settings.baseline or first.baselines[0])


def validate(model_ids: list[str], sample_ids: list[str], settings: AcrossSettings = AcrossSettings()) -> None:
    """Clear messages for what cannot be aggregated: no sample, more than two models, the same model twice, fewer
    than two players (n = 0 is not "the default", n = 1 has no interaction to share); a pair that does not share its
    input variables is left to :func:`engine.explain.explain_shared`."""
    if settings.players is not None and settings.players < 2:
        raise EngineError(f"explain at least 2 players per sample, not {settings.players}")
    if not sample_ids:
        raise EngineError("choose at least one sample")
    if not 1 <= len(model_ids) <= 2:
        raise EngineError("aggregate one model or a pair of models")
    if len(set(model_ids)) != len(model_ids):
        raise EngineError("a pair needs two different models")


def across(model_ids: list[str], sample_ids: list[str], settings: AcrossSettings = AcrossSettings(),
           cache: ResultCache | None = None, progress: ProgressFn | None = None,
           cancel: CancelFn | None = None) -> Aggregate:
    """The aggregate of ``model_ids`` (one model or a pair) over ``sample_ids``: read from the cache when it was
    computed before, else computed sample by sample (each sample's results cached) and stored.

    ``progress(fraction, text)`` is told before each sample; when ``cancel()`` turns true (checked between samples
    and inside each computation) the samples done so far are returned as a ``partial`` aggregate, not stored.
    """
    validate(model_ids, sample_ids, settings)
    settings = with_defaults(model_ids, settings)
    cache = cache or ResultCache()
    key = aggregate_key(model_ids, sample_ids, settings)
    found = cached_aggregate(cache, key)
    if found is not None:
        return found
    start = time.perf_counter()
    done: list[SampleResults] = []
    partial = False
    for number, sample_id in enumerate(sample_ids):
        if cancel is not None and cancel():
            partial = True
            break

        def step(fraction: float, text: str, number=number, sample_id=sample_id) -> None:
            if progress is not None:
                progress((number + min(max(fraction, 0.0), 1.0)) / len(sample_ids),
                         f"sample {number + 1} of {len(sample_ids)} ({sample_id[:24]}): {text}")

        step(0.0, "starting")
        try:
            done.append(sample_results(model_ids, sample_id, settings, cache, step, cancel))
        except Cancelled:
            partial = True
            break
    # Samples whose exact LP did not fit (time limit, load, memory), so that "auto" split them by PDHG: named, and the
    # aggregate is not stored (those samples are solved again once the LP fits: engine.explain.exact_now_fits).
    first_order = [s.sample_id for s in done
                   if any(r.report is not None and r.report.exact_skipped for r in s.and_or + (s.joint or []))]
    provenance = {
        "engine_version": ENGINE_VERSION, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "first_order_samples": first_order,
        "models": [{"model_id": m, "title": get_model(m).title, "weights_sha256": get_model(m).weights_hash}
                   for m in model_ids],
        "sample_ids": [s.sample_id for s in done], "settings": asdict(settings),
        "players": sorted({r.n for s in done for r in s.and_only}),
        "baseline": done[0].and_only[0].provenance.baseline if done else settings.baseline,
        "band": f"{BAND[0]}th to {BAND[1]}th percentile over samples", "seconds": time.perf_counter() - start,
    }
    result = aggregate(model_ids, done, sample_ids, settings, partial, provenance)
    if not partial and not first_order:
        store_aggregate(cache, key, result)
    return result
