"""Reading a compacted topic to its end: the latest value of every live key.

Used by the short-lived commands (``rules publish``, ``alerts retry``, ``kafka dead-letters``),
with kafka-python and no consumer group: they read everything, commit nothing.
"""

from __future__ import annotations

import time
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from newswatch.kafka.config import KafkaSettings

__all__ = ["read_latest"]


def read_latest(settings: KafkaSettings, topic: str, *, timeout: float = 30.0) -> dict[bytes, Any]:
    """key -> latest ConsumerRecord, tombstoned keys left out; raises TimeoutError.

    "The end" is the end offsets taken when reading starts; what is written meanwhile is
    left for the next call.
    """
    consumer = KafkaConsumer(
        bootstrap_servers=settings.servers,
        client_id=f"{settings.client_id}-reader",
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=15_000,
    )
    deadline = time.monotonic() + timeout
    latest: dict[bytes, Any] = {}
    try:
        partitions = consumer.partitions_for_topic(topic)
        while partitions is None and time.monotonic() < deadline:
            time.sleep(0.2)
            partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            return latest
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends: dict[TopicPartition, int] = consumer.end_offsets(tps)
        todo = {tp for tp in tps if ends.get(tp, 0) > 0}
        while todo:
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {topic} took longer than {timeout:.0f}s")
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    if record.key is None:
                        continue
                    if record.value is None:
                        latest.pop(record.key, None)
                    else:
                        latest[record.key] = record
            # Compaction leaves gaps in offsets, so "done" is the position, not a count.
            todo = {tp for tp in todo if consumer.position(tp) < ends[tp]}
    finally:
        consumer.close(autocommit=False)
    return latest
