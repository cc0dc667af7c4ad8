"""From the matcher's hits to the inbox's notices, first messages and message parts (pure).

Shared by the embedded runtime and ``alerts preview``, so a preview prints what a target gets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from newswatch.alerts.message import Alert, build_story_alert
from newswatch.article import Article
from newswatch.inbox.engine import Entry, FiredRule, Notice
from newswatch.inbox.split import COUNTER, split_spans
from newswatch.matching.hits import Hit
from newswatch.matching.snapshot import RuleSnapshot

__all__ = ["first_builder", "notice_for", "parts_of"]

_SEP = "\x1f"
# Room kept for a part's title counter and the newline Apprise puts between title and body.
TITLE_SLACK = 16
# A part is never made smaller than this, however long the title (Apprise then moves the title
# into the body where the service has no title field).
MIN_PART = 500


def notice_for(snapshot: RuleSnapshot, hits: Sequence[Hit], article: Article, story: str) -> Notice:
    """The inbox's view of ``article`` (of ``story``) with ``hits`` (of rules ``snapshot``
    has: a hit of a rule removed since it matched is left out)."""
    rules = []
    for hit in hits:
        rule = snapshot.rules.get(hit.rule_id)
        if rule is None:
            continue
        entities = []
        for mention in hit.mentions:
            try:
                label = rule.entity(mention.entity).canonical or mention.entity
            except KeyError:
                label = mention.entity
            if label not in entities:
                entities.append(label)
        rules.append(
            FiredRule(
                rule.id,
                rule.title or rule.id,
                str(rule.severity.value),
                rule.tags,
                tuple(t.strip().lower() for t in rule.notify if t.strip()),
                tuple(entities),
            )
        )
    published = article.published.isoformat() if article.published is not None else ""
    entry = Entry(article.id, article.title, article.url, article.feed, article.language, published)
    return Notice(story, entry, tuple(rules))


def first_builder(
    snapshot: RuleSnapshot, hits: Sequence[Hit], article: Article, story: str, default_tag: str
) -> Callable[[tuple[str, ...], str, str], Alert]:
    """What builds the first message of ``article``'s story for some of its rules, at a target
    (``engine.BuildFirst``)."""
    by_rule = {hit.rule_id: hit for hit in hits}

    def build(rule_ids: tuple[str, ...], target: str, key: str) -> Alert:
        pairs = [(snapshot.rules[r], by_rule[r]) for r in rule_ids]
        return build_story_alert(
            pairs,
            article,
            key=key,
            story=story,
            targets=(target,) if target else (),
            default_tag=default_tag,
        )

    return build


def parts_of(alert: Alert, limit: int | None) -> list[Alert]:
    """``alert`` split to ``limit`` characters of body: one alert per part, keys suffixed
    ``/k/n`` so each part is delivered once; never cut (``split_message``)."""
    if limit is None:
        return [alert]
    # Telegram and Discord count the title inside their limit; a part's title gains " (k/n)".
    room = limit - len(alert.title) - TITLE_SLACK
    if len(alert.body) <= room:
        return [alert]
    # The spans, not split_message: each part's marks are kept by where it sits in the body.
    spans = split_spans(alert.body, max(room, MIN_PART))
    total = len(spans)
    data = alert.to_dict()
    marks = data.get("marks") or []
    out = []
    for n, (start, end) in enumerate(spans, 1):
        body = alert.body[start:end] + COUNTER.format(k=n, n=total)
        part = dict(data, body=body, key=f"{alert.key}{_SEP}{n}/{total}")
        if "marks" in data:  # each part keeps the marks that fall inside it
            part["marks"] = [[a - start, b - start] for a, b in marks if start <= a and b <= end]
        if n > 1:
            part["title"] = f"{alert.title} ({n}/{total})"
        out.append(Alert.from_dict(part))
    return out
