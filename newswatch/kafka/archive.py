"""The Kafka archive: the articles topic read back from a point in time, for ``rules test
--archive``, ``rules diff``, ``explain`` and ``archive list|show`` in Kafka mode. Nothing extra
is stored: the topic's own retention bounds it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from kafka.errors import KafkaError

from newswatch.archive.base import ArchiveError
from newswatch.article import Article, ArticleError
from newswatch.kafka.reading import TopicMissing, read_range

__all__ = ["KafkaArchive", "key_partition"]


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
        servers = [s.strip() for s in self.bootstrap.split(",") if s.strip()]
        try:
            for record in read_range(
                servers,
                self.topic,
                client_id="newswatch-archive-reader",
                timeout=self.timeout,
                since_ms=int(when.timestamp() * 1000),
                select=select,
            ):
                if record.value is not None:
                    yield record.value
        except TopicMissing:
            raise ArchiveError(f"no topic {self.topic!r} at Kafka {self.bootstrap}") from None
        except TimeoutError as exc:
            raise ArchiveError(str(exc)) from None
        except KafkaError as exc:
            raise ArchiveError(f"reading {self.topic} from Kafka {self.bootstrap}: {exc}") from exc


_EPOCH = datetime.fromtimestamp(0, UTC)


def key_partition(key: bytes, partitions: list[int]) -> int:
    """The partition kafka-python's default partitioner (murmur2, as the Java client's) sends
    a record with ``key`` to, among the topic's sorted ``partitions``."""
    from kafka.partitioner import murmur2

    return partitions[(int(murmur2(key)) & 0x7FFFFFFF) % len(partitions)]
