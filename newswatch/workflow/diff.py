"""``rules diff``: what an edit would change on past articles, before it goes live.

Both rule sets are matched over the archived articles and, per rule, the articles that would
start and stop firing are listed. Rules whose version is the same on both sides are skipped:
they cannot differ. The old side may be the rules directory as committed (``git.py``), so
``newswatch rules diff rules/`` shows what the uncommitted edits would do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from newswatch.article import Article
from newswatch.matching.matcher import Matcher
from newswatch.rules.model import Rule

__all__ = ["Change", "RuleDiff", "diff_rules", "render"]


@dataclass(frozen=True, slots=True)
class Change:
    rule_id: str
    article: Article
    started: bool  # True: fires after the edit and not before; False: the reverse


@dataclass(frozen=True, slots=True)
class RuleDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: int
    articles: int
    changes: tuple[Change, ...] = field(default=())

    def counts(self) -> dict[str, tuple[int, int]]:
        """rule id -> (articles that start firing, articles that stop)."""
        out: dict[str, tuple[int, int]] = {}
        for change in self.changes:
            started, stopped = out.get(change.rule_id, (0, 0))
            out[change.rule_id] = (started + change.started, stopped + (not change.started))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules": {
                "added": list(self.added),
                "removed": list(self.removed),
                "changed": list(self.changed),
                "unchanged": self.unchanged,
            },
            "articles": self.articles,
            "changes": [
                {
                    "rule": c.rule_id,
                    "change": "start" if c.started else "stop",
                    "article": c.article.id,
                    "title": c.article.title,
                    "url": c.article.url,
                    "feed": c.article.feed,
                }
                for c in self.changes
            ],
        }


def diff_rules(old: Sequence[Rule], new: Sequence[Rule], articles: Iterable[Article]) -> RuleDiff:
    """Match ``articles`` with both rule sets and list where the outcome differs."""
    before = {r.id: r for r in old}
    after = {r.id: r for r in new}
    same = {i for i in before.keys() & after.keys() if before[i].version == after[i].version}
    old_matcher = Matcher(r for i, r in before.items() if i not in same)
    new_matcher = Matcher(r for i, r in after.items() if i not in same)
    changes: list[Change] = []
    count = 0
    for article in articles:
        count += 1
        was = {h.rule_id for h in old_matcher.match(article)}
        now = {h.rule_id for h in new_matcher.match(article)}
        changes.extend(Change(i, article, True) for i in sorted(now - was))
        changes.extend(Change(i, article, False) for i in sorted(was - now))
    return RuleDiff(
        added=tuple(sorted(after.keys() - before.keys())),
        removed=tuple(sorted(before.keys() - after.keys())),
        changed=tuple(sorted(i for i in before.keys() & after.keys() if i not in same)),
        unchanged=len(same),
        articles=count,
        changes=tuple(changes),
    )


def render(diff: RuleDiff) -> list[str]:
    """The diff as text lines: one per change, then one per rule with its counts."""
    lines = [
        f"rules: {len(diff.changed)} changed, {len(diff.added)} added, "
        f"{len(diff.removed)} removed, {diff.unchanged} unchanged; "
        f"{diff.articles} archived article(s) compared"
    ]
    for change in diff.changes:
        sign = "+" if change.started else "-"
        article = change.article
        title = " ".join(article.title.split()) or "(no title)"
        where = f"  {article.url}" if article.url else ""
        lines.append(f"{sign} {change.rule_id}  {article.id}  {title}{where}")
    for rule_id, (started, stopped) in sorted(diff.counts().items()):
        lines.append(f"{rule_id}: {started} start matching, {stopped} stop matching")
    if not diff.changes:
        lines.append("no article would start or stop matching")
    return lines
