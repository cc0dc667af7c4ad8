"""Following the rules topic in a worker: the live rule set, rebuilt when a record arrives.

Every worker reads the whole (single-partition, compacted) topic from the beginning with its own
group-less consumer — rules are not shared out like articles — and keeps reading, so a publish
takes effect within about a second, with no restart. ``ready`` is set once the topic has been
read up to where it ended at start: no article is matched before the rules are loaded.

A record that does not parse (published by something other than ``rules publish``, or by a
newer newswatch) is logged and ignored; the rule's previous version keeps running, as the
embedded ``RuleBook`` does with a broken file.

The same consumer follows the inbox topic (routes and silences, ``kafka.inboxfeed``): ``inbox``
is always what it says, so a silence reaches every worker within about a second.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace

from aiokafka import AIOKafkaConsumer, TopicPartition

from newswatch.kafka.config import KafkaSettings
from newswatch.kafka.inboxfeed import InboxControl
from newswatch.kafka.records import RecordError, RuleRecord
from newswatch.matching.matcher import Matcher
from newswatch.matching.snapshot import RuleSnapshot
from newswatch.rules.loader import parse_rules_text
from newswatch.rules.model import Rule

__all__ = ["RuleStore", "RulesFollower", "groupless_consumer"]

log = logging.getLogger(__name__)


METADATA_MAX_AGE_MS = 5000


def groupless_consumer(settings: KafkaSettings, role: str) -> AIOKafkaConsumer:
    """A consumer that joins no group and commits nothing: it reads what it is assigned,
    from where it seeks (the rules follower, the web page)."""
    return AIOKafkaConsumer(
        bootstrap_servers=settings.servers,
        client_id=f"{settings.client_id}-{role}",
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        # The web page assigns topics a worker has only just created; until the client's
        # metadata names their leaders it fetches nothing, and aiokafka's default refresh is
        # 5 minutes (seen in CI: a page showing no articles for a minute). 5 s costs one small
        # request.
        metadata_max_age_ms=METADATA_MAX_AGE_MS,
    )


class RuleStore:
    """The rules as the topic says, record by record."""

    def __init__(self) -> None:
        self.rules: dict[str, Rule] = {}

    def apply(self, key: bytes | None, value: bytes | None) -> bool:
        """One record (``value`` None: a tombstone); True if the rule set changed."""
        if key is None:
            return False
        rule_id = key.decode("utf-8", "replace")
        if value is None:
            removed = self.rules.pop(rule_id, None)
            if removed is not None:
                log.info("rule %s deleted (was v%s)", rule_id, removed.version)
            return removed is not None
        try:
            record = RuleRecord.from_bytes(value)
        except RecordError as exc:
            log.error("rules topic: record %r ignored: %s", rule_id, exc)
            return False
        rules, problems = parse_rules_text(record.text, record.source)
        errors = [p for p in problems if p.level == "error"]
        found = [r for r in rules if r.id == rule_id]
        if errors or len(found) != 1 or record.id != rule_id:
            why = "; ".join(str(p) for p in errors) or "the record does not define this rule"
            log.error("rules topic: rule %s ignored (%s); its previous version stays", rule_id, why)
            return False
        rule = replace(found[0], line=record.line)
        if rule.version != record.version:
            # Not fatal: the hit records the version this worker computed.
            log.warning(
                "rule %s: published as v%s, parsed here as v%s (different newswatch versions?)",
                rule_id,
                record.version,
                rule.version,
            )
        known = self.rules.get(rule_id)
        if known is not None and known.version == rule.version and known.source == rule.source:
            return False
        self.rules[rule_id] = rule
        log.info("rule %s %s v%s", rule_id, "updated to" if known else "loaded at", rule.version)
        return True

    def snapshot(self) -> RuleSnapshot:
        return RuleSnapshot(Matcher(self.rules.values()), dict(self.rules))


class RulesFollower:
    """Reads the rules topic forever (``run``); ``snapshot`` is always the latest rule set."""

    def __init__(
        self,
        settings: KafkaSettings,
        *,
        on_change: Callable[[RuleSnapshot], None] | None = None,
        poll_ms: int = 500,
    ) -> None:
        self.topic = settings.topics.rules
        self.inbox_topic = settings.topics.inbox
        self.inbox = InboxControl()
        self._settings = settings
        self._on_change = on_change
        self._poll_ms = poll_ms
        self.store = RuleStore()
        self.snapshot = RuleSnapshot.empty()
        self.ready = asyncio.Event()

    async def run(self) -> None:
        consumer = groupless_consumer(self._settings, "rules")
        await consumer.start()
        try:
            tps = await self._assign(consumer)
            ends = await consumer.end_offsets(tps)
            await self._catch_up(consumer, tps, ends)
            while True:
                await self._read(consumer)
        finally:
            await consumer.stop()

    async def _assign(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        # A group-less aiokafka consumer only learns the partitions of topics it is assigned,
        # so start with partition 0 (``rules publish`` creates one) and widen if there are more.
        first = TopicPartition(self.topic, 0)
        control = TopicPartition(self.inbox_topic, 0)
        consumer.assign([first, control])
        await consumer.seek_to_beginning(first, control)
        parts = consumer.partitions_for_topic(self.topic) or {0}
        tps = [TopicPartition(self.topic, p) for p in sorted(parts)] + [control]
        if len(tps) > 2:
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
        return tps

    async def _catch_up(
        self, consumer: AIOKafkaConsumer, tps: list[TopicPartition], ends: dict[TopicPartition, int]
    ) -> None:
        while True:
            positions = [await consumer.position(tp) for tp in tps]
            if all(pos >= ends.get(tp, 0) for pos, tp in zip(positions, tps, strict=True)):
                break
            await self._read(consumer, publish=False)
        await self._publish()
        self.ready.set()
        if not self.store.rules:
            log.warning("no rules on %s yet (see `newswatch rules publish`)", self.topic)
        log.info("rules ready: %d from %s", len(self.store.rules), self.topic)

    async def _read(self, consumer: AIOKafkaConsumer, *, publish: bool = True) -> None:
        batches = await consumer.getmany(timeout_ms=self._poll_ms)
        changed = False
        for tp, records in batches.items():
            for record in records:
                if tp.topic == self.inbox_topic:
                    self.inbox.apply(record.key, record.value)
                else:
                    changed = self.store.apply(record.key, record.value) or changed
        if changed and publish:
            await self._publish()

    async def _publish(self) -> None:
        # Building the automaton for a large rule set takes a while: off the event loop.
        self.snapshot = await asyncio.to_thread(self.store.snapshot)
        if self._on_change is not None:
            self._on_change(self.snapshot)
