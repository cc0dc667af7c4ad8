"""From the matcher's hits to the inbox's notices, first messages and message parts (pure).

Shared by the embedded runtime and ``alerts preview``, so a preview prints what a target gets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from newswatch.alerts.firing import Fired
from newswatch.alerts.message import Alert, build_story_alert
from newswatch.article import Article
from newswatch.inbox.engine import Entry, FiredRule, Notice
from newswatch.inbox.split import split_message
from newswatch.matching.snapshot import RuleSnapshot

__all__ = ["first_builder", "notice_for", "parts_of"]

_SEP = "\x1f"


def notice_for(
    snapshot: RuleSnapshot, fired: Sequence[Fired], article: Article, story: str
) -> Notice:
    """The inbox's view of ``article`` (of ``story``) firing ``fired``."""
    rules = []
    for one in fired:
        rule = snapshot.rules[one.hit.rule_id]
        entities = []
        for mention in one.hit.mentions:
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
    snapshot: RuleSnapshot, fired: Sequence[Fired], article: Article, story: str, default_tag: str
) -> Callable[[tuple[str, ...], str, str], Alert]:
    by_rule = {one.hit.rule_id: one.hit for one in fired}

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
    if limit is None or len(alert.body) <= limit:
        return [alert]
    bodies = split_message(alert.body, limit)
    data = alert.to_dict()
    out = []
    for n, body in enumerate(bodies, 1):
        part = dict(data, body=body, key=f"{alert.key}{_SEP}{n}/{len(bodies)}")
        part.pop("marks", None)  # marks are offsets into the whole body
        if n > 1:
            part["title"] = f"{alert.title} ({n}/{len(bodies)})"
        out.append(Alert.from_dict(part))
    return out
