"""Smoke tests against a real Apache Kafka broker (scripts/kafka.sh, KRaft, single node).

Run:
    export "$(scripts/kafka.sh start)"
    .venv/bin/pytest tests/kafka -m kafka -v      # -s shows the timings printed below
    scripts/kafka.sh stop

What they pin down:
  * kafka-python 3.0.12 idempotent/acks=all produce + consume round trip;
  * a broker restart in the middle of a stream loses nothing (and duplicates nothing);
  * a minimal faust-streaming 0.15.3 worker (agent + table, run as `faust worker` in a
    subprocess) relays every message, creates its changelog topic, shuts down on SIGTERM;
  * the same worker keeps relaying across a broker restart (at-least-once).
"""

from __future__ import annotations

import collections
import os
import signal
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The fixtures live in a plugin module that this file also imports helpers from: mark it
# for assertion rewriting before that import (a root conftest.py may list it as well).
pytest.register_assert_rewrite("tests.support.kafka")
from tests.support.kafka import TopicFactory, consume, make_producer  # noqa: E402
from tests.support.processes import OwnedProcess  # noqa: E402

pytest_plugins = ["tests.support.kafka"]
pytestmark = pytest.mark.kafka


def report(msg: str) -> None:
    """Timings and observations; visible with ``pytest -s`` (or in the failure report)."""
    print(f"[kafka-smoke] {msg}", flush=True)


# --------------------------------------------------------------------------- kafka-python


def test_produce_consume_roundtrip(kafka_bootstrap: str, kafka_topics: TopicFactory) -> None:
    topic = kafka_topics("roundtrip", partitions=3)
    n = 300
    producer = make_producer(kafka_bootstrap)
    try:
        futures = [
            producer.send(
                topic,
                key=f"k{i % 10}".encode(),
                value=f"{i}".encode(),
                headers=[("source", b"smoke")],
            )
            for i in range(n)
        ]
        producer.flush(timeout=30)
    finally:
        producer.close(timeout=10)
    metadata = [f.get(timeout=10) for f in futures]
    assert {m.topic for m in metadata} == {topic}

    records = consume(kafka_bootstrap, topic, n, timeout=30)
    assert len(records) == n
    assert sorted(int(r.value) for r in records) == list(range(n))
    assert all(r.headers == [("source", b"smoke")] for r in records)
    # Same key -> same partition -> produce order kept.
    by_key: dict[bytes, list[int]] = collections.defaultdict(list)
    partition_of: dict[bytes, set[int]] = collections.defaultdict(set)
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_key[r.key].append(int(r.value))
        partition_of[r.key].add(r.partition)
    assert all(len(p) == 1 for p in partition_of.values())
    assert all(values == sorted(values) for values in by_key.values())


def test_broker_restart_loses_nothing(
    kafka_bootstrap: str,
    kafka_topics: TopicFactory,
    kafka_restart: Any,
) -> None:
    topic = kafka_topics("restart")
    n, interval = 800, 0.01
    producer = make_producer(kafka_bootstrap)
    futures: list[Any] = []
    sent_at: list[float] = []
    stop = threading.Event()

    def keep_sending() -> None:
        for i in range(n):
            if stop.is_set():
                return
            futures.append(producer.send(topic, key=b"k", value=str(i).encode()))
            sent_at.append(time.monotonic())
            time.sleep(interval)

    sender = threading.Thread(target=keep_sending, name="smoke-sender", daemon=True)
    sender.start()
    try:
        deadline = time.monotonic() + 30
        while len(futures) < n // 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(futures) >= n // 4, "sender thread stalled before the restart"
        restart_began = time.monotonic()
        took = kafka_restart()
        restart_ended = time.monotonic()
        sender.join(timeout=120)
        assert not sender.is_alive(), "sender thread did not finish within 120s"
        producer.flush(timeout=120)
    finally:
        stop.set()
        producer.close(timeout=30)

    during = sum(1 for t in sent_at if restart_began <= t <= restart_ended)
    failed = [f.exception for f in futures if not f.succeeded()]
    report(
        f"restart took {took:.1f}s; {during} of {n} sends issued while the broker was "
        f"restarting; {len(failed)} failed deliveries"
    )
    assert during > 0, "no message was sent while the broker was down: restart too fast?"
    assert not failed, f"deliveries failed: {failed[:3]}"

    records = consume(kafka_bootstrap, topic, n + 50, timeout=20)
    values = [int(r.value) for r in records]
    assert len(values) == n, f"expected {n} records, got {len(values)}"
    assert sorted(values) == list(range(n))  # nothing lost, nothing duplicated
    assert values == list(range(n))  # idempotent producer keeps order per partition


# --------------------------------------------------------------------------- faust

FAUST_APP = textwrap.dedent(
    '''
    """Minimal Faust app for tests/kafka/test_broker_smoke.py (written out at test time)."""
    import os

    import faust

    app = faust.App(
        os.environ["NW_FAUST_APP_ID"],
        broker=os.environ["NW_FAUST_BROKER"],
        store="memory://",
        datadir=os.environ["NW_FAUST_DATADIR"],
        web_enabled=False,  # NB: `faust worker` overrides this; pass --without-web too
        topic_partitions=1,
        topic_replication_factor=1,
        consumer_auto_offset_reset="earliest",
    )
    source = app.topic(os.environ["NW_FAUST_SOURCE"], key_type=bytes, value_type=bytes,
                       key_serializer="raw", value_serializer="raw")
    sink = app.topic(os.environ["NW_FAUST_SINK"], key_type=bytes, value_type=bytes,
                     key_serializer="raw", value_serializer="raw")
    counts = app.Table("counts", default=int, partitions=1, key_type=str, value_type=int)


    @app.agent(source)
    async def relay(stream):
        async for key, value in stream.items():
            counts[key.decode()] += 1
            await sink.send(key=key, value=value.upper())
    '''
)


class FaustWorker(OwnedProcess):
    """`python -m faust -A <module> worker` in a subprocess we own (own session, own pid)."""

    READY = "[^Worker]: Ready"

    def __init__(self, workdir: Path, bootstrap: str, app_id: str, source: str, sink: str):
        module = workdir / "nw_faust_smoke_app.py"
        module.write_text(FAUST_APP)
        env = dict(
            os.environ,
            PYTHONPATH=str(workdir),
            PYTHONUNBUFFERED="1",
            NW_FAUST_APP_ID=app_id,
            NW_FAUST_BROKER=f"kafka://{bootstrap}",
            NW_FAUST_DATADIR=str(workdir / "faust-data"),
            NW_FAUST_SOURCE=source,
            NW_FAUST_SINK=sink,
        )
        super().__init__("faust-worker", workdir, env)
        self.app_id = app_id
        self.source = source
        self.sink = sink

    def start(self) -> None:
        app = ["-A", "nw_faust_smoke_app"]
        self.spawn([sys.executable, "-m", "faust", *app, "worker", "-l", "info", "--without-web"])

    def wait_ready(self, timeout: float = 90.0) -> float:
        return self.wait_for_log(self.READY, timeout)


@pytest.fixture
def faust_worker(
    kafka_bootstrap: str, kafka_topics: TopicFactory, tmp_path: Path
) -> Iterator[FaustWorker]:
    # The app id shares the test's topic prefix, so kafka_topics' cleanup also deletes
    # Faust's own topics (<app id>-counts-changelog, <app id>-__assignor-__leader).
    source = kafka_topics("faust-src")
    sink = kafka_topics("faust-sink")
    worker = FaustWorker(tmp_path, kafka_bootstrap, kafka_topics.name("faust"), source, sink)
    try:
        yield worker
    finally:
        worker.kill()


def send_all(bootstrap: str, topic: str, start: int, stop: int) -> None:
    producer = make_producer(bootstrap)
    try:
        for i in range(start, stop):
            producer.send(topic, key=f"k{i % 5}".encode(), value=f"article {i}".encode())
        producer.flush(timeout=60)
    finally:
        producer.close(timeout=10)


def wait_for_outputs(bootstrap: str, topic: str, expected: int, timeout: float) -> list[Any]:
    return consume(bootstrap, topic, expected, timeout=timeout)


def test_faust_agent_relays_every_message(
    kafka_bootstrap: str, kafka_topics: TopicFactory, kafka_admin: Any, faust_worker: FaustWorker
) -> None:
    n = 100
    source, sink = faust_worker.source, faust_worker.sink
    # Half before the worker exists: a brand-new group must start from the beginning
    # (consumer_auto_offset_reset="earliest", which is also Faust's default).
    send_all(kafka_bootstrap, source, 0, n // 2)

    faust_worker.start()
    ready_after = faust_worker.wait_ready(timeout=90)
    sent = time.monotonic()
    send_all(kafka_bootstrap, source, n // 2, n)
    records = wait_for_outputs(kafka_bootstrap, sink, n, timeout=60)
    relayed_after = time.monotonic() - sent
    assert len(records) == n, f"{len(records)}/{n} relayed\n{faust_worker.tail()}"
    assert sorted(r.value for r in records) == sorted(f"ARTICLE {i}".encode() for i in range(n))

    # The table's changelog topic: <app id>-<table>-changelog, created by the worker.
    changelog = f"{faust_worker.app_id}-counts-changelog"
    topics = set(kafka_admin.list_topics())
    assert changelog in topics
    assert f"{faust_worker.app_id}-__assignor-__leader" in topics
    latest: dict[bytes, bytes] = {}
    for r in consume(kafka_bootstrap, changelog, n, timeout=20):
        latest[r.key] = r.value  # keys JSON-encoded str, values JSON int
    assert latest == {f'"k{k}"'.encode(): str(n // 5).encode() for k in range(5)}

    log = faust_worker.log()
    assert "| web " not in log, "web server started despite --without-web"
    rc, stop_took = faust_worker.stop(signal.SIGTERM, timeout=30)
    report(
        f"faust: ready {ready_after:.1f}s after spawn; {n // 2} live messages relayed in "
        f"{relayed_after:.1f}s; SIGTERM -> exit {rc} in {stop_took:.1f}s"
    )
    assert rc == 0, f"faust worker did not exit cleanly on SIGTERM:\n{faust_worker.tail()}"
    tail = faust_worker.log()
    assert "LeaveGroup request succeeded" in tail
    assert "Traceback" not in tail, faust_worker.tail(120)


def test_faust_agent_survives_broker_restart(
    kafka_bootstrap: str, faust_worker: FaustWorker, kafka_restart: Any
) -> None:
    n = 60
    source, sink = faust_worker.source, faust_worker.sink
    faust_worker.start()
    faust_worker.wait_ready(timeout=90)
    send_all(kafka_bootstrap, source, 0, n // 2)
    first = wait_for_outputs(kafka_bootstrap, sink, n // 2, timeout=60)
    assert len(first) == n // 2, faust_worker.tail()

    took = kafka_restart()
    assert faust_worker.proc is not None
    assert faust_worker.proc.poll() is None, f"worker died with the broker:\n{faust_worker.tail()}"
    resumed = time.monotonic()
    send_all(kafka_bootstrap, source, n // 2, n)

    # At-least-once: duplicates are allowed, losses are not. Poll until every value is seen.
    want = {f"ARTICLE {i}".encode() for i in range(n)}
    seen: list[bytes] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        seen = [r.value for r in consume(kafka_bootstrap, sink, 10 * n, timeout=3)]
        if want <= set(seen):
            break
    caught_up = time.monotonic() - resumed
    missing = sorted(want - set(seen))
    duplicates = len(seen) - len(set(seen))
    rc, stop_took = faust_worker.stop(signal.SIGTERM, timeout=30)
    report(
        f"faust across broker restart: restart {took:.1f}s; all {n} relayed "
        f"{caught_up:.1f}s after it; {duplicates} duplicates; SIGTERM -> exit {rc} "
        f"in {stop_took:.1f}s"
    )
    assert not missing, f"missing after restart: {missing[:5]}...\n{faust_worker.tail(120)}"
    assert rc == 0, faust_worker.tail()
