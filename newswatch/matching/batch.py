"""Batch matching of JSON-lines articles: the Python API behind ``newswatch match``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from newswatch.article import Article
from newswatch.jsonlines import BadLine, read_articles
from newswatch.matching.matcher import Matcher

__all__ = ["match_lines", "match_result"]


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
    for item in read_articles(lines):
        yield item if isinstance(item, BadLine) else match_result(matcher, item)
