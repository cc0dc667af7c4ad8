"""A dry run of the whole inbox: timestamped articles through stories, matching, routing,
group waits, updates, cool-downs, digests, quiet hours and silences on a simulated clock.

Nothing is sent or stored: the result is every message that would go out (when, to which
target, its full text) and every article a silence would have kept back. The clock jumps from
one event to the next — an article's arrival or a time the inbox has a message due — so a
week of articles takes as long as matching them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from newswatch.alerts.firing import fire
from newswatch.article import Article
from newswatch.inbox.engine import Inbox, Message, SilencedRecord
from newswatch.inbox.notices import first_builder, notice_for
from newswatch.matching.snapshot import RuleSnapshot
from newswatch.stories.grouping import StoryGrouper, StoryParams

__all__ = ["Preview", "arrival", "describe", "simulate", "summary"]

# After the last article, how long the simulation runs on so that waits, cool-downs, quiet
# hours and the next digest play out.
DEFAULT_TAIL = timedelta(days=1)
# No more steps than this, whatever the schedule (a digest every minute over a year).
MAX_STEPS = 1_000_000


@dataclass(frozen=True, slots=True)
class Preview:
    messages: tuple[Message, ...]
    silenced: tuple[SilencedRecord, ...]
    articles: int
    fired: int
    start: datetime | None
    end: datetime | None


def arrival(article: Article) -> datetime | None:
    """When the inbox would have the article: when it was fetched, else published."""
    when = article.fetched or article.published
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def simulate(
    inbox: Inbox,
    snapshot: RuleSnapshot,
    articles: Iterable[Article],
    *,
    default_tag: str,
    stories: StoryParams | None = None,
    until: datetime | None = None,
) -> Preview:
    """Run ``articles`` (each needs ``fetched`` or ``published``; sorted here by it) through
    ``inbox``; ``until``: the simulated end (default a day after the last article)."""
    timed = sorted(
        ((at, a) for a in articles if (at := arrival(a)) is not None), key=lambda p: p[0]
    )
    grouper = StoryGrouper(stories or StoryParams(), snapshot=snapshot)
    messages: list[Message] = []
    silenced: list[SilencedRecord] = []
    fired_count = 0
    steps = 0

    def run_until(limit: datetime) -> None:
        nonlocal steps
        while steps < MAX_STEPS:
            due = inbox.next_due()
            if due is None or due > limit:
                return
            steps += 1
            messages.extend(inbox.due(due))
            silenced.extend(inbox.take_silenced())

    for at, article in timed:
        run_until(at)
        assignment = grouper.add(article)
        fired = fire(snapshot, article, default_tag=default_tag)
        if fired:
            fired_count += 1
            story = assignment.story_id
            hits = [one.hit for one in fired]
            build = first_builder(snapshot, hits, article, story, default_tag)
            inbox.offer(notice_for(snapshot, hits, article, story), at, build)
            messages.extend(inbox.due(at))
        silenced.extend(inbox.take_silenced())
    start = timed[0][0] if timed else None
    end = until or (timed[-1][0] + DEFAULT_TAIL if timed else None)
    if end is not None:
        run_until(end)
    return Preview(tuple(messages), tuple(silenced), len(timed), fired_count, start, end)


def describe(message: Message, target_name: str) -> str:
    """One message as ``alerts preview`` prints it."""
    alert = message.alert
    head = f"{message.at.astimezone(UTC):%Y-%m-%d %H:%M:%S}Z  {message.kind:<8} → {target_name}"
    return "\n".join(
        [head, f"  {alert.title}", *(f"  | {line}" for line in alert.body.splitlines())]
    )


def summary(preview: Preview, names: Sequence[str]) -> str:
    kinds: dict[str, int] = {}
    for m in preview.messages:
        kinds[m.kind] = kinds.get(m.kind, 0) + 1
    by_kind = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"
    return (
        f"{preview.articles} article(s), {preview.fired} fired; {len(preview.messages)} "
        f"message(s) to {len(set(names))} target(s) ({by_kind}); "
        f"{len(preview.silenced)} silenced"
    )
