"""Batch matching of JSON-lines articles: the Python API behind ``newswatch match``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from newswatch.article import Article, ArticleError
from newswatch.matching.matcher import Matcher

__all__ = ["BadLine", "match_lines", "match_result"]


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    message: str


def match_result(matcher: Matcher, article: Article) -> dict[str, Any]:
    """The stable output shape: ``{"id", "rules" (sorted ids that fire), "hits"}``."""
    hits = matcher.match(article)
    return {
        "id": article.id,
        "rules": sorted(h.rule_id for h in hits),
        "hits": [h.to_dict() for h in hits],
    }


def match_lines(matcher: Matcher, lines: Iterable[str]) -> Iterator[dict[str, Any] | BadLine]:
    """One result per non-blank input line, in order; a line that is not an article yields a
    BadLine instead of stopping the batch."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            article = Article.from_json(line)
        except ArticleError as exc:
            yield BadLine(number, str(exc))
            continue
        yield match_result(matcher, article)
