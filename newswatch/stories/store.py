"""The embedded story store: which story each recent article joined and why, in SQLite.

The grouper lives in memory; this file is what lets a restarted monitor rebuild it exactly
(``load`` puts every stored article back with its recorded story, nothing is decided again)
and what ``newswatch stories list|show`` read (WAL mode: the CLI reads while the daemon
writes). An article is recorded *before* its alerts are queued, so a crash between the two
replays the article into the same story and the same alert keys, which the outbox knows.

Bounded like the grouper's window: by count and by age, pruned as it goes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from newswatch.article import Article, ArticleError
from newswatch.errors import StateError
from newswatch.stories.grouping import Assignment, StoryGrouper

__all__ = ["StoryRow", "StoryStore", "StoryStoreError", "StorySummary"]

_PRUNE_EVERY = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS members (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL UNIQUE,
    story_id   TEXT NOT NULL,
    added_at   REAL NOT NULL,
    assignment TEXT NOT NULL,
    article    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS members_by_story ON members (story_id, seq);
CREATE INDEX IF NOT EXISTS members_by_time ON members (added_at);
"""


class StoryStoreError(StateError):
    """The story store cannot be opened or read."""


@dataclass(frozen=True, slots=True)
class StoryRow:
    article: Article
    assignment: Assignment
    added_at: datetime


@dataclass(frozen=True, slots=True)
class StorySummary:
    story_id: str
    articles: int
    first_added: datetime
    last_added: datetime
    title: str
    languages: tuple[str, ...]
    feeds: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "story": self.story_id,
            "articles": self.articles,
            "first_added": self.first_added.isoformat(),
            "last_added": self.last_added.isoformat(),
            "title": self.title,
            "languages": list(self.languages),
            "feeds": list(self.feeds),
        }


def _dt(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


class StoryStore:
    """Story membership at ``path``, at most ``max_articles`` rows and ``max_age`` old."""

    def __init__(
        self,
        path: str | Path,
        *,
        max_articles: int = 100_000,
        max_age: timedelta = timedelta(days=7),
        create: bool = True,
    ) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise StoryStoreError(f"no story store at {self.path}")
        self.max_articles = max_articles
        self.max_age = max_age
        self._lock = threading.Lock()
        self._added = 0
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise StoryStoreError(f"{self.path}: cannot open the story store: {exc}") from exc

    def __enter__(self) -> StoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- writing -------------------------------------------------------------------------

    def record(
        self, article: Article, assignment: Assignment, *, now: datetime | None = None
    ) -> None:
        """Remember that ``article`` joined ``assignment.story_id`` (durable when it returns);
        an article already recorded keeps its first record."""
        when = (now or datetime.now(UTC)).timestamp()
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO members"
                " (article_id, story_id, added_at, assignment, article) VALUES (?, ?, ?, ?, ?)",
                (
                    article.id,
                    assignment.story_id,
                    when,
                    json.dumps(assignment.to_dict(), ensure_ascii=False),
                    article.to_json(),
                ),
            )
            self._added += 1
            if self._added % _PRUNE_EVERY == 0:
                self._prune(when)

    def prune(self, *, now: datetime | None = None) -> int:
        with self._lock:
            return self._prune((now or datetime.now(UTC)).timestamp())

    def _prune(self, now: float) -> int:
        cutoff = now - self.max_age.total_seconds()
        gone = self._db.execute("DELETE FROM members WHERE added_at < ?", (cutoff,)).rowcount
        gone += self._db.execute(
            "DELETE FROM members WHERE seq <= (SELECT MAX(seq) FROM members) - ?",
            (self.max_articles,),
        ).rowcount
        return max(gone, 0)

    # --- reading -------------------------------------------------------------------------

    def rows(self, story_id: str | None = None) -> Iterator[StoryRow]:
        """Every stored article (of ``story_id``), oldest first; unreadable rows are skipped."""
        sql = "SELECT article, assignment, added_at FROM members"
        args: tuple[str, ...] = ()
        if story_id is not None:
            sql += " WHERE story_id = ?"
            args = (story_id,)
        with self._lock:
            found = self._db.execute(sql + " ORDER BY seq", args).fetchall()
        for article_json, assignment_json, added in found:
            try:
                article = Article.from_json(article_json)
                assignment = Assignment.from_dict(json.loads(assignment_json))
            except (ArticleError, ValueError, KeyError, TypeError):
                continue  # written by a newer version, or damaged
            yield StoryRow(article, assignment, _dt(added))

    def load(self, grouper: StoryGrouper) -> int:
        """Put every stored article back into ``grouper`` as it was grouped; returns how many."""
        count = 0
        for row in self.rows():
            grouper.restore(row.article, row.assignment)
            count += 1
        return count

    def stories(self, *, limit: int = 50) -> list[StorySummary]:
        """The stories with the most recent activity first."""
        with self._lock:
            ids = [
                r[0]
                for r in self._db.execute(
                    "SELECT story_id FROM members GROUP BY story_id ORDER BY MAX(seq) DESC LIMIT ?",
                    (limit,),
                )
            ]
        return [s for s in (self.story(i) for i in ids) if s is not None]

    def story(self, story_id: str) -> StorySummary | None:
        rows = list(self.rows(story_id))
        if not rows:
            return None
        founder = rows[0].article
        return StorySummary(
            story_id=story_id,
            articles=len(rows),
            first_added=rows[0].added_at,
            last_added=rows[-1].added_at,
            title=founder.title,
            languages=tuple(dict.fromkeys(r.article.language for r in rows if r.article.language)),
            feeds=tuple(dict.fromkeys(r.article.feed for r in rows if r.article.feed)),
        )
