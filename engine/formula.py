"""A small, safe formula language for toy games: v(S) written as ``2*(a and b) + (c or d) - a*b*c``.

A formula is read by a tokenizer and a recursive-descent parser written here; nothing is handed to Python's
``eval``, ``exec`` or ``compile``, and the only names it knows are the players. v(S) is the formula evaluated with
the players in S set to 1 (present, true) and the others to 0 (absent, false), on all 2^n subsets at once.

Grammar, loosest binding first (as in C: ``not`` binds tightest, ``and``/``or`` loosest)::

    formula  := or_expr
    or_expr  := and_expr  ( ("or" | "∨" | "|") and_expr )*
    and_expr := sum       ( ("and" | "∧" | "&") sum )*
    sum      := product   ( ("+" | "-" | "−") product )*
    product  := unary     ( ("*" | "×" | "·") unary )*
    unary    := ("not" | "¬" | "~" | "-" | "−" | "+") unary  |  atom
    atom     := number | player | "(" or_expr ")"

So ``not a * b`` is ``(not a) * b``, ``a + b and c`` is ``(a + b) and c``, and ``a or b and c`` is
``a or (b and c)``; :attr:`Formula.text` shows every formula fully parenthesised, as it was read. The logical
operators treat a value as true when it is non-zero and give 1 or 0: ``x and y`` = 1[x≠0 ∧ y≠0],
``x or y`` = 1[x≠0 ∨ y≠0], ``not x`` = 1[x=0]. Players are named by a letter followed by letters or digits
(``a``, ``x1``, ``eye``), at most MAX_PLAYERS of them, ordered naturally (``x2`` before ``x10``).

Limits: MAX_LENGTH characters, MAX_DEPTH nested parentheses or prefix operators, numbers of at most 12
characters. Errors are :class:`FormulaError` with the 0-based position of the offending character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .masks import all_masks

MAX_LENGTH = 400
MAX_DEPTH = 24
MAX_PLAYERS = 8
MAX_NUMBER_CHARS = 12

KEYWORDS = {"and": "and", "or": "or", "not": "not"}
SYMBOLS = {"∧": "and", "&": "and", "∨": "or", "|": "or", "¬": "not", "~": "not", "+": "+", "-": "-", "−": "-",
           "*": "*", "×": "*", "·": "*", "(": "(", ")": ")"}
_TOKEN = re.compile(r"\s*(?:(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)|(?P<name>[A-Za-z][A-Za-z0-9]*)|(?P<symbol>\S))")


class FormulaError(ValueError):
    """A formula that cannot be read, with the 0-based position of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at position {position + 1})")
        self.position = position


@dataclass(frozen=True)
class Token:
    """One word of a formula and where it starts (0-based)."""

    kind: str  # "number", "name", an operator ("and", "or", "not", "+", "-", "*"), "(", ")" or "end"
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; refuse over-long input and any character outside the language."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # only trailing whitespace is left
            break
        start = match.start(match.lastgroup)
        word = match.group(match.lastgroup)
        if match.lastgroup == "number":
            if len(word) > MAX_NUMBER_CHARS:
                raise FormulaError(f"the number {word[:8]}… is longer than {MAX_NUMBER_CHARS} characters", start)
            tokens.append(Token("number", word, start))
        elif match.lastgroup == "name":
            tokens.append(Token(KEYWORDS.get(word.lower(), "name"), word, start))
        elif word in SYMBOLS:
            tokens.append(Token(SYMBOLS[word], word, start))
        else:
            raise FormulaError(f"the character {word!r} is not part of a formula (use players, numbers, "
                               "+ − ×, and, or, not and parentheses)", start)
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _natural_key(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name.lower()))


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its players (natural order), v over all 2^n subsets (bitmask order), and its reading."""

    source: str
    players: tuple[str, ...]
    v: np.ndarray
    text: str  # fully parenthesised


@dataclass(frozen=True)
class _Expr:
    values: np.ndarray
    text: str
    atomic: bool  # drawn without parentheses


_BINARY = {
    "or": lambda x, y: ((x != 0) | (y != 0)).astype(float),
    "and": lambda x, y: ((x != 0) & (y != 0)).astype(float),
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
}
_LEVELS = (("or",), ("and",), ("+", "-"), ("*",))  # loosest first
_SHOWN = {"or": "or", "and": "and", "+": "+", "-": "−", "*": "×"}


class _Parser:
    def __init__(self, tokens: list[Token], players: tuple[str, ...]) -> None:
        self.tokens, self.at, self.depth = tokens, 0, 0
        masks = all_masks(len(players)).astype(float)
        self.columns = {name: masks[:, i] for i, name in enumerate(players)}
        self.size = masks.shape[0]

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def nest(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"the formula nests more than {MAX_DEPTH} levels deep", token.position)

    def binary(self, level: int) -> _Expr:
        """One precedence level: operands of the next-tighter level joined left to right."""
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek().kind in _LEVELS[level]:
            op = self.take().kind
            right = self.binary(level + 1)
            left = _Expr(_BINARY[op](left.values, right.values), f"{_wrap(left)} {_SHOWN[op]} {_wrap(right)}", False)
        return left

    def unary(self) -> _Expr:
        token = self.peek()
        if token.kind in ("not", "-", "+"):
            self.take()
            self.nest(token)
            operand = self.unary()
            self.depth -= 1
            if token.kind == "not":
                return _Expr((operand.values == 0).astype(float), f"not {_wrap(operand)}", False)
            sign = -1.0 if token.kind == "-" else 1.0
            return _Expr(sign * operand.values, f"{'−' if sign < 0 else '+'}{_wrap(operand)}", False)
        return self.atom()

    def atom(self) -> _Expr:
        token = self.take()
        if token.kind == "number":
            return _Expr(np.full(self.size, float(token.text)), token.text, True)
        if token.kind == "name":
            return _Expr(self.columns[token.text], token.text, True)
        if token.kind == "(":
            self.nest(token)
            inner = self.binary(0)
            self.depth -= 1
            if self.take().kind != ")":
                raise FormulaError("a parenthesis opened here is not closed", token.position)
            return inner
        what = "the formula ends" if token.kind == "end" else f"{token.text!r} cannot start an operand"
        raise FormulaError(f"{what}: expected a number, a player or '('", token.position)


def _wrap(expr: _Expr) -> str:
    return expr.text if expr.atomic else f"({expr.text})"


def parse(source: str, players: tuple[str, ...] | list[str] | None = None) -> Formula:
    """Parse ``source`` and evaluate it on every subset: v(S) = formula with 1 for the players in S, 0 otherwise.

    ``players`` fixes the players and their order (players that the formula never names are dummies); by default
    they are the names the formula uses, in natural order.
    """
    tokens = tokenize(source)
    names = [t for t in tokens if t.kind == "name"]
    if players is None:
        players = tuple(sorted({t.text for t in names}, key=_natural_key))
    players = tuple(players)
    unknown = next((t for t in names if t.text not in players), None)
    if unknown is not None:
        raise FormulaError(f"{unknown.text!r} is not a player (players: {', '.join(players) or 'none'})",
                           unknown.position)
    if len(players) > MAX_PLAYERS:
        raise FormulaError(f"{len(players)} players; at most {MAX_PLAYERS} (2^n subsets each)",
                           names[-1].position if names else 0)
    if len(tokens) == 1:
        raise FormulaError("the formula is empty", 0)
    parser = _Parser(tokens, players)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below, with a message
        expr = parser.binary(0)
    rest = parser.peek()
    if rest.kind != "end":
        raise FormulaError(f"unexpected {rest.text!r}: an operator or the end of the formula was expected",
                           rest.position)
    if not np.isfinite(expr.values).all():
        raise FormulaError("the formula's values are too large to compute", 0)
    return Formula(source, players, expr.values, expr.text)
