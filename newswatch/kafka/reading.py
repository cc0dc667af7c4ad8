"""Reading a topic up to where it ends now: the one bounded read of the short-lived commands.

``rules publish``, ``alerts retry``, ``kafka dead-letters`` and the Kafka archive read with
kafka-python and no consumer group: they read a range, commit nothing, and always end — "the
end" is the end offsets taken when the read starts (what is written meanwhile is left for the
next read), and the whole read is bounded by ``timeout``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from newswatch.kafka.config import KafkaSettings

__all__ = ["TopicMissing", "read_latest", "read_range"]


class TopicMissing(LookupError):
    """The topic does not exist (it has no partitions)."""


def read_range(
    servers: list[str],
    topic: str,
    *,
    client_id: str,
    timeout: float = 30.0,
    since_ms: int | None = None,
    select: Callable[[list[int]], set[int]] | None = None,
) -> Iterator[Any]:
    """The records of ``topic`` from its beginning (or from the first at or after ``since_ms``,
    a timestamp in ms) up to the end offsets taken now, partition by partition as they come.

    ``select`` picks partitions from the topic's sorted partition numbers (default: all).
    Raises ``TopicMissing`` if the topic never shows up within ``timeout``, ``TimeoutError``
    if the read takes longer, and kafka-python's ``KafkaError`` for the rest.
    """
    deadline = time.monotonic() + timeout
    consumer = KafkaConsumer(
        bootstrap_servers=servers,
        client_id=client_id,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=15_000,
    )
    try:
        partitions = consumer.partitions_for_topic(topic)
        while partitions is None and time.monotonic() < deadline:
            time.sleep(0.2)
            partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise TopicMissing(topic)
        numbers = sorted(partitions)
        picked = select(numbers) if select else set(numbers)
        tps = [TopicPartition(topic, p) for p in numbers if p in picked]
        if not tps:
            return
        consumer.assign(tps)
        ends: dict[TopicPartition, int] = consumer.end_offsets(tps)
        if since_ms is None:
            consumer.seek_to_beginning(*tps)
            todo = {tp for tp in tps if ends.get(tp, 0) > 0}
        else:
            starts = consumer.offsets_for_times(dict.fromkeys(tps, max(0, since_ms)))
            # A partition with nothing at or after ``since_ms`` has no offset (None): left out.
            firsts = {
                tp: found.offset
                for tp, found in starts.items()
                if found is not None and found.offset < ends.get(tp, 0)
            }
            consumer.assign(list(firsts))
            for tp, offset in firsts.items():
                consumer.seek(tp, offset)
            todo = set(firsts)
        while todo:
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {topic} took longer than {timeout:.0f}s")
            for tp, records in consumer.poll(timeout_ms=500).items():
                for record in records:
                    if record.offset < ends[tp]:
                        yield record
            # Compaction leaves gaps in offsets, so "done" is the position, not a count.
            todo = {tp for tp in todo if consumer.position(tp) < ends[tp]}
    finally:
        consumer.close(autocommit=False)


def read_latest(settings: KafkaSettings, topic: str, *, timeout: float = 30.0) -> dict[bytes, Any]:
    """A compacted topic's live keys: key -> latest ConsumerRecord, tombstoned keys left out;
    an empty dict if the topic does not exist. Raises TimeoutError."""
    latest: dict[bytes, Any] = {}
    records = read_range(
        settings.servers, topic, client_id=f"{settings.client_id}-reader", timeout=timeout
    )
    try:
        for record in records:
            if record.key is None:
                continue
            if record.value is None:
                latest.pop(record.key, None)
            else:
                latest[record.key] = record
    except TopicMissing:
        return {}
    return latest
