"""``rules check``: validation problems plus each rule's examples run through the real matcher."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from newswatch.article import Article
from newswatch.expand import NameExpander, default_expander
from newswatch.gazetteer import common_words, script_of
from newswatch.matcher import Matcher
from newswatch.rules.loader import RuleProblem, RuleSet, load_rules
from newswatch.rules.model import EntityKind, Rule, Status
from newswatch.textnorm import fold_name

__all__ = ["NameLine", "alias_problems", "check_rules", "example_problems", "name_report"]

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
        words = common_words(language)
        raw = words.get(folded)
        if raw is None:
            continue
        others = sorted(raw - {alias, alias.lower()})
        if others and script == "Arab":
            return f"after folding it equals the common word {others[0]!r} ({language})"
        rank = _rank(language, folded)
        if rank is not None and rank < VERY_COMMON:
            return f"it is among the {VERY_COMMON} most frequent words of {language!r}"
    return None


def _rank(language: str, folded: str) -> int | None:
    for rank, word in enumerate(common_words(language)):
        if word == folded:
            return rank
    return None


def alias_problems(rule: Rule) -> list[RuleProblem]:
    """Lints on the names themselves: too short, common words, shared between entities."""
    problems = []
    owners: dict[str, str] = {}
    for entity in rule.entities:
        positions = entity.positions or ((rule.line, 1),) * len(entity.names)
        for name, (line, col) in zip(entity.names, positions, strict=False):
            folded = fold_name(name)
            letters = sum(c.isalpha() for c in folded)

            def warn(message: str, line: int = line, col: int = col) -> None:
                problems.append(RuleProblem(rule.source, line, col, message, rule.id, "warning"))

            if letters < MIN_ALIAS_LETTERS:
                warn(f"{entity.key}: {name!r} has fewer than {MIN_ALIAS_LETTERS} letters")
            elif entity.kind is not EntityKind.KEYWORDS and (why := _common_word(name)):
                warn(f"{entity.key}: {name!r} may fire on ordinary text: {why}")
            other = owners.setdefault(folded, entity.key)
            if other != entity.key:
                warn(f"{entity.key}: {name!r} is also a name of entity {other!r}")
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
        problems.extend(alias_problems(rule))
    if not loaded.files and not loaded.problems:
        problems.append(RuleProblem(str(path), 1, 1, "no rule files (*.yaml, *.yml) found"))
    problems.sort(key=lambda p: (p.file, p.line, p.col))
    return RuleSet(loaded.rules, tuple(problems), loaded.files)
