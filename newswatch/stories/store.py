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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from newswatch.article import Article, ArticleError
from newswatch.errors import StateError
from newswatch.matching.hits import Hit
from newswatch.stories.grouping import Assignment, StoryGrouper

__all__ = ["HitRow", "RuleActivity", "StoryRow", "StoryStore", "StoryStoreError", "StorySummary"]

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
CREATE TABLE IF NOT EXISTS hits (
    article_id TEXT NOT NULL,
    rule_id    TEXT NOT NULL,
    story_id   TEXT NOT NULL,
    fired_at   REAL NOT NULL,
    hit        TEXT NOT NULL,
    PRIMARY KEY (article_id, rule_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS hits_by_time ON hits (fired_at);
CREATE INDEX IF NOT EXISTS hits_by_rule ON hits (rule_id, fired_at);
"""


class StoryStoreError(StateError):
    """The story store cannot be opened or read."""


@dataclass(frozen=True, slots=True)
class StoryRow:
    article: Article
    assignment: Assignment
    added_at: datetime


@dataclass(frozen=True, slots=True)
class HitRow:
    """A rule that fired on a stored article, as the matcher found it then (offsets kept)."""

    hit: Hit
    story_id: str
    fired_at: datetime


@dataclass(frozen=True, slots=True)
class RuleActivity:
    rule_id: str
    last_fired: datetime | None
    day: int  # hits in the last 24 hours
    week: int  # hits in the last 7 days


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

    def record_hits(
        self, story_id: str, hits: Sequence[Hit], *, now: datetime | None = None
    ) -> None:
        """Remember which rules fired on an article and where their names are (the web page's
        highlights come from these offsets); a (rule, article) keeps its first record."""
        when = (now or datetime.now(UTC)).timestamp()
        rows = [
            (h.article_id, h.rule_id, story_id, when, json.dumps(h.to_dict(), ensure_ascii=False))
            for h in hits
        ]
        with self._lock:
            self._db.executemany(
                "INSERT OR IGNORE INTO hits (article_id, rule_id, story_id, fired_at, hit)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )

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
        self._db.execute(
            "DELETE FROM hits WHERE fired_at < ? OR article_id NOT IN"
            " (SELECT article_id FROM members)",
            (cutoff,),
        )
        return max(gone, 0)

    # --- reading -------------------------------------------------------------------------

    def rows(self, story_id: str | None = None) -> Iterator[StoryRow]:
        """Every stored article (of ``story_id``), oldest first; unreadable rows are skipped."""
        if story_id is None:
            return self._select("", ())
        return self._select(" WHERE story_id = ?", (story_id,))

    def rows_of(self, article_ids: Sequence[str]) -> Iterator[StoryRow]:
        """The stored rows of ``article_ids`` (those that are stored), oldest first per chunk
        of 500 ids (SQLite's host-parameter limit)."""
        ids = list(dict.fromkeys(article_ids))
        for start in range(0, len(ids), 500):
            chunk = tuple(ids[start : start + 500])
            yield from self._select(f" WHERE article_id IN ({','.join('?' * len(chunk))})", chunk)

    def rows_since(self, since: datetime) -> Iterator[StoryRow]:
        return self._select(" WHERE added_at >= ?", (since.timestamp(),))

    def _select(self, where: str, args: tuple[object, ...]) -> Iterator[StoryRow]:
        sql = "SELECT article, assignment, added_at FROM members" + where + " ORDER BY seq"
        with self._lock:
            found = self._db.execute(sql, args).fetchall()
        for article_json, assignment_json, added in found:
            try:
                article = Article.from_json(article_json)
                assignment = Assignment.from_dict(json.loads(assignment_json))
            except (ArticleError, ValueError, KeyError, TypeError):
                continue  # written by a newer version, or damaged
            yield StoryRow(article, assignment, _dt(added))

    def hits(self, article_ids: Sequence[str]) -> dict[str, list[HitRow]]:
        """The recorded hits of each of ``article_ids`` (articles without any are left out)."""
        found: dict[str, list[HitRow]] = {}
        ids = list(dict.fromkeys(article_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            with self._lock:
                rows = self._db.execute(
                    f"SELECT hit, story_id, fired_at FROM hits WHERE article_id IN ({marks})"
                    " ORDER BY fired_at, rule_id",
                    chunk,
                ).fetchall()
            for hit_json, story_id, fired in rows:
                try:
                    hit = Hit.from_dict(json.loads(hit_json))
                except (ValueError, KeyError, TypeError):
                    continue
                found.setdefault(hit.article_id, []).append(HitRow(hit, story_id, _dt(fired)))
        return found

    def rule_activity(self, now: datetime) -> dict[str, RuleActivity]:
        """Per rule: when it last fired, and how often in the last day and week."""
        day = now.timestamp() - 86400
        week = now.timestamp() - 7 * 86400
        with self._lock:
            rows = self._db.execute(
                "SELECT rule_id, MAX(fired_at), SUM(fired_at >= ?), SUM(fired_at >= ?)"
                " FROM hits GROUP BY rule_id",
                (day, week),
            ).fetchall()
        return {
            rule: RuleActivity(rule, _dt(last) if last else None, int(d or 0), int(w or 0))
            for rule, last, d, w in rows
        }

    def story_ids(
        self,
        *,
        rules: Sequence[str] = (),
        since: datetime | None = None,
        fired_only: bool = True,
        limit: int = 50,
    ) -> list[str]:
        """Story ids, the most recent activity first: those where a rule fired (one of
        ``rules`` if given) since ``since``, or every story when ``fired_only`` is false."""
        args: list[object] = []
        if fired_only or rules:
            sql = "SELECT story_id FROM hits"
            where = []
            if rules:
                where.append(f"rule_id IN ({','.join('?' * len(rules))})")
                args += list(rules)
            if since is not None:
                where.append("fired_at >= ?")
                args.append(since.timestamp())
            if where:
                sql += " WHERE " + " AND ".join(where)
            sql += " GROUP BY story_id ORDER BY MAX(fired_at) DESC LIMIT ?"
        else:
            sql = "SELECT story_id FROM members"
            if since is not None:
                sql += " WHERE added_at >= ?"
                args.append(since.timestamp())
            sql += " GROUP BY story_id ORDER BY MAX(seq) DESC LIMIT ?"
        args.append(limit)
        with self._lock:
            return [r[0] for r in self._db.execute(sql, args)]

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
