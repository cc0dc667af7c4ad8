"""A rule from the page's form, for analysts who never saw YAML (pure).

The form's fields become the YAML text of one rule file; that text then goes through exactly
the editor's path (``workflow.edit``: ``rules check``, dry run, atomic save), so a form can
never write what a hand edit could not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import yaml

from newswatch.errors import InputError

__all__ = ["KINDS", "SEVERITIES", "EntityRow", "RuleForm", "rule_yaml", "split_names"]

KINDS = ("person", "place", "org", "keywords")
SEVERITIES = ("info", "low", "medium", "high", "critical")
_SPLIT = re.compile(r"[\n;,،]+")  # one alias per line, or separated by commas (Arabic too)


@dataclass(frozen=True, slots=True)
class EntityRow:
    key: str
    kind: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleForm:
    rule_id: str
    title: str
    severity: str
    entities: tuple[EntityRow, ...]
    condition: str = ""

    @classmethod
    def from_fields(cls, fields: Mapping[str, str], rows: int = 3) -> RuleForm:
        """The form's fields: ``id``, ``title``, ``severity``, ``condition`` and, per entity row
        ``n``, ``key_n``, ``kind_n``, ``name_n``, ``aliases_n`` (rows with no name are left out)."""
        entities: list[EntityRow] = []
        for n in range(1, rows + 1):
            name = fields.get(f"name_{n}", "").strip()
            if not name:
                continue
            entities.append(
                EntityRow(
                    key=fields.get(f"key_{n}", "").strip() or f"e{n}",
                    kind=fields.get(f"kind_{n}", "person").strip(),
                    name=name,
                    aliases=split_names(fields.get(f"aliases_{n}", "")),
                )
            )
            if any(e.key == entities[-1].key for e in entities[:-1]):
                # In a hand-written file a repeated key is a YAML error; never merge silently.
                raise InputError(f"name {n}: the key {entities[-1].key!r} is used twice")
        return cls(
            rule_id=fields.get("id", "").strip(),
            title=fields.get("title", "").strip(),
            severity=fields.get("severity", "medium").strip() or "medium",
            entities=tuple(entities),
            condition=fields.get("condition", "").strip(),
        )

    @property
    def file_name(self) -> str:
        return f"{self.rule_id}.yaml"


def split_names(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n.strip() for n in _SPLIT.split(text) if n.strip()))


def _entity(row: EntityRow) -> dict[str, object]:
    if row.kind == "keywords":
        return {"keywords": [row.name, *row.aliases]}
    out: dict[str, object] = {row.kind: row.name}
    if row.aliases:
        out["aliases"] = list(row.aliases)
    return out


def rule_yaml(form: RuleForm) -> str:
    """The rule file's text. Unknown kinds and severities are written as given, so that
    ``rules check`` reports them at their line like any other mistake."""
    doc: dict[str, object] = {"id": form.rule_id}
    if form.title:
        doc["title"] = form.title
    doc["severity"] = form.severity
    doc["entities"] = {row.key: _entity(row) for row in form.entities} or {}
    if form.condition:
        doc["match"] = form.condition
    header = "# Written by the web page's new-rule form; edit freely (docs/rules.md).\n"
    return header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
