"""The delivery step: hit events → the shared notifier, exactly once per (rule, article, target).

The hits topic is keyed by (rule, article), so one partition — one worker at a time — owns each
alert, and the delivery table (changelog-backed, same partitioning) holds its record; the steps
and the guarantee are in ``newswatch.kafka.delivery``.

Targets are independent, as in the embedded notifier: each has its own queue worked in order,
so a slow target (Apprise spaces e-mails 5.5 s apart) or a dead one does not hold up the others.
An event is acknowledged when every target of its alert is done with it; Faust commits offsets
only up to the oldest unacknowledged event. At most ``max_in_flight`` events are taken at once.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.lifecycle import Interrupted, Lifecycle
from agents.ports import Breaker, FaustPorts, KeyLocks
from agents.tables import DurableTable
from newswatch.alerts.message import Alert
from newswatch.alerts.notifier import format_console
from newswatch.alerts.story import CONSOLE
from newswatch.alerts.targets import Targets
from newswatch.kafka.delivery import (
    FINAL,
    NEW,
    DeliveryOutcome,
    RetryPolicy,
    TargetState,
    deliver,
    record_from_json,
)
from newswatch.kafka.metrics import WorkerMetrics
from newswatch.kafka.records import HitRecord, RecordError

__all__ = ["Finish", "HitDeliverer"]

log = logging.getLogger(__name__)

#: ``finish(event, done)``: acknowledge the event (True) or let it go unacknowledged (False).
Finish = Callable[[Any, bool], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _Job:
    key: str
    partition: int
    alert: Alert
    targets: tuple[str, ...]  # all of the alert's targets, written with its first record
    target_id: str
    result: asyncio.Future[DeliveryOutcome]


def _finished(value: Any) -> bool:
    states = record_from_json(value.get("targets"))
    return all(st.state in FINAL for st in states.values())


def _settle(future: asyncio.Future[DeliveryOutcome], result: Any) -> None:
    if future.done():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


@dataclass
class HitDeliverer:
    deliveries: DurableTable
    dead_letters: Any  # faust.Topic
    targets: Targets
    metrics: WorkerMetrics
    policy: RetryPolicy
    lifecycle: Lifecycle
    quick_retries: int = 1
    send_timeout: float = 10.0
    console: bool = False
    breaker: Breaker = field(default_factory=lambda: Breaker(60.0))
    max_in_flight: int = 256
    retention: float = 30 * 86400.0  # records of finished alerts kept this long
    _locks: KeyLocks = field(default_factory=KeyLocks)
    _queues: dict[str, asyncio.Queue[_Job]] = field(default_factory=dict)
    _runners: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _slots: asyncio.Semaphore | None = None
    _pending: set[asyncio.Task[None]] = field(default_factory=set)

    async def submit(self, event: Any, finish: Finish) -> None:
        """Take one hit event; ``finish`` is called once its alert is done (or let go)."""
        if not await self._take_slot():
            await finish(event, False)
            return
        assert self._slots is not None
        try:
            futures = await self._start(event)
        except BaseException:
            self._slots.release()
            raise
        if futures is None:
            self._slots.release()
            await finish(event, True)
            return
        # Kept referenced until done (the loop holds tasks only weakly).
        task = asyncio.create_task(self._complete(event, futures, finish))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _start(self, event: Any) -> list[asyncio.Future[DeliveryOutcome]] | None:
        """Queue one job per target the alert still has to reach; None: nothing to do."""
        message = event.message
        try:
            record = HitRecord.from_bytes(event.value)
        except RecordError as exc:
            log.warning(
                "hits %s[%d]@%d skipped: %s", message.topic, message.partition, message.offset, exc
            )
            return None
        alert, key, partition = record.alert, record.alert.key, message.partition
        await self.deliveries.maybe_prune(partition, retention=self.retention, may_forget=_finished)
        stored = self.deliveries.get(key)
        if isinstance(stored, dict):
            states = record_from_json(stored.get("targets"))
            if all(st.state in FINAL for st in states.values()):
                self.metrics.duplicate_hits.inc()
                return None
        else:
            states = {t.id: TargetState(NEW) for t in self.targets.for_alert(alert)}
            self._announce(alert, bool(states))
            if not states:
                # Nothing to send; remembered anyway, so a replay neither prints nor warns.
                await self._ports(key, partition, ()).save({})
                return None
        pending = [t for t, st in states.items() if st.state not in FINAL]
        if not pending:
            return None
        loop = asyncio.get_running_loop()
        futures = []
        for target_id in pending:
            job = _Job(key, partition, alert, tuple(states), target_id, loop.create_future())
            self._queue(target_id).put_nowait(job)
            futures.append(job.result)
        return futures

    async def _complete(
        self, event: Any, futures: list[asyncio.Future[DeliveryOutcome]], finish: Finish
    ) -> None:
        try:
            results = await asyncio.gather(*futures, return_exceptions=True)
            done = not any(isinstance(r, BaseException) for r in results)
            await finish(event, done)
        finally:
            assert self._slots is not None
            self._slots.release()

    async def _take_slot(self) -> bool:
        """Wait for room (backpressure on the stream); False if the worker stops meanwhile."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_in_flight)
        while not self.lifecycle.interrupted:
            try:
                await asyncio.wait_for(self._slots.acquire(), timeout=0.2)
            except TimeoutError:
                continue
            return True
        return False

    def _queue(self, target_id: str) -> asyncio.Queue[_Job]:
        queue = self._queues.get(target_id)
        if queue is None:
            queue = self._queues[target_id] = asyncio.Queue()
            self._runners[target_id] = asyncio.create_task(self._run(target_id, queue))
        return queue

    async def _run(self, target_id: str, queue: asyncio.Queue[_Job]) -> None:
        """One target's deliveries, in order, one at a time."""
        while True:
            job = await queue.get()
            if job.result.done():  # its event was given up (shutdown) while it waited
                continue
            try:
                if self.lifecycle.interrupted:
                    raise Interrupted()  # not started: its event is let go and comes again
                outcome = await self._deliver(job)
            except Interrupted as exc:
                _settle(job.result, exc)
            except Exception as exc:  # a bug: the event stays unacknowledged, to be redone
                log.exception("delivery of %s to %s failed unexpectedly", job.key, target_id)
                _settle(job.result, exc)
            else:
                _settle(job.result, outcome)

    async def _deliver(self, job: _Job) -> DeliveryOutcome:
        # Read the state now, not when queued: a redelivered copy of the hit queued behind
        # the first must see what the first did.
        stored = self.deliveries.get(job.key)
        if isinstance(stored, dict):
            state = record_from_json(stored.get("targets")).get(job.target_id)
        else:
            state = TargetState(NEW)  # no record yet: this job writes the first one
        if state is None or state.state in FINAL:
            return DeliveryOutcome(already_done=[job.target_id])
        ports = self._ports(job.key, job.partition, job.targets)
        outcome = await deliver(
            job.alert, [job.target_id], {job.target_id: state}, ports, self.policy
        )
        if outcome.sent:
            alert = job.alert
            log.info(
                "rule %s (v%s) fired on %s: sent to %s",
                alert.rule_id,
                alert.rule_version,
                alert.url or alert.article_id,
                ports.describe(job.target_id),
            )
        return outcome

    def _ports(self, key: str, partition: int, targets: Sequence[str]) -> FaustPorts:
        return FaustPorts(
            table=self.deliveries,
            key=key,
            partition=partition,
            alert_targets=targets,
            locks=self._locks,
            dead_letters=self.dead_letters,
            targets=self.targets,
            metrics=self.metrics,
            breaker=self.breaker,
            quick_retries=self.quick_retries,
            send_timeout=self.send_timeout,
            policy=self.policy,
            lifecycle=self.lifecycle,
        )

    def _announce(self, alert: Alert, has_targets: bool) -> None:
        if alert.targets and CONSOLE not in alert.targets:
            return  # a story alert for one target: the console gets its own
        if self.console:
            sys.stdout.write(format_console(alert))
            sys.stdout.flush()
        elif not has_targets:
            log.warning(
                "alert for rule %s, article %s has no target for tags %s and the console is "
                "off: it is sent nowhere",
                alert.rule_id,
                alert.article_id,
                ",".join(alert.tags),
            )
