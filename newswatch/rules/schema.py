"""The YAML rule format (v1) as pydantic models: the one place the format is validated."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["EntityDoc", "ExampleDoc", "RuleDoc"]

_RESERVED = {"and", "or", "not", "any", "all"}
_RULE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_ENTITY_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_KINDS = ("person", "place", "org", "keywords")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class EntityDoc(_Strict):
    person: str | None = None
    place: str | None = None
    org: str | None = None
    keywords: list[str] | None = None
    aliases: list[str] = Field(default_factory=list)
    gazetteer: bool = True
    transliterate: bool = True
    surname: Literal["auto", "alone", "with-full-name", "never"] = "auto"
    demonyms: bool = False
    ref: str | None = None  # a catalogue entity (rules/entities/*.yaml) instead of a kind

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> EntityDoc:
        kinds = [k for k in _KINDS if getattr(self, k) is not None]
        if self.ref is not None:
            # The catalogue entity says what it is; a rule may only add aliases of its own.
            options = {"gazetteer", "transliterate", "surname", "demonyms"}
            extra = kinds + sorted(options & self.model_fields_set)
            if extra:
                raise ValueError(
                    f"ref: takes its kind and options from the catalogue; remove {extra[0]}"
                )
            return self
        if len(kinds) != 1:
            found = ", ".join(kinds) if kinds else "none"
            raise ValueError(
                f"give exactly one of person | place | org | keywords (found: {found})"
            )
        if "surname" in self.model_fields_set and self.person is None:
            raise ValueError("surname: is for a person (when the surname alone counts)")
        if "demonyms" in self.model_fields_set and self.place is None:
            raise ValueError("demonyms: is for a place (Israeli, israélien for Israel)")
        return self

    @field_validator("person", "place", "org")
    @classmethod
    def _non_empty(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        if value is not None:
            _no_wildcards(value)
        return value

    @field_validator("keywords", "aliases")
    @classmethod
    def _non_empty_items(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and any(not v.strip() for v in value):
            raise ValueError("names must not be empty")
        for name in value or ():
            _no_wildcards(name)
        return value


def _no_wildcards(name: str) -> None:
    """Names are whole words, never patterns: ``drone*`` used to be taken as the letters
    ``drone*`` and match nothing, silently."""
    if "*" in name or "?" in name:
        raise ValueError(
            f"{name!r}: names are matched as whole words, not patterns ('*' and '?' are not "
            "wildcards); keywords already count in their English plural (drone finds drones) "
            "and Russian ones in their case forms — list any other form as a name of its own"
        )


class ExampleDoc(_Strict):
    text: str = Field(min_length=1)
    expect: Literal["match", "no-match"]
    language: str = ""


_TAG = re.compile(r"[\w-]+")


class RuleDoc(_Strict):
    id: str = Field(max_length=100)
    title: str = ""
    description: str = ""
    status: Literal["active", "experimental", "disabled"] = "active"
    severity: Literal["info", "low", "medium", "high", "critical"] = "medium"
    languages: list[str] = Field(default_factory=list)
    feeds: list[str] = Field(default_factory=list)
    entities: dict[str, EntityDoc] = Field(min_length=1)
    match: str | None = None
    notify: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    examples: list[ExampleDoc] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not _RULE_ID.fullmatch(value):
            raise ValueError(f"use lowercase letters, digits and '-' (got {value!r})")
        return value

    @field_validator("tags")
    @classmethod
    def _tag_format(cls, value: list[str]) -> list[str]:
        # Tags are matched by routes.yaml; a blank or spaced tag could never be matched.
        for tag in value:
            if not _TAG.fullmatch(tag):
                raise ValueError(f"tag {tag!r}: use letters, digits, '_' or '-' (no spaces)")
        return value

    @field_validator("entities")
    @classmethod
    def _entity_keys(cls, value: dict[str, EntityDoc]) -> dict[str, EntityDoc]:
        for key in value:
            if key.lower() in _RESERVED:
                raise ValueError(f"entity name {key!r} is a condition keyword; rename it")
            if not _ENTITY_KEY.fullmatch(key):
                raise ValueError(
                    f"entity name {key!r}: use ASCII letters, digits, '_' or '-', "
                    "starting with a letter"
                )
        return value
