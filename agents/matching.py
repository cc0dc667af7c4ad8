"""The match step: one article event → dedupe → shared matcher → the matched topic.

Every new article goes on, fired or not, with its hits and one alert per target (story id not
known yet): story grouping (``agents.stories``) needs the whole stream.

Order, so a crash anywhere loses nothing: the record is produced and *acknowledged* before the
article is recorded as seen; the article's offset is committed after both (Faust flushes the
producer before every commit). A crash before the "seen" record replays the article, which the
grouping stage then finds already grouped (same story, same alert keys), and delivery's
per-(story, target) record absorbs the repeated alerts.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from agents.lifecycle import Interrupted, Lifecycle
from agents.tables import DurableTable
from newswatch.alerts.firing import fire
from newswatch.alerts.story import Route, story_alerts
from newswatch.article import Article, ArticleError
from newswatch.constants import DEFAULT_TAG
from newswatch.kafka.metrics import WorkerMetrics
from newswatch.kafka.records import MatchedRecord
from newswatch.kafka.rulefeed import RulesFollower

__all__ = ["ArticleMatcher"]

log = logging.getLogger(__name__)

PRODUCE_RETRY = 2.0
ACK_REPORT = 30.0  # seconds between log lines while Kafka has not acknowledged the hits


@dataclass
class ArticleMatcher:
    seen: DurableTable
    matched_topic: Any  # faust.Topic
    rules: RulesFollower
    metrics: WorkerMetrics
    lifecycle: Lifecycle
    route: Route
    console: bool = False
    default_tag: str = DEFAULT_TAG
    retention: float = 30 * 86400.0  # dedupe window: a copy older than this is new again
    ack_report: float = ACK_REPORT

    async def handle(self, event: Any) -> None:
        """Process one event of the articles topic completely.

        Raises ``Interrupted`` (the event is then let go, unacknowledged) only while waiting.
        """
        if not self.rules.ready.is_set():
            await self.lifecycle.wait(self.rules.ready)  # never match an empty rule set at start
        message = event.message
        try:
            article = Article.from_json(event.value)
        except ArticleError as exc:
            self.metrics.articles.labels("invalid").inc()
            log.warning(
                "articles %s[%d]@%d is not an article, skipped: %s",
                message.topic,
                message.partition,
                message.offset,
                exc,
            )
            return
        if article.id in self.seen:
            self.metrics.articles.labels("duplicate").inc()
            return
        try:
            record = self._match(article)
        except Exception:  # a matcher bug must not stop the stream; the log says which article
            self.metrics.articles.labels("error").inc()
            log.exception("matching article %s failed; skipped", article.id)
            return
        await self._produce(record)
        latency = time.time() - message.timestamp if message.timestamp else None
        if record.hits and latency is not None and latency >= 0:
            self.metrics.hit_latency.observe(latency)
        # Kafka's acknowledgement is not waited for: losing this record in a crash only means a
        # later copy of the article is matched again, and delivery's records absorb its hits.
        await self.seen.write(
            article.id, {"t": time.time(), "p": message.partition}, partition=message.partition
        )
        self.metrics.articles.labels("new").inc()
        await self.seen.maybe_prune(message.partition, retention=self.retention)

    def _match(self, article: Article) -> MatchedRecord:
        started = time.perf_counter()
        snapshot = self.rules.snapshot
        fired = fire(snapshot, article, default_tag=self.default_tag)
        alerts = story_alerts(
            snapshot,
            fired,
            article,
            "",
            self.route,
            console=self.console,
            default_tag=self.default_tag,
        )
        self.metrics.match_seconds.observe(time.perf_counter() - started)
        return MatchedRecord(article, tuple(one.hit for one in fired), tuple(alerts))

    async def _produce(self, record: MatchedRecord) -> None:
        """Send the record and wait for Kafka to acknowledge it. If the worker stops or
        rebalances meanwhile, ``Interrupted`` lets the article go unacknowledged: it is matched
        again later, and grouping and delivery absorb the repeat."""
        while True:
            try:
                future = await self.matched_topic.send(
                    key=record.key, value=record.to_bytes(), force=True
                )
                await self.lifecycle.wait_all([future], report=_report_wait, every=self.ack_report)
            except Interrupted:
                raise
            except Exception as exc:  # retried until Kafka takes them, or the worker stops
                log.warning(
                    "matched article not acknowledged (%s); retrying in %.0f s", exc, PRODUCE_RETRY
                )
                await self.lifecycle.sleep(PRODUCE_RETRY)
                continue
            for hit in record.hits:
                self.metrics.hits.labels(hit.rule_id).inc()
            return


def _report_wait(pending: int, seconds: float) -> None:
    log.warning(
        "%d matched article(s) not yet acknowledged by Kafka after %.0f s; still waiting",
        pending,
        seconds,
    )
