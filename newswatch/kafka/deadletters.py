"""Dead letters: alerts parked by the workers, listed and replayed by ``newswatch alerts retry``.

A replay sends each letter's alert to its one target through the same notifier round the
workers use. A letter that goes through is tombstoned (the compacted topic then forgets it); one
that fails again is rewritten with the new reason and attempt count. Never dropped.

Letters marked ``in_doubt`` (a worker stopped while their send was in flight) are skipped unless
asked for: the target may already have them, and only a person can check.
Run one replay at a time: two at once could send the same letter twice.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

from kafka import KafkaProducer
from kafka.errors import KafkaError

from newswatch.alerts.targets import Targets
from newswatch.errors import BrokerError
from newswatch.kafka.admin import ensure_topics
from newswatch.kafka.config import KafkaSettings
from newswatch.kafka.producer import make_producer
from newswatch.kafka.reading import read_latest
from newswatch.kafka.records import DeadLetter, RecordError
from newswatch.kafka.sending import send_round

__all__ = ["ReplayReport", "list_dead_letters", "replay_dead_letters"]

REPLAY_IN_DOUBT = (
    "in doubt: `alerts retry` stopped while replaying this letter; the target may have it"
)


def _write(
    producer: KafkaProducer, topic: str, key: bytes, value: bytes | None, timeout: float
) -> None:
    producer.send(topic, key=key, value=value).get(timeout=timeout)


def list_dead_letters(settings: KafkaSettings) -> list[DeadLetter]:
    """The letters on the topic now, oldest first (unreadable records are skipped)."""
    letters = []
    for record in sorted(
        read_latest(settings, settings.topics.dead_letters).values(), key=lambda r: r.offset
    ):
        try:
            letters.append(DeadLetter.from_bytes(record.value))
        except RecordError:
            continue
    return letters


@dataclass
class ReplayReport:
    sent: int = 0
    failed: int = 0
    skipped_in_doubt: int = 0
    failures: list[tuple[DeadLetter, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0


async def replay_dead_letters(
    settings: KafkaSettings, targets: Targets, *, in_doubt: bool = False, timeout: float = 30.0
) -> ReplayReport:
    await asyncio.to_thread(ensure_topics, settings, only=[settings.topics.dead_letters])
    letters = await asyncio.to_thread(list_dead_letters, settings)
    report = ReplayReport()
    producer = make_producer(settings, delivery_timeout=timeout, client_id="newswatch-retry")
    topic = settings.topics.dead_letters
    try:
        for letter in letters:
            if letter.in_doubt and not in_doubt:
                report.skipped_in_doubt += 1
                continue
            # As in the workers: marked in doubt (durably) while the send is in flight, so a
            # replay killed mid-send is not repeated blindly by the next one.
            marked = replace(letter, in_doubt=True, reason=REPLAY_IN_DOUBT)
            await asyncio.to_thread(_write, producer, topic, letter.key, marked.to_bytes(), timeout)
            result = await send_round(targets, letter.alert, [letter.target_id], quick_wait=0.5)
            error = result.get(letter.target_id, "not attempted")
            if error is None:
                value = None  # tombstone: replayed
                report.sent += 1
            else:
                value = replace(letter, reason=error, attempts=letter.attempts + 1).to_bytes()
                report.failed += 1
                report.failures.append((letter, error))
            await asyncio.to_thread(_write, producer, topic, letter.key, value, timeout)
    except KafkaError as exc:
        raise BrokerError(f"Kafka at {settings.bootstrap}: {exc}") from exc
    finally:
        await asyncio.to_thread(producer.close, 10)
    return report
