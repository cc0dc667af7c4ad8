"""Poller state in one SQLite file: HTTP validators, feed health and the entries already seen.

WAL mode, so ``feeds status`` can read while a poller writes. An entry's ``last_seen`` is
refreshed every time it is still in the feed, and pruning removes only entries absent from
their feed for longer than the retention: an old item a feed keeps listing is never re-sent.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType

from newswatch.article import Article
from newswatch.errors import StateError

__all__ = ["FeedHealth", "FeedStateStore", "HttpCache"]

_SCHEMA_VERSION = 2
_CHUNK = 500  # stay far below SQLite's bound-parameter limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feed_state (
    feed_id TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_success REAL,
    last_error TEXT,
    last_error_at REAL,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_poll_at REAL,
    articles_seen INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS seen (
    feed_id TEXT NOT NULL,
    article_id TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    PRIMARY KEY (feed_id, article_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_last_seen ON seen (last_seen);
CREATE TABLE IF NOT EXISTS fulltext (
    feed_id TEXT PRIMARY KEY,
    pages_ok INTEGER NOT NULL DEFAULT 0,
    pages_failed INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_error_at REAL
);
"""


@dataclass(frozen=True, slots=True)
class HttpCache:
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FeedHealth:
    feed_id: str
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    next_poll_at: datetime | None
    articles_seen: int
    # Entry pages fetched for full text (``fulltext:`` feeds): with text, and failed.
    pages_ok: int = 0
    pages_failed: int = 0
    page_error: str | None = None


def _ts(when: datetime) -> float:
    return when.timestamp()


def _dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class FeedStateStore:
    """One SQLite file (or ``":memory:"``); open it again after a restart to carry on."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        try:
            self._conn = sqlite3.connect(self.path, timeout=10.0)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as exc:
            # Not moved aside: without its seen entries, every entry of every feed would
            # alert again. The operator decides (a backup, or a fresh file and the flood).
            raise StateError(
                f"{self.path}: cannot open the feed state ({exc}); restore it from a backup, "
                "or move it aside to start afresh (every entry then counts as new)"
            ) from None
        if version > _SCHEMA_VERSION:
            self._conn.close()
            raise StateError(
                f"{self.path}: state schema version {version} is newer than this newswatch"
            )
        if version < _SCHEMA_VERSION:  # an existing store is opened without writing to it
            # Version 1 stores gain the fulltext table; every CREATE is IF NOT EXISTS.
            with self._conn:
                self._conn.executescript(_SCHEMA)
                self._conn.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> FeedStateStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _ensure(self, feed_id: str) -> None:
        self._conn.execute("INSERT OR IGNORE INTO feed_state (feed_id) VALUES (?)", (feed_id,))

    # --- HTTP cache -------------------------------------------------------------------------

    def get_cache(self, feed_id: str) -> HttpCache:
        row = self._conn.execute(
            "SELECT etag, last_modified FROM feed_state WHERE feed_id = ?", (feed_id,)
        ).fetchone()
        return HttpCache(*row) if row else HttpCache()

    def set_cache(self, feed_id: str, cache: HttpCache) -> None:
        with self._conn:
            self._ensure(feed_id)
            self._conn.execute(
                "UPDATE feed_state SET etag = ?, last_modified = ? WHERE feed_id = ?",
                (cache.etag, cache.last_modified, feed_id),
            )

    # --- health -----------------------------------------------------------------------------

    def record_success(
        self,
        feed_id: str,
        *,
        at: datetime,
        next_poll_at: datetime,
        cache: HttpCache | None = None,
        warning: str | None = None,
    ) -> None:
        """A good poll: failures reset; a parse warning (bozo feed) is kept as the last error."""
        with self._conn:
            self._ensure(feed_id)
            self._conn.execute(
                "UPDATE feed_state SET last_success = ?, consecutive_failures = 0,"
                " next_poll_at = ? WHERE feed_id = ?",
                (_ts(at), _ts(next_poll_at), feed_id),
            )
            if cache is not None:
                self._conn.execute(
                    "UPDATE feed_state SET etag = ?, last_modified = ? WHERE feed_id = ?",
                    (cache.etag, cache.last_modified, feed_id),
                )
            if warning is not None:
                self._conn.execute(
                    "UPDATE feed_state SET last_error = ?, last_error_at = ? WHERE feed_id = ?",
                    (warning, _ts(at), feed_id),
                )

    def record_failure(self, feed_id: str, error: str, *, at: datetime) -> int:
        """Count one more failure and return the number of consecutive failures."""
        with self._conn:
            self._ensure(feed_id)
            row = self._conn.execute(
                "UPDATE feed_state SET last_error = ?, last_error_at = ?,"
                " consecutive_failures = consecutive_failures + 1 WHERE feed_id = ?"
                " RETURNING consecutive_failures",
                (error, _ts(at), feed_id),
            ).fetchone()
        return int(row[0])

    def set_next_poll(self, feed_id: str, when: datetime) -> None:
        with self._conn:
            self._ensure(feed_id)
            self._conn.execute(
                "UPDATE feed_state SET next_poll_at = ? WHERE feed_id = ?", (_ts(when), feed_id)
            )

    def get_health(self, feed_id: str) -> FeedHealth | None:
        rows = self._health_rows("WHERE feed_id = ?", (feed_id,))
        return rows[0] if rows else None

    def health(self) -> list[FeedHealth]:
        """Every feed ever polled, by id."""
        return self._health_rows("ORDER BY feed_id", ())

    def record_pages(
        self, feed_id: str, ok: int, failed: int, error: str | None, *, at: datetime
    ) -> None:
        """Count entry pages fetched for full text: with text, and failed (the last error)."""
        if not ok and not failed:
            return
        with self._conn:
            self._ensure(feed_id)
            self._conn.execute(
                "INSERT INTO fulltext (feed_id, pages_ok, pages_failed, last_error, last_error_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (feed_id) DO UPDATE SET"
                " pages_ok = pages_ok + excluded.pages_ok,"
                " pages_failed = pages_failed + excluded.pages_failed,"
                " last_error = COALESCE(excluded.last_error, last_error),"
                " last_error_at = COALESCE(excluded.last_error_at, last_error_at)",
                (feed_id, ok, failed, error, _ts(at) if error else None),
            )

    def _health_rows(self, where: str, args: tuple[str, ...]) -> list[FeedHealth]:
        where = where.replace("feed_id", "f.feed_id")
        rows = self._conn.execute(
            "SELECT f.feed_id, last_success, f.last_error, f.last_error_at, consecutive_failures,"
            " next_poll_at, articles_seen, COALESCE(t.pages_ok, 0), COALESCE(t.pages_failed, 0),"
            f" t.last_error FROM feed_state f LEFT JOIN fulltext t USING (feed_id) {where}",
            args,
        ).fetchall()
        return [
            FeedHealth(
                feed_id=row[0],
                last_success=_dt(row[1]),
                last_error=row[2],
                last_error_at=_dt(row[3]),
                consecutive_failures=int(row[4]),
                next_poll_at=_dt(row[5]),
                articles_seen=int(row[6]),
                pages_ok=int(row[7]),
                pages_failed=int(row[8]),
                page_error=row[9],
            )
            for row in rows
        ]

    # --- seen entries -----------------------------------------------------------------------

    def filter_unseen(
        self, feed_id: str, articles: Iterable[Article], *, now: datetime | None = None
    ) -> list[Article]:
        """The articles not yet marked seen, in order and without repeats.

        Articles already seen get their ``last_seen`` refreshed (they are still in the feed),
        which is what keeps them from being pruned and re-sent.
        """
        batch: list[Article] = []
        ids: set[str] = set()
        for article in articles:
            if article.id not in ids:
                ids.add(article.id)
                batch.append(article)
        if not batch:
            return []
        seen: set[str] = set()
        id_list = [article.id for article in batch]
        for chunk in _chunks(id_list):
            marks = ",".join("?" * len(chunk))
            seen.update(
                row[0]
                for row in self._conn.execute(
                    f"SELECT article_id FROM seen WHERE feed_id = ? AND article_id IN ({marks})",
                    (feed_id, *chunk),
                )
            )
        if seen:
            stamp = _ts(now or datetime.now(UTC))
            with self._conn:
                self._conn.executemany(
                    "UPDATE seen SET last_seen = ? WHERE feed_id = ? AND article_id = ?",
                    [(stamp, feed_id, article_id) for article_id in seen],
                )
        return [article for article in batch if article.id not in seen]

    def mark_seen(self, feed_id: str, ids: Iterable[str], *, now: datetime | None = None) -> int:
        """Remember these ids; returns how many were new (added to ``articles_seen``)."""
        stamp = _ts(now or datetime.now(UTC))
        rows = [(feed_id, article_id, stamp, stamp) for article_id in dict.fromkeys(ids)]
        with self._conn:
            before = self._conn.total_changes
            self._conn.executemany(
                "INSERT INTO seen (feed_id, article_id, first_seen, last_seen) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (feed_id, article_id) DO NOTHING",
                rows,
            )
            added = self._conn.total_changes - before
            if added:
                self._ensure(feed_id)
                self._conn.execute(
                    "UPDATE feed_state SET articles_seen = articles_seen + ? WHERE feed_id = ?",
                    (added, feed_id),
                )
        return added

    def seen_count(self, feed_id: str | None = None) -> int:
        if feed_id is None:
            row = self._conn.execute("SELECT COUNT(*) FROM seen").fetchone()
        else:
            row = self._conn.execute(
                "SELECT COUNT(*) FROM seen WHERE feed_id = ?", (feed_id,)
            ).fetchone()
        return int(row[0])

    def prune_seen(self, older_than_days: float, *, now: datetime | None = None) -> int:
        """Forget entries not in their feed for ``older_than_days``; returns how many."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
        with self._conn:
            cursor = self._conn.execute("DELETE FROM seen WHERE last_seen < ?", (_ts(cutoff),))
        return cursor.rowcount
