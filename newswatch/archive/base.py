"""The article archive's interface: what ``rules test --archive``, ``rules diff``, ``explain``
and ``archive ...`` read back, whichever store holds the articles.

Two implementations: ``archive.sqlite.SqliteArchive`` (embedded mode: the monitor writes
every article it handles) and ``kafka.archive.KafkaArchive`` (Kafka mode: the articles topic
*is* the archive).

"When" is when newswatch saw the article (the archive time, or the Kafka record time), not the
feed's ``published`` date, which is missing or wrong often enough to be useless for "since".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from newswatch.article import Article
from newswatch.errors import StateError

__all__ = ["ArchiveError", "ArchiveStats", "ArticleArchive", "parse_since", "utc_now"]


class ArchiveError(StateError):
    """The archive cannot be read or written (missing file, bad query, broker gone)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


_DURATION = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[smhdw])")


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """``7d``, ``12h``, ``30m``, ``2w`` (that long ago) or an ISO date/time (UTC if naive)."""
    value = text.strip()
    found = _DURATION.fullmatch(value)
    if found is not None:
        seconds = float(found.group("n")) * _UNITS[found.group("unit")]
        return (now or utc_now()) - timedelta(seconds=seconds)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"since {text!r}: give a duration (30m, 12h, 7d, 2w) or a date (2024-05-01)"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ArchiveStats:
    articles: int
    oldest: datetime | None
    newest: datetime | None


class ArticleArchive(Protocol):
    """What the rule workflow needs from an archive."""

    def get(self, article_id: str) -> Article | None: ...

    def find_url(self, url: str) -> Article | None: ...

    def since(self, when: datetime) -> Iterator[Article]: ...

    def close(self) -> None: ...
