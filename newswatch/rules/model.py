"""Compiled, validated watch rules: the frozen form every runtime works with."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from newswatch.rules.condition import Condition

__all__ = ["Entity", "EntityKind", "Example", "Rule", "Severity", "Status", "Surname"]


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Status(StrEnum):
    ACTIVE = "active"
    EXPERIMENTAL = "experimental"
    DISABLED = "disabled"


class EntityKind(StrEnum):
    PERSON = "person"
    PLACE = "place"
    ORG = "org"
    KEYWORDS = "keywords"


class Surname(StrEnum):
    """When a person's surname counts without the rest of the name (``surname:``)."""

    AUTO = "auto"  # alone when distinctive (``matching.aliases.surname_alone``)
    ALONE = "alone"
    WITH_FULL_NAME = "with-full-name"  # only where the article also names the person in full
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class Entity:
    """A named selection: the canonical name (if any) and every alias, each counting alone."""

    key: str
    kind: EntityKind
    names: tuple[str, ...]
    canonical: str | None = None
    gazetteer: bool = True  # places: add gazetteer names in the deployment's languages
    transliterate: bool = True  # people: add Arabic and Cyrillic spellings of a Latin name
    surname: Surname = Surname.AUTO  # people: when the surname alone counts
    demonyms: bool = False  # places: also what its people and things are called (Israeli)
    # (line, col) of each name in its file, parallel to ``names``; for lint messages.
    positions: tuple[tuple[int, int], ...] = field(default=(), compare=False)
    # The catalogue entity this one was taken from (``ref:``), and the file each name was
    # written in, parallel to ``names`` ("" = the rule's own file).
    ref: str = ""
    origins: tuple[str, ...] = field(default=(), compare=False)
    at: tuple[int, int] = field(default=(0, 0), compare=False)  # its key in the rule's file

    def origin(self, index: int, default: str) -> str:
        """The file name ``names[index]`` was written in."""
        return (self.origins[index] if index < len(self.origins) else "") or default


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    expect_match: bool
    language: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    version: str
    title: str
    condition: Condition
    entities: tuple[Entity, ...]
    description: str = ""
    status: Status = Status.ACTIVE
    severity: Severity = Severity.MEDIUM
    languages: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # matched by routes.yaml (lower-cased)
    examples: tuple[Example, ...] = ()
    source: str = ""
    line: int = 0
    includes: tuple[str, ...] = ()  # catalogue files its ``ref:`` entities come from
    match_at: tuple[int, int] = field(default=(0, 0), compare=False)  # where ``match:`` is

    @property
    def enabled(self) -> bool:
        return self.status is not Status.DISABLED

    def entity(self, key: str) -> Entity:
        for entity in self.entities:
            if entity.key == key:
                return entity
        raise KeyError(key)
