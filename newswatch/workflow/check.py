"""``rules check``: validation problems, lints, and each rule's examples run through the real
matcher. Every problem leaves with a suggestion (``lint.suggest``)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from pathlib import Path

from newswatch.article import Article
from newswatch.matching.aliases import NameExpander, default_expander
from newswatch.matching.matcher import Matcher
from newswatch.rules.loader import load_rules
from newswatch.rules.model import Rule, Status
from newswatch.rules.problems import RuleProblem, RuleSet
from newswatch.workflow.lint import (
    alias_problems,
    catalogue_problems,
    condition_problems,
    entities_firing_alone,
    frequent_word_problems,
    suggest,
)

__all__ = [
    "NameLine",
    "check_rules",
    "example_problems",
    "name_report",
]


def example_problems(rule: Rule) -> list[RuleProblem]:
    """One problem per example whose outcome differs from its ``expect``."""
    if not rule.examples:
        return []
    # Examples document the rule even while it is disabled, and they come from no feed.
    matcher = Matcher([replace(rule, status=Status.ACTIVE, feeds=())])
    problems = []
    for example in rule.examples:
        article = Article(id="example", content=example.text, language=example.language)
        fired = bool(matcher.match(article))
        if fired != example.expect_match:
            expected = "match" if example.expect_match else "no-match"
            got = "fires" if fired else "does not fire"
            problems.append(
                RuleProblem(
                    rule.source,
                    example.line,
                    1,
                    f"example expects {expected} but the rule {got} on: {example.text!r}",
                    rule.id,
                    code="example-failed",
                    suggestion=f"see why with: newswatch explain --rules {rule.source} "
                    f"--rule {rule.id} --text {shlex.quote(example.text)}",
                )
            )
    return problems


@dataclass(frozen=True, slots=True)
class NameLine:
    rule: str
    entity: str
    name: str
    source: str  # own | gazetteer | demonym | transliteration | romanization | surname | dropped
    note: str = ""


def name_report(rule: Rule, expander: NameExpander | None = None) -> list[NameLine]:
    """Every name each entity is looked for by, where it comes from, and what was left out."""
    expand = expander or default_expander()
    lines = []
    for entity in rule.entities:
        for alias in expand.aliases(entity):
            source = alias.how or "own"
            note = ""
            if alias.surname:
                source = "surname"
                note = "only next to the full name" if alias.needs_full else "counts alone"
            lines.append(NameLine(rule.id, entity.key, alias.name, source, note))
        places = expand.place_names(entity)
        if places is not None:
            for name, why in places.dropped:
                lines.append(NameLine(rule.id, entity.key, name, "dropped", why))
    return lines


def check_rules(path: str | Path) -> RuleSet:
    """Load the rules under ``path`` and run their examples; the problems of both, in order."""
    loaded = load_rules(path)
    problems = list(loaded.problems)
    for rule in loaded.rules:
        problems.extend(example_problems(rule))
        names = alias_problems(rule)
        problems.extend(names)
        problems.extend(condition_problems(rule))
        flagged = {(p.file, p.line, p.col) for p in names}
        problems.extend(frequent_word_problems(rule, entities_firing_alone(rule), flagged))
    problems.extend(catalogue_problems(loaded.rules))
    if not loaded.files and not loaded.problems:
        problems.append(
            RuleProblem(
                str(path),
                1,
                1,
                "no rule files (*.yaml, *.yml) found",
                code="no-rules",
                suggestion="point the command at the rules directory or a rule file",
            )
        )
    problems = [suggest(p) for p in problems]
    problems.sort(key=lambda p: (p.file, p.line, p.col))
    return RuleSet(loaded.rules, tuple(problems), loaded.files, loaded.includes)
