"""Faust's aiokafka transport with a short fetch wait, for alert latency.

Faust creates its aiokafka consumer with ``fetch_max_wait_ms=1500``, hard-coded. aiokafka
leaves a partition out of the next fetch request while records of it are still buffered, and a
fetch the broker holds open waits up to that long for data on the partitions it does name — so
an article arriving on the left-out partition waited up to 1.5 s (measured: produce→hit p95
1.4 s at 100 articles/s). A 100 ms wait bounds that, at the cost of a few more idle fetches.
"""

from __future__ import annotations

from typing import Any

from faust.transport.drivers import aiokafka as faust_aiokafka

__all__ = ["FETCH_MAX_WAIT_MS", "QuickFetchTransport"]

FETCH_MAX_WAIT_MS = 100


class _Thread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka reads this in start(), which comes later; there is no public setter.
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _Thread(self, loop=self.loop, beacon=self.beacon)


class QuickFetchTransport(faust_aiokafka.Transport):
    Consumer = _Consumer
