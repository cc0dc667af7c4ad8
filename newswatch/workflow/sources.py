"""Where the workflow's articles come from: a JSON-lines file, a feed fetched once, a web page,
the archive (the embedded monitor's SQLite file, or the Kafka articles topic).

The I/O edge of ``rules test``, ``rules diff``, ``explain`` and ``archive``; the commands
wrap these functions, and the web page of a later release will call the same ones. Failures
are ``NewswatchError``s with a one-line message (``ArchiveError``, ``FetchError``,
``InputError``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from feeds.once import fetch_feed, fetch_page
from newswatch.archive.base import ArchiveError, ArticleArchive
from newswatch.archive.sqlite import SqliteArchive
from newswatch.article import Article, ArticleError
from newswatch.constants import ARCHIVE_FILENAME, DEFAULT_TOPIC_PREFIX
from newswatch.errors import InputError, SourceError
from newswatch.jsonlines import BadLine, articles_from_jsonl

__all__ = [
    "ArchiveRef",
    "archive_file",
    "archived",
    "articles_from_feed",
    "articles_from_file",
    "resolve_articles",
]


def archive_file(state: Path) -> Path:
    """The embedded archive's file in the state directory ``state``."""
    return state / ARCHIVE_FILENAME


@dataclass(frozen=True, slots=True)
class ArchiveRef:
    """Where the archive is: the state directory's SQLite file, or a Kafka articles topic
    (``bootstrap`` given). Opened for each use, so a long command holds nothing open."""

    state: Path
    bootstrap: str | None = None
    prefix: str = DEFAULT_TOPIC_PREFIX

    def open(self) -> ArticleArchive:
        """The Kafka articles topic if ``bootstrap`` is given, else the SQLite archive in
        ``state``, which must exist: a mistyped path is an error, not a new archive."""
        if self.bootstrap:
            from newswatch.kafka.archive import KafkaArchive  # only Kafka users need kafka-python
            from newswatch.kafka.config import KafkaSettings

            topic = KafkaSettings(self.bootstrap, prefix=self.prefix).topics.articles
            return KafkaArchive(self.bootstrap, topic)
        return SqliteArchive(archive_file(self.state), create=False)

    @contextmanager
    def opened(self) -> Iterator[ArticleArchive]:
        """``open()``, closed again when the block ends."""
        archive = self.open()
        try:
            yield archive
        finally:
            archive.close()


def articles_from_feed(url: str, *, feed_id: str | None = None) -> tuple[list[Article], str | None]:
    """The articles of the feed at ``url``, fetched once, and a warning (the parse error) if
    some of it did not parse. Raises ``FetchError``, or ``SourceError`` when nothing parsed."""
    articles, error = fetch_feed(url, feed_id=feed_id)
    if error is not None and not articles:
        raise SourceError(f"{url}: {error}")
    return articles, error


def articles_from_file(path: Path) -> list[Article]:
    """The article(s) of a JSON file: one article, or JSON lines. Raises ``InputError`` naming
    ``file:line`` when a line is not an article or the file holds none."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    try:
        return [Article.from_json(text)]
    except ArticleError:
        pass  # perhaps JSON lines
    bad: list[BadLine] = []
    articles = list(articles_from_jsonl(text.splitlines(), bad))
    if bad or not articles:
        line = bad[0] if bad else BadLine(1, "no article in the file")
        raise InputError(f"{path}:{line.line}: not an article: {line.message}")
    return articles


def resolve_articles(ref: str, archive: ArchiveRef) -> list[Article]:
    """What ``explain ARTICLE`` explains: ``ref`` is a JSON file, a URL (taken from the archive
    if it is there, else fetched once) or an archived article id."""
    path = Path(ref)
    if path.is_file():
        return articles_from_file(path)
    if ref.startswith(("http://", "https://")):
        try:
            with archive.opened() as opened:
                found = opened.find_url(ref)
        except ArchiveError:
            found = None  # no archive here: fetch instead
        return [found] if found is not None else fetch_page(ref)
    found = archived(archive, ref)
    if found is None:
        raise InputError(f"{ref!r} is no file, no URL and no article id in the archive")
    return [found]


def archived(archive: ArchiveRef, article_id: str) -> Article | None:
    """The archived article with this id, or None."""
    with archive.opened() as opened:
        return opened.get(article_id)
