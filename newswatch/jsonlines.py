"""Articles as JSON lines: the one reader behind ``match``, ``rules test --input``, ``explain``
and ``archive import``.

A line that is not an article does not stop the stream: it comes out as a ``BadLine`` (its
1-based number and why), so a command can report ``file:line`` and go on with the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from newswatch.article import Article, ArticleError

__all__ = ["BadLine", "articles_from_jsonl", "read_articles"]


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    message: str


def read_articles(lines: Iterable[str]) -> Iterator[Article | BadLine]:
    """One Article (or BadLine) per non-blank line, in order."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield Article.from_json(line)
        except ArticleError as exc:
            yield BadLine(number, str(exc))


def articles_from_jsonl(lines: Iterable[str], bad: list[BadLine]) -> Iterator[Article]:
    """The articles of ``lines``; each line that is not one is added to ``bad``."""
    for item in read_articles(lines):
        if isinstance(item, BadLine):
            bad.append(item)
        else:
            yield item
