"""Creating and checking the topics (kafka-python's admin client).

Every command calls ``ensure_topics`` before it produces or consumes: the broker may have
``auto.create.topics.enable`` on, and a topic auto-created by a first produce would get the
broker's default partition count (often 1) and no compaction, which the workers cannot repair.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

from newswatch.errors import BrokerError
from newswatch.kafka.config import KafkaSettings

__all__ = [
    "MAX_MESSAGE_BYTES",
    "GroupLag",
    "TopicError",
    "TopicSpec",
    "admin_client",
    "describe_topics",
    "ensure_topics",
    "group_lag",
    "topic_partitions",
    "topic_specs",
]

log = logging.getLogger(__name__)

# Articles carry full text; 4 MiB leaves room for the largest real ones (the producer trims
# the content of anything bigger, see producer.py) without raising the broker-wide limit.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
_COMPACTED = {
    "cleanup.policy": "compact",
    # Compact soon after a change, so the log a new worker replays stays short.
    "segment.ms": str(6 * 3600 * 1000),
    "min.cleanable.dirty.ratio": "0.1",
}


class TopicError(BrokerError):
    """A topic is missing, cannot be created, or has the wrong shape."""


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    configs: Mapping[str, str] = field(default_factory=dict)


def topic_specs(settings: KafkaSettings, partitions: int | None = None) -> list[TopicSpec]:
    names = settings.topics
    n = partitions or settings.partitions
    big = {"max.message.bytes": str(MAX_MESSAGE_BYTES)}
    return [
        TopicSpec(names.articles, n, big),
        # Same count as articles: a worker that owns partition p of one owns p of the other
        # only by accident, but the delivery table's changelog must match the hits topic.
        TopicSpec(names.hits, n, big),
        # One partition: story grouping needs every article in one order, on one worker at a
        # time, so two copies of a story never decide at once (docs/kafka.md, "Stories").
        TopicSpec(names.matched, 1, big),
        # One partition: the whole rule set is small and every worker reads all of it.
        TopicSpec(names.rules, 1, dict(_COMPACTED)),
        # Compacted, never deleted by age: a parked alert stays until it is replayed.
        TopicSpec(names.dead_letters, 1, {**_COMPACTED, **big}),
        # One partition, compacted: the routes file and each silence (``routes publish``,
        # ``silence add --bootstrap``), read whole by every worker like the rules.
        TopicSpec(names.inbox, 1, dict(_COMPACTED)),
    ]


@contextlib.contextmanager
def admin_client(settings: KafkaSettings, timeout: float = 15.0) -> Iterator[KafkaAdminClient]:
    admin = KafkaAdminClient(
        bootstrap_servers=settings.servers,
        client_id=f"{settings.client_id}-admin",
        request_timeout_ms=int(timeout * 1000),
        bootstrap_timeout_ms=int(timeout * 1000),
    )
    try:
        yield admin
    finally:
        admin.close()


def _partitions(admin: KafkaAdminClient, names: list[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for topic in admin.describe_topics(names):
        if topic.get("error_code", 0) == 0 and topic.get("partitions"):
            found[topic["name"]] = list(topic["partitions"])
    return found


def _led(parts: list[dict[str, Any]]) -> bool:
    return all(p.get("leader_id", -1) not in (None, -1) for p in parts)


def ensure_topics(
    settings: KafkaSettings, *, timeout: float = 30.0, only: Iterable[str] | None = None
) -> int:
    """Create the missing topics, wait for their leaders; returns the articles' partition count.

    ``only``: the topic names (of ``settings.topics``) to care about, e.g. just the rules topic
    for ``rules publish`` — a command without a ``--partitions`` must not be the one to create
    the articles topic. An existing articles topic keeps its partition count (the workers
    adapt to it); the hits topic must have the same count, or this raises ``TopicError``.
    Returns 0 when the articles topic is not among those checked.
    """
    deadline = time.monotonic() + timeout
    names = settings.topics
    wanted = set(only) if only is not None else set(names.all())
    try:
        with admin_client(settings, timeout=min(timeout, 15.0)) as admin:
            existing = _partitions(admin, [names.articles])
            n = len(existing[names.articles]) if names.articles in existing else None
            specs = [s for s in topic_specs(settings, n) if s.name in wanted]
            found = _partitions(admin, [s.name for s in specs])
            missing = [s for s in specs if s.name not in found]
            if missing:
                # raise_errors=False: another process may create the same topic meanwhile.
                admin.create_topics(
                    {
                        s.name: {
                            "num_partitions": s.partitions,
                            "replication_factor": settings.replication,
                            "configs": dict(s.configs),
                        }
                        for s in missing
                    },
                    timeout_ms=int(min(timeout, 15.0) * 1000),
                    raise_errors=False,
                )
                log.info("created topic(s): %s", ", ".join(s.name for s in missing))
            while True:
                found = _partitions(admin, [s.name for s in specs])
                if all(s.name in found and _led(found[s.name]) for s in specs):
                    break
                if time.monotonic() > deadline:
                    absent = [s.name for s in specs if s.name not in found]
                    raise TopicError(f"topics not ready after {timeout:.0f}s: {absent}")
                time.sleep(0.2)
    except KafkaError as exc:
        raise TopicError(f"Kafka at {settings.bootstrap}: {exc}") from exc
    if names.articles not in found or names.hits not in found:
        return len(found.get(names.articles, ()))
    articles, hits = len(found[names.articles]), len(found[names.hits])
    if articles != hits:
        raise TopicError(
            f"{names.articles} has {articles} partitions but {names.hits} has {hits}: they must "
            f"match (add partitions to {names.hits} with kafka-topics.sh --alter)"
        )
    return articles


def describe_topics(settings: KafkaSettings) -> dict[str, int]:
    """Partition count of each of the deployment's topics that exists (nothing is created)."""
    return topic_partitions(settings, settings.topics.all())


def topic_partitions(settings: KafkaSettings, names: Iterable[str]) -> dict[str, int]:
    """Partition count of each of ``names`` that exists, any topic (nothing is created)."""
    try:
        with admin_client(settings) as admin:
            found = _partitions(admin, list(names))
    except KafkaError as exc:
        raise TopicError(f"Kafka at {settings.bootstrap}: {exc}") from exc
    return {name: len(parts) for name, parts in found.items()}


@dataclass(frozen=True, slots=True)
class GroupLag:
    """Messages a consumer group has not committed yet, per topic."""

    group: str
    lag: dict[str, int]
    committed: bool  # False: the group never committed (a brand-new deployment)

    @property
    def total(self) -> int:
        return sum(self.lag.values())


def group_lag(settings: KafkaSettings, group: str, topics: list[str]) -> GroupLag:
    """End offsets minus the group's committed offsets (what is still to be processed)."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.servers,
        client_id=f"{settings.client_id}-lag",
        group_id=group,
        enable_auto_commit=False,
        request_timeout_ms=15000,
    )
    try:
        lag: dict[str, int] = {}
        any_committed = False
        for topic in topics:
            parts = consumer.partitions_for_topic(topic) or set()
            tps = [TopicPartition(topic, p) for p in sorted(parts)]
            ends = consumer.end_offsets(tps) if tps else {}
            total = 0
            for tp in tps:
                committed = consumer.committed(tp)
                any_committed = any_committed or committed is not None
                total += max(0, ends.get(tp, 0) - (committed or 0))
            lag[topic] = total
        return GroupLag(group, lag, any_committed)
    finally:
        consumer.close(autocommit=False)
