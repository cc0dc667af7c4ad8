"""Letting go of an event when the worker stops or rebalances mid-way.

Faust waits for every event an agent has taken but not acknowledged before it stops or hands
partitions over (``Consumer.wait_empty``). An agent that is waiting — for the rules at start,
for Kafka during an outage, in a delivery backoff — must therefore let go promptly, yet must not
acknowledge work it has not done. ``abandon`` takes the event out of Faust's unacknowledged set
without acknowledging it: the consumer stops waiting, the offset commit stops short of it, and
Kafka delivers it again (after a restart, or to the partition's next owner, which Faust seeks
back to the committed offset). What was already done is in the tables, so nothing repeats.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any

from newswatch.kafka.delivery import Interrupted

__all__ = ["Interrupted", "Lifecycle"]

POLL = 0.2


class Lifecycle:
    def __init__(self, app: Any) -> None:  # faust.App
        self._app = app

    @property
    def interrupted(self) -> bool:
        """The worker is stopping, or its partitions are being reassigned.

        Faust suspends its flow control exactly while it waits for the events in hand (on stop
        and on revocation) and seeks back to the committed offsets before resuming. Not
        ``app.rebalancing``: that stays true for a while after events flow again, and an event
        let go then would not come back until the next rebalance.
        """
        return bool(self._app.should_stop or not self._app.flow_control.is_active())

    async def sleep(self, seconds: float) -> None:
        """Sleep; raises ``Interrupted`` as soon as the worker stops or rebalances."""
        deadline = time.monotonic() + max(0.0, seconds)
        while True:
            if self.interrupted:
                raise Interrupted()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(min(POLL, left))

    async def wait(self, event: asyncio.Event) -> None:
        """Wait for ``event``; raises ``Interrupted`` as above."""
        while not event.is_set():
            if self.interrupted:
                raise Interrupted()
            try:
                await asyncio.wait_for(event.wait(), timeout=POLL)
            except TimeoutError:
                continue

    async def wait_all(
        self,
        futures: Iterable[asyncio.Future[Any]],
        *,
        report: Callable[[int, float], None],
        every: float,
    ) -> None:
        """Wait until every future is done; raises the first error among them, or
        ``Interrupted`` as above. ``report(pending, seconds waited)`` is called every ``every``
        seconds of waiting, so a broker outage shows in the log instead of as silence (Faust's
        producer keeps retrying a send for up to ``producer_request_timeout``, 20 minutes)."""
        pending = set(futures)
        started = reported = time.monotonic()
        while pending:
            if self.interrupted:
                _settle_quietly(pending)
                raise Interrupted()
            done, pending = await asyncio.wait(pending, timeout=POLL)
            # Every error is retrieved here, not just the one raised.
            failed = [f for f in done if f.cancelled() or f.exception() is not None]
            if failed:
                _settle_quietly(pending)  # nobody waits for these any more
                failed[0].result()  # raises its error (or CancelledError)
            now = time.monotonic()
            if pending and now - reported >= every:
                report(len(pending), now - started)
                reported = now

    def abandon(self, event: Any) -> None:
        """Let go of ``event`` unacknowledged: it will be delivered again."""
        self._app.consumer.unacked.discard(event.message)


def _settle_quietly(futures: Iterable[asyncio.Future[Any]]) -> None:
    """Futures nobody waits for any more: retrieve their errors when they come, so asyncio
    does not log "exception was never retrieved" for sends the caller has already retried."""
    for future in futures:
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
