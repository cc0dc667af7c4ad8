"""A second producer, lingering, for the table writes nobody waits for.

The dedupe table writes one changelog record per article. Through Faust's producer (no linger,
so other writes are acknowledged quickly) each record travelled in its own small produce
request, and building those requests in Python was a third of a worker's time. This producer
waits up to ``linger_ms`` to fill batches instead. What it holds is not flushed before Faust
commits offsets — acceptable for the dedupe table only, whose records may be lost in a crash
without harm (see ``agents.matching``); it is flushed on a clean shutdown.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaProducer

from newswatch.kafka.config import KafkaSettings

__all__ = ["LingeringProducer"]


class LingeringProducer:
    def __init__(self, settings: KafkaSettings, *, linger_ms: int = 20) -> None:
        self._settings = settings
        self._linger_ms = linger_ms
        self._producer: AIOKafkaProducer | None = None
        self._starting = asyncio.Lock()

    async def send(
        self, topic: str, key: bytes, value: bytes | None, partition: int, *_: Any
    ) -> Any:
        """Queue a record; returns the future of its acknowledgement (seldom awaited)."""
        producer = self._producer or await self._start()
        return await producer.send(topic, value=value, key=key, partition=partition)

    async def _start(self) -> AIOKafkaProducer:
        async with self._starting:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self._settings.servers,
                    client_id=f"{self._settings.client_id}-tables",
                    enable_idempotence=True,  # acks=all; retries keep order, add no copies
                    linger_ms=self._linger_ms,
                    max_batch_size=256 * 1024,
                )
                await producer.start()
                self._producer = producer
            return self._producer

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()  # flushes what is pending
