"""A Faust table whose writes go straight to a producer and can be awaited until acknowledged.

``table[key] = value`` hands the changelog record to Faust's producer buffer (a future per
record, a background task, sensors) and returns; nothing says when it is durable. Two needs
here: the delivery steps must wait until a "sending" mark is on Kafka *before* the Apprise call,
and the dedupe table writes one record per article, where that per-record machinery cost a
worker about 40 % of its throughput (measured, with no alert target: 1,270 articles/s with
``table[key] = value``, 2,150 with no dedupe writes at all, 1,780 with ``write`` through
``agents.batching``). So ``write`` serialises with the table's own codecs and calls a producer
directly — Faust's (flushed before every offset commit) unless the table has its own — and
``put`` also awaits the broker's acknowledgement.

The partition is passed explicitly — the source event's partition, as Faust itself uses —
instead of being read from the current-event context variable, which would silently be wrong
in a task spawned from another event.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import faust

__all__ = ["DurableTable"]

log = logging.getLogger(__name__)

SLOW_WRITE = 10.0
PRUNE_EVERY = 3600.0


class DurableTable(faust.Table[str, Any]):
    def __post_init__(self) -> None:
        super().__post_init__()
        self._pruned_at: dict[int, float] = {}
        # Faust's producer unless set (``agents.batching``, for writes nobody waits for).
        self.producer: Any = None

    async def write(self, key: str, value: Any, *, partition: int) -> Awaitable[Any]:
        """Set ``key`` (``None``: delete it); returns the future of Kafka's acknowledgement."""
        topic = self.changelog_topic
        raw_key, _ = topic.prepare_key(key, self.key_serializer)
        raw_value = None if value is None else topic.prepare_value(value, self.value_serializer)[0]
        if value is None:
            self.data.pop(key, None)
        else:
            self.data[key] = value
        producer = self.producer or self.app.producer
        return await producer.send(
            topic.get_topic_name(), raw_key, raw_value, partition, None, None
        )

    async def put(self, key: str, value: Any, *, partition: int) -> None:
        """Set ``key``; returns once the changelog record is acknowledged."""
        future = asyncio.ensure_future(await self.write(key, value, partition=partition))
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout=SLOW_WRITE)
        except TimeoutError:
            log.warning(
                "table %s: Kafka has not acknowledged the write of %r after %.0f s; waiting",
                self.name,
                key,
                SLOW_WRITE,
            )
            await future

    async def maybe_prune(
        self,
        partition: int,
        *,
        retention: float,
        may_forget: Callable[[Any], bool] = lambda value: True,
    ) -> int:
        """Forget entries of ``partition`` older than ``retention`` s, at most once an hour.

        Values carry ``{"t": written at, "p": partition}``; only a worker that owns the
        partition (it is handling one of its events) prunes it, with tombstones on the right
        changelog partition, so the table — and the changelog a new owner replays — stays
        bounded.
        """
        now = time.time()
        last = self._pruned_at.setdefault(partition, now)
        if now - last < PRUNE_EVERY:
            return 0
        self._pruned_at[partition] = now
        cutoff = now - retention
        old = [
            key
            for key, value in list(self.data.items())
            if isinstance(value, dict)
            and value.get("p") == partition
            and value.get("t", now) < cutoff
            and may_forget(value)
        ]
        for key in old:
            await self.write(key, None, partition=partition)
        if old:
            log.info("table %s: forgot %d entries (partition %d)", self.name, len(old), partition)
        return len(old)
