"""What fires on an article: match it with a rule snapshot and build each hit's alert.

The one place that goes from an article to its alerts — the embedded monitor, the Kafka
workers and ``rules test`` all call ``fire``, so what a dry run prints is what a target gets.
"""

from __future__ import annotations

from dataclasses import dataclass

from newswatch.alerts.message import Alert, build_alert
from newswatch.article import Article
from newswatch.constants import DEFAULT_TAG
from newswatch.matching.hits import Hit
from newswatch.matching.snapshot import RuleSnapshot

__all__ = ["Fired", "fire"]


@dataclass(frozen=True, slots=True)
class Fired:
    hit: Hit
    alert: Alert


def fire(
    snapshot: RuleSnapshot, article: Article, *, default_tag: str = DEFAULT_TAG
) -> list[Fired]:
    """One ``Fired`` per rule that fires on ``article``, in the matcher's order."""
    fired = []
    for hit in snapshot.matcher.match(article):
        rule = snapshot.rules[hit.rule_id]
        fired.append(Fired(hit, build_alert(rule, article, hit, default_tag=default_tag)))
    return fired
