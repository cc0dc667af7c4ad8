"""The story step: matched articles → story grouping → one alert per (story, target) on hits.

The matched topic has **one partition**, so one worker at a time groups the whole stream in
one order: two copies of a story polled into different article partitions at the same moment
reach the grouper one after the other, and the second joins the first's story. The grouper
itself is in memory; the ``stories`` table (changelog-backed, one partition) holds each
article's assignment *and the article*, so a worker that takes the partition over rebuilds
the grouper exactly (``StoryGrouper.restore``, nothing decided again) before its first event.

Order, so a crash anywhere loses and doubles nothing:

1. an article already in the table keeps its story (a replay after a crash);
2. otherwise it is grouped, and the assignment is written to the table and *acknowledged*;
3. then each alert of the record gets its key ``story`` U+001F story id U+001F target id and is
   produced to the hits topic and acknowledged; only then is the event acknowledged.

A replay of 2–3 finds the assignment (1) and produces the same keys, which delivery's
per-key record absorbs; a story already alerted to a target is absorbed the same way, so a
follow-up article sends nothing new.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

from agents.lifecycle import Interrupted, Lifecycle
from agents.tables import DurableTable
from newswatch.alerts.story import story_key
from newswatch.article import Article
from newswatch.kafka.metrics import WorkerMetrics
from newswatch.kafka.records import HitRecord, MatchedRecord, RecordError
from newswatch.kafka.rulefeed import RulesFollower
from newswatch.stories.grouping import Assignment, StoryGrouper, StoryParams

__all__ = ["StoryStage"]

log = logging.getLogger(__name__)

PRODUCE_RETRY = 2.0
ACK_REPORT = 30.0
PARTITION = 0  # the matched topic's only partition


@dataclass
class StoryStage:
    stories: DurableTable
    hits_topic: Any  # faust.Topic
    rules: RulesFollower
    metrics: WorkerMetrics
    lifecycle: Lifecycle
    params: StoryParams = field(default_factory=StoryParams)
    ack_report: float = ACK_REPORT
    _grouper: StoryGrouper | None = None

    def forget(self) -> None:
        """The partition went to another worker: rebuild from the table when it comes back."""
        self._grouper = None

    def grouper(self) -> StoryGrouper:
        if self._grouper is None:
            grouper = StoryGrouper(self.params, snapshot=self.rules.snapshot)
            rows = []
            for value in self.stories.data.values():
                if isinstance(value, dict) and "article" in value:
                    rows.append(value)
            rows.sort(key=lambda v: (v.get("t", 0.0), v.get("n", 0)))
            restored = 0
            for value in rows:
                try:
                    grouper.restore(
                        Article.from_dict(value["article"]), Assignment.from_dict(value["a"])
                    )
                    restored += 1
                except (KeyError, TypeError, ValueError) as exc:
                    log.warning("stories table: an unreadable entry skipped (%s)", exc)
            log.info(
                "story grouping ready: %d recent article(s) in %d stories",
                restored,
                grouper.story_count,
            )
            self._grouper = grouper
        return self._grouper

    async def handle(self, event: Any) -> None:
        """Group one matched article and produce its alerts. Raises ``Interrupted`` (the event
        is then let go, unacknowledged) only while waiting."""
        if not self.rules.ready.is_set():
            await self.lifecycle.wait(self.rules.ready)
        try:
            record = MatchedRecord.from_bytes(event.value)
        except RecordError as exc:
            message = event.message
            log.warning(
                "matched %s[%d]@%d skipped: %s",
                message.topic,
                message.partition,
                message.offset,
                exc,
            )
            return
        article = record.article
        known = self.stories.data.get(article.id)
        if isinstance(known, dict) and "a" in known:
            assignment = Assignment.from_dict(known["a"])
        else:
            grouper = self.grouper()
            grouper.snapshot = self.rules.snapshot
            assignment = grouper.add(article)
            value = {
                "a": assignment.to_dict(),
                "article": article.to_dict(),
                "t": time.time(),
                "n": len(grouper),
                "p": PARTITION,
            }
            await self.stories.put(article.id, value, partition=PARTITION)
            self.metrics.articles.labels("grouped").inc()
            if not assignment.new_story:
                log.info(
                    "article %s joined story %s (%s %.2f)",
                    article.url or article.id,
                    assignment.story_id,
                    assignment.signal,
                    assignment.score,
                )
        await self._produce(record, assignment.story_id)
        await self.stories.maybe_prune(PARTITION, retention=self.params.window_days * 86400.0)

    async def _produce(self, record: MatchedRecord, story: str) -> None:
        if not record.alerts or not record.hits:
            return
        first = record.hits[0]
        out = [
            HitRecord(
                first,
                replace(a, key=story_key(story, a.targets[0] if a.targets else ""), story=story),
                record.article.feed,
            )
            for a in record.alerts
        ]
        while True:
            try:
                futures = [
                    await self.hits_topic.send(key=r.key, value=r.to_bytes(), force=True)
                    for r in out
                ]
                await self.lifecycle.wait_all(futures, report=_report_wait, every=self.ack_report)
            except Interrupted:
                raise
            except Exception as exc:  # retried until Kafka takes them, or the worker stops
                log.warning("alerts not acknowledged (%s); retrying in %.0f s", exc, PRODUCE_RETRY)
                await self.lifecycle.sleep(PRODUCE_RETRY)
                continue
            return


def _report_wait(pending: int, seconds: float) -> None:
    log.warning(
        "%d alert(s) not yet acknowledged by Kafka after %.0f s; still waiting", pending, seconds
    )
