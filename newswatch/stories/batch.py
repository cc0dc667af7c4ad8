"""Grouping a finite list of articles into stories (``newswatch stories group``, the evaluation).

>>> [(a.article_id, a.story_id) for a in group_articles(articles)]   # doctest: +SKIP
[('a1', 'a1'), ('a2', 'a1'), ('a3', 'a3')]
"""

from __future__ import annotations

from collections.abc import Iterable

from newswatch.article import Article
from newswatch.matching.snapshot import RuleSnapshot
from newswatch.stories.grouping import Assignment, StoryGrouper, StoryParams

__all__ = ["group_articles"]


def group_articles(
    articles: Iterable[Article],
    *,
    snapshot: RuleSnapshot | None = None,
    params: StoryParams | None = None,
) -> list[Assignment]:
    """One ``Assignment`` per article, in input order (articles are taken in that order, as a
    stream would deliver them). ``snapshot``'s entities link articles across languages."""
    grouper = StoryGrouper(params or StoryParams(), snapshot=snapshot)
    return [grouper.add(article) for article in articles]
