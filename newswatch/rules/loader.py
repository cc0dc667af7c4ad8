"""Load watch rules from YAML files: validate, compile, and say exactly where a problem is.

Every problem carries ``file:line:col`` (1-based) and the field; an invalid rule is reported and
skipped while the valid ones still load, so one bad edit never silences a whole desk.

Entities may come from the entity catalogue (``ref:``, see ``catalogue.py``): the nearest
``entities/`` directory is read once per load and every ``ref`` is resolved against it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from newswatch.rules.catalogue import (
    CATALOGUE_DIRNAME,
    CATALOGUE_ID,
    Catalogue,
    CatalogueEntity,
    catalogue_files,
    find_catalogue_dir,
    in_catalogue_dir,
    inline_entities,
)
from newswatch.rules.condition import Any as AnyEntity
from newswatch.rules.condition import ConditionError, parse_condition
from newswatch.rules.model import Entity, EntityKind, Example, Rule, Severity, Status
from newswatch.rules.schema import EntityDoc, RuleDoc

__all__ = [
    "CatalogueCache",
    "RuleProblem",
    "RuleSet",
    "load_catalogue",
    "load_rules",
    "parse_catalogue_text",
    "parse_rules_text",
    "rule_files",
    "unique_rules",
]

RULE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class RuleProblem:
    file: str
    line: int
    col: int
    message: str
    rule_id: str | None = None
    level: str = "error"  # error | warning | note
    code: str = ""  # what kind of problem, for editors and CI: yaml, unknown-key, ...
    suggestion: str = ""  # what to do about it (``rules check`` fills it in)

    def __str__(self) -> str:
        where = f" [{self.rule_id}]" if self.rule_id else ""
        prefix = "" if self.level == "error" else f"{self.level}: "
        fix = f"; suggestion: {self.suggestion}" if self.suggestion else ""
        return f"{self.file}:{self.line}:{self.col}: {prefix}{self.message}{where}{fix}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "level": self.level,
            "rule": self.rule_id,
            "message": self.message,
            "code": self.code,
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    problems: tuple[RuleProblem, ...]
    files: tuple[str, ...]
    includes: tuple[str, ...] = ()  # the catalogue files read for the rules' ``ref:`` entities

    @property
    def errors(self) -> tuple[RuleProblem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}


def rule_files(path: Path) -> list[Path]:
    """The rule files under ``path`` (a file, or a directory searched recursively), sorted.

    Files in an ``entities/`` directory below ``path`` are the entity catalogue, not rules.
    """
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix in RULE_SUFFIXES
        and not p.name.startswith(".")
        and not in_catalogue_dir(p, path)
    )


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
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(RuleProblem(str(file), 1, 1, f"cannot read: {exc}", code="unreadable"))
            continue
        catalogue = catalogues.for_file(file)
        file_rules, file_problems = parse_rules_text(text, str(file), catalogue=catalogue)
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


def _yaml_documents(text: str, source: str) -> tuple[list[Any], list[RuleProblem]]:
    yaml = YAML(typ="rt")
    try:
        return [d for d in yaml.load_all(text) if d is not None], []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        problem = RuleProblem(source, line, col, f"YAML syntax error: {message}", code="yaml")
        return [], [problem]
    except YAMLError as exc:
        return [], [RuleProblem(source, 1, 1, f"YAML error: {exc}", code="yaml")]


def _is_catalogue(doc: Any) -> bool:
    return isinstance(doc, CommentedMap) and set(doc) == {"entities"}


def parse_rules_text(
    text: str, source: str, *, catalogue: Catalogue | None = None
) -> tuple[list[Rule], list[RuleProblem]]:
    """Parse one file's text: one rule per document, or several under a top-level ``rules:``.

    ``ref:`` entities are resolved against ``catalogue``. A file holding only ``entities:`` is a
    catalogue file: it is validated and defines no rule.
    """
    documents, yaml_problems = _yaml_documents(text, source)
    if yaml_problems:
        return [], yaml_problems
    if not documents:
        return [], [RuleProblem(source, 1, 1, "empty file: no rule defined", code="empty")]
    if all(_is_catalogue(doc) for doc in documents):
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
        rule, rule_problems = _compile(node, source, catalogue)
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
                line, col = _value_pos(doc, "rules")
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


def _plain(node: Any) -> Any:
    """ruamel's round-trip types to plain Python (pydantic and hashing want plain data)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def _value_pos(node: CommentedMap, key: Any) -> tuple[int, int]:
    line, col = node.lc.value(key)
    return line + 1, col + 1


def _locate(root: CommentedMap, loc: tuple[int | str, ...], *, at_key: bool) -> tuple[int, int]:
    """The 1-based position of the node a pydantic error location points at."""
    node: Any = root
    line, col = root.lc.line + 1, root.lc.col + 1
    for depth, part in enumerate(loc):
        last = depth == len(loc) - 1
        if isinstance(node, CommentedMap) and part in node:
            if last and at_key:
                k_line, k_col = node.lc.key(part)
                return k_line + 1, k_col + 1
            line, col = _value_pos(node, part)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            i_line, i_col = node.lc.item(part)
            line, col = i_line + 1, i_col + 1
            node = node[part]
        else:
            break
    return line, col


def _error_code(error: Any) -> str:
    kind = str(error["type"])
    if kind == "missing":
        return "missing-field"
    if kind == "extra_forbidden":
        return "unknown-key"
    return "invalid-value"


def _schema_problems(
    exc: ValidationError, node: CommentedMap, source: str, owner: str | None, prefix: str = ""
) -> list[RuleProblem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        line, col = _locate(node, loc, at_key=error["type"] == "extra_forbidden")
        message = _describe(error, prefix)
        problems.append(RuleProblem(source, line, col, message, owner, code=_error_code(error)))
    return problems


def _describe(error: Any, prefix: str = "") -> str:
    loc = prefix + ".".join(str(p) for p in error["loc"])
    kind = error["type"]
    if kind == "missing":
        return f"{loc}: required field is missing"
    if kind == "extra_forbidden":
        return f"{loc}: unknown key"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{loc}: {message}" if loc else message


def _compile(
    node: CommentedMap, source: str, catalogue: Catalogue | None = None
) -> tuple[Rule | None, list[RuleProblem]]:
    data = _plain(node)
    raw_id = data.get("id") if isinstance(data.get("id"), str) else None
    start_line = node.lc.line + 1
    try:
        doc = RuleDoc.model_validate(data)
    except ValidationError as exc:
        return None, _schema_problems(exc, node, source, raw_id)

    condition_text = doc.match or "any"
    try:
        condition = parse_condition(condition_text) if doc.match else AnyEntity()
    except ConditionError as exc:
        line, col = _match_pos(node, exc.column)
        return None, [
            RuleProblem(source, line, col, f"match: {exc.message}", doc.id, code="condition")
        ]
    unknown = [n for n in condition.names() if n not in doc.entities]
    if unknown:
        line, col = _match_pos(node, condition_text.find(unknown[0]))
        defined = ", ".join(doc.entities)
        return None, [
            RuleProblem(
                source,
                line,
                col,
                f"match: entity {unknown[0]!r} is not defined under entities (defined: {defined})",
                doc.id,
                code="undefined-entity",
            )
        ]

    entities = []
    refs: dict[str, CatalogueEntity] = {}
    for key, ent in doc.entities.items():
        entity_node = node["entities"][key]
        at = _key_pos(node["entities"], key)
        if ent.ref is None:
            entities.append(_own_entity(key, ent, entity_node, at))
            continue
        found, problem = _resolve_ref(key, ent, entity_node, source, doc.id, catalogue)
        if found is None:
            return None, [problem] if problem is not None else []
        refs[found.entity.key] = found
        entities.append(_ref_entity(key, found, entity_node, at))
    examples = []
    if doc.examples:
        seq = node["examples"]
        for i, example in enumerate(doc.examples):
            examples.append(
                Example(
                    example.text,
                    example.expect == "match",
                    example.language,
                    seq.lc.item(i)[0] + 1,
                )
            )
    # The version hashes the rule as if each ref were written out in full (``inline_refs``): a
    # catalogue edit changes every rule using the entity, and the inlined text of a rule (what
    # a worker gets in Kafka mode) has the very same version.
    hashed = inline_entities(data, {k: v.data for k, v in refs.items()}) if refs else data
    version = hashlib.sha256(
        json.dumps(hashed, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()[:12]
    rule = Rule(
        id=doc.id,
        version=version,
        title=doc.title or doc.id,
        condition=condition,
        entities=tuple(entities),
        description=doc.description,
        status=Status(doc.status),
        severity=Severity(doc.severity),
        languages=tuple(lang.lower() for lang in doc.languages),
        feeds=tuple(doc.feeds),
        notify=tuple(doc.notify),
        examples=tuple(examples),
        source=source,
        line=start_line,
        includes=tuple(sorted({r.source for r in refs.values()})),
        match_at=_value_pos(node, "match") if "match" in node else (start_line, 1),
    )
    return rule, []


def _key_pos(node: CommentedMap, key: Any) -> tuple[int, int]:
    line, col = node.lc.key(key)
    return line + 1, col + 1


def _own_entity(
    key: str, ent: EntityDoc, node: CommentedMap, at: tuple[int, int] = (0, 0)
) -> Entity:
    kind = next(k for k in EntityKind if getattr(ent, k.value) is not None)
    canonical = None if kind is EntityKind.KEYWORDS else getattr(ent, kind.value)
    names: dict[str, tuple[int, int]] = {}
    for name, position in _entity_names(node, kind):
        names.setdefault(name.strip(), position)
    return Entity(
        key,
        kind,
        tuple(names),
        canonical,
        gazetteer=ent.gazetteer,
        transliterate=ent.transliterate,
        positions=tuple(names.values()),
        at=at,
    )


def _resolve_ref(
    key: str,
    ent: EntityDoc,
    node: CommentedMap,
    source: str,
    rule_id: str,
    catalogue: Catalogue | None,
) -> tuple[CatalogueEntity | None, RuleProblem | None]:
    ref = ent.ref or ""
    found = catalogue.get(ref) if catalogue is not None else None
    if found is not None:
        return found, None
    line, col = _value_pos(node, "ref")
    if catalogue is None:
        message = (
            f"entities.{key}.ref: no entity catalogue to find {ref!r} in: put catalogue files "
            f"in an {CATALOGUE_DIRNAME}/ directory beside the rule files"
        )
    else:
        message = (
            f"entities.{key}.ref: {ref!r} is not in the entity catalogue ({catalogue.directory})"
        )
        guess = catalogue.closest(ref)
        if guess:
            message += f"; did you mean {guess!r}?"
    return None, RuleProblem(source, line, col, message, rule_id, code="unknown-ref")


def _ref_entity(
    key: str, found: CatalogueEntity, node: CommentedMap, at: tuple[int, int]
) -> Entity:
    """The catalogue entity under the rule's own key, plus the aliases the rule adds."""
    base = found.entity
    names = dict(zip(base.names, base.positions, strict=False))
    origins = dict.fromkeys(base.names, found.source)
    if "aliases" in node:
        seq = node["aliases"]
        for i, item in enumerate(seq):
            name = str(item).strip()
            if name not in names:
                line, col = seq.lc.item(i)
                names[name] = (line + 1, col + 1)
                origins[name] = ""
    return Entity(
        key,
        base.kind,
        tuple(names),
        base.canonical,
        gazetteer=base.gazetteer,
        transliterate=base.transliterate,
        positions=tuple(names.values()),
        ref=base.key,
        origins=tuple(origins[name] for name in names),
        at=at,
    )


def parse_catalogue_text(
    text: str, source: str
) -> tuple[list[CatalogueEntity], list[RuleProblem], list[str | None]]:
    """One catalogue file: its entities, its problems, and the ids that failed (None: all)."""
    documents, problems = _yaml_documents(text, source)
    if problems:
        return [], problems, [None]
    if len(documents) != 1 or not _is_catalogue(documents[0]):
        message = "a catalogue file holds one mapping with only an entities: key"
        return [], [RuleProblem(source, 1, 1, message, code="catalogue")], [None]
    node: CommentedMap = documents[0]
    entities_node = node["entities"]
    if not isinstance(entities_node, CommentedMap) or not entities_node:
        line, col = _value_pos(node, "entities")
        message = "entities: expected a mapping of catalogue ids to entities"
        return [], [RuleProblem(source, line, col, message, code="catalogue")], [None]
    out: list[CatalogueEntity] = []
    failed: list[str | None] = []
    # Each entry alone: one broken entity does not take the rest of the file with it.
    for key in entities_node:
        entity_id, entity_node = str(key), entities_node[key]
        line, col = _key_pos(entities_node, key)
        problem = _catalogue_entry_problem(entity_id, entity_node, source, line, col)
        if problem is not None:
            problems.append(problem)
            failed.append(entity_id)
            continue
        data = _plain(entity_node)
        try:
            doc = EntityDoc.model_validate(data)
        except ValidationError as exc:
            owner, prefix = f"entity {entity_id}", f"entities.{entity_id}."
            problems.extend(_schema_problems(exc, entity_node, source, owner, prefix))
            failed.append(entity_id)
            continue
        entity = _own_entity(entity_id, doc, entity_node, (line, col))
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
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(RuleProblem(str(file), 1, 1, f"cannot read: {exc}", code="unreadable"))
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


def _entity_names(node: CommentedMap, kind: EntityKind) -> list[tuple[str, tuple[int, int]]]:
    """The entity's names in file order of meaning (keywords or canonical, then aliases), each
    with its 1-based position."""
    out: list[tuple[str, tuple[int, int]]] = []
    if kind is EntityKind.KEYWORDS:
        sequences = [node["keywords"]]
    else:
        out.append((str(node[kind.value]), _value_pos(node, kind.value)))
        sequences = []
    if "aliases" in node:
        sequences.append(node["aliases"])
    for seq in sequences:
        for i, item in enumerate(seq):
            line, col = seq.lc.item(i)
            out.append((str(item), (line + 1, col + 1)))
    return out


def _match_pos(node: CommentedMap, column: int) -> tuple[int, int]:
    line, col = _value_pos(node, "match")
    return line, col + max(column, 0)
