"""The embedded archive: every article the monitor handles, in SQLite, for ``rules test
--archive``, ``rules diff``, ``explain`` and ``archive ...``.

Bounded by age and count (pruned as it goes), with an FTS5 index for ``archive search``; WAL
mode, so the CLI reads while the daemon writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from newswatch.archive.base import ArchiveError, ArchiveStats, utc_now
from newswatch.article import Article, ArticleError
from newswatch.constants import DEFAULT_ARCHIVE_MAX_AGE, DEFAULT_ARCHIVE_MAX_ARTICLES

__all__ = ["SqliteArchive"]

_PRUNE_EVERY = 500  # articles added between two prunes


_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT '',
    archived_at REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_time ON articles(archived_at);
CREATE INDEX IF NOT EXISTS articles_by_url ON articles(url);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, summary, content,
    content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, summary, content)
    VALUES (new.rowid, new.title, new.summary, new.content);
END;
CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary, content)
    VALUES ('delete', old.rowid, old.title, old.summary, old.content);
END;
CREATE TRIGGER IF NOT EXISTS articles_au AFTER UPDATE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary, content)
    VALUES ('delete', old.rowid, old.title, old.summary, old.content);
    INSERT INTO articles_fts(rowid, title, summary, content)
    VALUES (new.rowid, new.title, new.summary, new.content);
END;
"""


def _load(data: str) -> Article | None:
    try:
        return Article.from_json(data)
    except ArticleError:
        return None  # written by a newer version, or damaged: skipped rather than fatal


class SqliteArchive:
    """Recent articles in one SQLite file, at most ``max_articles`` and ``max_age`` old."""

    def __init__(
        self,
        path: str | Path,
        *,
        max_articles: int = DEFAULT_ARCHIVE_MAX_ARTICLES,
        max_age: timedelta = DEFAULT_ARCHIVE_MAX_AGE,
        create: bool = True,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if max_articles < 1 or max_age <= timedelta(0):
            raise ValueError("the archive needs max_articles >= 1 and a positive max_age")
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise ArchiveError(
                f"no article archive at {self.path} (the monitor writes it while it runs)"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_articles = max_articles
        self.max_age = max_age
        self._clock = clock
        self._added = 0
        try:
            self._db = sqlite3.connect(self.path, timeout=10.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            with self._db:
                self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise ArchiveError(f"{self.path}: cannot open the article archive: {exc}") from exc

    def __enter__(self) -> SqliteArchive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def add(self, articles: Iterable[Article], *, now: datetime | None = None) -> int:
        """Archive ``articles`` (one transaction); an id already archived keeps its time."""
        stamp = (now or self._clock()).timestamp()
        rows = [(a.id, a.url, a.title, a.summary, a.content, stamp, a.to_json()) for a in articles]
        if not rows:
            return 0
        with self._db:
            self._db.executemany(
                "INSERT INTO articles (id, url, title, summary, content, archived_at, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET url = excluded.url, "
                "title = excluded.title, summary = excluded.summary, "
                "content = excluded.content, data = excluded.data",
                rows,
            )
        self._added += len(rows)
        if self._added >= _PRUNE_EVERY:
            self.prune(now=now)
        return len(rows)

    def prune(self, *, now: datetime | None = None) -> int:
        """Drop articles older than ``max_age``, then the oldest beyond ``max_articles``."""
        self._added = 0
        cutoff = ((now or self._clock()) - self.max_age).timestamp()
        with self._db:
            aged = self._db.execute("DELETE FROM articles WHERE archived_at < ?", (cutoff,))
            over = self._db.execute(
                "DELETE FROM articles WHERE rowid IN (SELECT rowid FROM articles "
                "ORDER BY archived_at DESC, rowid DESC LIMIT -1 OFFSET ?)",
                (self.max_articles,),
            )
        return int(aged.rowcount) + int(over.rowcount)

    def get(self, article_id: str) -> Article | None:
        row = self._db.execute("SELECT data FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _load(row[0]) if row else None

    def find_url(self, url: str) -> Article | None:
        row = self._db.execute(
            "SELECT data FROM articles WHERE url = ? ORDER BY archived_at DESC LIMIT 1", (url,)
        ).fetchone()
        return _load(row[0]) if row else None

    def since(self, when: datetime) -> Iterator[Article]:
        """Articles archived at or after ``when``, oldest first."""
        cursor = self._db.execute(
            "SELECT data FROM articles WHERE archived_at >= ? ORDER BY archived_at, rowid",
            (when.timestamp(),),
        )
        for (data,) in cursor:
            article = _load(data)
            if article is not None:
                yield article

    def archived_at(self, article_id: str) -> datetime | None:
        row = self._db.execute(
            "SELECT archived_at FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return datetime.fromtimestamp(row[0], UTC) if row else None

    def search(self, query: str, *, limit: int = 20) -> list[Article]:
        """Full-text search (FTS5 syntax: words, "phrases", OR, NOT, prefix*), best first."""
        try:
            rows = self._db.execute(
                "SELECT a.data FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
                "WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
                (query, limit),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            raise ArchiveError(f"search {query!r}: {exc}") from None
        return [a for (data,) in rows if (a := _load(data)) is not None]

    def stats(self) -> ArchiveStats:
        count, oldest, newest = self._db.execute(
            "SELECT count(*), min(archived_at), max(archived_at) FROM articles"
        ).fetchone()

        def when(value: float | None) -> datetime | None:
            return datetime.fromtimestamp(value, UTC) if value is not None else None

        return ArchiveStats(int(count), when(oldest), when(newest))
