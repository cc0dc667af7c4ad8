"""What the poller tests share: a sink that records what it was given, and a bounded wait."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from feeds.config import FeedSpec
from newswatch.article import Article


class Collector:
    """A sink that records what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[Article]]] = []

    async def __call__(self, spec: FeedSpec, articles: Sequence[Article]) -> None:
        self.calls.append((spec.id, list(articles)))

    @property
    def articles(self) -> list[Article]:
        return [article for _, batch in self.calls for article in batch]

    def feeds(self) -> set[str]:
        return {feed for feed, _ in self.calls}


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``predicate()`` holds, at most ``timeout`` seconds (then fail)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)
