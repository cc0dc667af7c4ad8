"""Where the Kafka runtime talks to: the broker, the topic names and their shapes.

Every process of one deployment (pollers, workers, ``rules publish``, ``alerts retry``) must agree
on the bootstrap address and the topic prefix; both come from the command line or the
environment (``KAFKA_BOOTSTRAP``, ``NEWSWATCH_TOPIC_PREFIX``), so a compose file or a systemd unit
sets them once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newswatch.constants import (
    ARTICLES_TOPIC,
    DEAD_LETTERS_TOPIC,
    DEFAULT_PARTITIONS,
    DEFAULT_TOPIC_PREFIX,
    HITS_TOPIC,
    INBOX_TOPIC,
    MATCHED_TOPIC,
    RULES_TOPIC,
)
from newswatch.errors import ConfigError

__all__ = [
    "KafkaSettings",
    "Shard",
    "TopicNames",
    "parse_shard",
]

_LEGAL_TOPIC = re.compile(r"[A-Za-z0-9._-]*")
_MAX_TOPIC_LEN = 249


@dataclass(frozen=True, slots=True)
class TopicNames:
    articles: str
    hits: str
    rules: str
    dead_letters: str
    matched: str = ""
    inbox: str = ""

    def all(self) -> tuple[str, ...]:
        return (self.articles, self.matched, self.hits, self.rules, self.dead_letters, self.inbox)


@dataclass(frozen=True, slots=True)
class KafkaSettings:
    """A broker address and the topic layout on it."""

    bootstrap: str
    prefix: str = DEFAULT_TOPIC_PREFIX
    partitions: int = DEFAULT_PARTITIONS
    replication: int = 1
    client_id: str = "newswatch"

    def __post_init__(self) -> None:
        if not self.bootstrap.strip():
            raise ConfigError("no Kafka bootstrap address (set --bootstrap or KAFKA_BOOTSTRAP)")
        if not _LEGAL_TOPIC.fullmatch(self.prefix) or len(self.prefix) > 200:
            raise ConfigError(
                f"topic prefix {self.prefix!r}: use letters, digits, '.', '_' and '-' only"
            )
        if self.partitions < 1 or self.replication < 1:
            raise ConfigError("partitions and replication must be at least 1")

    @property
    def servers(self) -> list[str]:
        return [s.strip() for s in self.bootstrap.split(",") if s.strip()]

    @property
    def topics(self) -> TopicNames:
        p = self.prefix
        return TopicNames(
            articles=p + ARTICLES_TOPIC,
            hits=p + HITS_TOPIC,
            rules=p + RULES_TOPIC,
            dead_letters=p + DEAD_LETTERS_TOPIC,
            matched=p + MATCHED_TOPIC,
            inbox=p + INBOX_TOPIC,
        )

    @property
    def worker_group(self) -> str:
        """The default Faust app id (= consumer group) of the workers."""
        name = f"{self.prefix}worker"
        return name[:_MAX_TOPIC_LEN]


@dataclass(frozen=True, slots=True)
class Shard:
    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``"i/n"`` with ``0 <= i < n``: poller ``i`` of ``n`` owns a stable part of the feeds."""
    index, sep, count = text.partition("/")
    if not sep or not index.strip().isdigit() or not count.strip().isdigit():
        raise ConfigError(f"shard {text!r}: expected i/n, e.g. 0/3")
    shard = Shard(int(index), int(count))
    if shard.count < 1 or not 0 <= shard.index < shard.count:
        raise ConfigError(f"shard {text!r}: need 0 <= i < n")
    return shard
