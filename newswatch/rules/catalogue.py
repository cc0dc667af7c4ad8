"""The entity catalogue: people and places defined once, referenced from many rules.

A catalogue file lives in an ``entities/`` directory beside the rule files and holds only
``entities:`` (ids are lowercase with '-', like rule ids)::

    # rules/entities/people.yaml
    entities:
      sergey-lavrov:
        person: Sergey Lavrov
        aliases: [Sergei Lavrov, سيرغي لافروف, Сергей Лавров]

A rule uses one with ``lavrov: {ref: sergey-lavrov}`` (optionally with ``aliases:`` of its own),
so an alias added to the catalogue serves every rule that refers to the entity.

This module finds catalogue files and holds what was read from them; parsing lives in
``loader.py`` with the rule files' (same positions, same messages, ``yamldoc.py``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newswatch.rules.model import Entity
from newswatch.rules.problems import RuleProblem

__all__ = [
    "CATALOGUE_DIRNAME",
    "CATALOGUE_ID",
    "Catalogue",
    "CatalogueEntity",
    "catalogue_files",
    "find_catalogue_dir",
    "in_catalogue_dir",
    "inline_entities",
    "inline_refs",
]

CATALOGUE_DIRNAME = "entities"
CATALOGUE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")  # the same shape as rule ids
_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class CatalogueEntity:
    """One catalogue entry: the compiled entity (its ``key`` is the catalogue id)."""

    entity: Entity
    source: str
    line: int
    data: dict[str, Any] = field(compare=False)  # plain YAML data: part of each rule's version


@dataclass(frozen=True, slots=True)
class Catalogue:
    directory: str
    entities: dict[str, CatalogueEntity]
    files: tuple[str, ...] = ()
    # (file, entity id) of each entry that failed to load; id None = the whole file failed.
    rejected: tuple[tuple[str, str | None], ...] = ()
    problems: tuple[RuleProblem, ...] = ()

    def get(self, ref: str) -> CatalogueEntity | None:
        return self.entities.get(ref)

    def closest(self, ref: str) -> str | None:
        """The catalogue id a mistyped ``ref`` most likely meant."""
        found = difflib.get_close_matches(ref, list(self.entities), n=1, cutoff=0.6)
        return found[0] if found else None


def in_catalogue_dir(file: Path, root: Path) -> bool:
    """Whether ``file`` sits in an ``entities/`` directory below ``root`` (so is no rule file)."""
    try:
        parts = file.relative_to(root).parts[:-1]
    except ValueError:
        return False
    return CATALOGUE_DIRNAME in parts


def find_catalogue_dir(rule_file: Path, root: Path | None = None) -> Path | None:
    """The catalogue for ``rule_file``: the nearest ``entities/`` directory in its directory or
    above it, up to ``root`` (the directory being loaded) — or one level up when no root is
    given, so ``rules/desk-a/x.yaml`` alone still finds ``rules/entities/``."""
    # Walk the path as given (so messages show rules/entities, not an absolute path); compare
    # resolved paths to know where to stop.
    start = rule_file.parent
    stop = root.resolve() if root is not None and root.is_dir() else None
    candidates = [start]
    if stop is None:
        candidates.append(start.parent if start.parent != start else start.resolve().parent)
    else:
        here = start
        while here.resolve() != stop and stop in here.resolve().parents:
            here = here.parent if here.parent != here else here.resolve().parent
            candidates.append(here)
    for directory in candidates:
        found = directory / CATALOGUE_DIRNAME
        if found.is_dir():
            return found
    return None


def catalogue_files(directory: Path) -> list[Path]:
    """The catalogue's YAML files, sorted (hidden files left out, as for rule files)."""
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and p.suffix in _SUFFIXES and not p.name.startswith(".")
    )


def _merged(entry: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    merged = dict(entry)
    aliases = list(entry.get("aliases") or [])
    aliases += [a for a in own.get("aliases") or [] if a not in aliases]
    if aliases:
        merged["aliases"] = aliases
    return merged


def inline_entities(rule: dict[str, Any], entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Plain rule data with every ``ref`` entity replaced by its catalogue entry's data (the
    rule's own aliases appended). ``entries``: catalogue id -> that entry's plain data."""
    entities = rule.get("entities")
    if not isinstance(entities, dict):
        return rule
    out = {}
    for key, value in entities.items():
        ref = value.get("ref") if isinstance(value, dict) else None
        out[key] = _merged(entries[ref], value) if ref in entries else value
    return {**rule, "entities": out}


def inline_refs(node: Any, catalogue: Catalogue) -> list[str]:
    """Rewrite a rule's ruamel node in place so it no longer needs the catalogue (for
    publishing one rule's text alone, as Kafka mode does); parsed again, it has the same
    version. Returns the refs it could not resolve (left as they are)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    missing: list[str] = []
    entities = node.get("entities") if isinstance(node, CommentedMap) else None
    if not isinstance(entities, CommentedMap):
        return missing
    for key in list(entities):
        value = entities[key]
        ref = value.get("ref") if isinstance(value, CommentedMap) else None
        if ref is None:
            continue
        found = catalogue.get(str(ref))
        if found is None:
            missing.append(str(ref))
            continue
        merged = _merged(found.data, {"aliases": list(value.get("aliases") or [])})
        replacement = CommentedMap()
        for field_name, field_value in merged.items():
            is_list = isinstance(field_value, list)
            replacement[field_name] = CommentedSeq(field_value) if is_list else field_value
        entities[key] = replacement
    return missing
