"""One interaction, named one way everywhere: its kind (AND or OR) and its subset S as a bitmask index.

Bit i of the index is set exactly when player i belongs to S (the bitmask order of :mod:`engine.masks`). The one
string form, ``"AND:17"``, is what links, tables, chart selections and exports carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["AND", "OR"]
KINDS: tuple[Kind, Kind] = ("AND", "OR")
SEPARATOR = ":"


@dataclass(frozen=True, order=True)
class Interaction:
    """I_kind(S) for the subset S = {i : bit i of ``index`` set}; written ``f"{kind}:{index}"``."""

    kind: Kind
    index: int

    def __post_init__(self) -> None:
        if self.kind not in KINDS or self.index < 0:
            raise ValueError(f"not an interaction: kind {self.kind!r}, subset index {self.index}")

    def __str__(self) -> str:
        return f"{self.kind}{SEPARATOR}{self.index}"

    @classmethod
    def parse(cls, text: str) -> Interaction:
        """``"AND:17"`` → Interaction("AND", 17); ValueError for anything else."""
        kind, separator, index = str(text).partition(SEPARATOR)
        if not separator or not (index.isascii() and index.isdigit()) or len(index) > 30 or kind not in KINDS:
            raise ValueError(f"not an interaction: {text!r} (expected AND:<index> or OR:<index>)")
        return cls(kind, int(index))  # type: ignore[arg-type]

    @classmethod
    def find(cls, text: str | None, n: int) -> Interaction | None:
        """The interaction ``text`` names if it is a non-empty subset of n players, else None (a link may name one
        that does not exist here)."""
        try:
            found = cls.parse(text) if text else None
        except ValueError:
            return None
        return found if found is not None and found.fits(n) else None

    def fits(self, n: int) -> bool:
        """∅ ≠ S ⊆ {0, …, n − 1}: 0 < index < 2^n."""
        return 0 < self.index < 1 << n

    @property
    def order(self) -> int:
        """|S|, the number of set bits."""
        return self.index.bit_count()

    def members(self) -> list[int]:
        """The players of S (positions among the chosen players), ascending."""
        return [i for i in range(self.index.bit_length()) if self.index >> i & 1]
