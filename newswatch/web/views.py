"""The page's views built from what a runtime stores: the same cards, article page, rule rows
and silence preview whether the articles come from the embedded monitor's SQLite or from the
Kafka topics (``embedded.desk``, ``kafka.desk``). Pure: the desks fetch, these build."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from newswatch.archive.base import parse_since
from newswatch.article import Article
from newswatch.errors import InputError
from newswatch.inbox.schedule import ScheduleError, parse_duration
from newswatch.inbox.silences import DEFAULT_FOR, Silence, SilenceError, silenced_values
from newswatch.matching.hits import Hit
from newswatch.rules.model import Rule
from newswatch.web.desk import ArticleCard, ArticlePage, Filters, RuleRow, SilencePreview, StoryCard
from newswatch.web.highlight import excerpt, field_spans, segments
from newswatch.workflow.check import check_rules
from newswatch.workflow.explain import explain

__all__ = [
    "DEFAULT_TRIAL_SINCE",
    "PREVIEW_DAYS",
    "Activity",
    "LintCache",
    "StoredArticle",
    "article_card",
    "article_page",
    "make_silence",
    "relative_to",
    "rule_rows",
    "silence_preview",
    "since_of",
    "story_card",
    "story_cards",
]

PREVIEW_DAYS = 7  # a silence's preview looks this far back
DEFAULT_TRIAL_SINCE = "7d"  # a rule edit is tried on the archive since this long ago


class Activity(Protocol):
    """A rule's recent firing (``stories.store.RuleActivity`` has this shape)."""

    @property
    def last_fired(self) -> datetime | None: ...

    @property
    def day(self) -> int: ...

    @property
    def week(self) -> int: ...


class StoredArticle(Protocol):
    """An article as a runtime keeps it: when it came, and its story."""

    @property
    def article(self) -> Article: ...

    @property
    def added_at(self) -> datetime: ...


def article_card(article: Article, added_at: datetime, hits: Sequence[Hit]) -> ArticleCard:
    mentions = [m for hit in hits for m in hit.mentions]
    summary = article.summary or article.content
    field = "summary" if article.summary else "content"
    return ArticleCard(
        article=article,
        added_at=added_at,
        rules=tuple(dict.fromkeys(hit.rule_id for hit in hits)),
        title=segments(article.title, field_spans(mentions, "title")),
        summary=excerpt(summary, field_spans(mentions, field)),
    )


def story_card(
    story_id: str,
    rows: Sequence[StoredArticle],
    hits_of: Mapping[str, Sequence[Hit]],
    filters: Filters,
) -> StoryCard | None:
    """One story (``rows``: its articles, oldest first) as the filters narrow it; None if
    nothing of it is left, or if only fired stories are wanted and nothing of it fired."""
    if filters.language:
        rows = [r for r in rows if r.article.language == filters.language]
    if filters.feed:
        rows = [r for r in rows if r.article.feed == filters.feed]
    if not rows:
        return None
    cards = tuple(
        article_card(r.article, r.added_at, hits_of.get(r.article.id, ())) for r in reversed(rows)
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


def since_of(text: str, now: datetime) -> datetime | None:
    """A filter's or a trial's ``since`` (a duration back from ``now``, or a date; "" for
    none), or an ``InputError`` saying what is wrong with it."""
    try:
        return parse_since(text, now=now) if text else None
    except ValueError as exc:
        raise InputError(str(exc)) from None


def story_cards(
    ids: Iterable[str],
    story: Callable[[str], tuple[Sequence[StoredArticle], Mapping[str, Sequence[Hit]]]],
    filters: Filters,
) -> list[StoryCard]:
    """The cards of the stories ``ids`` names, newest first, as the filters narrow them
    (``story``: a story's articles, oldest first, and their hits), at most ``filters.limit``."""
    cards = []
    for story_id in ids:
        rows, hits = story(story_id)
        card = story_card(story_id, rows, hits, filters)
        if card is not None:
            cards.append(card)
            if len(cards) >= filters.limit:
                break
    return cards


def article_page(
    article: Article,
    story_id: str,
    hits: Sequence[Hit],
    live: Mapping[str, Rule],
    rule_id: str = "",
) -> ArticlePage:
    """The article, its marks, and ``explain`` for the rules that fired on it and for
    ``rule_id`` (explaining every rule would build two matchers per rule per view)."""
    mentions = [m for h in hits for m in h.mentions]
    wanted = [*(h.rule_id for h in hits), rule_id]
    rules = [live[r] for r in dict.fromkeys(wanted) if r in live]
    return ArticlePage(
        article=article,
        story_id=story_id,
        hits=tuple(hits),
        title=segments(article.title, field_spans(mentions, "title")),
        summary=segments(article.summary, field_spans(mentions, "summary")),
        content=segments(article.content, field_spans(mentions, "content")),
        explanations=tuple(explain(rules, article)),
        rules=tuple(sorted(live)),
    )


def relative_to(root: Path, file: str) -> str:
    """``file`` relative to the rules directory where it is inside it, else as given."""
    try:
        return Path(file).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return file


class LintCache:
    """``rules check`` warnings per rule of a directory, computed again only when one of
    the files ``watched`` lists has changed (a check runs every rule's examples)."""

    def __init__(self, rules_dir: Path, watched: Callable[[], Iterable[Path]]) -> None:
        self.rules_dir = rules_dir
        self._watched = watched
        self._stamp: tuple[str, ...] = ()
        self._found: dict[str, tuple[str, ...]] = {}

    def get(self) -> dict[str, tuple[str, ...]]:
        stamp = tuple(f"{p}:{_mtime(p)}" for p in self._watched())
        if stamp != self._stamp:
            found: dict[str, list[str]] = {}
            for problem in check_rules(self.rules_dir).problems:
                if problem.rule_id:
                    where = relative_to(self.rules_dir, problem.file)
                    text = f"{where}:{problem.line}: {problem.level}: {problem.message}"
                    found.setdefault(problem.rule_id, []).append(text)
            self._stamp, self._found = stamp, {k: tuple(v) for k, v in found.items()}
        return self._found


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def rule_rows(
    rules: Iterable[Rule],
    activity: Mapping[str, Activity],
    lints: Mapping[str, tuple[str, ...]],
    file_of: Callable[[Rule], str],
) -> list[RuleRow]:
    rows = []
    for rule in sorted(rules, key=lambda r: r.id):
        seen = activity.get(rule.id)
        rows.append(
            RuleRow(
                rule_id=rule.id,
                title=rule.title,
                file=file_of(rule),
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


def make_silence(
    matchers: list[str], duration: str, author: str, comment: str, now: datetime
) -> Silence:
    """A silence from the page's form; ``InputError`` says what is wrong with it."""
    try:
        length = parse_duration(duration) if duration.strip() else DEFAULT_FOR
        return Silence.create(
            [m for m in matchers if m.strip()],
            author=author,
            comment=comment,
            now=now,
            duration=length,
        )
    except (SilenceError, ScheduleError) as exc:
        raise InputError(str(exc)) from None


def silence_preview(
    silence: Silence, fired: Iterable[tuple[Article, str, Sequence[Hit]]]
) -> SilencePreview:
    """What ``silence`` would have held among ``fired`` (article, story id, its hits)."""
    held: list[tuple[Article, tuple[str, ...]]] = []
    scanned = 0
    for article, story_id, hits in fired:
        if not hits:
            continue
        scanned += 1
        rules = tuple(
            hit.rule_id
            for hit in hits
            if silence.matches(
                silenced_values(
                    hit.rule_id, hit.entities, (article.feed,), (article.language,), story_id
                )
            )
        )
        if rules:
            held.append((article, rules))
    return SilencePreview(silence, tuple(held), scanned)
