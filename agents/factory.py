"""The Faust app of a newswatch worker: topics, tables, the three agents, rules, web, metrics.

    articles ──▶ match-articles ──▶ matched ──▶ group-stories ──▶ hits ──▶ deliver-hits ──▶ Apprise
                  │ table: seen    (1 partition)  │ table: stories       │ table: deliveries
                  └ rules (every worker reads the whole compacted topic)  └▶ dead-letters

The agents take one event at a time and acknowledge it themselves (``noack`` streams) only
once it is completely handled, so neither a crash nor a shutdown commits an offset whose work
is unfinished. Faust flushes the producer (hits, changelogs) before each offset commit.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import faust
from faust.types import TP

from agents.batching import LingeringProducer
from agents.delivering import HitDeliverer
from agents.lifecycle import Interrupted, Lifecycle
from agents.matching import ArticleMatcher
from agents.ports import Breaker
from agents.recovery import SteadyTableManager
from agents.settings import WorkerSettings
from agents.stories import StoryStage
from agents.tables import DurableTable
from agents.transport import WorkerTransport
from agents.web import add_pages
from newswatch.alerts.targets import Targets
from newswatch.kafka.admin import MAX_MESSAGE_BYTES, ensure_topics
from newswatch.kafka.metrics import WorkerMetrics
from newswatch.kafka.rulefeed import RulesFollower
from newswatch.matching.snapshot import RuleSnapshot

__all__ = ["Worker", "create_app"]

log = logging.getLogger(__name__)

LAG_INTERVAL = 5.0
# Seconds between inbox rounds: how late a digest time or the end of a wait may be noticed.
INBOX_TICK = 2.0


@dataclass
class Worker:
    """Everything one worker process holds (``app`` is what Faust runs)."""

    app: faust.App
    settings: WorkerSettings
    partitions: int
    metrics: WorkerMetrics
    rules: RulesFollower
    matcher: ArticleMatcher
    grouper: StoryStage
    deliverer: HitDeliverer
    positions: dict[Any, int]


def _faust_app(settings: WorkerSettings, partitions: int) -> faust.App:
    return faust.App(
        settings.app_id,
        broker=[f"kafka://{server}" for server in settings.kafka.servers],
        store="memory://",
        datadir=str(settings.datadir),
        # `faust worker` overrides web_enabled from its --with-web flag (on by default), but
        # keeps web_bind unless --web-bind is given: the port stays on 127.0.0.1 either way.
        web_enabled=settings.web,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port,
        # Tables' changelogs must have as many partitions as the topics their agents read.
        topic_partitions=partitions,
        topic_replication_factor=settings.kafka.replication,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=settings.commit_interval,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=min(3.0, settings.session_timeout / 3),
        producer_max_request_size=MAX_MESSAGE_BYTES,
        consumer_max_fetch_size=MAX_MESSAGE_BYTES,
        # --console prints alerts on stdout; Faust would otherwise turn stdout into log lines.
        worker_redirect_stdouts=False,
        # The end of table recovery holds the stream until it is at the committed offsets.
        TableManager=SteadyTableManager,
    )


def _raw_topic(app: faust.App, name: str, partitions: int) -> faust.TopicT:
    # Bytes in, bytes out: the wire forms are newswatch's own JSON (Article.to_json, records).
    return app.topic(
        name,
        partitions=partitions,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )


def _table(app: faust.App, name: str, partitions: int) -> DurableTable:
    table = DurableTable(
        app, name=name, default=None, partitions=partitions, beacon=app.tables.beacon
    )
    app.tables.add(table)
    return table


def create_app(settings: WorkerSettings, *, partitions: int | None = None) -> Worker:
    """Build (not start) a worker; creates missing topics unless ``partitions`` is given."""
    n = partitions or ensure_topics(settings.kafka)
    names = settings.kafka.topics
    settings.datadir.mkdir(parents=True, exist_ok=True)
    app = _faust_app(settings, n)
    # Shorter fetch wait, and records Faust would drop during a rebalance given back.
    app.transport = WorkerTransport(app.conf.broker_consumer, app)
    metrics = WorkerMetrics()
    articles = _raw_topic(app, names.articles, n)
    hits = _raw_topic(app, names.hits, n)
    matched = _raw_topic(app, names.matched, 1)
    dead_letters = _raw_topic(app, names.dead_letters, 1)
    seen = _table(app, "seen", n)
    seen.producer = LingeringProducer(settings.kafka)
    deliveries = _table(app, "deliveries", n)
    stories = _table(app, "stories", 1)

    def rules_changed(snapshot: RuleSnapshot) -> None:
        metrics.rules.set(len(snapshot.rules))

    rules = RulesFollower(settings.kafka, on_change=rules_changed)
    targets = Targets.load(settings.apprise, default_tag=settings.default_tag)
    lifecycle = Lifecycle(app)
    worker = Worker(
        app=app,
        settings=settings,
        partitions=n,
        metrics=metrics,
        rules=rules,
        matcher=ArticleMatcher(
            seen=seen,
            matched_topic=matched,
            rules=rules,
            metrics=metrics,
            lifecycle=lifecycle,
            route=targets.route,
            console=settings.console,
            default_tag=settings.default_tag,
            retention=settings.retention_days * 86400.0,
        ),
        grouper=StoryStage(
            stories=stories,
            hits_topic=hits,
            rules=rules,
            metrics=metrics,
            lifecycle=lifecycle,
            params=settings.stories,
            targets=targets,
            console=settings.console,
            default_tag=settings.default_tag,
        ),
        deliverer=HitDeliverer(
            deliveries=deliveries,
            dead_letters=dead_letters,
            targets=targets,
            metrics=metrics,
            policy=settings.retry,
            lifecycle=lifecycle,
            quick_retries=settings.quick_retries,
            send_timeout=settings.send_timeout,
            console=settings.console,
            breaker=Breaker(settings.target_cooldown),
            retention=settings.retention_days * 86400.0,
        ),
        positions={},
    )

    async def one_at_a_time(
        stream: faust.StreamT[bytes], handle: Callable[[Any], Awaitable[None]]
    ) -> None:
        """Handle each event completely, then acknowledge it; an interrupted one is let go
        unacknowledged (it is handled again by whoever owns the partition next)."""
        manual = cast("faust.Stream[bytes]", stream).noack()
        async for event in manual.events():
            try:
                await handle(event)
            except Interrupted:
                lifecycle.abandon(event)
                continue
            worker.positions[event.message.tp] = event.message.offset + 1
            await manual.ack(event)

    @app.agent(articles, name="match-articles")
    async def match_articles(stream: faust.StreamT[bytes]) -> None:
        await one_at_a_time(stream, worker.matcher.handle)

    @app.agent(matched, name="group-stories")
    async def group_stories(stream: faust.StreamT[bytes]) -> None:
        await one_at_a_time(stream, worker.grouper.handle)

    async def partitions_revoked(sender: Any, /, *args: Any, **kwargs: Any) -> None:
        worker.grouper.forget()  # rebuilt from the stories table if the partition comes back

    app.on_partitions_revoked.connect(partitions_revoked)

    @app.agent(hits, name="deliver-hits")
    async def deliver_hits(stream: faust.StreamT[bytes]) -> None:
        manual = cast("faust.Stream[bytes]", stream).noack()

        async def finish(event: Any, done: bool) -> None:
            if not done:
                lifecycle.abandon(event)
                return
            tp = event.message.tp
            worker.positions[tp] = max(worker.positions.get(tp, 0), event.message.offset + 1)
            await manual.ack(event)

        async for event in manual.events():
            try:
                await worker.deliverer.submit(event, finish)
            except Interrupted:
                lifecycle.abandon(event)

    @app.task  # type: ignore[untyped-decorator]
    async def follow_rules() -> None:
        await rules.run()

    async def flush_tables(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        await seen.producer.stop()  # what the dedupe table still holds, on a clean stop

    app.on_before_shutdown.connect(flush_tables)

    @app.timer(INBOX_TICK)  # type: ignore[untyped-decorator]
    async def inbox_tick() -> None:
        await _inbox_round(worker)

    @app.timer(LAG_INTERVAL)  # type: ignore[untyped-decorator]
    async def measure_lag() -> None:
        _measure_lag(worker)

    if settings.web:
        add_pages(worker_app=app, worker=worker)
    log.info(
        "worker %s: %d partitions, %d notification target(s), topics %s*",
        settings.app_id,
        n,
        len(targets),
        settings.kafka.prefix,
    )
    return worker


async def _inbox_round(worker: Worker) -> None:
    """Group waits, updates, cool-downs, digests and quiet hours that end with no new article:
    released by the worker that owns the matched partition, once its tables are recovered."""
    if not _owns_stories(worker):
        return
    try:
        await worker.grouper.tick()
    except Interrupted:
        return
    except Exception:
        log.exception("inbox round failed; the next round retries")


def _owns_stories(worker: Worker) -> bool:
    app = worker.app
    if worker.grouper.warm:
        return True
    recovery = cast("Any", app.tables).recovery
    if app.rebalancing or not recovery.completed.is_set():
        return False
    matched = TP(worker.settings.kafka.topics.matched, 0)
    return matched in app.assignor.assigned_actives()


def _measure_lag(worker: Worker) -> None:
    consumer = worker.app.consumer
    topics = worker.settings.kafka.topics
    watched = (topics.articles, topics.matched, topics.hits)
    for tp in consumer.assignment():
        if tp.topic not in watched:
            continue
        high = consumer.highwater(tp)
        if high is None:
            continue
        done = worker.positions.get(tp)
        if done is None:
            continue  # nothing processed here yet: the committed offset is Faust's to know
        worker.metrics.lag.labels(tp.topic, str(tp.partition)).set(max(0, high - done))
