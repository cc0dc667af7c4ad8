"""``rules check``: validation problems plus each rule's examples run through the real matcher."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from newswatch.article import Article
from newswatch.matcher import Matcher
from newswatch.rules.loader import RuleProblem, RuleSet, load_rules
from newswatch.rules.model import Rule, Status

__all__ = ["check_rules", "example_problems"]


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
                )
            )
    return problems


def check_rules(path: str | Path) -> RuleSet:
    """Load the rules under ``path`` and run their examples; the problems of both, in order."""
    loaded = load_rules(path)
    problems = list(loaded.problems)
    for rule in loaded.rules:
        problems.extend(example_problems(rule))
    if not loaded.files and not loaded.problems:
        problems.append(RuleProblem(str(path), 1, 1, "no rule files (*.yaml, *.yml) found"))
    problems.sort(key=lambda p: (p.file, p.line, p.col))
    return RuleSet(loaded.rules, tuple(problems), loaded.files)
