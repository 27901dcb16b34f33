"""A content-addressed cache of results on disk, safe for several threads and processes.

The key of a result is the SHA-256 of the canonical JSON of everything that determines it (model and weights hash,
sample, players, baseline, output, method and settings, engine version). Entries are single ``.npz`` files written
atomically (temporary file + rename), so a reader sees a whole entry or none; an entry that cannot be read is
treated as missing and recomputed. A per-key lock makes concurrent requests for the same key compute it once.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .result import InteractionResult


def default_cache_dir() -> Path:
    """``$INTERACTION_EXPLORER_CACHE`` or ``~/.cache/interaction-explorer``."""
    env = os.environ.get("INTERACTION_EXPLORER_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "interaction-explorer"


def cache_key(request: dict[str, Any]) -> str:
    """SHA-256 of the request's canonical JSON (sorted keys, no whitespace)."""
    return hashlib.sha256(json.dumps(request, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class ResultCache:
    """Results by key: a small in-memory LRU in front of the folder of ``.npz`` entries."""

    def __init__(self, folder: Path | None = None, memory_entries: int = 256) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()
        self.memory: OrderedDict[str, InteractionResult] = OrderedDict()
        self.memory_entries = memory_entries
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.npz"

    def get(self, key: str) -> InteractionResult | None:
        with self._guard:
            if key in self.memory:
                self.memory.move_to_end(key)
                return self.memory[key]
        path = self.path(key)
        if not path.exists():
            return None
        try:
            result = InteractionResult.load(path)
        except Exception:  # a damaged or foreign file: recompute and overwrite
            return None
        self._remember(key, result)
        return result

    def put(self, key: str, result: InteractionResult) -> None:
        result.save(self.path(key))
        self._remember(key, result)

    def _remember(self, key: str, result: InteractionResult) -> None:
        with self._guard:
            self.memory[key] = result
            self.memory.move_to_end(key)
            while len(self.memory) > self.memory_entries:
                self.memory.popitem(last=False)

    def get_or_compute(self, request: dict[str, Any], compute: Callable[[], InteractionResult]) -> InteractionResult:
        """The cached result for ``request``, computing and storing it once if absent."""
        key = cache_key(request)
        found = self.get(key)
        if found is not None:
            return found
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            found = self.get(key)
            if found is None:
                found = compute()
                self.put(key, found)
            return found
