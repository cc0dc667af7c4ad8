"""The web page's ``Desk`` over the running embedded monitor: the same stores, rule book,
inbox and poller the monitor uses, called in its own event loop (no second writer)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feeds.config import FeedSpec
from feeds.listing import append_feed
from feeds.once import feed_id_for, fetch_once
from newswatch.archive.base import parse_since
from newswatch.article import Article
from newswatch.errors import InputError
from newswatch.inbox.schedule import ScheduleError, parse_duration
from newswatch.inbox.silences import DEFAULT_FOR, Silence, SilenceError, silenced_values
from newswatch.rules.files import rule_files
from newswatch.stories.store import HitRow
from newswatch.web.desk import (
    ArticleCard,
    ArticlePage,
    FeedRow,
    Filters,
    OutboxView,
    RuleRow,
    SilencePreview,
    StoryCard,
)
from newswatch.web.highlight import excerpt, field_spans, segments
from newswatch.web.security import rule_file
from newswatch.workflow.check import check_rules
from newswatch.workflow.edit import EditCheck, Trial, check_edit, save_edit, try_edit
from newswatch.workflow.explain import explain

if TYPE_CHECKING:
    from newswatch.embedded.runtime import Monitor

__all__ = ["EmbeddedDesk"]

PREVIEW_DAYS = 7
DEFAULT_TRIAL_SINCE = "7d"


class EmbeddedDesk:
    def __init__(self, monitor: Monitor) -> None:
        self.monitor = monitor
        self.rules_dir = monitor.config.rules_dir
        self.rules_dir_label = str(self.rules_dir)
        self._lint: tuple[tuple[str, ...], dict[str, tuple[str, ...]]] = ((), {})

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
        try:
            since = parse_since(filters.since, now=self._now()) if filters.since else None
        except ValueError as exc:
            raise InputError(str(exc)) from None
        narrowed = bool(filters.language or filters.feed)
        ids = store.story_ids(
            rules=[filters.rule] if filters.rule else [],
            since=since,
            fired_only=filters.fired_only,
            limit=filters.limit * (4 if narrowed else 1),
        )
        cards = []
        for story_id in ids:
            card = self._story(story_id, filters)
            if card is not None:
                cards.append(card)
            if len(cards) >= filters.limit:
                break
        return cards

    def _story(self, story_id: str, filters: Filters) -> StoryCard | None:
        store = self.monitor.stories
        rows = list(store.rows(story_id))
        if filters.language:
            rows = [r for r in rows if r.article.language == filters.language]
        if filters.feed:
            rows = [r for r in rows if r.article.feed == filters.feed]
        if not rows:
            return None
        hits = store.hits([r.article.id for r in rows])
        cards = tuple(
            _card(row.article, row.added_at, hits.get(row.article.id, [])) for row in reversed(rows)
        )
        if filters.fired_only and not any(c.rules for c in cards):
            return None
        return StoryCard(
            story_id=story_id,
            title=rows[0].article.title,
            last_added=rows[-1].added_at,
            articles=cards,
            rules=tuple(dict.fromkeys(r for c in cards for r in c.rules)),
            languages=tuple(dict.fromkeys(c.article.language for c in cards if c.article.language)),
            feeds=tuple(dict.fromkeys(c.article.feed for c in cards if c.article.feed)),
        )

    def _find(self, article_id: str) -> tuple[Article, str] | None:
        monitor = self.monitor
        for row in monitor.stories.rows_of([article_id]):
            return row.article, row.assignment.story_id
        archive = monitor.archive
        found = archive.get(article_id) if archive is not None else None
        return (found, "") if found is not None else None

    def article(self, article_id: str, rule_id: str = "") -> ArticlePage | None:
        """The article, its marks, and ``explain`` for the rules that fired on it and for
        ``rule_id`` (explaining every rule would build two matchers per rule per view)."""
        found = self._find(article_id)
        if found is None:
            return None
        article, story_id = found
        rows = self.monitor.stories.hits([article_id]).get(article_id, [])
        hits = tuple(r.hit for r in rows)
        mentions = [m for h in hits for m in h.mentions]
        live = self.monitor.rulebook.rules
        wanted = [*(h.rule_id for h in hits), rule_id]
        rules = [live[r] for r in dict.fromkeys(wanted) if r in live]
        return ArticlePage(
            article=article,
            story_id=story_id,
            hits=hits,
            title=segments(article.title, field_spans(mentions, "title")),
            summary=segments(article.summary, field_spans(mentions, "summary")),
            content=segments(article.content, field_spans(mentions, "content")),
            explanations=tuple(explain(rules, article)),
            rules=tuple(sorted(live)),
        )

    # --- rules ---------------------------------------------------------------------------

    def _lints(self) -> dict[str, tuple[str, ...]]:
        """``rules check`` warnings per rule, computed again only when the files change."""
        stamp = tuple(f"{p}:{p.stat().st_mtime_ns}" for p in self.monitor.rulebook.watched_files())
        if stamp != self._lint[0]:
            result = check_rules(self.rules_dir)
            found: dict[str, list[str]] = {}
            for problem in result.problems:
                if problem.rule_id:
                    where = self._relative(problem.file)
                    text = f"{where}:{problem.line}: {problem.level}: {problem.message}"
                    found.setdefault(problem.rule_id, []).append(text)
            self._lint = (stamp, {k: tuple(v) for k, v in found.items()})
        return self._lint[1]

    def _relative(self, file: str) -> str:
        try:
            return Path(file).resolve().relative_to(self.rules_dir.resolve()).as_posix()
        except ValueError:
            return file

    def rules(self) -> list[RuleRow]:
        activity = self.monitor.stories.rule_activity(self._now())
        lints = self._lints()
        rows = []
        for rule in sorted(self.monitor.rulebook.rules.values(), key=lambda r: r.id):
            seen = activity.get(rule.id)
            rows.append(
                RuleRow(
                    rule_id=rule.id,
                    title=rule.title,
                    file=self._relative(rule.source),
                    line=rule.line,
                    status=rule.status.value,
                    severity=rule.severity.value,
                    last_fired=seen.last_fired if seen else None,
                    day=seen.day if seen else 0,
                    week=seen.week if seen else 0,
                    warnings=lints.get(rule.id, ()),
                )
            )
        return rows

    def rule_files(self) -> list[str]:
        root = self.rules_dir
        if not root.is_dir():
            return []
        return [p.relative_to(root).as_posix() for p in rule_files(root)]

    def read_rule_file(self, name: str) -> str:
        path = rule_file(self.rules_dir, name)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"{name}: no such rule file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{name}: cannot read: {exc}") from None

    def _others(self) -> dict[str, str]:
        return {r.id: r.source for r in self.monitor.rulebook.rules.values()}

    def check_rule_file(self, name: str, text: str) -> EditCheck:
        return check_edit(
            self.rules_dir, rule_file(self.rules_dir, name), text, others=self._others()
        )

    def try_rule_file(self, name: str, text: str, since: str) -> Trial:
        check = self.check_rule_file(name, text)
        path = check.path.resolve()
        running = [
            r for r in self.monitor.rulebook.rules.values() if Path(r.source).resolve() == path
        ]
        try:
            when = parse_since(since or DEFAULT_TRIAL_SINCE, now=self._now())
        except ValueError as exc:
            raise InputError(str(exc)) from None
        return try_edit(check, running, self._archived(when))

    def _archived(self, when: datetime) -> Iterator[Article]:
        archive = self.monitor.archive
        if archive is None:
            return iter(())
        return archive.since(when)

    def save_rule_file(self, name: str, text: str, *, new: bool = False) -> EditCheck:
        path = rule_file(self.rules_dir, name)
        if new and path.exists():
            raise InputError(f"{name} already exists; open it in the editor instead")
        check = self.check_rule_file(name, text)
        if save_edit(check, text):
            # Live at once, through the same reload as a hand edit (a rejection is reported).
            self.monitor.rulebook.reload()
        return check

    # --- feeds ---------------------------------------------------------------------------

    def feeds(self) -> list[FeedRow]:
        health = {h.feed_id: h for h in self.monitor.feed_state.health()}
        return [FeedRow(spec, health.get(spec.id)) for spec in self.monitor.feeds]

    async def add_feed(self, url: str, feed_id: str, language: str) -> str:
        monitor = self.monitor
        url = url.strip()
        feed_id = feed_id.strip() or feed_id_for(url)
        spec = FeedSpec(id=feed_id, url=url, language=language.strip())
        try:
            parsed, _ = await fetch_once(spec, monitor.config.fetch_limits)
        except Exception as exc:
            raise InputError(f"{url}: could not fetch the feed: {exc}") from None
        if not parsed.articles:
            why = parsed.error or "no entries"
            raise InputError(f"{url}: not a feed newswatch can read ({why})")
        added = append_feed(
            monitor.config.feeds_file,
            feed_id,
            url,
            spec.language,
            min_interval=monitor.config.min_feed_interval,
        )
        monitor.feeds.append(added)
        polled = monitor.poller.add(added)
        state = "polled from now on" if polled else "polled when the monitor runs"
        return f"feed {added.id} added ({len(parsed.articles)} entries now); {state}"

    # --- alerts and silences -------------------------------------------------------------

    def outbox(self) -> OutboxView:
        box = self.monitor.notifier.outbox
        return OutboxView(counts=box.counts(), held=tuple(box.pending(limit=200)))

    def retry(self) -> int:
        count = self.monitor.notifier.outbox.retry_now()
        self.monitor.wake_delivery()
        return count

    def silences(self) -> list[Silence]:
        return self.monitor.inbox.store.silences(now=self._now())

    def _silence(self, matchers: list[str], duration: str, author: str, comment: str) -> Silence:
        try:
            length = parse_duration(duration) if duration.strip() else DEFAULT_FOR
            return Silence.create(
                [m for m in matchers if m.strip()],
                author=author,
                comment=comment,
                now=self._now(),
                duration=length,
            )
        except (SilenceError, ScheduleError) as exc:
            raise InputError(str(exc)) from None

    def preview_silence(
        self, matchers: list[str], duration: str, author: str, comment: str
    ) -> SilencePreview:
        """What the silence would have held among the hits of the last ``PREVIEW_DAYS``."""
        silence = self._silence(matchers, duration, author, comment)
        store = self.monitor.stories
        since = self._now() - timedelta(days=PREVIEW_DAYS)
        held: list[tuple[Article, tuple[str, ...]]] = []
        scanned = 0
        for row in store.rows_since(since):
            hits: list[HitRow] = store.hits([row.article.id]).get(row.article.id, [])
            if not hits:
                continue
            scanned += 1
            article = row.article
            rules = tuple(
                h.hit.rule_id
                for h in hits
                if silence.matches(
                    silenced_values(
                        h.hit.rule_id,
                        h.hit.entities,
                        (article.feed,),
                        (article.language,),
                        h.story_id,
                    )
                )
            )
            if rules:
                held.append((article, rules))
        return SilencePreview(silence, tuple(held), scanned)

    def add_silence(self, matchers: list[str], duration: str, author: str, comment: str) -> Silence:
        silence = self._silence(matchers, duration, author, comment)
        self.monitor.inbox.store.add_silence(silence)
        return silence

    def expire_silence(self, silence_id: str) -> Silence | None:
        return self.monitor.inbox.store.expire_silence(silence_id, self._now())


def _card(article: Article, added_at: datetime, hits: list[HitRow]) -> ArticleCard:
    mentions = [m for row in hits for m in row.hit.mentions]
    summary = article.summary or article.content
    field = "summary" if article.summary else "content"
    return ArticleCard(
        article=article,
        added_at=added_at,
        rules=tuple(dict.fromkeys(row.hit.rule_id for row in hits)),
        title=segments(article.title, field_spans(mentions, "title")),
        summary=excerpt(summary, field_spans(mentions, field)),
    )
