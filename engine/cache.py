"""A content-addressed cache of results on disk, safe for several threads and processes, bounded in memory and disk.

The key of a result is the SHA-256 of the canonical JSON of everything that determines it (model and weights hash,
the code of a ``py:`` model, the sample's data, players, baseline, output, method and settings, engine version).
Entries are single ``.npz`` files written atomically (temporary file + rename), so a reader sees a whole entry or
none; an entry that cannot be read, or that was stored under another key, is treated as missing and recomputed. A
per-key lock makes concurrent requests for the same key compute it once, and an optional :class:`~engine.gate.Gate`
bounds how many computations run at once.

Bounds: the in-memory front holds at most ``memory_bytes`` of arrays; the folder at most ``disk_bytes`` of entries,
the least recently used (by modification time, refreshed on every read) deleted first. A folder that cannot be
written (read-only, disk full, no home folder) never loses a result: it is returned and :attr:`ResultCache.warning`
says why it was not kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from .game import ProgressFn
from .gate import Gate
from .result import InteractionResult

CACHE_VARIABLE = "INTERACTION_EXPLORER_CACHE"
DISK_VARIABLE = "INTERACTION_EXPLORER_CACHE_MB"
MEMORY_VARIABLE = "INTERACTION_EXPLORER_MEMORY_CACHE_MB"
DEFAULT_DISK_MB = 4096
DEFAULT_MEMORY_MB = 512


def default_cache_dir() -> Path | None:
    """``$INTERACTION_EXPLORER_CACHE`` or ``~/.cache/interaction-explorer``; None when there is no home folder."""
    env = os.environ.get(CACHE_VARIABLE)
    if env:
        return Path(env)
    try:
        return Path.home() / ".cache" / "interaction-explorer"
    except RuntimeError:  # HOME unset and no password entry for this user
        return None


def _megabytes(variable: str, default: int) -> int:
    """``$variable`` in megabytes (default ``default``), as bytes."""
    try:
        return int(float(os.environ.get(variable) or default) * 2**20)
    except ValueError:
        return default * 2**20


def cache_key(request: dict[str, Any]) -> str:
    """SHA-256 of the request's canonical JSON (sorted keys, no whitespace)."""
    return hashlib.sha256(json.dumps(request, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def result_bytes(result: InteractionResult) -> int:
    """Memory held by a result's arrays (v, I_and, I_or, p, q) plus a little for its metadata."""
    arrays = [result.v, result.i_and, result.i_or, result.p, result.q]
    return sum(getattr(a, "nbytes", 0) for a in arrays if a is not None) + 4096


class ResultCache:
    """Results by key: an in-memory LRU bounded by bytes in front of a folder of ``.npz`` entries bounded by size."""

    def __init__(self, folder: Path | None = None, memory_bytes: int | None = None, disk_bytes: int | None = None,
                 gate: Gate | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()
        self.memory: OrderedDict[str, tuple[InteractionResult, int]] = OrderedDict()
        self.memory_bytes = _megabytes(MEMORY_VARIABLE, DEFAULT_MEMORY_MB) if memory_bytes is None else memory_bytes
        self.disk_bytes = _megabytes(DISK_VARIABLE, DEFAULT_DISK_MB) if disk_bytes is None else disk_bytes
        self.gate = gate
        self.warning: str | None = None if self.folder else "no cache folder (HOME is not set): results are kept " \
                                                             "in memory only"
        self._held = 0
        self._on_disk: int | None = None  # bytes in the folder, counted at the first write and kept up to date
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def path(self, key: str) -> Path | None:
        return self.folder / key[:2] / f"{key}.npz" if self.folder else None

    def get(self, key: str) -> InteractionResult | None:
        with self._guard:
            if key in self.memory:
                self.memory.move_to_end(key)
                return self.memory[key][0]
        path = self.path(key)
        if path is None or not path.exists():
            return None
        try:
            result = InteractionResult.load(path, key)
        except Exception:  # a damaged or foreign file, or one evicted meanwhile: recompute and overwrite
            return None
        try:
            os.utime(path)  # recently used: evicted last
        except OSError:  # a read-only cache still serves its entries
            pass
        self._remember(key, result)
        return result

    def put(self, key: str, result: InteractionResult) -> None:
        """Keep ``result`` in memory and on disk; a folder that cannot be written sets :attr:`warning` instead."""
        self._remember(key, result)
        path = self.path(key)
        if path is None:
            return
        try:
            result.save(path, key)
            written = path.stat().st_size
            self.warning = None
        except OSError as exc:
            self.warning = f"results cannot be kept in the cache folder {self.folder} ({exc.strerror or exc}); " \
                           "they are kept in memory only"
            return
        with self._guard:
            self._on_disk = None if self._on_disk is None else self._on_disk + written
            full = self._on_disk is None or self._on_disk > self.disk_bytes
        if full:
            self.evict()

    def _remember(self, key: str, result: InteractionResult) -> None:
        size = result_bytes(result)
        with self._guard:
            if key in self.memory:
                self._held -= self.memory.pop(key)[1]
            self.memory[key] = (result, size)
            self._held += size
            while self._held > self.memory_bytes and len(self.memory) > 1:
                self._held -= self.memory.popitem(last=False)[1][1]

    def entries(self) -> list[os.DirEntry]:
        """The folder's entries (``*.npz`` files one level down)."""
        found = []
        try:
            with os.scandir(self.folder) as shards:
                for shard in shards:
                    if shard.is_dir():
                        with os.scandir(shard.path) as files:
                            found += [f for f in files if f.name.endswith(".npz")]
        except OSError:
            return []
        return found

    def evict(self) -> None:
        """Delete the least recently used entries until the folder holds at most ``disk_bytes`` (the folder is
        counted at the first write and whenever the running count passes the limit)."""
        sized = []
        for entry in self.entries():
            try:
                stat = entry.stat()
            except OSError:  # deleted meanwhile by another process
                continue
            sized.append((stat.st_mtime, stat.st_size, entry.path))
        total = sum(size for _, size, _ in sized)
        for _, size, path in sorted(sized):
            if total <= self.disk_bytes:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
        with self._guard:
            self._on_disk = total

    def slot(self, progress: ProgressFn | None = None):
        """A slot of the gate for one heavy computation (no limit without a gate)."""
        return self.gate.slot(progress) if self.gate is not None else nullcontext()

    def get_or_compute(self, request: dict[str, Any], compute: Callable[[], InteractionResult],
                       progress: ProgressFn | None = None,
                       stale: Callable[[InteractionResult], bool] | None = None) -> InteractionResult:
        """The cached result for ``request``, computing and storing it once if absent (in a slot of the gate), or
        again, overwriting it, when ``stale(found)`` says it should be."""
        key = cache_key(request)
        usable = (lambda r: r is not None) if stale is None else (lambda r: r is not None and not stale(r))
        found = self.get(key)
        if usable(found):
            return found
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            found = self.get(key)
            if not usable(found):
                with self.slot(progress):
                    found = compute()
                self.put(key, found)
        with self._guard:
            self._locks.pop(key, None)
        return found
