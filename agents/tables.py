"""A Faust table whose writes can be awaited until Kafka has them.

``table[key] = value`` queues the changelog record and returns; nothing says when it is durable.
The delivery steps need exactly that (a "sending" mark must be on Kafka *before* the Apprise
call), so ``put`` returns the changelog send's future. The partition is passed explicitly (the
source event's partition, as Faust itself uses) instead of being read from the current-event
context variable, which would silently be wrong in a task spawned from another event.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import faust

log = logging.getLogger(__name__)

SLOW_WRITE = 10.0

__all__ = ["DurableTable"]


class DurableTable(faust.Table[str, Any]):
    async def put(self, key: str, value: Any, *, partition: int) -> None:
        """Set ``key``; returns once the changelog write is acknowledged."""
        future = self.put_soon(key, value, partition=partition)
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

    def put_soon(self, key: str, value: Any, *, partition: int) -> Any:
        """Set ``key`` now; the changelog write is acknowledged later (flushed before commit)."""
        future = self.send_changelog(partition, key, value)
        self.data[key] = value
        return future

    def drop_soon(self, key: str, *, partition: int) -> None:
        """Remove ``key``: a tombstone on its changelog partition."""
        self.send_changelog(partition, key, None, value_serializer="raw")
        self.data.pop(key, None)
