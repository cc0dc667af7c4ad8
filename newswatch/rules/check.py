"""``rules check``: validation problems, lints, and each rule's examples run through the real
matcher. Every problem leaves with a suggestion (``lint.suggest``)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from pathlib import Path

from newswatch.article import Article
from newswatch.matching.aliases import NameExpander, default_expander
from newswatch.matching.folding import fold_name
from newswatch.matching.gazetteer import collision, common_words
from newswatch.matching.languages import script_of
from newswatch.matching.matcher import Matcher
from newswatch.rules.lint import (
    condition_problems,
    entities_firing_alone,
    frequent_word,
    frequent_word_problems,
    suggest,
)
from newswatch.rules.loader import load_rules
from newswatch.rules.model import Entity, EntityKind, Rule, Status
from newswatch.rules.problems import RuleProblem, RuleSet

__all__ = [
    "NameLine",
    "alias_problems",
    "catalogue_problems",
    "check_rules",
    "example_problems",
    "name_report",
]

MIN_ALIAS_LETTERS = 3
VERY_COMMON = 100  # an alias among a language's 100 most frequent words is a warning in itself
_SCRIPT_LANGUAGES = {"Arab": ("ar",), "Cyrl": ("ru",), "Latn": ("en", "fr")}


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


def _common_word(alias: str) -> str | None:
    """Why ``alias`` reads as a common word of its script's languages, or None."""
    folded = fold_name(alias)
    script = script_of(alias)
    if " " in folded or script is None:
        return None
    if script != "Arab" and alias[:1].isupper():
        return None  # a capitalised name only matches capitalised text
    for language in _SCRIPT_LANGUAGES.get(script, ()):
        if script == "Arab" and (word := collision(alias, language)):
            return f"after folding it equals the common word {word!r} ({language})"
        rank = (
            list(common_words(language)).index(folded) if folded in common_words(language) else None
        )
        if rank is not None and rank < VERY_COMMON:
            return f"it is among the {VERY_COMMON} most frequent words of {language!r}"
    return None


_SHORT_FIX = "write the full name, or make it count only next to another entity with `and`"
_COMMON_FIX = "write a longer form (first name and surname, the full place name)"


def _name_lints(entity: Entity, name: str) -> list[tuple[str, str, str]]:
    """(code, message, suggestion) for one name on its own: too short, a common word."""
    letters = sum(c.isalpha() for c in fold_name(name))
    if letters < MIN_ALIAS_LETTERS:
        message = f"{entity.key}: {name!r} has fewer than {MIN_ALIAS_LETTERS} letters"
        return [("short-name", message, _SHORT_FIX)]
    if entity.kind is not EntityKind.KEYWORDS and (why := _common_word(name)):
        message = f"{entity.key}: {name!r} may fire on ordinary text: {why}"
        return [("common-word", message, _COMMON_FIX)]
    return []


def alias_problems(rule: Rule) -> list[RuleProblem]:
    """Lints on the names themselves: too short, common words, shared between entities.

    Names taken from the entity catalogue are linted once, with the catalogue
    (``catalogue_problems``); the shared-name lint still sees them.
    """
    problems = []
    owners: dict[str, str] = {}
    for entity in rule.entities:
        positions = entity.positions or ((rule.line, 1),) * len(entity.names)
        for index, (name, (line, col)) in enumerate(zip(entity.names, positions, strict=False)):
            source = entity.origin(index, rule.source)

            def warn(
                code: str, message: str, fix: str, at: tuple[str, int, int] = (source, line, col)
            ) -> None:
                problems.append(RuleProblem(*at, message, rule.id, "warning", code, fix))

            if source == rule.source:
                for code, message, fix in _name_lints(entity, name):
                    warn(code, message, fix)
            other = owners.setdefault(fold_name(name), entity.key)
            if other != entity.key:
                warn(
                    "shared-name",
                    f"{entity.key}: {name!r} is also a name of entity {other!r}",
                    f"keep {name!r} under one entity only",
                )
    return problems


def catalogue_problems(rules: tuple[Rule, ...]) -> list[RuleProblem]:
    """Name lints on the catalogue entities the rules use, once per entity."""
    problems = []
    seen: set[str] = set()
    for rule in rules:
        for entity in rule.entities:
            if not entity.ref or entity.ref in seen:
                continue
            seen.add(entity.ref)
            owner = f"entity {entity.ref}"
            for index, name in enumerate(entity.names):
                source = entity.origin(index, "")
                if not source or index >= len(entity.positions):
                    continue
                line, col = entity.positions[index]
                lints = _name_lints(entity, name)
                if not lints and (why := frequent_word(name, entity.kind)):
                    lints = [
                        (
                            "common-word",
                            f"{entity.key}: {name!r} may fire on ordinary text: {why}",
                            _COMMON_FIX,
                        )
                    ]
                for code, message, fix in lints:
                    message = message.replace(f"{entity.key}: ", f"{entity.ref}: ", 1)
                    problems.append(
                        RuleProblem(source, line, col, message, owner, "warning", code, fix)
                    )
    return problems


@dataclass(frozen=True, slots=True)
class NameLine:
    rule: str
    entity: str
    name: str
    source: str  # own | gazetteer | transliteration | surname | dropped
    note: str = ""


def name_report(rule: Rule, expander: NameExpander | None = None) -> list[NameLine]:
    """Every name each entity is looked for by, where it comes from, and what was left out."""
    expand = expander or default_expander()
    lines = []
    for entity in rule.entities:
        for alias in expand.aliases(entity):
            source = alias.how or "own"
            note = "only next to the full name" if alias.needs_full else ""
            if alias.needs_full:
                source = "surname"
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
