"""One rule's YAML node → a compiled ``Rule``: schema, condition, entities (own or taken from
the catalogue with ``ref:``), examples and the version hash. Problems are returned, never
raised, each at the ``file:line:col`` it is about."""

from __future__ import annotations

import hashlib
import json

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap

from newswatch.rules.catalogue import CATALOGUE_DIRNAME, Catalogue, CatalogueEntity, inline_entities
from newswatch.rules.condition import Any as AnyEntity
from newswatch.rules.condition import ConditionError, parse_condition
from newswatch.rules.model import Entity, EntityKind, Example, Rule, Severity, Status, Surname
from newswatch.rules.problems import RuleProblem
from newswatch.rules.schema import EntityDoc, RuleDoc
from newswatch.rules.yamldoc import key_pos, plain, schema_problems, value_pos

__all__ = ["compile_rule", "own_entity"]


def compile_rule(
    node: CommentedMap, source: str, catalogue: Catalogue | None = None
) -> tuple[Rule | None, list[RuleProblem]]:
    data = plain(node)
    raw_id = data.get("id") if isinstance(data.get("id"), str) else None
    start_line = node.lc.line + 1
    try:
        doc = RuleDoc.model_validate(data)
    except ValidationError as exc:
        return None, schema_problems(exc, node, source, raw_id)

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
        at = key_pos(node["entities"], key)
        if ent.ref is None:
            entities.append(own_entity(key, ent, entity_node, at))
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
        tags=tuple(dict.fromkeys(t.lower() for t in doc.tags)),
        examples=tuple(examples),
        source=source,
        line=start_line,
        includes=tuple(sorted({r.source for r in refs.values()})),
        match_at=value_pos(node, "match") if "match" in node else (start_line, 1),
    )
    return rule, []


def own_entity(
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
        surname=Surname(ent.surname),
        demonyms=ent.demonyms,
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
    line, col = value_pos(node, "ref")
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
        surname=base.surname,
        demonyms=base.demonyms,
        positions=tuple(names.values()),
        ref=base.key,
        origins=tuple(origins[name] for name in names),
        at=at,
    )


def _entity_names(node: CommentedMap, kind: EntityKind) -> list[tuple[str, tuple[int, int]]]:
    """The entity's names in file order of meaning (keywords or canonical, then aliases), each
    with its 1-based position."""
    out: list[tuple[str, tuple[int, int]]] = []
    if kind is EntityKind.KEYWORDS:
        sequences = [node["keywords"]]
    else:
        out.append((str(node[kind.value]), value_pos(node, kind.value)))
        sequences = []
    if "aliases" in node:
        sequences.append(node["aliases"])
    for seq in sequences:
        for i, item in enumerate(seq):
            line, col = seq.lc.item(i)
            out.append((str(item), (line + 1, col + 1)))
    return out


def _match_pos(node: CommentedMap, column: int) -> tuple[int, int]:
    line, col = value_pos(node, "match")
    return line, col + max(column, 0)
