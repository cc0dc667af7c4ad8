"""The article archive: recent articles kept so rule edits can be tried on what already came in.

``rules test --archive``, ``rules diff`` and ``explain`` read articles back through one small
interface (``ArticleArchive``), implemented twice:

- ``SqliteArchive`` (embedded mode): the monitor writes every article it handles; the file is
  bounded by age and count (pruned as it goes) and has an FTS5 index for ``archive search``.
  WAL mode, so the CLI reads while the daemon writes.
- ``KafkaArchive`` (Kafka mode): nothing extra is stored; the articles topic *is* the archive,
  read back by seeking every partition to a timestamp (``offsets_for_times``), bounded by the
  topic's own retention.

"When" is when newswatch saw the article (the archive time, or the Kafka record time), not the
feed's ``published`` date, which is missing or wrong often enough to be useless for "since".
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from newswatch.article import Article, ArticleError
from newswatch.constants import DEFAULT_ARCHIVE_MAX_AGE, DEFAULT_ARCHIVE_MAX_ARTICLES

__all__ = [
    "ArchiveError",
    "ArchiveStats",
    "ArticleArchive",
    "KafkaArchive",
    "SqliteArchive",
    "key_partition",
    "parse_since",
]

_PRUNE_EVERY = 500  # articles added between two prunes


class ArchiveError(RuntimeError):
    """The archive cannot be read or written (missing file, bad query, broker gone)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


_DURATION = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """``7d``, ``12h``, ``30m``, ``2w`` (that long ago) or an ISO date/time (UTC if naive)."""
    value = text.strip()
    found = _DURATION.fullmatch(value)
    if found is not None:
        seconds = float(found.group("n")) * _UNITS[found.group("unit")]
        return (now or _utcnow()) - timedelta(seconds=seconds)
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


# --- SQLite (embedded mode) ------------------------------------------------------------------

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
        clock: Callable[[], datetime] = _utcnow,
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


# --- Kafka (scale-out mode) ------------------------------------------------------------------


class KafkaArchive:
    """The articles topic read back from a point in time (kafka-python, no consumer group).

    "Up to now" is the end offsets taken when a read starts, so a read always ends.
    """

    def __init__(self, bootstrap: str, topic: str, *, timeout: float = 30.0) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.timeout = timeout

    def close(self) -> None:
        """Nothing is held open between reads."""

    def since(self, when: datetime) -> Iterator[Article]:
        return self._articles(when)

    def get(self, article_id: str) -> Article | None:
        """The latest copy of the article. Articles are keyed by id, so the partition the
        producers' default partitioner gives that key is read first, and the others only if
        it is not there (a record put in a partition by hand, or a topic whose partition count
        grew since): one partition of the topic instead of all of it."""
        key = article_id.encode("utf-8")

        def home(partitions: list[int]) -> set[int]:
            return {key_partition(key, partitions)}

        def others(partitions: list[int]) -> set[int]:
            return set(partitions) - home(partitions)

        for select in (home, others):
            found = self._latest(lambda a: a.id == article_id, select)
            if found is not None:
                return found
        return None

    def find_url(self, url: str) -> Article | None:
        return self._latest(lambda a: a.url == url)

    def _latest(
        self,
        wanted: Callable[[Article], bool],
        select: Callable[[list[int]], set[int]] | None = None,
    ) -> Article | None:
        """The last article ``wanted`` accepts, in the whole retained topic (or the partitions
        ``select`` picks): the latest copy wins, as in the monitor."""
        found = None
        for article in self._articles(_EPOCH, select):
            if wanted(article):
                found = article
        return found

    def _articles(
        self, when: datetime, select: Callable[[list[int]], set[int]] | None = None
    ) -> Iterator[Article]:
        for value in self._values(when, select):
            try:
                yield Article.from_json(value)
            except ArticleError:
                continue  # not an article (a foreign producer): skipped

    def _values(
        self, when: datetime, select: Callable[[list[int]], set[int]] | None = None
    ) -> Iterator[bytes]:
        """Record values from ``when`` to the end offsets taken now, of the partitions
        ``select`` picks from the topic's (sorted) partition numbers, or of all."""
        from kafka import KafkaConsumer, TopicPartition
        from kafka.errors import KafkaError

        deadline = time.monotonic() + self.timeout
        try:
            consumer = KafkaConsumer(
                bootstrap_servers=[s.strip() for s in self.bootstrap.split(",") if s.strip()],
                client_id="newswatch-archive-reader",
                group_id=None,
                enable_auto_commit=False,
                request_timeout_ms=15_000,
            )
        except KafkaError as exc:
            raise ArchiveError(f"Kafka at {self.bootstrap}: {exc}") from exc
        try:
            partitions = consumer.partitions_for_topic(self.topic)
            while partitions is None and time.monotonic() < deadline:
                time.sleep(0.2)
                partitions = consumer.partitions_for_topic(self.topic)
            if not partitions:
                raise ArchiveError(f"no topic {self.topic!r} at Kafka {self.bootstrap}")
            numbers = sorted(partitions)
            picked = select(numbers) if select else set(numbers)
            tps = [TopicPartition(self.topic, p) for p in numbers if p in picked]
            if not tps:
                return
            consumer.assign(tps)
            stamp = max(0, int(when.timestamp() * 1000))
            starts = consumer.offsets_for_times(dict.fromkeys(tps, stamp))
            ends: dict[Any, int] = consumer.end_offsets(tps)
            # A partition with nothing at or after ``when`` has no offset (None): left out.
            todo = {
                tp: found.offset
                for tp, found in starts.items()
                if found is not None and found.offset < ends.get(tp, 0)
            }
            consumer.assign(list(todo))
            for tp, offset in todo.items():
                consumer.seek(tp, offset)
            while todo:
                if time.monotonic() > deadline:
                    raise ArchiveError(f"reading {self.topic} took longer than {self.timeout:.0f}s")
                for tp, records in consumer.poll(timeout_ms=500).items():
                    for record in records:
                        if record.offset < ends[tp] and record.value is not None:
                            yield record.value
                todo = {tp: o for tp, o in todo.items() if consumer.position(tp) < ends[tp]}
        except KafkaError as exc:
            raise ArchiveError(f"reading {self.topic} from Kafka {self.bootstrap}: {exc}") from exc
        finally:
            consumer.close(autocommit=False)


_EPOCH = datetime.fromtimestamp(0, UTC)


def key_partition(key: bytes, partitions: list[int]) -> int:
    """The partition kafka-python's default partitioner (murmur2, as the Java client's) sends
    a record with ``key`` to, among the topic's sorted ``partitions``."""
    from kafka.partitioner import murmur2

    return partitions[(int(murmur2(key)) & 0x7FFFFFFF) % len(partitions)]
