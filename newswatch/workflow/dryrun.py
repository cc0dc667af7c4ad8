"""``rules test``: run rules over articles and show the exact alerts they would send.

The alerts are built by the same code the monitor uses (``alerts.firing.fire``), so what is
printed is byte for byte what a target would receive. Pure: the articles come from
``workflow.sources``, and ``--send`` goes through ``alerts.notifier.send_now``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from newswatch.alerts.firing import fire
from newswatch.alerts.message import Alert
from newswatch.article import Article
from newswatch.constants import DEFAULT_TAG
from newswatch.matching.snapshot import RuleSnapshot
from newswatch.rules.model import Rule, Status

__all__ = ["DryRunAlert", "as_active", "dry_run"]


@dataclass(frozen=True, slots=True)
class DryRunAlert:
    article: Article
    alert: Alert


def as_active(rules: Iterable[Rule]) -> list[Rule]:
    """Rules as they would run once enabled: a draft may be tested while still disabled."""
    return [replace(r, status=Status.ACTIVE) if not r.enabled else r for r in rules]


def dry_run(
    rules: Iterable[Rule], articles: Iterable[Article], *, default_tag: str = DEFAULT_TAG
) -> Iterator[DryRunAlert]:
    """Every alert ``rules`` would raise on ``articles``, in article then rule order."""
    snapshot = RuleSnapshot.of(rules)
    for article in articles:
        for fired in fire(snapshot, article, default_tag=default_tag):
            yield DryRunAlert(article, fired.alert)
