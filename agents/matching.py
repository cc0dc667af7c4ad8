"""The match step: one article event → dedupe → shared matcher → hits on the hits topic.

Order, so a crash anywhere loses nothing: the hits are produced and *acknowledged* before the
article is recorded as seen; the article's offset is committed after both (Faust flushes the
producer before every commit). A crash before the "seen" record replays the article, whose hits
then repeat on the hits topic, where delivery's per-(rule, article) record absorbs them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from agents.lifecycle import Interrupted, Lifecycle
from agents.tables import DurableTable
from newswatch.alerts.firing import fire
from newswatch.article import Article, ArticleError
from newswatch.constants import DEFAULT_TAG
from newswatch.kafka.metrics import WorkerMetrics
from newswatch.kafka.records import HitRecord
from newswatch.kafka.rulefeed import RulesFollower

__all__ = ["ArticleMatcher"]

log = logging.getLogger(__name__)

PRODUCE_RETRY = 2.0
ACK_REPORT = 30.0  # seconds between log lines while Kafka has not acknowledged the hits


@dataclass
class ArticleMatcher:
    seen: DurableTable
    hits_topic: Any  # faust.Topic
    rules: RulesFollower
    metrics: WorkerMetrics
    lifecycle: Lifecycle
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
            records = self._match(article)
        except Exception:  # a matcher bug must not stop the stream; the log says which article
            self.metrics.articles.labels("error").inc()
            log.exception("matching article %s failed; skipped", article.id)
            return
        await self._produce(records)
        latency = time.time() - message.timestamp if message.timestamp else None
        if records and latency is not None and latency >= 0:
            self.metrics.hit_latency.observe(latency)
        # Kafka's acknowledgement is not waited for: losing this record in a crash only means a
        # later copy of the article is matched again, and delivery's records absorb its hits.
        await self.seen.write(
            article.id, {"t": time.time(), "p": message.partition}, partition=message.partition
        )
        self.metrics.articles.labels("new").inc()
        await self.seen.maybe_prune(message.partition, retention=self.retention)

    def _match(self, article: Article) -> list[HitRecord]:
        started = time.perf_counter()
        fired = fire(self.rules.snapshot, article, default_tag=self.default_tag)
        self.metrics.match_seconds.observe(time.perf_counter() - started)
        return [HitRecord(one.hit, one.alert, article.feed) for one in fired]

    async def _produce(self, records: list[HitRecord]) -> None:
        """Send the hits and wait for Kafka to acknowledge them all. If the worker stops or
        rebalances meanwhile, ``Interrupted`` lets the article go unacknowledged: it is matched
        again later, and delivery's per-(rule, article) records absorb the repeated hits."""
        while records:
            try:
                futures = [
                    await self.hits_topic.send(key=r.key, value=r.to_bytes(), force=True)
                    for r in records
                ]
                await self.lifecycle.wait_all(futures, report=_report_wait, every=self.ack_report)
            except Interrupted:
                raise
            except Exception as exc:  # retried until Kafka takes them, or the worker stops
                log.warning("hits not acknowledged (%s); retrying in %.0f s", exc, PRODUCE_RETRY)
                await self.lifecycle.sleep(PRODUCE_RETRY)
                continue
            for record in records:
                self.metrics.hits.labels(record.hit.rule_id).inc()
            return


def _report_wait(pending: int, seconds: float) -> None:
    log.warning(
        "%d hit(s) not yet acknowledged by Kafka after %.0f s; still waiting", pending, seconds
    )
