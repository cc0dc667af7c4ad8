"""What a story sends: one alert per target, naming every rule that fired for it (pure).

An article that fires several rules is one message to each target, not one per rule; a target
hears of a story once. The key ``story`` U+001F story id U+001F target id makes that hold in the
outbox (embedded) and in the delivery table (Kafka): a later article of the story, a copy from
another feed or a replay after a crash builds the same key, which is already known.

The console (embedded ``--console``) counts as one more target, ``console``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from newswatch.alerts.firing import Fired
from newswatch.alerts.message import Alert, build_story_alert
from newswatch.article import Article
from newswatch.constants import DEFAULT_TAG
from newswatch.matching.hits import Hit
from newswatch.matching.snapshot import RuleSnapshot
from newswatch.rules.model import Rule

__all__ = ["CONSOLE", "story_alerts", "story_key"]

CONSOLE = "console"
_SEP = "\x1f"

#: tags -> the ids of the targets they choose
Route = Callable[[tuple[str, ...]], Sequence[str]]


def story_key(story: str, target: str) -> str:
    return f"story{_SEP}{story}{_SEP}{target}"


def story_alerts(
    snapshot: RuleSnapshot,
    fired: Sequence[Fired],
    article: Article,
    story: str,
    route: Route,
    *,
    console: bool = False,
    default_tag: str = DEFAULT_TAG,
) -> list[Alert]:
    """One alert per target that one of ``fired``'s rules routes to (and one for the console
    when ``console``), each naming the rules routed there; none if nothing fired.

    A rule no target takes still gives an alert (with no ``targets``), so the outbox records
    it and the notifier says it went nowhere."""
    by_target: dict[str, list[tuple[Rule, Hit]]] = {}
    unrouted: list[tuple[Rule, Hit]] = []
    for one in fired:
        pair = (snapshot.rules[one.hit.rule_id], one.hit)
        chosen = list(route(one.alert.tags))
        for target in chosen:
            by_target.setdefault(target, []).append(pair)
        if not chosen:
            unrouted.append(pair)
    if console and fired:
        by_target[CONSOLE] = [(snapshot.rules[one.hit.rule_id], one.hit) for one in fired]
    elif unrouted:
        by_target[""] = unrouted
    return [
        build_story_alert(
            pairs,
            article,
            key=story_key(story, target),
            story=story,
            targets=(target,) if target else (),
            default_tag=default_tag,
        )
        for target, pairs in by_target.items()
    ]
