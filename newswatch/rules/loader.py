"""Load watch rules from YAML files: validate, compile, and say exactly where a problem is.

Every problem carries ``file:line:col`` (1-based) and the field; an invalid rule is reported and
skipped while the valid ones still load, so one bad edit never silences a whole desk.
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

from newswatch.rules.condition import Any as AnyEntity
from newswatch.rules.condition import ConditionError, parse_condition
from newswatch.rules.model import Entity, EntityKind, Example, Rule, Severity, Status
from newswatch.rules.schema import RuleDoc

__all__ = [
    "RuleProblem",
    "RuleSet",
    "load_rules",
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
    level: str = "error"  # error | warning

    def __str__(self) -> str:
        where = f" [{self.rule_id}]" if self.rule_id else ""
        prefix = "" if self.level == "error" else f"{self.level}: "
        return f"{self.file}:{self.line}:{self.col}: {prefix}{self.message}{where}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "level": self.level,
            "rule": self.rule_id,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    problems: tuple[RuleProblem, ...]
    files: tuple[str, ...]

    @property
    def errors(self) -> tuple[RuleProblem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}


def rule_files(path: Path) -> list[Path]:
    """The rule files under ``path`` (a file, or a directory searched recursively), sorted."""
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and p.suffix in RULE_SUFFIXES and not p.name.startswith(".")
    )


def load_rules(path: str | Path) -> RuleSet:
    """Load every rule under ``path``; problems are collected, never raised."""
    root = Path(path)
    if not root.exists():
        problem = RuleProblem(str(root), 1, 1, "no such file or directory")
        return RuleSet((), (problem,), ())
    problems: list[RuleProblem] = []
    parsed: list[Rule] = []
    files = rule_files(root)
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(RuleProblem(str(file), 1, 1, f"cannot read: {exc}"))
            continue
        file_rules, file_problems = parse_rules_text(text, str(file))
        problems.extend(file_problems)
        parsed.extend(file_rules)
    rules, duplicates = unique_rules(parsed)
    return RuleSet(tuple(rules), (*problems, *duplicates), tuple(str(f) for f in files))


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
            )
        )
    return list(seen.values()), problems


def parse_rules_text(text: str, source: str) -> tuple[list[Rule], list[RuleProblem]]:
    """Parse one file's text: one rule per document, or several under a top-level ``rules:``."""
    yaml = YAML(typ="rt")
    try:
        documents = [d for d in yaml.load_all(text) if d is not None]
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return [], [RuleProblem(source, line, col, f"YAML syntax error: {message}")]
    except YAMLError as exc:
        return [], [RuleProblem(source, 1, 1, f"YAML error: {exc}")]
    if not documents:
        return [], [RuleProblem(source, 1, 1, "empty file: no rule defined")]
    rules: list[Rule] = []
    problems: list[RuleProblem] = []
    for node in _rule_nodes(documents, source, problems):
        rule, rule_problems = _compile(node, source)
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
                problems.append(RuleProblem(source, line, col, "rules: expected a list of rules"))
                continue
            for i, item in enumerate(items):
                if isinstance(item, CommentedMap):
                    yield item
                else:
                    line, col = items.lc.item(i)
                    problems.append(
                        RuleProblem(source, line + 1, col + 1, "rules: each item must be a mapping")
                    )
        elif isinstance(doc, CommentedMap):
            yield doc
        else:
            problems.append(
                RuleProblem(source, 1, 1, "expected a rule (a mapping with id, entities, ...)")
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


def _describe(error: Any) -> str:
    loc = ".".join(str(p) for p in error["loc"])
    kind = error["type"]
    if kind == "missing":
        return f"{loc}: required field is missing"
    if kind == "extra_forbidden":
        return f"{loc}: unknown key"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{loc}: {message}" if loc else message


def _compile(node: CommentedMap, source: str) -> tuple[Rule | None, list[RuleProblem]]:
    data = _plain(node)
    raw_id = data.get("id") if isinstance(data.get("id"), str) else None
    start_line = node.lc.line + 1
    try:
        doc = RuleDoc.model_validate(data)
    except ValidationError as exc:
        invalid = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            line, col = _locate(node, loc, at_key=error["type"] == "extra_forbidden")
            invalid.append(RuleProblem(source, line, col, _describe(error), raw_id))
        return None, invalid

    condition_text = doc.match or "any"
    try:
        condition = parse_condition(condition_text) if doc.match else AnyEntity()
    except ConditionError as exc:
        line, col = _match_pos(node, exc.column)
        return None, [RuleProblem(source, line, col, f"match: {exc.message}", doc.id)]
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
            )
        ]

    entities = []
    for key, ent in doc.entities.items():
        kind = next(k for k in EntityKind if getattr(ent, k.value) is not None)
        canonical = None if kind is EntityKind.KEYWORDS else getattr(ent, kind.value)
        located = _entity_names(node["entities"][key], kind)
        names: dict[str, tuple[int, int]] = {}
        for name, position in located:
            names.setdefault(name.strip(), position)
        entities.append(
            Entity(
                key,
                kind,
                tuple(names),
                canonical,
                gazetteer=ent.gazetteer,
                transliterate=ent.transliterate,
                positions=tuple(names.values()),
            )
        )
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
    version = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
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
    )
    return rule, []


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
