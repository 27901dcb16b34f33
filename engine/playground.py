"""The playground: toy games written by hand, their AND and OR interactions, and exercises with known answers.

A toy game gives v(S) for every subset S of up to eight named players, from a formula (:mod:`engine.formula`) or a
truth table. Three readings of the same v are offered (spec §3):

- AND only (Harsanyi dividends):  I_and(S) = Σ_{T⊆S} (−1)^{|S|−|T|} v(T),        v(S) = Σ_{T⊆S} I_and(T)
- OR only:                        I_or(S)  = −Σ_{T⊆S} (−1)^{|S|−|T|} v(N∖T),     v(S) = v(∅) + Σ_{T∩S≠∅} I_or(T)
- AND-OR split (Chen et al. eq. 4): the sparsest I_and + I_or with v + q = Σ_{T⊆S} I_and(T) + Σ_{T∩S≠∅} I_or(T),
  |q| ≤ qthres·|v(N) − v(∅)| (qthres = 0: no noise term, the split reproduces v exactly).

The exercises are the toy games of spec §10 with their published answers; :func:`check_prediction` compares a
learner's guess with the computed interactions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .and_or import decompose
from .formula import MAX_LENGTH, MAX_PLAYERS, parse
from .harsanyi import and_interactions, or_interactions, values_from_and_or
from .masks import subset_members
from .result import is_nonzero

SPLITS = {"and": "AND only (Harsanyi)", "or": "OR only", "and-or": "AND-OR split"}

Term = tuple[str, frozenset[str]]  # ("AND" | "OR", the players of S)


@dataclass(frozen=True)
class ToyGame:
    """v over all 2^n subsets of named players (bitmask order: bit i of m set <=> players[i] in S)."""

    players: tuple[str, ...]
    v: np.ndarray
    reading: str = ""  # the formula, fully parenthesised, when the game came from one


def game_from_formula(source: str, players: tuple[str, ...] | None = None) -> ToyGame:
    """v(S) = the formula with the players in S set to 1 and the others to 0 (:func:`engine.formula.parse`)."""
    formula = parse(source, players)
    return ToyGame(formula.players, formula.v, formula.text)


def game_from_table(players: list[str] | tuple[str, ...], values) -> ToyGame:
    """A truth table: ``values[m]`` is v of the subset with bitmask m; every value must be a finite number."""
    players = tuple(players)
    if not players or len(players) > MAX_PLAYERS:
        raise ValueError(f"a truth table needs 1 to {MAX_PLAYERS} players, got {len(players)}")
    if len(set(players)) != len(players):
        raise ValueError("two players have the same name")
    v = np.asarray(values, dtype=float)
    if v.shape != (1 << len(players),):
        raise ValueError(f"{len(players)} players need 2^{len(players)} = {1 << len(players)} values, got {v.size}")
    if not np.isfinite(v).all():
        raise ValueError("every value of the truth table must be a finite number")
    return ToyGame(players, v)


@dataclass
class Split:
    """One reading of a toy game: AND and OR interactions (∅ holds v(∅) in I_and) and what they reconstruct."""

    kind: str  # a key of SPLITS
    players: tuple[str, ...]
    v: np.ndarray
    i_and: np.ndarray
    i_or: np.ndarray
    qthres: float = 0.0

    @property
    def reconstruction(self) -> np.ndarray:
        """Σ_{T⊆S} I_and(T) + Σ_{T∩S≠∅} I_or(T) on every S: v itself, or v + q for the split with noise."""
        return values_from_and_or(self.i_and, self.i_or).numpy()

    @property
    def max_error(self) -> float:
        """max_S |v(S) − reconstruction(S)|: 0 up to rounding, or at most qthres·|v(N) − v(∅)| with q."""
        return float(np.abs(self.v - self.reconstruction).max())

    @property
    def l1(self) -> float:
        """Σ_{S≠∅} |I_and(S)| + |I_or(S)|, the sparsity the split minimises."""
        return float(np.abs(self.i_and[1:]).sum() + np.abs(self.i_or[1:]).sum())

    def terms(self) -> dict[Term, float]:
        """The non-zero interactions of non-empty subsets, strongest first: |I| above ZERO_RATIO·max|I|
        (:func:`engine.result.is_nonzero`; the exact interior-point LP leaves its optimum's zeros below 1e-6 of the
        largest interaction and its values within that of the optimum's)."""
        strongest = float(max(np.abs(self.i_and[1:]).max(initial=0.0), np.abs(self.i_or[1:]).max(initial=0.0)))
        found = {}
        for kind, vec in (("AND", self.i_and), ("OR", self.i_or)):
            for index in np.flatnonzero(is_nonzero(vec, strongest)):
                if index:
                    found[(kind, frozenset(self.players[i] for i in subset_members(int(index), len(self.players))))] \
                        = float(vec[index])
        return dict(sorted(found.items(), key=lambda item: -abs(item[1])))


def split(game: ToyGame, kind: str, qthres: float = 0.0) -> Split:
    """The AND-only, OR-only or AND-OR (exact LP, noise bound qthres·|v(N) − v(∅)|) reading of ``game``."""
    v = game.v
    if kind == "and":
        i_and, i_or = and_interactions(v).numpy(), np.zeros_like(v)
    elif kind == "or":
        i_or = or_interactions(v).numpy()
        i_and = np.zeros_like(v)
        i_and[0], i_or[0] = i_or[0], 0.0
    elif kind == "and-or":
        found = decompose(v - v[0], qthres=qthres, solver="auto")
        i_and, i_or = np.asarray(found.i_and).reshape(-1).copy(), np.asarray(found.i_or).reshape(-1)
        i_and[0] += v[0]
    else:
        raise ValueError(f"unknown split {kind!r}; choose one of {', '.join(SPLITS)}")
    return Split(kind, game.players, v, i_and, i_or, qthres if kind == "and-or" else 0.0)


def term_label(term: Term, players: tuple[str, ...]) -> str:
    """``AND {x1, x2}``, the players in the game's order."""
    kind, members = term
    return f"{kind} {{{', '.join(p for p in players if p in members)}}}"


_ENTRY = re.compile(r"^(?:(AND|OR)\b)?\s*\{?\s*([A-Za-z0-9 ,]*?)\s*\}?\s*=\s*([+\-−]?\s*(?:[0-9]+\.?[0-9]*|\.[0-9]+))$",
                    re.IGNORECASE)


def parse_prediction(text: str, players: tuple[str, ...]) -> dict[Term, float]:
    """Read a guess like ``AND {x1, x2} = 1; OR {x3, x4} = 1``: entries separated by ';' or new lines, the kind
    AND when left out, the players separated by commas or spaces, braces optional."""
    if len(text) > MAX_LENGTH:
        raise ValueError(f"the prediction is longer than {MAX_LENGTH} characters")
    guess: dict[Term, float] = {}
    for number, entry in enumerate(re.split(r"[;\n]", text), start=1):
        entry = entry.strip()
        if not entry:
            continue
        match = _ENTRY.match(entry)
        if match is None:
            raise ValueError(f"entry {number} ({entry!r}) is not of the form AND {{a, b}} = 1")
        names = [p for p in re.split(r"[ ,]+", match.group(2)) if p]
        unknown = [p for p in names if p not in players]
        if not names or unknown:
            raise ValueError(f"entry {number} ({entry!r}) must name players of this game ({', '.join(players)})")
        kind = (match.group(1) or "AND").upper()
        guess[(kind, frozenset(names))] = float(match.group(3).replace("−", "-").replace(" ", ""))
    return guess


@dataclass
class Check:
    """A guess against the computed interactions: what matched, what has another value, what is missing or extra."""

    matched: list[Term] = field(default_factory=list)
    wrong_value: list[tuple[Term, float, float]] = field(default_factory=list)  # (term, guessed, actual)
    missing: list[tuple[Term, float]] = field(default_factory=list)  # (term, actual)
    extra: list[tuple[Term, float]] = field(default_factory=list)  # (term, guessed)

    @property
    def correct(self) -> bool:
        return not (self.wrong_value or self.missing or self.extra)


def check_prediction(guess: dict[Term, float], actual: dict[Term, float], tol: float = 1e-6) -> Check:
    """Compare term by term: a guessed term matches when |guessed − actual| ≤ tol·(1 + |actual|)."""
    check = Check()
    for term, value in actual.items():
        if term not in guess:
            check.missing.append((term, value))
        elif abs(guess[term] - value) <= tol * (1.0 + abs(value)):
            check.matched.append(term)
        else:
            check.wrong_value.append((term, guess[term], value))
    check.extra = [(term, value) for term, value in guess.items() if term not in actual and value != 0.0]
    return check


@dataclass(frozen=True)
class Exercise:
    """A toy game of spec §10 with a question about one of its readings and the published answer."""

    key: str
    title: str
    formula: str
    kind: str  # the split asked about
    question: str
    answer: dict[Term, float]
    explanation: str
    qthres: float = 0.0


def _terms(kind: str, **named: float) -> dict[Term, float]:
    """``_terms("AND", x1_x2=1)`` → {("AND", {x1, x2}): 1}."""
    return {(kind, frozenset(name.split("_"))): value for name, value in named.items()}


EXERCISES = (
    Exercise("t1", "T1 · a pair plus a single player", "x1*x2 + x3", "and",
             "Which AND interactions (Harsanyi dividends) does v have?",
             _terms("AND", x1_x2=1, x3=1),
             "A product of players is one AND interaction of exactly those players; a single player is a term of "
             "order 1. Nothing else: the empty set is 0 because v(∅) = 0."),
    Exercise("t2-and", "T2 · an OR read as ANDs", "x1 or x2", "and",
             "Written with AND interactions only, what does x1 ∨ x2 become?",
             _terms("AND", x1=1, x2=1, x1_x2=-1),
             "Inclusion-exclusion: x1 ∨ x2 = x1 + x2 − x1·x2. One OR costs three AND terms."),
    Exercise("t2-or", "T2 · the same game with OR interactions", "x1 or x2", "or",
             "And with OR interactions only?",
             _terms("OR", x1_x2=1),
             "An OR interaction fires when any of its players is present: one term is enough."),
    Exercise("and-or", "AND plus OR, no noise term", "(x1 and x2) + (x3 or x4)", "and-or",
             "Split v into its sparsest AND and OR parts (q off). Which interactions remain?",
             {**_terms("AND", x1_x2=1), **_terms("OR", x3_x4=1)},
             "The sparsest split keeps each part in its own language: one AND and one OR, L1 = 2. Read with ANDs "
             "only it would need four terms (L1 = 4)."),
    Exercise("t3", "T3 · Chen et al.'s Boolean function", "x1*x2*x3 + x2*x3 + x3*x4 + (x4 or x5)", "and-or",
             "The AND-only reading has six terms (L1 = 6). What does the sparsest AND-OR split find (q off)?",
             {**_terms("AND", x1_x2_x3=1, x2_x3=1, x3_x4=1), **_terms("OR", x4_x5=1)},
             "The exact optimum recovers how the function was written: three ANDs and one OR, L1 = 4 (spec §10, T3)."),
    Exercise("t4", "T4 · a square", "(1.5*x1 - 2*x2) * (1.5*x1 - 2*x2)", "and",
             "f = (x1 + x2)² at x = (1.5, −2), masked to 0: which AND interactions?",
             _terms("AND", x1=2.25, x2=4, x1_x2=-6),
             "Alone, each player gives its own square (2.25 and 4); together they add the cross term 2·x1·x2 = −6."),
    Exercise("t5", "T5 · one product of three", "x1*x2*x3", "and",
             "Which AND interactions does the product of three players have?",
             _terms("AND", x1_x2_x3=1),
             "Only the full set: every lower order is 0, because v is 0 unless all three are present."),
    Exercise("t6", "T6 · an additive game", "2*x1 + 3*x2 - x3", "and",
             "An additive game: which AND interactions?",
             _terms("AND", x1=2, x2=3, x3=-1),
             "An additive function has singleton dividends only: each player's own effect, no interaction."),
    Exercise("t7", "T7 · parity (not sparse)",
             "2*(x1 + x2 + x3 - 2*(x1*x2 + x1*x3 + x2*x3) + 4*x1*x2*x3) - (x1 or x2 or x3)", "and",
             "v(S) = +1 when |S| is odd, −1 when it is even (and v(∅) = 0). Which AND interactions?",
             _terms("AND", x1=1, x2=1, x3=1, x1_x2=-3, x1_x3=-3, x2_x3=-3, x1_x2_x3=7),
             "I(S) = (−1)^{|S|+1}(2^{|S|} − 1): 1, −3, 7, … Every subset interacts and the strength grows with the "
             "order: parity is the textbook game that is not sparse (Ren et al. 2024, Scenario 2)."),
)


def exercise(key: str) -> Exercise:
    """The exercise with this key (ValueError for an unknown one)."""
    for item in EXERCISES:
        if item.key == key:
            return item
    raise ValueError(f"no exercise {key!r}")

