"""``newswatch explain``: why each rule did or did not fire on one article.

For each rule: which of its names were found where (field, offsets, surface, how), which
entities were not found (and the names they were looked for by), and the condition evaluated
node by node. The verdict comes from the real matcher; the rest is read off the same matcher
run with the condition replaced by ``any``, so the names shown are exactly the ones the verdict
was decided on (a surname alone without its full name is not among them, for instance).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from newswatch.article import Article
from newswatch.matching.aliases import default_expander
from newswatch.matching.hits import Mention
from newswatch.matching.matcher import Matcher, primary_language
from newswatch.rules.condition import All, And, Condition, Not, Or
from newswatch.rules.condition import Any as AnyEntity
from newswatch.rules.model import Rule, Status

__all__ = [
    "EntityReport",
    "RuleExplanation",
    "Step",
    "describe_article",
    "explain",
    "explain_rule",
    "render",
    "trace",
]


@dataclass(frozen=True, slots=True)
class Step:
    """One node of the condition and its value; ``depth`` is its nesting level."""

    depth: int
    expression: str
    value: bool


@dataclass(frozen=True, slots=True)
class EntityReport:
    key: str
    label: str  # the canonical name, or the key for keywords
    mentions: tuple[Mention, ...]
    names: tuple[str, ...]  # the analyst's own names
    generated: int = 0  # how many more it is looked for by (rules check --show-names lists them)

    @property
    def found(self) -> bool:
        return bool(self.mentions)


@dataclass(frozen=True, slots=True)
class RuleExplanation:
    rule: Rule
    fired: bool
    reason: str
    entities: tuple[EntityReport, ...]
    steps: tuple[Step, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "version": self.rule.version,
            "fired": self.fired,
            "reason": self.reason,
            "entities": [
                {
                    "entity": e.key,
                    "label": e.label,
                    "found": e.found,
                    "mentions": [m.to_dict() for m in e.mentions],
                    "names": list(e.names),
                    "generated_names": e.generated,
                }
                for e in self.entities
            ],
            "condition": [
                {"depth": s.depth, "expression": s.expression, "value": s.value} for s in self.steps
            ],
        }


def trace(condition: Condition, found: frozenset[str], keys: tuple[str, ...]) -> list[Step]:
    """Every sub-expression of ``condition`` with its value, outermost first."""
    steps: list[Step] = []

    def walk(node: Condition, depth: int) -> None:
        steps.append(Step(depth, _shown(node, found, keys), node.evaluate(found, keys)))
        if isinstance(node, Not):
            walk(node.operand, depth + 1)
        elif isinstance(node, And | Or):
            for operand in node.operands:
                walk(operand, depth + 1)

    walk(condition, 0)
    return steps


def _shown(node: Condition, found: frozenset[str], keys: tuple[str, ...]) -> str:
    # ``any``/``all`` stand for entities; saying which ones makes their value readable.
    if isinstance(node, AnyEntity):
        return f"any (found: {', '.join(k for k in keys if k in found) or 'none'})"
    if isinstance(node, All):
        missing = [k for k in keys if k not in found]
        return f"all (missing: {', '.join(missing) or 'none'})"
    return str(node)


def _filtered(rule: Rule, article: Article) -> str | None:
    """Why the rule's ``languages``/``feeds`` filters leave the article out, or None.
    (The same tests as the matcher's; only the wording is made here.)"""
    language = primary_language(article.language) if article.language else ""
    if rule.languages and language and language not in rule.languages:
        return (
            f"the article's language {language!r} is not in the rule's languages "
            f"[{', '.join(rule.languages)}]"
        )
    if rule.feeds and not any(fnmatch.fnmatchcase(article.feed, g) for g in rule.feeds):
        return f"feed {article.feed!r} matches none of the rule's feeds [{', '.join(rule.feeds)}]"
    return None


def explain_rule(rule: Rule, article: Article) -> RuleExplanation:
    fired = bool(Matcher([rule]).match(article))
    # Every name found, whatever the condition and filters say: the same scan with ``any``.
    probe = replace(rule, condition=AnyEntity(), status=Status.ACTIVE, feeds=(), languages=())
    hits = Matcher([probe]).match(article)
    mentions = hits[0].mentions if hits else ()
    found = frozenset(m.entity for m in mentions)
    keys = tuple(e.key for e in rule.entities)
    expander = default_expander()
    reports = tuple(
        EntityReport(
            e.key,
            e.canonical or e.key,
            tuple(m for m in mentions if m.entity == e.key),
            e.names,
            max(0, len(expander.aliases(e)) - len(e.names)),
        )
        for e in rule.entities
    )
    steps = tuple(trace(rule.condition, found, keys))
    filtered = _filtered(rule, article)
    if fired:
        reason = "fires: its condition holds on the names found"
    elif not rule.enabled:
        reason = "does not fire: the rule is disabled (status: disabled)"
    elif filtered:
        reason = f"does not fire: {filtered}"
    elif not found:
        reason = "does not fire: none of its names is in the article"
    else:
        reason = "does not fire: names were found but the condition is false"
    return RuleExplanation(rule, fired, reason, reports, steps)


def explain(
    rules: Iterable[Rule], article: Article, *, rule_id: str | None = None
) -> list[RuleExplanation]:
    """One explanation per rule (or for ``rule_id`` only; KeyError if there is no such rule)."""
    chosen = [r for r in rules if rule_id is None or r.id == rule_id]
    if rule_id is not None and not chosen:
        raise KeyError(rule_id)
    return [explain_rule(rule, article) for rule in chosen]


def _mention_line(mention: Mention) -> str:
    how = mention.how
    if mention.alias and mention.alias != mention.surface:
        how = f"{how}, as {mention.alias!r}"
    return f"{mention.surface!r} in {mention.field} [{mention.start}:{mention.end}] ({how})"


def render(explanation: RuleExplanation) -> str:
    rule = explanation.rule
    verdict = "FIRES" if explanation.fired else "does not fire"
    lines = [f"rule {rule.id} ({rule.title}) {verdict}", f"  {explanation.reason}"]
    found = [e for e in explanation.entities if e.found]
    missing = [e for e in explanation.entities if not e.found]
    if found:
        lines.append("  found:")
        for entity in found:
            lines.append(f"    {entity.key} ({entity.label}):")
            lines.extend(f"      {_mention_line(m)}" for m in entity.mentions)
    if missing:
        lines.append("  not found:")
        for entity in missing:
            names = ", ".join(entity.names)
            more = f" (+{entity.generated} generated: rules check --show-names)"
            extra = more if entity.generated else ""
            lines.append(f"    {entity.key} ({entity.label}): looked for {names}{extra}")
    lines.append("  condition:")
    for step in explanation.steps:
        value = "true" if step.value else "false"
        lines.append(f"    {'  ' * step.depth}{step.expression} = {value}")
    return "\n".join(lines)


def describe_article(article: Article) -> str:
    """A header line naming the article being explained."""
    where = article.url or article.feed or "no URL"
    title = article.title or "(no title)"
    return f"article {article.id}: {title} ({where}, language {article.language or 'unknown'})"
