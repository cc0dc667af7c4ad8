"""Load watch rules from YAML files: validate, compile, and say exactly where a problem is.

Every problem carries ``file:line:col`` (1-based) and the field; an invalid rule is reported and
skipped while the valid ones still load, so one bad edit never silences a whole desk.

Entities may come from the entity catalogue (``ref:``, see ``catalogue.py``): the nearest
``entities/`` directory is read once per load and every ``ref`` is resolved against it.

This module walks files and documents; one rule is compiled in ``compile.py``, YAML positions
are ``yamldoc.py``'s, and which files are rule files ``files.py``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from newswatch.rules.catalogue import (
    CATALOGUE_DIRNAME,
    CATALOGUE_ID,
    Catalogue,
    CatalogueEntity,
    catalogue_files,
    find_catalogue_dir,
)
from newswatch.rules.compile import compile_rule, own_entity
from newswatch.rules.files import read_source, rule_files
from newswatch.rules.model import Rule
from newswatch.rules.problems import RuleProblem, RuleSet
from newswatch.rules.schema import EntityDoc
from newswatch.rules.yamldoc import (
    is_catalogue,
    key_pos,
    plain,
    schema_problems,
    value_pos,
    yaml_documents,
)

__all__ = [
    "CatalogueCache",
    "load_catalogue",
    "load_rules",
    "parse_catalogue_text",
    "parse_rule_file",
    "parse_rules_text",
    "unique_rules",
]


class CatalogueCache:
    """Each catalogue directory read once per load, however many rule files use it."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.loaded: dict[Path, Catalogue] = {}

    def for_file(self, rule_file: Path) -> Catalogue | None:
        directory = find_catalogue_dir(rule_file, self.root)
        if directory is None:
            return None
        if directory not in self.loaded:
            self.loaded[directory] = load_catalogue(directory)
        return self.loaded[directory]


def load_rules(path: str | Path) -> RuleSet:
    """Load every rule under ``path``; problems are collected, never raised."""
    root = Path(path)
    if not root.exists():
        problem = RuleProblem(str(root), 1, 1, "no such file or directory", code="not-found")
        return RuleSet((), (problem,), ())
    problems: list[RuleProblem] = []
    parsed: list[Rule] = []
    files = rule_files(root)
    catalogues = CatalogueCache(root if root.is_dir() else None)
    for file in files:
        file_rules, file_problems = parse_rule_file(file, catalogues.for_file(file))
        problems.extend(file_problems)
        parsed.extend(file_rules)
    includes: list[str] = []
    for catalogue in catalogues.loaded.values():
        includes.extend(catalogue.files)
        problems.extend(catalogue.problems)
    rules, duplicates = unique_rules(parsed)
    return RuleSet(
        tuple(rules),
        (*problems, *duplicates),
        tuple(str(f) for f in files),
        tuple(includes),
    )


def unique_rules(rules: Iterable[Rule]) -> tuple[list[Rule], list[RuleProblem]]:
    """Keep the first rule of each id; a later one with the same id is a problem."""
    seen: dict[str, Rule] = {}
    problems: list[RuleProblem] = []
    for rule in rules:
        first = seen.get(rule.id)
        if first is None:
            seen[rule.id] = rule
            continue
        problems.append(
            RuleProblem(
                rule.source,
                rule.line,
                1,
                f"duplicate rule id {rule.id!r} (first defined at {first.source}:{first.line});"
                " this one is skipped",
                rule.id,
                code="duplicate-id",
            )
        )
    return list(seen.values()), problems


def parse_rule_file(
    file: Path, catalogue: Catalogue | None
) -> tuple[list[Rule], list[RuleProblem]]:
    """One rule file read and parsed; an unreadable file is one problem."""
    text = read_source(file)
    if isinstance(text, RuleProblem):
        return [], [text]
    return parse_rules_text(text, str(file), catalogue=catalogue)


def parse_rules_text(
    text: str, source: str, *, catalogue: Catalogue | None = None
) -> tuple[list[Rule], list[RuleProblem]]:
    """Parse one file's text: one rule per document, or several under a top-level ``rules:``.

    ``ref:`` entities are resolved against ``catalogue``. A file holding only ``entities:`` is a
    catalogue file: it is validated and defines no rule.
    """
    documents, yaml_problems = yaml_documents(text, source)
    if yaml_problems:
        return [], yaml_problems
    if not documents:
        return [], [RuleProblem(source, 1, 1, "empty file: no rule defined", code="empty")]
    if all(is_catalogue(doc) for doc in documents):
        _, catalogue_problems, _ = parse_catalogue_text(text, source)
        if CATALOGUE_DIRNAME not in Path(source).parts[:-1]:
            catalogue_problems.append(
                RuleProblem(
                    source,
                    1,
                    1,
                    "this file holds only entities: (a catalogue file) but is not in an "
                    f"{CATALOGUE_DIRNAME}/ directory, so no rule can ref them",
                    level="warning",
                    code="catalogue-misplaced",
                )
            )
        return [], catalogue_problems
    rules: list[Rule] = []
    problems: list[RuleProblem] = []
    for node in _rule_nodes(documents, source, problems):
        rule, rule_problems = compile_rule(node, source, catalogue)
        problems.extend(rule_problems)
        if rule is not None:
            rules.append(rule)
    return rules, problems


def _rule_nodes(
    documents: Iterable[Any], source: str, problems: list[RuleProblem]
) -> Iterator[CommentedMap]:
    for doc in documents:
        if isinstance(doc, CommentedMap) and "rules" in doc and "id" not in doc:
            items = doc["rules"]
            if not isinstance(items, CommentedSeq):
                line, col = value_pos(doc, "rules")
                problems.append(
                    RuleProblem(source, line, col, "rules: expected a list of rules", code="schema")
                )
                continue
            for i, item in enumerate(items):
                if isinstance(item, CommentedMap):
                    yield item
                else:
                    line, col = items.lc.item(i)
                    problems.append(
                        RuleProblem(
                            source,
                            line + 1,
                            col + 1,
                            "rules: each item must be a mapping",
                            code="schema",
                        )
                    )
        elif isinstance(doc, CommentedMap):
            yield doc
        else:
            problems.append(
                RuleProblem(
                    source,
                    1,
                    1,
                    "expected a rule (a mapping with id, entities, ...)",
                    code="schema",
                )
            )


def parse_catalogue_text(
    text: str, source: str
) -> tuple[list[CatalogueEntity], list[RuleProblem], list[str | None]]:
    """One catalogue file: its entities, its problems, and the ids that failed (None: all)."""
    documents, problems = yaml_documents(text, source)
    if problems:
        return [], problems, [None]
    if len(documents) != 1 or not is_catalogue(documents[0]):
        message = "a catalogue file holds one mapping with only an entities: key"
        return [], [RuleProblem(source, 1, 1, message, code="catalogue")], [None]
    node: CommentedMap = documents[0]
    entities_node = node["entities"]
    if not isinstance(entities_node, CommentedMap) or not entities_node:
        line, col = value_pos(node, "entities")
        message = "entities: expected a mapping of catalogue ids to entities"
        return [], [RuleProblem(source, line, col, message, code="catalogue")], [None]
    out: list[CatalogueEntity] = []
    failed: list[str | None] = []
    # Each entry alone: one broken entity does not take the rest of the file with it.
    for key in entities_node:
        entity_id, entity_node = str(key), entities_node[key]
        line, col = key_pos(entities_node, key)
        problem = _catalogue_entry_problem(entity_id, entity_node, source, line, col)
        if problem is not None:
            problems.append(problem)
            failed.append(entity_id)
            continue
        data = plain(entity_node)
        try:
            doc = EntityDoc.model_validate(data)
        except ValidationError as exc:
            owner, prefix = f"entity {entity_id}", f"entities.{entity_id}."
            problems.extend(schema_problems(exc, entity_node, source, owner, prefix))
            failed.append(entity_id)
            continue
        entity = own_entity(entity_id, doc, entity_node, (line, col))
        out.append(CatalogueEntity(entity, source, line, data))
    return out, problems, failed


def _catalogue_entry_problem(
    entity_id: str, node: Any, source: str, line: int, col: int
) -> RuleProblem | None:
    owner = f"entity {entity_id}"
    if not CATALOGUE_ID.fullmatch(entity_id):
        message = (
            f"entities: catalogue id {entity_id!r}: use lowercase letters, digits and '-' "
            "(like sergey-lavrov)"
        )
        return RuleProblem(source, line, col, message, owner, code="invalid-value")
    if not isinstance(node, CommentedMap):
        message = f"entities.{entity_id}: expected a mapping (person:, place:, aliases: ...)"
        return RuleProblem(source, line, col, message, owner, code="invalid-value")
    if "ref" in node:
        r_line, r_col = (n + 1 for n in node.lc.key("ref"))
        message = f"entities.{entity_id}.ref: a catalogue entity cannot ref another one"
        return RuleProblem(source, r_line, r_col, message, owner, code="unknown-key")
    return None


def load_catalogue(directory: Path) -> Catalogue:
    """Every catalogue file of ``directory``; an id defined twice keeps its first definition."""
    entities: dict[str, CatalogueEntity] = {}
    problems: list[RuleProblem] = []
    rejected: list[tuple[str, str | None]] = []
    files = catalogue_files(directory)
    for file in files:
        text = read_source(file)
        if isinstance(text, RuleProblem):
            problems.append(text)
            rejected.append((str(file), None))
            continue
        found, file_problems, failed = parse_catalogue_text(text, str(file))
        problems.extend(file_problems)
        rejected.extend((str(file), entity_id) for entity_id in failed)
        for item in found:
            first = entities.get(item.entity.key)
            if first is None:
                entities[item.entity.key] = item
                continue
            problems.append(
                RuleProblem(
                    item.source,
                    item.line,
                    1,
                    f"duplicate catalogue id {item.entity.key!r} (first defined at "
                    f"{first.source}:{first.line}); this one is skipped",
                    f"entity {item.entity.key}",
                    code="duplicate-id",
                )
            )
    return Catalogue(
        str(directory),
        entities,
        tuple(str(f) for f in files),
        tuple(rejected),
        tuple(problems),
    )
