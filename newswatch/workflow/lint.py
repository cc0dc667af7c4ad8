"""Every lint of ``rules check`` beyond the schema, in one place: the names (too short, a
common word of the deployment's languages, shared between entities), what a rule's condition
can do, and the suggestion each problem leaves with.

Common words come in two tiers, both from wordfreq and both in the deployment's languages
(``matching.languages``): a name among a language's ``VERY_COMMON`` most frequent words (or, in
Arabic, folding onto a frequent word) is flagged wherever it is; a name above ``ZIPF_COMMON`` is
flagged only where it can fire the rule alone (an entity joined with ``and`` is guarded by the
others).

The condition lints evaluate the condition over every subset of the rule's entities, the way
the matcher does: a rule fires on an article only when at least one of its names is found
**and** the condition holds for the set of entities found. So:

- a condition no non-empty set satisfies *never fires* (``not sport`` alone);
- a condition every set satisfies, the empty one included, *always fires* — whichever name is
  found — and says nothing (``lavrov or not lavrov``);
- an entity whose presence never changes the outcome does nothing (``a or (a and b)``), and one
  the condition does not name does nothing either.

2^n subsets are cheap up to ``MAX_SUBSET_ENTITIES``; beyond that the analysis is skipped with a
note. Each problem carries a suggestion; ``suggest`` adds one to the loader's problems too.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import replace
from itertools import combinations

from newswatch.matching.aliases import default_expander
from newswatch.matching.folding import fold_name
from newswatch.matching.gazetteer import collision, common_words
from newswatch.matching.languages import languages_of_script, script_of, word_zipf
from newswatch.rules.condition import All, And, Any, Condition, Not, Or
from newswatch.rules.model import Entity, EntityKind, Rule
from newswatch.rules.problems import RuleProblem
from newswatch.rules.schema import EntityDoc, ExampleDoc, RuleDoc

__all__ = [
    "MAX_SUBSET_ENTITIES",
    "alias_problems",
    "catalogue_problems",
    "condition_problems",
    "entities_firing_alone",
    "frequent_word",
    "frequent_word_problems",
    "suggest",
    "very_common_word",
]

MAX_SUBSET_ENTITIES = 12
# wordfreq Zipf frequency (log10 of uses per billion words) from which a word is "common":
# 5.0 is about the 1,500 most used words of English. Arabic is not cased, so a name that is
# also an ordinary word (كريم "generous", أمل "hope") cannot be told apart from it in text:
# its threshold is lower, and place names are left out (they are frequent *as* places).
ZIPF_COMMON = 5.0
ZIPF_COMMON_UNCASED = 4.5
MIN_ALIAS_LETTERS = 3
VERY_COMMON = 100  # an alias among a language's 100 most frequent words is a warning in itself


def _fires(condition: Condition, found: frozenset[str], keys: tuple[str, ...]) -> bool:
    # The matcher only evaluates a rule when one of its names was found.
    return bool(found) and condition.evaluate(found, keys)


def _subsets(keys: tuple[str, ...]) -> Iterator[frozenset[str]]:
    for size in range(len(keys) + 1):
        for combo in combinations(keys, size):
            yield frozenset(combo)


def _uses_every_entity(condition: Condition) -> bool:
    if isinstance(condition, Any | All):
        return True
    if isinstance(condition, Not):
        return _uses_every_entity(condition.operand)
    if isinstance(condition, And | Or):
        return any(_uses_every_entity(op) for op in condition.operands)
    return False


def entities_firing_alone(rule: Rule) -> set[str]:
    """The entities whose names alone (nothing else found) make the rule fire."""
    keys = tuple(e.key for e in rule.entities)
    return {k for k in keys if _fires(rule.condition, frozenset({k}), keys)}


def condition_problems(rule: Rule) -> list[RuleProblem]:
    """Unused entities, entities without effect, and conditions that never or always fire."""
    keys = tuple(e.key for e in rule.entities)
    line, col = rule.match_at
    problems: list[RuleProblem] = []

    def report(level: str, code: str, message: str, suggestion: str, at: tuple[int, int]) -> None:
        problems.append(
            RuleProblem(rule.source, at[0], at[1], message, rule.id, level, code, suggestion)
        )

    named = set(rule.condition.names())
    shown = f"({rule.condition})" if isinstance(rule.condition, And | Or) else str(rule.condition)
    if not _uses_every_entity(rule.condition):
        for entity in rule.entities:
            if entity.key in named:
                continue
            if _fires(rule.condition, frozenset({entity.key}), keys):
                # Not named, yet its names alone get the condition evaluated, and it holds
                # (``not sport`` fires on any article naming kerry without sport).
                report(
                    "warning",
                    "unused-entity",
                    f"entity {entity.key!r} is not named in match, yet finding it alone fires "
                    f"the rule (match `{rule.condition}` holds without it)",
                    f"name it in match, e.g. `{entity.key} and {shown}`",
                    entity.at,
                )
                continue
            report(
                "warning",
                "unused-entity",
                f"entity {entity.key!r} is defined but match does not use it",
                f"use it in match (`{shown} or {entity.key}`, or `{entity.key} and {shown}`) "
                "or delete it",
                entity.at,
            )
    if len(keys) > MAX_SUBSET_ENTITIES:
        report(
            "note",
            "condition-not-analysed",
            f"{len(keys)} entities: the never/always-fires analysis is skipped (it tries every "
            f"combination, up to {MAX_SUBSET_ENTITIES} entities)",
            "split the rule, or move related names into one entity",
            (line, col),
        )
        return problems
    subsets = list(_subsets(keys))
    outcome = {s: _fires(rule.condition, s, keys) for s in subsets}
    if not any(outcome.values()):
        report(
            "error",
            "never-fires",
            f"match `{rule.condition}` can never fire: no combination of found entities "
            "satisfies it",
            "a rule fires only when one of its names is found and the condition holds, so "
            "`not x` alone never fires; say what must be found, e.g. `y and not x`",
            (line, col),
        )
        return problems
    if all(rule.condition.evaluate(s, keys) for s in subsets) and len(keys) > 1:
        report(
            "warning",
            "always-fires",
            f"match `{rule.condition}` holds whatever is found: any name of any entity fires "
            "the rule",
            "remove the part that always holds (e.g. `or not x`), or say what must be found "
            "together with `and`",
            (line, col),
        )
    for entity in rule.entities:
        if entity.key in named and all(
            outcome[s] == outcome[s | {entity.key}] for s in subsets if entity.key not in s
        ):
            report(
                "warning",
                "no-effect",
                f"entity {entity.key!r} never changes whether match `{rule.condition}` fires",
                "check the parentheses and and/or: `a or (a and b)` is just `a`",
                entity.at,
            )
    return problems


def frequent_word(name: str, kind: EntityKind) -> str | None:
    """Why ``name`` (one word) reads as an everyday word in one of the deployment's languages."""
    folded = fold_name(name)
    script = script_of(name)
    if script is None or " " in folded or sum(c.isalpha() for c in folded) < 3:
        return None
    uncased = script == "Arab"
    if uncased and kind is EntityKind.PLACE:
        return None
    if not uncased and kind is not EntityKind.KEYWORDS and name[:1].isupper():
        return None  # a capitalised name only matches capitalised text
    threshold = ZIPF_COMMON_UNCASED if uncased else ZIPF_COMMON
    for language in languages_of_script(script):
        zipf = word_zipf(name.lower(), language)
        if zipf >= threshold:
            return f"it is an everyday {language!r} word (wordfreq Zipf {zipf:.1f})"
    return None


def frequent_word_problems(
    rule: Rule, alone: set[str], already: set[tuple[str, int, int]]
) -> list[RuleProblem]:
    """Aliases that are common words, for entities that can fire the rule on their own (an
    entity only ever combined with ``and`` is guarded by the others). ``already``: positions
    another lint has flagged."""
    problems = []
    for entity in rule.entities:
        if entity.key not in alone:
            continue
        for index, name in enumerate(entity.names):
            if entity.origin(index, "") or index >= len(entity.positions):
                continue  # catalogue names are linted once, with the catalogue
            line, col = entity.positions[index]
            if (rule.source, line, col) in already or not (why := frequent_word(name, entity.kind)):
                continue
            problems.append(
                RuleProblem(
                    rule.source,
                    line,
                    col,
                    f"{entity.key}: {name!r} may fire on ordinary text: {why}",
                    rule.id,
                    "warning",
                    "common-word",
                    _common_word_fix(entity, name),
                )
            )
    return problems


def _common_word_fix(entity: Entity, name: str) -> str:
    if entity.kind is EntityKind.KEYWORDS:
        return f"use a more specific phrase than {name!r}, or join {entity.key} with `and`"
    if script_of(name) != "Arab":
        # Capitalised names only match capitalised text: "Nice" is not "nice".
        return f"write it capitalised ({name[:1].upper()}{name[1:]}) so it matches only the name"
    longer = "first name and surname" if entity.kind is EntityKind.PERSON else "the full name"
    return (
        f"write a longer form than {name!r} ({longer}), or combine {entity.key} with another "
        "entity using `and`"
    )


# --- names: too short, very common, shared between entities --------------------------------


def very_common_word(alias: str, own: frozenset[str] = frozenset()) -> str | None:
    """Why ``alias`` reads as one of the most common words of the deployment's languages in its
    script (or, in Arabic, folds onto a frequent word), or None. Checked on every name, even
    one guarded by ``and``: such a word is in nearly every article. ``own``: the spellings of
    the place's own names, which are never "another word" (Persian اسرائیل and إسرائيل)."""
    folded = fold_name(alias)
    script = script_of(alias)
    if " " in folded or script is None:
        return None
    if script != "Arab" and alias[:1].isupper():
        return None  # a capitalised name only matches capitalised text
    for language in languages_of_script(script):
        if script == "Arab" and (word := collision(alias, language, own)):
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
    if entity.kind is not EntityKind.KEYWORDS and (why := very_common_word(name, _own(entity))):
        message = f"{entity.key}: {name!r} may fire on ordinary text: {why}"
        return [("common-word", message, _COMMON_FIX)]
    return []


def _own(entity: Entity) -> frozenset[str]:
    """The spellings of a place's names in the gazetteer (any language), for the lints."""
    if entity.kind is not EntityKind.PLACE or not entity.canonical:
        return frozenset()
    return default_expander().gazetteer.own_spellings(entity.canonical)


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


# --- suggestions for the loader's problems ----------------------------------------------------

_MODEL_KEYS = {
    "rule": sorted(RuleDoc.model_fields),
    "entity": sorted(EntityDoc.model_fields),
    "example": sorted(ExampleDoc.model_fields),
}
_LOC = re.compile(r"^(?P<loc>[\w.-]+): ")


def _allowed_keys(loc: list[str]) -> list[str]:
    if len(loc) >= 3 and loc[0] == "entities":
        return _MODEL_KEYS["entity"]
    if len(loc) >= 3 and loc[0] == "examples":
        return _MODEL_KEYS["example"]
    return _MODEL_KEYS["rule"]


def _unknown_key_fix(message: str) -> str:
    found = _LOC.match(message)
    if found is None:
        return "remove the key or fix its spelling"
    loc = found.group("loc").split(".")
    allowed = _allowed_keys(loc)
    close = difflib.get_close_matches(loc[-1], allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}allowed here: {', '.join(allowed)}"


_FIXES = {
    "yaml": "check the indentation and quoting around this place; quote a name that holds "
    "':' or '#' (\"Al-Quds: East\")",
    "missing-field": "add the field",
    "invalid-value": "use one of the values the message lists",
    "condition": "join entity names with and / or / not and parentheses, e.g. "
    "`(lavrov or kerry) and syria`",
    "duplicate-id": "give one of them another id (ids are unique across all rule files)",
    "empty": "write a rule here, or delete the file",
    "unreadable": "save the file as UTF-8 text",
    "catalogue": "write `entities:` and under it one catalogue id per entity",
    "catalogue-misplaced": "move the file into the entities/ directory beside the rule files",
    "unknown-ref": "add the entity to the catalogue, or fix the ref's spelling",
}


def suggest(problem: RuleProblem) -> RuleProblem:
    """``problem`` with a suggestion, if it has none yet and its kind has one."""
    if problem.suggestion:
        return problem
    if problem.code == "unknown-key":
        return replace(problem, suggestion=_unknown_key_fix(problem.message))
    if problem.code == "undefined-entity":
        return replace(problem, suggestion=_undefined_entity_fix(problem.message))
    fix = _FIXES.get(problem.code)
    return replace(problem, suggestion=fix) if fix else problem


_UNDEFINED = re.compile(
    r"entity '(?P<name>[^']+)' is not defined under entities \(defined: (?P<d>.*)\)"
)


def _undefined_entity_fix(message: str) -> str:
    found = _UNDEFINED.search(message)
    if found is None:
        return "define the entity under entities:, or fix the name in match"
    defined = [d.strip() for d in found.group("d").split(",")]
    close = difflib.get_close_matches(found.group("name"), defined, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"define {found.group('name')!r} under entities:, or use one of: {found.group('d')}"
