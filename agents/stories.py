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

Step 3 goes through the inbox (``newswatch.inbox``; routes and silences from the inbox topic,
``kafka.inboxfeed``): the article's hits are offered, and the messages due now are produced to
the hits topic and acknowledged *before* the inbox rows they change are written to the same
``stories`` table (keys U+001F ``inbox`` …) and acknowledged. A crash in between replays the
event on the restored inbox, which builds the same messages under the same keys (absorbed by
delivery). ``tick`` releases what time makes due (group waits, updates, cool-downs, digests,
quiet hours) on the worker that owns the matched partition.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agents.lifecycle import Interrupted, Lifecycle
from agents.tables import DurableTable
from newswatch.alerts.story import CONSOLE
from newswatch.alerts.targets import Targets
from newswatch.article import Article
from newswatch.constants import DEFAULT_TAG
from newswatch.inbox.engine import Inbox, Message
from newswatch.inbox.notices import first_builder, notice_for, parts_of
from newswatch.inbox.split import body_limit
from newswatch.kafka.metrics import WorkerMetrics
from newswatch.kafka.records import HitRecord, MatchedRecord, RecordError
from newswatch.kafka.rulefeed import RulesFollower
from newswatch.matching.hits import Hit
from newswatch.stories.grouping import Assignment, StoryGrouper, StoryParams

__all__ = ["StoryStage"]

log = logging.getLogger(__name__)

PRODUCE_RETRY = 2.0
ACK_REPORT = 30.0
PARTITION = 0  # the matched topic's only partition
_SEP = "\x1f"
_INBOX = f"{_SEP}inbox{_SEP}"  # the inbox's rows in the stories table: no article id starts so


@dataclass
class StoryStage:
    stories: DurableTable
    hits_topic: Any  # faust.Topic
    rules: RulesFollower
    metrics: WorkerMetrics
    lifecycle: Lifecycle
    params: StoryParams = field(default_factory=StoryParams)
    ack_report: float = ACK_REPORT
    targets: Targets = field(default_factory=Targets)
    console: bool = False
    default_tag: str = DEFAULT_TAG
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _grouper: StoryGrouper | None = None
    _inbox: Inbox | None = None
    _flushing: asyncio.Lock = field(default_factory=asyncio.Lock)

    def forget(self) -> None:
        """The partition went to another worker: rebuild from the table when it comes back."""
        self._grouper = None
        self._inbox = None

    def inbox(self) -> Inbox:
        """The inbox, restored from the table on first use after an assignment; its routes
        follow the inbox topic."""
        routes = self.rules.inbox.routes
        if self._inbox is None:
            inbox = Inbox(
                routes,
                self.targets.route,
                default_tag=self.default_tag,
                extra_targets=(CONSOLE,) if self.console else (),
            )
            rows = []
            for key, value in self.stories.data.items():
                if isinstance(value, dict) and "inbox" in value:
                    kind, _, name = str(key)[len(_INBOX) :].partition(_SEP)
                    rows.append((kind, name, str(value["inbox"])))
            inbox.load(rows)
            log.info("inbox ready: %d row(s) restored", len(rows))
            self._inbox = inbox
        elif self._inbox.routes is not routes:
            self._inbox.routes = routes
        return self._inbox

    @property
    def warm(self) -> bool:
        """True once this worker has handled the matched partition since it was assigned."""
        return self._grouper is not None

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
        if record.hits:
            snapshot = self.rules.snapshot
            story = assignment.story_id
            build = first_builder(snapshot, record.hits, article, story, self.default_tag)
            notice = notice_for(snapshot, record.hits, article, story)
            async with self._flushing:
                inbox = self.inbox()
                inbox.silences = self.rules.inbox.active_silences(self.clock())
                inbox.offer(notice, self.clock(), build)
                await self._flush_locked(inbox)
        await self.stories.maybe_prune(
            PARTITION,
            retention=self.params.window_days * 86400.0,
            may_forget=lambda value: "inbox" not in value,
        )

    async def tick(self) -> int:
        """Release what is due now; returns how many messages were produced."""
        async with self._flushing:
            inbox = self.inbox()
            inbox.silences = self.rules.inbox.active_silences(self.clock())
            return await self._flush_locked(inbox)

    async def _flush_locked(self, inbox: Inbox) -> int:
        messages = inbox.due(self.clock())
        out = [record for message in messages for record in self._records(message)]
        rows = inbox.state_rows()
        inbox.take_silenced()  # Kafka mode: silenced articles are in the worker log only
        if out:
            await self._produce(out)
            for message in messages:
                log.info(
                    "story %s: %s message to %s (%s)",
                    ",".join(message.stories) or "-",
                    message.kind,
                    message.target or "no target",
                    message.alert.title[:120],
                )
        # Every row written, then one wait for all the acknowledgements (not one per row).
        writes = []
        for kind, key, text in rows:
            name = f"{_INBOX}{kind}{_SEP}{key}"
            value = None if text is None else {"inbox": text, "t": time.time(), "p": PARTITION}
            writes.append(await self.stories.write(name, value, partition=PARTITION))
        if writes:
            await self.lifecycle.wait_all(
                [asyncio.ensure_future(w) for w in writes],
                report=_report_rows,
                every=self.ack_report,
            )
        return len(out)

    def _records(self, message: Message) -> list[HitRecord]:
        target = self.targets.get(message.target) if message.target else None
        limit = body_limit(target.plugin) if target is not None else None
        alert = message.alert
        hit = Hit(alert.rule_id, alert.rule_version, alert.article_id, ())
        return [HitRecord(hit, part, "") for part in parts_of(alert, limit)]

    async def _produce(self, out: list[HitRecord]) -> None:
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


def _report_rows(pending: int, seconds: float) -> None:
    log.warning("inbox: %d row(s) not yet acknowledged by Kafka after %.0f s", pending, seconds)
