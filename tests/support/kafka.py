"""pytest fixtures and helpers for tests that talk to a real Apache Kafka broker.

The broker is *not* started here. Start it with the project's script and export
its address (the Makefile / CI do this)::

    export "$(scripts/kafka.sh start)"      # -> KAFKA_BOOTSTRAP=127.0.0.1:19092
    .venv/bin/pytest -m kafka
    scripts/kafka.sh stop

or point ``KAFKA_BOOTSTRAP`` at any broker you already have. A test that asks for
one of these fixtures while ``KAFKA_BOOTSTRAP`` is unset *fails* with that advice;
it never skips silently.

Load the fixtures with ``pytest_plugins = ["tests.support.kafka"]`` (in the root
``tests/conftest.py`` or in the test module).

Fixtures
    kafka_bootstrap  (session)  "host:port" from KAFKA_BOOTSTRAP, checked to answer
    kafka_broker     (session)  KafkaBroker: .bootstrap, .managed, .restart()
    kafka_admin      (session)  a shared kafka.admin.KafkaAdminClient
    kafka_topics     (function) TopicFactory: ``kafka_topics("articles", partitions=1)``
                                creates ``nwtest-<random>-articles`` and deletes every
                                topic with that test's prefix afterwards
    kafka_restart    (function) callable restarting the broker (skips the test when the
                                broker was not started by scripts/kafka.sh)

Helpers (plain functions, usable outside pytest too)
    make_producer(bootstrap, **overrides)  idempotent, acks=all KafkaProducer
    consume(bootstrap, topic, count, timeout=...)  read ``count`` records from the start
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError, UnknownTopicOrPartitionError

REPO_ROOT = Path(__file__).resolve().parents[2]
KAFKA_SCRIPT = REPO_ROOT / "scripts" / "kafka.sh"
ENV_VAR = "KAFKA_BOOTSTRAP"
TOPIC_PREFIX = "nwtest"

HOW_TO_START = (
    f"{ENV_VAR} is not set, but this test needs a real Kafka broker. Start the project's "
    "test broker and export its address, then re-run:\n"
    '    export "$(scripts/kafka.sh start)"   # KAFKA_BOOTSTRAP=127.0.0.1:19092\n'
    "    .venv/bin/pytest -m kafka\n"
    "    scripts/kafka.sh stop\n"
    f"or set {ENV_VAR}=host:port to use a broker you already run (docs/kafka.md). "
    "To leave Kafka tests out: pytest -m 'not kafka'."
)


# --------------------------------------------------------------------------- helpers


def bootstrap_from_env() -> str | None:
    value = os.environ.get(ENV_VAR, "").strip()
    return value or None


def unique_id(nbytes: int = 4) -> str:
    """A short random hex id for topic names, group ids and Faust app ids."""
    return secrets.token_hex(nbytes)


def new_admin(bootstrap: str, **overrides: Any) -> KafkaAdminClient:
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "client_id": "newswatch-tests-admin",
        "request_timeout_ms": 15000,
        "bootstrap_timeout_ms": 10000,
    }
    config.update(overrides)
    return KafkaAdminClient(**config)


def check_broker(bootstrap: str, timeout: float = 15.0) -> dict[str, Any]:
    """DescribeCluster round trip, retried until ``timeout``; raises RuntimeError."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            admin = new_admin(bootstrap, request_timeout_ms=5000, bootstrap_timeout_ms=5000)
            try:
                cluster: dict[str, Any] = admin.describe_cluster()
            finally:
                admin.close()
            if cluster.get("brokers"):
                return cluster
            last = RuntimeError(f"no brokers in {cluster!r}")
        except (KafkaError, OSError) as exc:
            last = exc
        time.sleep(0.5)
    raise RuntimeError(f"Kafka at {bootstrap} did not answer within {timeout:.0f}s: {last!r}")


def make_producer(bootstrap: str, **overrides: Any) -> KafkaProducer:
    """An idempotent, acks=all producer that retries through a broker restart."""
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "client_id": "newswatch-tests-producer",
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        "request_timeout_ms": 10000,
        "delivery_timeout_ms": 120000,
        "reconnect_backoff_ms": 100,
        "reconnect_backoff_max_ms": 1000,
        "retry_backoff_ms": 200,
    }
    config.update(overrides)
    return KafkaProducer(**config)


def consume(
    bootstrap: str,
    topic: str,
    count: int,
    *,
    timeout: float = 30.0,
    **overrides: Any,
) -> list[Any]:
    """Read up to ``count`` records of ``topic`` from its beginning (no consumer group).

    Returns as soon as ``count`` records arrived or ``timeout`` seconds passed, so the
    caller asserts on ``len(result)``. Records are kafka-python ConsumerRecords.
    """
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "client_id": "newswatch-tests-consumer",
        "group_id": None,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "request_timeout_ms": 15000,
        "reconnect_backoff_max_ms": 1000,
    }
    config.update(overrides)
    consumer = KafkaConsumer(**config)
    records: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        partitions = None
        while partitions is None and time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic)
            if partitions is None:
                time.sleep(0.2)
        if partitions is None:
            return records
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        while len(records) < count and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
    finally:
        consumer.close(autocommit=False)
    return records[:count] if len(records) > count else records


def wait_for_topic(admin: KafkaAdminClient, name: str, timeout: float = 30.0) -> None:
    """Until every partition of ``name`` has a leader."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            for topic in admin.describe_topics([name]):
                parts = topic.get("partitions") or []
                if (
                    topic.get("error_code", 0) == 0
                    and parts
                    and all(
                        p.get("leader_id", p.get("leader", -1)) not in (None, -1) for p in parts
                    )
                ):
                    return
        except KafkaError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"topic {name} has no leader after {timeout:.0f}s")


@dataclass
class TopicFactory:
    """Creates uniquely named topics for one test; ``cleanup()`` deletes them.

    ``prefix`` (``nwtest-<hex>-``) is unique per test: give it to anything else that
    creates topics (a Faust app id, a consumer group) and ``cleanup()`` removes those
    topics too.
    """

    admin: KafkaAdminClient
    prefix: str = field(default_factory=lambda: f"{TOPIC_PREFIX}-{unique_id()}-")
    created: list[str] = field(default_factory=list)

    def name(self, base: str = "topic") -> str:
        return f"{self.prefix}{base}"

    def __call__(
        self,
        base: str = "topic",
        partitions: int = 1,
        configs: dict[str, str] | None = None,
    ) -> str:
        name = self.name(base)
        spec: dict[str, Any] = {"num_partitions": partitions, "replication_factor": 1}
        if configs:
            spec["configs"] = configs
        self.admin.create_topics({name: spec}, timeout_ms=15000)
        self.created.append(name)
        wait_for_topic(self.admin, name)
        return name

    def cleanup(self) -> list[str]:
        try:
            names = {t for t in self.admin.list_topics() if t.startswith(self.prefix)}
        except KafkaError:
            names = set()
        names.update(self.created)
        if names:
            with contextlib.suppress(KafkaError, UnknownTopicOrPartitionError):
                self.admin.delete_topics(sorted(names), timeout_ms=15000, raise_errors=False)
        return sorted(names)


@dataclass
class KafkaBroker:
    """The broker under test. ``managed``: started by scripts/kafka.sh here, restartable."""

    bootstrap: str
    managed: bool
    run_dir: str | None = None
    restarts: int = 0

    @property
    def port(self) -> int:
        return int(self.bootstrap.rsplit(":", 1)[1])

    def script_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["KAFKA_PORT"] = str(self.port)
        if self.run_dir:
            env["KAFKA_RUN_DIR"] = self.run_dir
        return env

    def restart(self, timeout: float = 180.0) -> float:
        """``scripts/kafka.sh restart`` (data kept); returns the seconds it took."""
        if not self.managed:
            raise RuntimeError(
                f"the broker at {self.bootstrap} was not started by scripts/kafka.sh here; "
                "refusing to restart it"
            )
        started = time.monotonic()
        proc = subprocess.run(
            [str(KAFKA_SCRIPT), "restart"],
            env=self.script_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"scripts/kafka.sh restart failed ({proc.returncode}):\n{proc.stderr[-4000:]}"
            )
        self.restarts += 1
        return time.monotonic() - started


def detect_managed(bootstrap: str) -> KafkaBroker:
    """Is ``bootstrap`` the broker that scripts/kafka.sh runs from KAFKA_RUN_DIR?"""
    host, _, port = bootstrap.rpartition(":")
    run_dir = os.environ.get("KAFKA_RUN_DIR") or None
    if "," in bootstrap or host not in ("127.0.0.1", "localhost") or not port.isdigit():
        return KafkaBroker(bootstrap=bootstrap, managed=False, run_dir=run_dir)
    env = dict(os.environ, KAFKA_PORT=port)
    try:
        proc = subprocess.run(
            [str(KAFKA_SCRIPT), "status"],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return KafkaBroker(bootstrap=bootstrap, managed=False, run_dir=run_dir)
    managed = proc.returncode == 0 and f"{ENV_VAR}=127.0.0.1:{port}" in proc.stdout
    return KafkaBroker(bootstrap=f"127.0.0.1:{port}", managed=managed, run_dir=run_dir)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    bootstrap = bootstrap_from_env()
    if bootstrap is None:
        pytest.fail(HOW_TO_START, pytrace=False)
    try:
        check_broker(bootstrap)
    except RuntimeError as exc:
        pytest.fail(
            f"{exc}\n{ENV_VAR}={bootstrap} is set but no broker answers there. "
            "Is it running? `scripts/kafka.sh status` / `scripts/kafka.sh start`.",
            pytrace=False,
        )
    return bootstrap


@pytest.fixture(scope="session")
def kafka_broker(kafka_bootstrap: str) -> KafkaBroker:
    return detect_managed(kafka_bootstrap)


@pytest.fixture(scope="session")
def kafka_admin(kafka_bootstrap: str) -> Iterator[KafkaAdminClient]:
    admin = new_admin(kafka_bootstrap)
    yield admin
    admin.close()


@pytest.fixture
def kafka_topics(kafka_admin: KafkaAdminClient) -> Iterator[TopicFactory]:
    factory = TopicFactory(kafka_admin)
    yield factory
    factory.cleanup()


@pytest.fixture
def kafka_restart(kafka_broker: KafkaBroker) -> Callable[[], float]:
    if not kafka_broker.managed:
        pytest.skip(
            f"broker {kafka_broker.bootstrap} was not started by scripts/kafka.sh "
            "(KAFKA_RUN_DIR/KAFKA_PORT): it cannot be restarted from the tests"
        )
    return kafka_broker.restart
