"""The web page's ``Desk`` in scale-out mode (``newswatch web --bootstrap …``): the same page as
``newswatch run`` serves, from the topics instead of the monitor's SQLite.

Two group-less consumers follow the deployment and commit nothing (the page is a reader, never
a member of the workers' group):

* ``kafka.rulefeed.RulesFollower`` — the rules and inbox topics, exactly as every worker follows
  them: the rules list is what the workers run, the silences are what they apply;
* ``DeskFollower`` — the matched topic, the workers' stories-table changelog and the dead
  letters, into a ``DeskIndex`` (``--days`` back at start, then live).

What the page changes goes through the commands' own paths: a rule file saved in the editor is
written atomically into ``--rules DIR`` and the directory is published with ``rules publish``'s
``publish_rules`` (all or nothing; if Kafka or the whole-directory check refuses, the file is put
back as it was, so the directory and the topic never disagree because of the page); silences go
to the inbox topic (``silence add --bootstrap``); a retry replays the dead letters
(``alerts retry --bootstrap``); a new feed is appended to ``--feeds FILE`` for the pollers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from feeds.config import MIN_INTERVAL, FeedConfigError, FeedSpec, load_feeds
from feeds.fetch import FetchLimits
from feeds.listing import add_feed_to
from feeds.state import FeedStateStore
from newswatch.alerts.targets import Targets
from newswatch.article import Article
from newswatch.constants import FEED_STATE_FILENAME
from newswatch.errors import NewswatchError
from newswatch.inbox.silences import Silence
from newswatch.kafka.admin import topic_partitions
from newswatch.kafka.config import KafkaSettings
from newswatch.kafka.deadletters import replay_dead_letters
from newswatch.kafka.deskindex import DEFAULT_KEEP, DeskIndex, Entry
from newswatch.kafka.inboxfeed import publish_silence, silence_key
from newswatch.kafka.publish import PublishError, publish_rules
from newswatch.kafka.rulefeed import RulesFollower, groupless_consumer
from newswatch.matching.hits import Hit
from newswatch.rules.files import rule_files
from newswatch.rules.problems import RuleProblem
from newswatch.web.desk import (
    ArticlePage,
    FeedRow,
    Filters,
    OutboxView,
    Parked,
    RuleRow,
    SilencePreview,
    StoryCard,
)
from newswatch.web.editing import RuleFiles
from newswatch.web.views import (
    DEFAULT_TRIAL_SINCE,
    PREVIEW_DAYS,
    LintCache,
    article_page,
    make_silence,
    rule_rows,
    silence_preview,
    since_of,
    story_cards,
)
from newswatch.workflow.edit import EditCheck, Trial, try_edit, write_atomically

__all__ = ["DeskFollower", "KafkaDesk", "KafkaDeskConfig", "stories_changelog"]

log = logging.getLogger(__name__)

RECHECK_TOPICS = 5.0  # seconds between looks for a topic that does not exist yet
CONTENT_TYPE = "text/plain; version=0.0.4"


def stories_changelog(group: str) -> str:
    """The changelog of the workers' ``stories`` table (Faust: ``<app id>-<table>-changelog``)."""
    return f"{group}-stories-changelog"


@dataclass(frozen=True, slots=True)
class KafkaDeskConfig:
    kafka: KafkaSettings
    rules_dir: Path
    feeds_file: Path
    state_dir: Path  # the pollers' state directory, if they run on this machine
    apprise_config: Path | None = None
    group: str = ""  # the workers' app id; "" means <prefix>worker
    keep: int = DEFAULT_KEEP
    days: float = 7.0
    fetch_limits: FetchLimits = field(default_factory=FetchLimits)
    min_feed_interval: float = MIN_INTERVAL
    timeout: float = 30.0

    @property
    def worker_group(self) -> str:
        return self.group or self.kafka.worker_group


class DeskFollower:
    """Reads the matched topic, the stories changelog and the dead letters into ``index``,
    forever (``run``). A topic that does not exist yet (no worker has run) is looked for again
    every few seconds; ``caught_up`` is set once each topic was read to where it ended when it
    was first assigned."""

    def __init__(self, config: KafkaDeskConfig, index: DeskIndex, metrics: DeskMetrics) -> None:
        names = config.kafka.topics
        self.config = config
        self.index = index
        self.metrics = metrics
        self.changelog = stories_changelog(config.worker_group)
        self.topics = (names.matched, self.changelog, names.dead_letters)
        self.caught_up = asyncio.Event()
        self.last_record_at: datetime | None = None
        self._ends: dict[TopicPartition, int] = {}
        self._missing_logged: set[str] = set()

    async def run(self, stop: asyncio.Event) -> None:
        consumer = groupless_consumer(self.config.kafka, "web")
        await consumer.start()
        try:
            assigned: list[TopicPartition] = []
            checked = 0.0
            while not stop.is_set():
                missing = len({tp.topic for tp in assigned}) < len(self.topics)
                if missing and time.monotonic() - checked >= RECHECK_TOPICS:
                    checked = time.monotonic()
                    assigned = await self._assign(consumer, assigned)
                if not assigned:
                    await _wait(stop, 0.5)
                    continue
                batches = await consumer.getmany(timeout_ms=500)
                for tp, records in batches.items():
                    for record in records:
                        self._apply(tp.topic, record)
                await self._check_caught_up(consumer, assigned)
        finally:
            await consumer.stop()

    async def _assign(
        self, consumer: AIOKafkaConsumer, assigned: list[TopicPartition]
    ) -> list[TopicPartition]:
        try:
            found = await asyncio.to_thread(topic_partitions, self.config.kafka, self.topics)
        except NewswatchError as exc:
            log.warning("web: cannot list topics (%s); trying again", exc)
            return assigned
        for name in self.topics:
            if name not in found and name not in self._missing_logged:
                self._missing_logged.add(name)
                log.info("web: no topic %s yet (no worker has run?); looking again", name)
        new = [
            TopicPartition(name, p)
            for name in self.topics
            if name in found and all(tp.topic != name for tp in assigned)
            for p in range(found[name])
        ]
        if not new:
            return assigned
        positions = {tp: await consumer.position(tp) for tp in assigned}
        every = assigned + new
        consumer.assign(every)
        for tp, offset in positions.items():
            consumer.seek(tp, offset)
        await self._seek_start(consumer, new)
        ends = await consumer.end_offsets(new)
        self._ends.update({tp: ends.get(tp, 0) for tp in new})
        log.info("web: following %s", ", ".join(sorted({tp.topic for tp in new})))
        return every

    async def _seek_start(self, consumer: AIOKafkaConsumer, tps: list[TopicPartition]) -> None:
        """The compacted topics from their beginning; the matched topic and the changelog from
        ``days`` ago (what the page can show; a story older than that is not on it)."""
        since = int((time.time() - self.config.days * 86400) * 1000)
        timed = [tp for tp in tps if tp.topic != self.config.kafka.topics.dead_letters]
        rest = [tp for tp in tps if tp not in timed]
        if rest:
            await consumer.seek_to_beginning(*rest)
        if timed:
            found = await consumer.offsets_for_times(dict.fromkeys(timed, max(0, since)))
            ends = await consumer.end_offsets(timed)
            for tp in timed:
                at = found.get(tp)
                # Nothing newer than the window (or an empty topic): start at the end as it is
                # now, as an offset. seek_to_end would be resolved later, at the next fetch, and
                # skip whatever a worker writes in between (seen in CI: a page with no articles).
                consumer.seek(tp, at.offset if at is not None else ends.get(tp, 0))

    def _apply(self, topic: str, record: Any) -> None:
        names = self.config.kafka.topics
        if topic == names.matched:
            self.index.matched(record.value, record.timestamp)
        elif topic == self.changelog:
            self.index.assigned(record.key, record.value)
        else:
            self.index.dead_letter(record.key, record.value)
        self.metrics.records.labels(topic).inc()
        self.last_record_at = datetime.now(UTC)

    async def _check_caught_up(
        self, consumer: AIOKafkaConsumer, assigned: list[TopicPartition]
    ) -> None:
        """Caught up once every topic assigned (the matched one at least: a deployment whose
        workers never ran has no changelog) was read to where it ended when assigned."""
        if self.caught_up.is_set():
            return
        if all(tp.topic != self.config.kafka.topics.matched for tp in assigned):
            return
        for tp in assigned:
            if await consumer.position(tp) < self._ends.get(tp, 0):
                return
        self.caught_up.set()
        log.info(
            "web: caught up: %d article(s) in %d stories, %d dead letter(s)",
            len(self.index),
            self.index.story_count,
            len(self.index.dead_letters),
        )


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


class DeskMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.records = Counter(
            "newswatch_web_records_total",
            "Records read by the page, by topic",
            ["topic"],
            registry=r,
        )
        self.articles = Gauge("newswatch_web_articles", "Articles the page holds", registry=r)
        self.stories = Gauge("newswatch_web_stories", "Stories the page holds", registry=r)
        self.rules = Gauge("newswatch_rules_loaded", "Rules on the rules topic", registry=r)
        self.dead_letters = Gauge(
            "newswatch_web_dead_letters", "Dead letters on the topic", registry=r
        )
        self.ready = Gauge("newswatch_web_ready", "1 once the topics were read", registry=r)


class KafkaDesk:
    def __init__(self, config: KafkaDeskConfig) -> None:
        self.config = config
        self.rules_dir = config.rules_dir
        self.saved_note = (
            f"Published from {config.rules_dir} to the rules topic: every worker uses it "
            "within seconds."
        )
        self.files = RuleFiles(config.rules_dir)
        self.index = DeskIndex(config.keep)
        self.metrics_ = DeskMetrics()
        self.rules_feed = RulesFollower(config.kafka)
        self.follower = DeskFollower(config, self.index, self.metrics_)
        self._lints = LintCache(config.rules_dir, lambda: rule_files(config.rules_dir))
        self._feed_state: FeedStateStore | None = None
        self._feed_list: tuple[int, list[FeedSpec]] = (-1, [])
        self.started_at = datetime.now(UTC)

    def _now(self) -> datetime:
        return datetime.now(UTC)

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the topics until ``stop`` is set."""
        rules = asyncio.create_task(self._again(stop, lambda: self.rules_feed.run(), "rules"))
        try:
            await self._again(stop, lambda: self.follower.run(stop), "matched")
        finally:
            rules.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await rules
            if self._feed_state is not None:
                self._feed_state.close()

    @staticmethod
    async def _again(stop: asyncio.Event, follow: Callable[[], Awaitable[None]], what: str) -> None:
        """A follower, started again if the broker drops it: the page keeps serving what it
        has (a new read skips what the index already holds)."""
        while not stop.is_set():
            try:
                await follow()
            except Exception as exc:  # a broker outage: say so, try again
                log.error("web: following the %s topics failed (%s); trying again", what, exc)
                await _wait(stop, RECHECK_TOPICS)

    @property
    def ready(self) -> bool:
        return self.rules_feed.ready.is_set() and self.follower.caught_up.is_set()

    # --- status --------------------------------------------------------------------------

    def health(self) -> tuple[bool, dict[str, Any]]:
        seen = self.follower.last_record_at
        body = {
            "status": "ok" if self.ready else "starting",
            "mode": "kafka",
            "bootstrap": self.config.kafka.bootstrap,
            "started_at": self.started_at.isoformat(),
            "rules": len(self.rules_feed.store.rules),
            "articles": len(self.index),
            "stories": self.index.story_count,
            "dead_letters": len(self.index.dead_letters),
            "silences": len(self.silences()),
            "last_record": seen.isoformat() if seen else None,
            "skipped_records": self.index.skipped,
        }
        return self.ready, body

    def metrics(self) -> bytes:
        m = self.metrics_
        m.articles.set(len(self.index))
        m.stories.set(self.index.story_count)
        m.rules.set(len(self.rules_feed.store.rules))
        m.dead_letters.set(len(self.index.dead_letters))
        m.ready.set(1 if self.ready else 0)
        return generate_latest(m.registry)

    # --- stories and articles ------------------------------------------------------------

    def _feeds(self) -> list[FeedSpec]:
        """The feed list, parsed again only when the file changed (every page asks)."""
        path = self.config.feeds_file
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return []
        if stamp != self._feed_list[0]:
            try:
                specs = load_feeds(path, min_interval=self.config.min_feed_interval)
            except (FeedConfigError, OSError):
                specs = []
            self._feed_list = (stamp, specs)
        return self._feed_list[1]

    def choices(self) -> dict[str, list[str]]:
        feeds = self._feeds()
        return {
            "rules": sorted(self.rules_feed.store.rules),
            "feeds": sorted({*(s.id for s in feeds), *self.index.feeds()}),
            "languages": sorted(
                {*(s.language for s in feeds if s.language), *self.index.languages()}
            ),
        }

    def stories(self, filters: Filters) -> list[StoryCard]:
        narrowed = bool(filters.language or filters.feed)
        ids = self.index.story_ids(
            rule=filters.rule,
            since=since_of(filters.since, self._now()),
            fired_only=filters.fired_only,
            limit=filters.limit * (4 if narrowed else 1),
        )

        def story(story_id: str) -> tuple[list[Entry], dict[str, tuple[Hit, ...]]]:
            rows = self.index.story(story_id)
            return rows, {e.article.id: e.hits for e in rows}

        return story_cards(ids, story, filters)

    def article(self, article_id: str, rule_id: str = "") -> ArticlePage | None:
        entry = self.index.entry(article_id)
        if entry is None:
            return None
        story_id = self.index.story_of(article_id)
        live = self.rules_feed.store.rules
        return article_page(entry.article, story_id, entry.hits, live, rule_id)

    # --- rules ---------------------------------------------------------------------------

    def rules(self) -> list[RuleRow]:
        return rule_rows(
            self.rules_feed.store.rules.values(),
            self.index.activity(self._now()),
            self._lints.get(),
            lambda rule: rule.source,
        )

    def rule_files(self) -> list[str]:
        return self.files.names()

    def read_rule_file(self, name: str) -> str:
        return self.files.read(name)

    def _others(self) -> dict[str, str]:
        # Published sources are relative to the directory that was published.
        return {r.id: str(self.rules_dir / r.source) for r in self.rules_feed.store.rules.values()}

    def check_rule_file(self, name: str, text: str) -> EditCheck:
        return self.files.check(name, text, self._others())

    def try_rule_file(self, name: str, text: str, since: str) -> Trial:
        check = self.check_rule_file(name, text)
        running = self.files.running_in(check, self.rules_feed.store.rules.values())
        when = since_of(since or DEFAULT_TRIAL_SINCE, self._now()) or self._now()
        # The page's own copy of the matched topic: every article of the window, fired or not.
        return try_edit(check, running, (e.article for e in self.index.since(when)))

    async def save_rule_file(self, name: str, text: str, *, new: bool = False) -> EditCheck:
        path = self.files.path(name)
        before = path.read_text(encoding="utf-8") if path.exists() else None
        check, written = self.files.save(name, text, self._others(), new=new)
        if not written:
            return check
        try:
            await asyncio.to_thread(
                publish_rules, self.rules_dir, self.config.kafka, timeout=self.config.timeout
            )
        except (NewswatchError, KafkaError, TimeoutError, OSError) as exc:
            self._put_back(path, before)
            refused = RuleProblem(
                str(path), 1, 1, f"not published, so not saved: {exc}", code="publish"
            )
            # ``rules publish`` checks the whole directory: another file's errors show here.
            found = exc.problems if isinstance(exc, PublishError) else ()
            errors = tuple(p for p in found if p.level == "error")
            return EditCheck(check.path, check.rules, (refused, *errors))
        return check

    @staticmethod
    def _put_back(path: Path, before: str | None) -> None:
        if before is None:
            path.unlink(missing_ok=True)
        else:
            write_atomically(path, before)

    # --- feeds ---------------------------------------------------------------------------

    def _state(self) -> FeedStateStore | None:
        if self._feed_state is None:
            path = self.config.state_dir / FEED_STATE_FILENAME
            if path.is_file():
                self._feed_state = FeedStateStore(path)
        return self._feed_state

    def feeds(self) -> list[FeedRow]:
        state = self._state()
        health = {h.feed_id: h for h in state.health()} if state is not None else {}
        return [FeedRow(spec, health.get(spec.id)) for spec in self._feeds()]

    async def add_feed(self, url: str, feed_id: str, language: str) -> str:
        added, entries = await add_feed_to(
            self.config.feeds_file,
            url,
            feed_id,
            language,
            limits=self.config.fetch_limits,
            min_interval=self.config.min_feed_interval,
        )
        return (
            f"feed {added.id} added to {self.config.feeds_file} ({entries} entries now); "
            "the pollers read it when they next start"
        )

    # --- alerts and silences -------------------------------------------------------------

    def outbox(self) -> OutboxView:
        letters = sorted(self.index.dead_letters.values(), key=lambda d: d.parked_at)
        parked = tuple(
            Parked(d.alert, d.target_id, d.reason, d.attempts, d.in_doubt, d.parked_at)
            for d in letters
        )
        return OutboxView(counts=None, held=(), parked=parked)

    async def retry(self) -> str:
        targets = Targets.load(self.config.apprise_config)
        report = await replay_dead_letters(self.config.kafka, targets, timeout=self.config.timeout)
        text = f"{report.sent} dead letter(s) sent, {report.failed} failed again"
        if report.skipped_in_doubt:
            text += f", {report.skipped_in_doubt} in doubt left (alerts retry --in-doubt)"
        return text

    def silences(self) -> list[Silence]:
        now = self._now()
        found = [s for s in self.rules_feed.inbox.silences.values() if s.ends_at > now]
        return sorted(found, key=lambda s: s.ends_at)

    def preview_silence(
        self, matchers: list[str], duration: str, author: str, comment: str
    ) -> SilencePreview:
        silence = make_silence(matchers, duration, author, comment, self._now())
        since = self._now() - timedelta(days=PREVIEW_DAYS)
        return silence_preview(silence, self._fired(since))

    def _fired(self, since: datetime) -> Iterator[tuple[Article, str, tuple[Hit, ...]]]:
        for entry in self.index.since(since):
            yield entry.article, self.index.story_of(entry.article.id), entry.hits

    async def _publish(self, silence: Silence) -> None:
        await asyncio.to_thread(
            publish_silence, self.config.kafka, silence, timeout=self.config.timeout
        )
        # Shown at once; the rules follower reads the same record back within a second.
        self.rules_feed.inbox.apply(silence_key(silence.id), json.dumps(silence.to_dict()).encode())

    async def add_silence(
        self, matchers: list[str], duration: str, author: str, comment: str
    ) -> Silence:
        silence = make_silence(matchers, duration, author, comment, self._now())
        await self._publish(silence)
        return silence

    async def expire_silence(self, silence_id: str) -> Silence | None:
        found = [s for s in self.rules_feed.inbox.silences.values() if s.id.startswith(silence_id)]
        if len(found) != 1 or len(silence_id) < 4:
            return None
        ended = found[0].expired(self._now())
        await self._publish(ended)
        return ended
