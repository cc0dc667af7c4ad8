"""The delivery steps' connections to Faust, Apprise and the clock (``DeliveryPorts``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from agents.lifecycle import Lifecycle
from agents.tables import DurableTable
from newswatch.alerts.message import Alert
from newswatch.alerts.targets import Targets
from newswatch.kafka.delivery import (
    NEW,
    Record,
    RetryPolicy,
    TargetState,
    record_from_json,
    record_to_json,
)
from newswatch.kafka.metrics import WorkerMetrics
from newswatch.kafka.records import DeadLetter
from newswatch.kafka.sending import send_round

__all__ = ["Breaker", "FaustPorts", "KeyLocks"]

log = logging.getLogger(__name__)

KAFKA_RETRY = 1.0


class Breaker:
    """Targets known to be down: after one of their alerts is parked, each alert gets one try
    (instead of every retry round) until ``cooldown`` passes without a new parking, so a dead
    target does not keep its queue in backoff alert after alert."""

    def __init__(self, cooldown: float) -> None:
        self.cooldown = cooldown
        self._down_until: dict[str, float] = {}

    def down(self, target_id: str) -> bool:
        return self._down_until.get(target_id, 0.0) > time.monotonic()

    def tripped(self, target_id: str) -> None:
        self._down_until[target_id] = time.monotonic() + self.cooldown

    def healed(self, target_id: str) -> None:
        self._down_until.pop(target_id, None)


class KeyLocks:
    """One lock per alert key while in use: targets of one alert update its record in turn."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]


class FaustPorts:
    """Ports for one alert: its table key and partition are fixed at creation."""

    def __init__(
        self,
        *,
        table: DurableTable,
        key: str,
        partition: int,
        alert_targets: Sequence[str],
        locks: KeyLocks,
        dead_letters: Any,  # faust.Topic
        targets: Targets,
        metrics: WorkerMetrics,
        breaker: Breaker,
        quick_retries: int,
        send_timeout: float,
        policy: RetryPolicy,
        lifecycle: Lifecycle,
    ) -> None:
        self._table = table
        self._key = key
        self._partition = partition
        self._alert_targets = tuple(alert_targets)
        self._locks = locks
        self._dead_letters = dead_letters
        self._targets = targets
        self._metrics = metrics
        self._breaker = breaker
        self._quick_retries = quick_retries
        self._send_timeout = send_timeout
        self._policy = policy
        self._lifecycle = lifecycle

    async def save(self, record: Record) -> None:
        """Merge these targets' states into the alert's record; return once Kafka has it.

        The first write of an alert's record also lists all its other targets (as new): from
        then on the record fixes where the alert goes, whatever happens to the config.
        """
        while True:
            try:
                async with self._locks.hold(self._key):
                    stored = self._table.get(self._key)
                    if isinstance(stored, dict):
                        merged = record_from_json(stored.get("targets"))
                    else:
                        merged = {t: TargetState(NEW) for t in self._alert_targets}
                    merged.update(record)
                    value = {
                        "targets": record_to_json(merged),
                        "t": time.time(),
                        "p": self._partition,
                    }
                    await self._table.put(self._key, value, partition=self._partition)
                return
            except Exception as exc:  # Kafka unavailable: the next step must wait for this one
                log.warning("delivery record %s not written (%s); retrying", self._key, exc)
                await self._lifecycle.sleep(KAFKA_RETRY)

    async def send(self, alert: Alert, target_ids: Sequence[str]) -> dict[str, str | None]:
        results = await send_round(
            self._targets,
            alert,
            target_ids,
            quick_retries=self._quick_retries,
            send_timeout=self._send_timeout,
            backoff=self._policy.backoff,
        )
        for tid, error in results.items():
            if error is None:
                self._metrics.alerts_sent.labels(tid).inc()
                self._breaker.healed(tid)
            else:
                self._metrics.alert_failures.labels(tid).inc()
        return results

    async def park(self, letter: DeadLetter) -> None:
        while True:
            try:
                future = await self._dead_letters.send(
                    key=letter.key, value=letter.to_bytes(), force=True
                )
                await future  # acknowledged before the record says "parked"
                break
            except Exception as exc:
                log.warning("dead letter %r not written (%s); retrying", letter.key, exc)
                await self._lifecycle.sleep(KAFKA_RETRY)
        self._metrics.dead_letters.labels("in_doubt" if letter.in_doubt else "failed").inc()
        if not letter.in_doubt:
            self._breaker.tripped(letter.target_id)

    async def pause(self, seconds: float) -> None:
        await self._lifecycle.sleep(seconds)  # a stop or rebalance ends it: Interrupted

    def describe(self, target_id: str) -> str:
        target = self._targets.get(target_id)
        return target.display if target is not None else target_id

    def attempts_for(self, target_id: str, policy: RetryPolicy) -> int:
        return 1 if self._breaker.down(target_id) else policy.attempts
