"""The worker's Faust transport (agents/transport.py) against a real broker: a producer batch for
a topic that aiokafka's metadata stopped listing. The consumer-side repairs are covered end to
end by tests/kafka/test_scaleout.py (two workers handing partitions over)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import faust
import pytest
from faust.transport.drivers import aiokafka as faust_aiokafka

from agents.transport import WorkerTransport
from tests.support.kafka import TopicFactory

pytestmark = pytest.mark.kafka

LINGER = 2.0  # long enough for the metadata refresh below to land while the batch waits


async def _queued_record_is_acknowledged(
    transport: type[faust_aiokafka.Transport],
    bootstrap: str,
    topics: TopicFactory,
    tmp_path: Path,
    tag: str,
) -> bool:
    first = topics(f"{tag}-first")
    app = faust.App(
        topics.name(f"{tag}-app"),
        broker=f"kafka://{bootstrap}",
        datadir=str(tmp_path / tag),
        producer_linger=LINGER,
    )
    app.transport = transport(app.conf.broker_consumer, app)
    producer = app.producer
    await producer.start()
    try:
        client = producer._ensure_producer().client  # type: ignore[attr-defined]
        await client.force_metadata_update()  # every topic, as after Faust creates its own
        second = topics(f"{tag}-second")  # created after that refresh, like a new changelog
        queued = await producer.send(first, None, b"x", 0, None, None)
        sent = await producer.send(second, None, b"y", 0, None, None)
        await asyncio.wait_for(sent, 20)
        try:
            await asyncio.wait_for(asyncio.shield(queued), LINGER + 5)
        except TimeoutError:
            # Only another send to the topic brings its metadata back (stop() flushes).
            await producer.send(first, None, b"z", 0, None, None)
            await asyncio.wait_for(queued, 20)
            return False
        return True
    finally:
        await producer.stop()


async def test_a_record_queued_for_an_already_known_topic_is_not_stranded(
    kafka_bootstrap: str, kafka_topics: TopicFactory, tmp_path: Path
) -> None:
    # Plain aiokafka tracks the second topic only; the refresh forgets the first, whose batch
    # then waits for a leader forever (and Faust's flush before each commit with it). If this
    # ever acknowledges, aiokafka fixed it and agents.transport._Producer can go.
    stranded = not await _queued_record_is_acknowledged(
        faust_aiokafka.Transport, kafka_bootstrap, kafka_topics, tmp_path, "plain"
    )
    assert await _queued_record_is_acknowledged(
        WorkerTransport, kafka_bootstrap, kafka_topics, tmp_path, "worker"
    )
    assert stranded
