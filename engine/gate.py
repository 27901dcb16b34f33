"""A server-wide limit on concurrent heavy computations: at most ``slots`` run at once, the others wait in line.

Waiting is first come, first served; while it waits, a caller hears its place in line through its progress callback
(which may raise to give up waiting: a Streamlit rerun or a cancel), so a crowd never runs more model evaluations
and solves at once than the machine has cores for.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .game import ProgressFn

SLOTS_VARIABLE = "INTERACTION_EXPLORER_CONCURRENT"
POLL_SECONDS = 0.5  # how often a waiting caller hears its place in line


def default_slots() -> int:
    """``$INTERACTION_EXPLORER_CONCURRENT``, else half the CPU cores, at least 2 (a solve and a model run share the
    cores well; the transforms and models use every core themselves)."""
    return max(1, int(os.environ.get(SLOTS_VARIABLE) or max(2, (os.cpu_count() or 2) // 2)))


class Gate:
    """At most ``slots`` holders at once; waiting callers are served in the order they came (thread-safe)."""

    def __init__(self, slots: int | None = None) -> None:
        self.slots = default_slots() if slots is None else max(1, slots)
        self._changed = threading.Condition()
        self._running = 0
        self._line: list[object] = []

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._line)

    @contextmanager
    def slot(self, progress: ProgressFn | None = None) -> Iterator[None]:
        """Hold one slot for the ``with`` block; while the slots are taken, report ``progress(0, "waiting: k
        computations ahead of yours")`` every POLL_SECONDS. An exception raised by ``progress`` leaves the line."""
        ticket = object()
        with self._changed:
            self._line.append(ticket)
        try:
            while True:
                with self._changed:
                    ahead = self._line.index(ticket)
                    if ahead == 0 and self._running < self.slots:
                        self._line.pop(0)
                        self._running += 1
                        self._changed.notify_all()
                        break
                    self._changed.wait(POLL_SECONDS)
                    ahead = self._line.index(ticket)
                    running = self._running
                if progress is not None and (ahead > 0 or running >= self.slots):
                    before = ahead + running
                    progress(0.0, f"waiting in line: {before} computation{'s' if before != 1 else ''} ahead of yours "
                                  f"(at most {self.slots} at once)")
        except BaseException:
            with self._changed:
                if ticket in self._line:
                    self._line.remove(ticket)
                self._changed.notify_all()
            raise
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()
