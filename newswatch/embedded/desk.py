"""The web page's ``Desk`` over the running embedded monitor: the same stores, rule book,
inbox and poller the monitor uses, called in its own event loop (no second writer)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from feeds.listing import add_feed_to
from newswatch.article import Article
from newswatch.inbox.silences import Silence
from newswatch.matching.hits import Hit
from newswatch.stories.store import StoryRow
from newswatch.web.desk import (
    ArticlePage,
    FeedRow,
    Filters,
    OutboxView,
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
    relative_to,
    rule_rows,
    silence_preview,
    since_of,
    story_cards,
)
from newswatch.workflow.edit import EditCheck, Trial, try_edit

if TYPE_CHECKING:
    from newswatch.embedded.runtime import Monitor

__all__ = ["EmbeddedDesk"]


class EmbeddedDesk:
    def __init__(self, monitor: Monitor) -> None:
        self.monitor = monitor
        self.rules_dir = monitor.config.rules_dir
        self.saved_note = "The running monitor uses it from now on."
        self.files = RuleFiles(self.rules_dir)
        self._lints = LintCache(self.rules_dir, monitor.rulebook.watched_files)

    def _now(self) -> datetime:
        return self.monitor.clock()

    # --- status --------------------------------------------------------------------------

    def health(self) -> tuple[bool, dict[str, Any]]:
        monitor = self.monitor
        health = monitor.feed_state.health()
        successes = [h.last_success for h in health if h.last_success is not None]
        counts = monitor.notifier.outbox.counts()
        body = {
            "status": "ok",
            "mode": "embedded",
            "started_at": monitor.started_at.isoformat(),
            "rules": len(monitor.rulebook.rules),
            "feeds": len(monitor.feeds),
            "feeds_failing": sum(1 for h in health if h.consecutive_failures > 0),
            "last_poll": max(successes).isoformat() if successes else None,
            "articles_matched": monitor.articles_seen,
            "alerts_queued": monitor.alerts_queued,
            "outbox": {"pending": counts.pending, "failed": counts.failed, "sent": counts.sent},
        }
        return True, body

    def metrics(self) -> bytes:
        return self.monitor.metrics.render()

    # --- stories and articles ------------------------------------------------------------

    def choices(self) -> dict[str, list[str]]:
        monitor = self.monitor
        return {
            "rules": sorted(monitor.rulebook.rules),
            "feeds": sorted(spec.id for spec in monitor.feeds),
            "languages": sorted({spec.language for spec in monitor.feeds if spec.language}),
        }

    def stories(self, filters: Filters) -> list[StoryCard]:
        store = self.monitor.stories
        narrowed = bool(filters.language or filters.feed)
        ids = store.story_ids(
            rules=[filters.rule] if filters.rule else [],
            since=since_of(filters.since, self._now()),
            fired_only=filters.fired_only,
            limit=filters.limit * (4 if narrowed else 1),
        )

        def story(story_id: str) -> tuple[list[StoryRow], dict[str, list[Hit]]]:
            rows = list(store.rows(story_id))
            found = store.hits([r.article.id for r in rows])
            return rows, {aid: [h.hit for h in hits] for aid, hits in found.items()}

        return story_cards(ids, story, filters)

    def _find(self, article_id: str) -> tuple[Article, str] | None:
        monitor = self.monitor
        for row in monitor.stories.rows_of([article_id]):
            return row.article, row.assignment.story_id
        archive = monitor.archive
        found = archive.get(article_id) if archive is not None else None
        return (found, "") if found is not None else None

    def article(self, article_id: str, rule_id: str = "") -> ArticlePage | None:
        found = self._find(article_id)
        if found is None:
            return None
        article, story_id = found
        rows = self.monitor.stories.hits([article_id]).get(article_id, [])
        hits = [r.hit for r in rows]
        return article_page(article, story_id, hits, self.monitor.rulebook.rules, rule_id)

    # --- rules ---------------------------------------------------------------------------

    def rules(self) -> list[RuleRow]:
        return rule_rows(
            self.monitor.rulebook.rules.values(),
            self.monitor.stories.rule_activity(self._now()),
            self._lints.get(),
            lambda rule: relative_to(self.rules_dir, rule.source),
        )

    def rule_files(self) -> list[str]:
        return self.files.names()

    def read_rule_file(self, name: str) -> str:
        return self.files.read(name)

    def _others(self) -> dict[str, str]:
        return {r.id: r.source for r in self.monitor.rulebook.rules.values()}

    def check_rule_file(self, name: str, text: str) -> EditCheck:
        return self.files.check(name, text, self._others())

    def try_rule_file(self, name: str, text: str, since: str) -> Trial:
        check = self.check_rule_file(name, text)
        running = self.files.running_in(check, self.monitor.rulebook.rules.values())
        when = since_of(since or DEFAULT_TRIAL_SINCE, self._now())
        return try_edit(check, running, self._archived(when))

    def _archived(self, when: datetime | None) -> Iterator[Article]:
        archive = self.monitor.archive
        if archive is None or when is None:
            return iter(())
        return archive.since(when)

    async def save_rule_file(self, name: str, text: str, *, new: bool = False) -> EditCheck:
        check, written = self.files.save(name, text, self._others(), new=new)
        if written:
            # Live at once, through the same reload as a hand edit (a rejection is reported).
            self.monitor.rulebook.reload()
        return check

    # --- feeds ---------------------------------------------------------------------------

    def feeds(self) -> list[FeedRow]:
        health = {h.feed_id: h for h in self.monitor.feed_state.health()}
        return [FeedRow(spec, health.get(spec.id)) for spec in self.monitor.feeds]

    async def add_feed(self, url: str, feed_id: str, language: str) -> str:
        monitor = self.monitor
        added, entries = await add_feed_to(
            monitor.config.feeds_file,
            url,
            feed_id,
            language,
            limits=monitor.config.fetch_limits,
            min_interval=monitor.config.min_feed_interval,
        )
        # At once; the reload of the rewritten file then finds this feed already polled.
        polled = monitor.poller.add(added)
        state = "polled from now on" if polled else "polled when the monitor runs"
        return f"feed {added.id} added ({entries} entries now); {state}"

    # --- alerts and silences -------------------------------------------------------------

    def outbox(self) -> OutboxView:
        box = self.monitor.notifier.outbox
        return OutboxView(counts=box.counts(), held=tuple(box.pending(limit=200)))

    async def retry(self) -> str:
        count = self.monitor.notifier.outbox.retry_now()
        self.monitor.wake_delivery()
        return f"{count} held delivery(ies) set to be retried now"

    def silences(self) -> list[Silence]:
        return self.monitor.inbox.store.silences(now=self._now())

    def preview_silence(
        self, matchers: list[str], duration: str, author: str, comment: str
    ) -> SilencePreview:
        """What the silence would have held among the hits of the last ``PREVIEW_DAYS``."""
        silence = make_silence(matchers, duration, author, comment, self._now())
        store = self.monitor.stories
        since = self._now() - timedelta(days=PREVIEW_DAYS)

        def fired() -> Iterator[tuple[Article, str, list[Hit]]]:
            for row in store.rows_since(since):
                hits = store.hits([row.article.id]).get(row.article.id, [])
                yield row.article, row.assignment.story_id, [h.hit for h in hits]

        return silence_preview(silence, fired())

    async def add_silence(
        self, matchers: list[str], duration: str, author: str, comment: str
    ) -> Silence:
        silence = make_silence(matchers, duration, author, comment, self._now())
        self.monitor.inbox.store.add_silence(silence)
        return silence

    async def expire_silence(self, silence_id: str) -> Silence | None:
        return self.monitor.inbox.store.expire_silence(silence_id, self._now())
