"""Idempotent delivery of one alert: a durable record per (rule, article), a state per target.

The record lives in a changelog-backed Faust table owned by the hits partition of the alert's
key, so whichever worker owns the partition sees what was done before — after a crash, a
redelivery, or a rebalance. Each step is written *and acknowledged by Kafka* before the next:

    new ──▶ sending ──▶ sent
              │  ▲
              ▼  │ (backoff)
           retrying ──▶ parking ──▶ parked        (dead letter written in between)

* ``sending`` is written before the Apprise call and replaced right after it. Finding a target
  in ``sending`` therefore means a worker died *during* a send: it may or may not have arrived.
  It is never sent again automatically; it is parked on the dead-letter topic marked
  ``in_doubt`` for a person to decide (``newswatch alerts retry --in-doubt``). This is the one
  window no design closes without the target's help: an HTTP POST and a Kafka write cannot be
  one atomic step. The choice here is at-most-once (never twice) plus never silently lost.
* ``sent`` and ``parked`` are final: a redelivered hit is skipped.
* ``retrying`` is safe to resume: the last attempt is known to have failed.
* ``parking`` is written before the dead letter and ``parked`` after it, so a crash in between
  writes the letter again on replay; letters are keyed by (alert, target) on a compacted topic,
  so the copy replaces itself.

A record, once it exists, fixes the alert's targets (as the SQLite outbox does): a target added
to the Apprise config later does not receive old alerts again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from newswatch.alerts.message import Alert
from newswatch.alerts.notifier import Backoff
from newswatch.kafka.records import DeadLetter

__all__ = [
    "NEW",
    "PARKED",
    "PARKING",
    "RETRYING",
    "SENDING",
    "SENT",
    "DeliveryOutcome",
    "DeliveryPorts",
    "Interrupted",
    "RetryPolicy",
    "TargetState",
    "deliver",
    "record_from_json",
    "record_to_json",
]

log = logging.getLogger(__name__)

NEW, SENDING, SENT, RETRYING, PARKING, PARKED = (
    "new",
    "sending",
    "sent",
    "retrying",
    "parking",
    "parked",
)
FINAL = frozenset({SENT, PARKED})
IN_DOUBT_REASON = (
    "in doubt: the worker stopped while this send was in flight, so the target may or may not "
    "have received it; not re-sent automatically"
)


class Interrupted(Exception):
    """Raised by a port's ``pause`` when the worker stops or rebalances: leave the rest for
    the next delivery of this hit (the record says where to resume)."""


@dataclass(frozen=True, slots=True)
class TargetState:
    state: str = NEW
    attempts: int = 0
    error: str = ""
    in_doubt: bool = False


Record = dict[str, TargetState]


def record_to_json(record: Mapping[str, TargetState]) -> dict[str, Any]:
    return {
        tid: {"s": st.state, "n": st.attempts, "e": st.error, "d": st.in_doubt}
        for tid, st in record.items()
    }


def record_from_json(data: Mapping[str, Any] | None) -> Record:
    record: Record = {}
    for tid, st in (data or {}).items():
        if isinstance(st, dict):
            record[str(tid)] = TargetState(
                state=str(st.get("s", NEW)),
                attempts=int(st.get("n", 0)),
                error=str(st.get("e", "")),
                in_doubt=bool(st.get("d", False)),
            )
    return record


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` rounds per target (each with the notifier's quick retries), then park."""

    attempts: int = 4
    backoff: Backoff = field(
        default_factory=lambda: Backoff(initial=2.0, factor=2.0, maximum=30.0, jitter=0.2)
    )
    # How long a shutdown waits for a send in flight to end, so it is recorded, not in doubt.
    shutdown_grace: float = 35.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("at least one attempt")


class DeliveryPorts(Protocol):
    """What ``deliver`` needs from its surroundings (a Faust agent, or a test)."""

    async def save(self, record: Record) -> None:
        """Store the record; return only once it is durable (the changelog acknowledged it)."""

    async def send(self, alert: Alert, target_ids: Sequence[str]) -> dict[str, str | None]:
        """One round to each target: None when sent, else why not."""

    async def park(self, letter: DeadLetter) -> None:
        """Write a dead letter; return only once it is durable."""

    async def pause(self, seconds: float) -> None:
        """Wait before the next round; may raise ``Interrupted``."""

    def describe(self, target_id: str) -> str:
        """A target's display form (no secrets)."""

    def attempts_for(self, target_id: str, policy: RetryPolicy) -> int:
        """Rounds allowed for this target now (fewer while it is known to be down)."""


@dataclass(slots=True)
class DeliveryOutcome:
    sent: list[str] = field(default_factory=list)
    failed_attempts: int = 0
    parked: list[str] = field(default_factory=list)
    in_doubt: list[str] = field(default_factory=list)
    already_done: list[str] = field(default_factory=list)


async def deliver(
    alert: Alert,
    target_ids: Sequence[str],
    previous: Mapping[str, TargetState],
    ports: DeliveryPorts,
    policy: RetryPolicy,
) -> DeliveryOutcome:
    """Take ``alert`` from what ``previous`` says was done to final for every target."""
    record: Record = dict(previous)
    outcome = DeliveryOutcome()
    targets = list(record) if record else list(dict.fromkeys(target_ids))
    outcome.already_done = [t for t in targets if record.get(t, TargetState()).state in FINAL]

    doubtful = [t for t in targets if record.get(t, TargetState()).state == SENDING]
    for tid in doubtful:
        st = record[tid]
        record[tid] = TargetState(PARKING, st.attempts, IN_DOUBT_REASON, in_doubt=True)
        log.warning(
            "alert for rule %s, article %s, target %s: a previous worker stopped during its "
            "send; parked as in doubt instead of risking a second copy",
            alert.rule_id,
            alert.article_id,
            ports.describe(tid),
        )
    if doubtful:
        await ports.save(record)
    outcome.in_doubt = doubtful
    await _park(alert, record, ports, outcome)

    pending = [t for t in targets if record.get(t, TargetState()).state in (NEW, RETRYING)]
    while pending:
        step = asyncio.ensure_future(_attempt(alert, pending, record, ports, policy, outcome))
        try:
            # Shielded: a shutdown that cancels the agent lets the send in flight end and its
            # outcome be recorded, instead of leaving it "sending" (= in doubt on restart).
            pending = await asyncio.shield(step)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(step, timeout=policy.shutdown_grace)
            raise
        await _park(alert, record, ports, outcome)
        if pending:
            worst = max(record[t].attempts for t in pending)
            await ports.pause(policy.backoff.delay(worst).total_seconds())
    return outcome


async def _attempt(
    alert: Alert,
    pending: list[str],
    record: Record,
    ports: DeliveryPorts,
    policy: RetryPolicy,
    outcome: DeliveryOutcome,
) -> list[str]:
    """sending (durable) → one round → sent / retrying / parking (durable); returns retries."""
    for tid in pending:
        record[tid] = replace(record.get(tid, TargetState()), state=SENDING)
    await ports.save(record)
    results = await ports.send(alert, pending)
    again: list[str] = []
    for tid in pending:
        error = results.get(tid, "not attempted")
        attempts = record[tid].attempts + 1
        if error is None:
            record[tid] = TargetState(SENT, attempts)
            outcome.sent.append(tid)
            continue
        outcome.failed_attempts += 1
        if attempts >= ports.attempts_for(tid, policy):
            record[tid] = TargetState(PARKING, attempts, error)
        else:
            record[tid] = TargetState(RETRYING, attempts, error)
            again.append(tid)
    await ports.save(record)
    return again


async def _park(
    alert: Alert, record: Record, ports: DeliveryPorts, outcome: DeliveryOutcome
) -> None:
    parking = [t for t, st in record.items() if st.state == PARKING]
    if not parking:
        return
    for tid in parking:
        st = record[tid]
        await ports.park(
            DeadLetter(
                alert=alert,
                target_id=tid,
                target=ports.describe(tid),
                reason=st.error,
                attempts=st.attempts,
                in_doubt=st.in_doubt,
            )
        )
        record[tid] = replace(st, state=PARKED)
        outcome.parked.append(tid)
        log.warning(
            "alert for rule %s, article %s parked on the dead-letter topic for target %s "
            "after %d attempt(s): %s",
            alert.rule_id,
            alert.article_id,
            ports.describe(tid),
            st.attempts,
            st.error,
        )
    await ports.save(record)
