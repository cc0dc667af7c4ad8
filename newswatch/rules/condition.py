"""The ``match:`` condition: entity names joined by and / or / not and parentheses.

Grammar (``not`` binds tighter than ``and``, which binds tighter than ``or``)::

    expr   := term ("or" term)*
    term   := factor ("and" factor)*
    factor := "not" factor | "(" expr ")" | NAME | "any" | "all"

``any`` / ``all`` stand for "any entity" / "every entity" of the rule (an omitted condition
means ``any``). Parsing is pure; errors carry the column of the offending token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from newswatch.errors import InputError

__all__ = [
    "All",
    "And",
    "Any",
    "Condition",
    "ConditionError",
    "Name",
    "Not",
    "Or",
    "parse_condition",
]


class ConditionError(InputError):
    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column  # 0-based offset in the condition text


@dataclass(frozen=True, slots=True)
class Name:
    name: str

    def evaluate(self, found: frozenset[str], entities: tuple[str, ...]) -> bool:
        return self.name in found

    def names(self) -> Iterator[str]:
        yield self.name

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Any:
    def evaluate(self, found: frozenset[str], entities: tuple[str, ...]) -> bool:
        return any(e in found for e in entities)

    def names(self) -> Iterator[str]:
        return iter(())

    def __str__(self) -> str:
        return "any"


@dataclass(frozen=True, slots=True)
class All:
    def evaluate(self, found: frozenset[str], entities: tuple[str, ...]) -> bool:
        return bool(entities) and all(e in found for e in entities)

    def names(self) -> Iterator[str]:
        return iter(())

    def __str__(self) -> str:
        return "all"


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition

    def evaluate(self, found: frozenset[str], entities: tuple[str, ...]) -> bool:
        return not self.operand.evaluate(found, entities)

    def names(self) -> Iterator[str]:
        return self.operand.names()

    def __str__(self) -> str:
        return f"not {_wrap(self.operand)}"


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Condition, ...]

    def evaluate(self, found: frozenset[str], entities: tuple[str, ...]) -> bool:
        return all(op.evaluate(found, entities) for op in self.operands)

    def names(self) -> Iterator[str]:
        for op in self.operands:
            yield from op.names()

    def __str__(self) -> str:
        return " and ".join(_wrap(op) for op in self.operands)


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Condition, ...]

    def evaluate(self, found: frozenset[str], entities: tuple[str, ...]) -> bool:
        return any(op.evaluate(found, entities) for op in self.operands)

    def names(self) -> Iterator[str]:
        for op in self.operands:
            yield from op.names()

    def __str__(self) -> str:
        return " or ".join(_wrap(op) for op in self.operands)


Condition = Name | Any | All | Not | And | Or


def _wrap(cond: Condition) -> str:
    return f"({cond})" if isinstance(cond, And | Or) else str(cond)


_TOKEN = re.compile(r"\s*(?:(?P<paren>[()])|(?P<word>[A-Za-z0-9_][A-Za-z0-9_-]*)|(?P<bad>\S))")
_KEYWORDS = {"and", "or", "not"}


def _tokens(text: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # only trailing whitespace is left
            break
        if m.group("bad") is not None:
            raise ConditionError(f"unexpected character {m.group('bad')!r}", m.start("bad"))
        kind = "paren" if m.group("paren") is not None else "word"
        out.append((m.group(kind), m.start(kind)))
        pos = m.end()
    return out


MAX_CONDITION_DEPTH = 32  # parentheses inside parentheses; a real condition uses three or four


def parse_condition(text: str) -> Condition:
    """Parse a condition; raise ConditionError with the column of the problem."""
    tokens = _tokens(text)
    if not tokens:
        raise ConditionError("empty condition", 0)
    depth = 0
    for token, column in tokens:
        depth += {"(": 1, ")": -1}.get(token, 0)
        if depth > MAX_CONDITION_DEPTH:
            raise ConditionError(f"nested more than {MAX_CONDITION_DEPTH} parentheses deep", column)
    try:
        return _parse(text, tokens)
    except RecursionError:  # thousands of "not not not ...": no stack for that
        raise ConditionError("condition nested too deeply", 0) from None


def _parse(text: str, tokens: list[tuple[str, int]]) -> Condition:
    pos = 0

    def peek() -> str | None:
        return tokens[pos][0].lower() if pos < len(tokens) else None

    def column() -> int:
        return tokens[pos][1] if pos < len(tokens) else len(text)

    def take() -> tuple[str, int]:
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        return tok

    def binary(word: str, sub: Callable[[], Condition], node: type[And] | type[Or]) -> Condition:
        operands = [sub()]
        while peek() == word:
            take()
            operands.append(sub())
        return operands[0] if len(operands) == 1 else node(tuple(operands))

    def expr() -> Condition:
        return binary("or", term, Or)

    def term() -> Condition:
        return binary("and", factor, And)

    def factor() -> Condition:
        tok = peek()
        if tok is None:
            raise ConditionError("condition ends too early: an entity name is missing", column())
        if tok == "not":
            take()
            return Not(factor())
        if tok == "(":
            open_col = column()
            take()
            inner = expr()
            if peek() != ")":
                raise ConditionError(f"'(' at column {open_col + 1} is never closed", column())
            take()
            return inner
        if tok in _KEYWORDS or tok == ")":
            raise ConditionError(f"expected an entity name, found {tokens[pos][0]!r}", column())
        word, _ = take()
        if word.lower() == "any":
            return Any()
        if word.lower() == "all":
            return All()
        return Name(word)

    result = expr()
    if pos < len(tokens):
        raise ConditionError(
            f"unexpected {tokens[pos][0]!r}: join entity names with and / or", column()
        )
    return result
