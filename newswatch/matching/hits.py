"""What a match produces: a hit of one rule on one article, and each name found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Hit", "Mention"]


@dataclass(frozen=True, slots=True)
class Mention:
    """One name of one entity found in the article.

    ``start``/``end`` are offsets into the *original* text of ``field`` (title, summary or
    content), so ``article.<field>[start:end] == surface`` always holds.
    """

    entity: str
    alias: str
    surface: str
    field: str
    start: int
    end: int
    how: str = "exact"

    def to_dict(self) -> dict[str, Any]:
        # Written out: dataclasses.asdict deep-copies and is the slowest step of `match`.
        return {
            "entity": self.entity,
            "alias": self.alias,
            "surface": self.surface,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "how": self.how,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mention:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule that fired on an article, with the rule version that decided it."""

    rule_id: str
    rule_version: str
    article_id: str
    mentions: tuple[Mention, ...]

    @property
    def key(self) -> str:
        """The idempotency key of the alert this hit produces: one per (rule, article)."""
        return f"{self.rule_id}\x1f{self.article_id}"

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.entity for m in self.mentions))

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "version": self.rule_version,
            "article": self.article_id,
            "mentions": [m.to_dict() for m in self.mentions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hit:
        return cls(
            rule_id=data["rule"],
            rule_version=data["version"],
            article_id=data["article"],
            mentions=tuple(Mention.from_dict(m) for m in data.get("mentions", [])),
        )
