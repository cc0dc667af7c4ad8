"""The embedded runtime: pollers → matcher → notifier in one asyncio process, no Kafka.

Order of durability, so nothing is lost and nothing is sent twice:

1. a poller hands new articles to ``Monitor.handle`` (the sink);
2. ``handle`` groups each into its story (recorded in ``stories.sqlite3``), matches it, and
   hands what fired to the inbox (``newswatch.inbox``: routes, group waits, updates,
   cool-downs, digests, quiet hours, silences), which queues the messages due now in the SQLite
   outbox together with its own state, in one transaction, before ``handle`` returns; messages
   due later are queued by the inbox loop when their time comes;
3. only then does the poller mark the articles seen;
4. the delivery loop sends what the outbox holds, retrying failures with backoff.

A crash anywhere replays at most step 2 for a few articles, which the outbox turns into no-ops.

Every handled article is also written to the article archive (``archive.sqlite``) for ``rules test
--archive``, ``rules diff`` and ``explain``; that write is best effort and never holds up alerts.
A rule edit the reload rejects is logged and, when ``ops_tag`` is set, sent as an alert to that
Apprise tag. The feed list file is watched too (``feeds.watch``): an edit applies to the running
pollers, a broken one is logged with ``file:line:col`` and the previous list keeps running.

While it runs the monitor says how it is doing (``feeds.progress``): one line once every feed
has had its first poll, then a heartbeat every ``heartbeat`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from feeds.config import MIN_INTERVAL, FeedSpec
from feeds.fetch import Fetcher, FetchLimits
from feeds.fulltext import PageFetcher, full_text_sink
from feeds.poller import Poller, PollOutcome
from feeds.progress import DEFAULT_HEARTBEAT, FIRST_ROUND_WINDOW, Pulse, report_progress
from feeds.state import FeedStateStore
from feeds.watch import FeedListChange, FeedListWatch, file_stamp
from newswatch.alerts.firing import fire
from newswatch.alerts.message import Alert
from newswatch.alerts.notifier import DeliveryReport, Notifier
from newswatch.alerts.outbox import Outbox
from newswatch.alerts.story import CONSOLE
from newswatch.alerts.targets import Targets
from newswatch.archive.base import ArchiveError
from newswatch.archive.sqlite import SqliteArchive
from newswatch.article import Article
from newswatch.constants import (
    ARCHIVE_FILENAME,
    DEFAULT_ARCHIVE_MAX_AGE,
    DEFAULT_ARCHIVE_MAX_ARTICLES,
    DEFAULT_TAG,
    FEED_STATE_FILENAME,
    OPS_RULE_ID,
    OUTBOX_FILENAME,
    STORIES_FILENAME,
)
from newswatch.embedded.inboxing import INBOX_TICK, EmbeddedInbox
from newswatch.embedded.metrics import MonitorMetrics
from newswatch.embedded.rulebook import Rejection, RuleBook
from newswatch.inbox.routes import Routes, RoutesError, load_routes
from newswatch.inbox.store import InboxStore
from newswatch.stories.grouping import StoryGrouper, StoryParams
from newswatch.stories.store import StoryStore

__all__ = ["Monitor", "MonitorConfig", "RunSummary", "ops_alert"]

log = logging.getLogger(__name__)

LAST_GOOD_DIRNAME = "rules-last-good"  # in the state directory: each rule file's last good version


@dataclass(frozen=True, slots=True)
class MonitorConfig:
    feeds_file: Path
    rules_dir: Path
    state_dir: Path
    apprise_config: Path | None = None
    console: bool = True
    default_tag: str = DEFAULT_TAG
    delivery_interval: float = 5.0
    reload_interval: float = 2.0
    min_feed_interval: float = MIN_INTERVAL
    drain_timeout: float = 20.0  # on shutdown, time left to deliver what is due
    fetch_limits: FetchLimits = field(default_factory=FetchLimits)
    ops_tag: str | None = None  # rejected rule edits also go to this Apprise tag
    archive: bool = True
    archive_max_articles: int = DEFAULT_ARCHIVE_MAX_ARTICLES
    archive_max_days: int = DEFAULT_ARCHIVE_MAX_AGE.days
    stories: StoryParams = field(default_factory=StoryParams)
    routes_file: Path | None = None  # routes.yaml (docs/alerts.md); None: each rule's notify
    heartbeat: float = DEFAULT_HEARTBEAT  # seconds between "alive" lines; 0: none
    first_round_window: float = FIRST_ROUND_WINDOW  # the start-up line waits this long at most


@dataclass(frozen=True, slots=True)
class RunSummary:
    feeds: int
    feeds_failed: int
    articles: int
    alerts: int
    delivered: int
    held: int
    errors: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())


class Monitor:
    """One embedded monitor. Use as ``async with Monitor(config) as monitor``."""

    def __init__(
        self,
        config: MonitorConfig,
        *,
        fetcher: Fetcher | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = config
        self.clock = clock or (lambda: datetime.now(UTC))
        config.state_dir.mkdir(parents=True, exist_ok=True)
        self._feed_watch = FeedListWatch(config.feeds_file, min_interval=config.min_feed_interval)
        feeds = self._feed_watch.load()
        self._ops_pending: list[Alert] = []
        self.rulebook = RuleBook(
            config.rules_dir,
            on_reject=self._on_reject,
            on_fixed=self._on_fixed,
            last_good=config.state_dir / LAST_GOOD_DIRNAME,
        )
        self.rulebook.reload(force=True)
        self.archive = self._open_archive() if config.archive else None
        self._fetcher = fetcher or Fetcher(limits=config.fetch_limits)
        self.feed_state = FeedStateStore(config.state_dir / FEED_STATE_FILENAME)
        targets = Targets.load(config.apprise_config, default_tag=config.default_tag)
        self.notifier = Notifier(
            targets, Outbox(config.state_dir / OUTBOX_FILENAME), console=config.console
        )
        reclaimed = self.notifier.outbox.reclaim_dead()
        if reclaimed:
            log.warning(
                "outbox: %d delivery(ies) claimed by a process that is gone (killed mid-send?) "
                "are due again now",
                reclaimed,
            )
        self.inbox = EmbeddedInbox(
            self._load_routes(targets),
            targets,
            InboxStore(self.notifier.outbox),
            default_tag=config.default_tag,
            console=config.console,
            show=self.notifier.show,
        )
        self._routes_stamp = file_stamp(config.routes_file)
        self.grouper = StoryGrouper(config.stories, snapshot=self.rulebook.snapshot)
        self.stories = StoryStore(
            config.state_dir / STORIES_FILENAME,
            max_articles=config.stories.max_articles,
            max_age=timedelta(days=config.stories.window_days),
        )
        restored = self.stories.load(self.grouper)
        self.poller = Poller(feeds, self._fetcher, self.feed_state)
        # Full-text feeds: new entries get their pages' text before ``handle`` (and being seen).
        self._sink = full_text_sink(self.handle, PageFetcher(self._fetcher), self.feed_state)
        self._wake = asyncio.Event()
        self.started_at = self.clock()
        self.metrics = MonitorMetrics(self)
        self.articles_seen = 0
        self.alerts_queued = 0
        log.info(
            "monitor ready: %d feed(s), %d rule(s), %d notification target(s), "
            "%d recent article(s) in %d stories, state in %s",
            len(self.feeds),
            len(self.rulebook.rules),
            len(targets),
            restored,
            self.grouper.story_count,
            config.state_dir,
        )

    def _load_routes(self, targets: Targets) -> Routes:
        """The routes file's tree (``RoutesError`` with file:line:col problems), or today's
        behaviour without one."""
        path = self.config.routes_file
        if path is None:
            return Routes.default()
        # Console only (no Apprise config): any receiver name stands for the console.
        return load_routes(path, receivers=targets.tags() if targets else None)

    @property
    def feeds(self) -> list[FeedSpec]:
        """The feed list being polled (it follows edits of the feed list file)."""
        return list(self.poller.specs)

    def reload_feeds(self) -> FeedListChange | None:
        """Reload the feed list file if it changed; a broken edit keeps the running list (and
        says where it is wrong). What the new list changed, or None if none was taken."""
        return self._feed_watch.reload(self.poller.replace)

    def reload_routes(self) -> bool:
        """Reload the routes file if it changed; a broken edit keeps the running routes (and
        says where it is wrong). True if new routes are in use."""
        stamp = file_stamp(self.config.routes_file)
        if stamp == self._routes_stamp:
            return False
        self._routes_stamp = stamp
        try:
            routes = self._load_routes(self.notifier.targets)
        except RoutesError as exc:
            log.error("routes not reloaded, the previous routes stay in use:\n%s", exc)
            return False
        self.inbox.replace_routes(routes)
        log.info("routes reloaded from %s", self.config.routes_file)
        return True

    def _open_archive(self) -> SqliteArchive | None:
        config = self.config
        try:
            archive = SqliteArchive(
                config.state_dir / ARCHIVE_FILENAME,
                max_articles=max(1, config.archive_max_articles),
                max_age=timedelta(days=max(1, config.archive_max_days)),
            )
            archive.prune()
        except ArchiveError as exc:
            log.warning("%s; running without the article archive", exc)
            return None
        return archive

    async def __aenter__(self) -> Monitor:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self.notifier.close()
        await self._fetcher.aclose()
        self.feed_state.close()
        self.stories.close()
        if self.archive is not None:
            self.archive.close()

    # --- the pipeline --------------------------------------------------------------------

    def offer(self, article: Article, now: datetime) -> int:
        """Group one article into its story, match it with the current rules and hand what
        fired to the inbox; returns how many rules fired."""
        snapshot = self.rulebook.snapshot
        self.grouper.snapshot = snapshot
        assignment = self.grouper.add(article)
        if assignment.signal != "known":
            self.stories.record(article, assignment)
            if not assignment.new_story:
                log.info(
                    "article %s joined story %s (%s %.2f via %s)",
                    article.url or article.id,
                    assignment.story_id,
                    assignment.signal,
                    assignment.score,
                    assignment.via,
                )
        fired = fire(snapshot, article, default_tag=self.config.default_tag)
        self.metrics.articles.inc()
        if fired:
            self.stories.record_hits(assignment.story_id, [one.hit for one in fired], now=now)
            for one in fired:
                self.metrics.hits.labels(one.hit.rule_id).inc()
            self.inbox.offer(snapshot, fired, article, assignment.story_id, now)
            log.info(
                "story %s: %s fired on %s (feed %s): %s",
                assignment.story_id,
                ", ".join(one.hit.rule_id for one in fired),
                article.url or article.id,
                article.feed,
                article.title[:120],
            )
        return len(fired)

    def flush_inbox(self, now: datetime | None = None) -> int:
        """Queue every inbox message due now (with the inbox's state, in one transaction);
        returns how many messages are new to the outbox."""
        messages = self.inbox.flush(now or self.clock())
        # The console's copy counts only where it is the one place alerts go.
        counted = [m for m in messages if m.target != CONSOLE or not self.notifier.targets]
        self.alerts_queued += len(counted)
        self.metrics.queued.inc(len(counted))
        if counted:
            self._wake.set()
        return len(counted)

    def wake_delivery(self) -> None:
        """Deliver now rather than at the next interval (after ``alerts retry`` from the page)."""
        self._wake.set()

    async def handle(self, spec: FeedSpec, articles: Sequence[Article]) -> None:
        """The pollers' sink: returns once every article's notices are durably in the inbox
        (and whatever is due at once is queued in the outbox)."""
        now = self.clock()
        self.inbox.refresh_silences(now)
        for article in articles:
            self.articles_seen += 1
            self.offer(article, now)
        self.flush_inbox(now)
        self._archive(articles)

    def _archive(self, articles: Sequence[Article]) -> None:
        if self.archive is None:
            return
        try:
            self.archive.add(articles)
        except Exception:
            # The archive serves the rule workflow; a full disk there must not stop alerts.
            log.exception("could not archive %d article(s); alerts are not affected", len(articles))

    # --- rejected rule edits -------------------------------------------------------------

    def _on_reject(self, rejection: Rejection) -> None:
        if self.config.ops_tag:
            self._ops_pending.append(ops_alert(rejection, self.config.ops_tag))

    def _on_fixed(self, file: str) -> None:
        if self.config.ops_tag:
            self._ops_pending.append(fixed_alert(file, self.config.ops_tag))

    async def _flush_ops(self) -> None:
        pending, self._ops_pending = self._ops_pending, []
        for alert in pending:
            if await self.notifier.submit(alert):
                self._wake.set()

    # --- modes ---------------------------------------------------------------------------

    async def run_once(self) -> RunSummary:
        """Poll every feed once, match, deliver what is due, and report."""
        before = self.alerts_queued
        await self._flush_ops()
        outcomes = await self.poller.poll_all_once(self._sink)
        self.flush_inbox()
        report = await self.notifier.deliver_due()
        return self._summary(outcomes, report, self.alerts_queued - before)

    async def run(
        self,
        stop: asyncio.Event,
        *,
        also: Sequence[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = (),
    ) -> None:
        """Poll, match and deliver until ``stop`` is set; then finish in-flight work. ``also``:
        more services that run as long as the monitor (the web page)."""
        log.info("monitor running; SIGTERM or Ctrl-C stops it")
        await self._flush_ops()
        async with asyncio.TaskGroup() as group:
            group.create_task(self.poller.run(self._sink, stop))
            group.create_task(self._deliver_loop(stop))
            group.create_task(self._reload_loop(stop))
            group.create_task(self._inbox_loop(stop))
            group.create_task(
                report_progress(
                    self.poller.tally,
                    stop,
                    pulse=self._pulse,
                    heartbeat=self.config.heartbeat,
                    window=self.config.first_round_window,
                )
            )
            for service in also:
                group.create_task(service(stop))
        log.info("stopping: delivering what is due (at most %gs)", self.config.drain_timeout)
        try:
            async with asyncio.timeout(self.config.drain_timeout):
                await self.notifier.deliver_due()
        except TimeoutError:
            log.warning("shutdown: delivery cut short; undelivered alerts stay in the outbox")
        counts = self.notifier.outbox.counts()
        log.info(
            "stopped: %d article(s) matched, %d alert(s) queued, %d held for retry",
            self.articles_seen,
            self.alerts_queued,
            counts.held,
        )

    async def _deliver_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                report = await self.notifier.deliver_due()
                self.metrics.sent.inc(report.sent)
                self.metrics.failed.inc(report.failed)
            except Exception:
                log.exception("alert delivery round failed; the next round retries")
            self._wake.clear()
            waiter = asyncio.create_task(self._wake.wait())
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait(
                {waiter, stopper},
                timeout=self.config.delivery_interval,
                return_when=asyncio.FIRST_COMPLETED,
            )
            waiter.cancel()
            stopper.cancel()

    async def _inbox_loop(self, stop: asyncio.Event) -> None:
        """Release what time makes due (group waits, updates, cool-downs, digests, the end of
        quiet hours), at the next due time or every ``INBOX_TICK`` seconds at most."""
        while not stop.is_set():
            try:
                self.flush_inbox()
            except Exception:
                log.exception("inbox round failed; the next round retries")
            due = self.inbox.inbox.next_due()
            wait = INBOX_TICK
            if due is not None:
                wait = min(INBOX_TICK, max(0.05, (due - self.clock()).total_seconds()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)

    async def _reload_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.config.reload_interval)
            if stop.is_set():
                return
            try:
                # In a thread: a large rule set takes seconds to compile, and polling and
                # delivery must go on meanwhile (the swap of the matcher is one assignment).
                await asyncio.to_thread(self.rulebook.reload)
                await self._flush_ops()
                self.reload_routes()
            except Exception:
                log.exception("rule reload failed; the previous rules keep running")
            try:
                self.reload_feeds()
            except Exception:
                log.exception("feed list reload failed; the previous list keeps running")

    def _pulse(self) -> Pulse:
        return self.poller.tally.pulse(
            articles=self.articles_seen,
            alerts_queued=self.alerts_queued,
            alerts_held=self.notifier.outbox.counts().held,
        )

    def _summary(
        self, outcomes: list[PollOutcome], report: DeliveryReport, alerts: int
    ) -> RunSummary:
        failed = [o for o in outcomes if not o.ok]
        counts = self.notifier.outbox.counts()
        return RunSummary(
            feeds=len(outcomes),
            feeds_failed=len(failed),
            articles=sum(o.new_articles for o in outcomes),
            alerts=alerts,
            delivered=report.sent,
            held=counts.held,
            errors=tuple(f"{o.feed_id}: {o.error}" for o in failed),
            warnings=tuple(f"{o.feed_id}: {o.warning}" for o in outcomes if o.warning),
        )


def fixed_alert(file: str, tag: str) -> Alert:
    """The ops notification that a rejected file loads cleanly again (once per content)."""
    body = f"{file} loads without errors again: its rules run their new versions."
    return _ops_notice(file, f"fixed\0{file}", f"[OPS] rule file fixed: {file}", body, tag, "low")


def ops_alert(rejection: Rejection, tag: str) -> Alert:
    """The ops notification for a rejected edit: once per rejected content of the file (the
    outbox key), so a restart does not repeat it but a new broken edit is reported again."""
    basis = "\0".join((rejection.file, rejection.subject, *(str(p) for p in rejection.problems)))
    lines = [rejection.message, f"File: {rejection.file}"]
    lines += ["", *(str(p) for p in rejection.problems)]
    title = f"[OPS] rule edit rejected: {rejection.subject}"
    return _ops_notice(rejection.file, basis, title, "\n".join(lines), tag, "high")


def _ops_notice(file: str, basis: str, title: str, body: str, tag: str, severity: str) -> Alert:
    """An ops alert keyed by ``basis`` and the file's content: sent once per content."""
    try:
        content = Path(file).read_bytes()
    except OSError:
        content = b""
    digest = hashlib.sha256(basis.encode("utf-8") + b"\0" + content).hexdigest()[:16]
    return Alert(
        key=f"ops\x1f{digest}",
        rule_id=OPS_RULE_ID,
        rule_version="",
        article_id=digest,
        title=title,
        body=body,
        tags=(tag.strip().lower(),),
        severity=severity,
    )
