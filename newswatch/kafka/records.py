"""The wire form of what travels on the topics (besides articles, which are ``Article.to_json``).

Keys and values are UTF-8 JSON, readable with any Kafka tool:

* ``articles``: key = article id, value = ``Article.to_json()``;
* ``matched`` (one partition): key = article id; value = ``MatchedRecord`` (the article, its
  hits and the alerts built for each target, without a story yet) — every article, fired or
  not, so story grouping sees the whole stream;
* ``hits``: key = the alert key (``story`` U+001F story id U+001F target id) so one partition
  owns each (story, target); value = ``HitRecord`` (the alert, and the first hit with the rule
  version, so delivery needs neither the rule nor the article);
* ``rules`` (compacted): key = rule id, value = ``RuleRecord`` (one rule's YAML text), or a
  tombstone (no value) for a deleted rule;
* ``dead-letters`` (compacted): key = alert key, U+001F, target id; value = ``DeadLetter``;
  a tombstone once replayed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newswatch.alerts.message import Alert
from newswatch.article import Article
from newswatch.errors import InputError
from newswatch.matching.hits import Hit

__all__ = [
    "DeadLetter",
    "HitRecord",
    "MatchedRecord",
    "RecordError",
    "RuleRecord",
    "article_key",
    "article_value",
    "dead_letter_key",
]

KEY_SEP = "\x1f"


class RecordError(InputError):
    """A record on a topic is not in the expected form."""


def _loads(value: bytes | str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(value)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RecordError(f"{what}: not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise RecordError(f"{what}: expected a JSON object")
    return data


def _dumps(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def article_key(article: Article) -> bytes:
    return article.id.encode("utf-8")


def article_value(article: Article) -> bytes:
    return article.to_json().encode("utf-8")


@dataclass(frozen=True, slots=True)
class HitRecord:
    hit: Hit
    alert: Alert
    feed: str = ""

    @property
    def key(self) -> bytes:
        return self.alert.key.encode("utf-8")

    def to_bytes(self) -> bytes:
        return _dumps({"hit": self.hit.to_dict(), "alert": self.alert.to_dict(), "feed": self.feed})

    @classmethod
    def from_bytes(cls, value: bytes) -> HitRecord:
        data = _loads(value, "hit record")
        try:
            hit = Hit.from_dict(data["hit"])
            alert = Alert.from_dict(data["alert"])
        except (KeyError, TypeError, ValueError) as exc:
            raise RecordError(f"hit record: {type(exc).__name__}: {exc}") from exc
        return cls(hit, alert, str(data.get("feed") or ""))


@dataclass(frozen=True, slots=True)
class MatchedRecord:
    """One article after matching: its hits, and one alert per target (``alerts.story``)
    whose key and story the grouping stage fills in."""

    article: Article
    hits: tuple[Hit, ...] = ()
    alerts: tuple[Alert, ...] = ()

    @property
    def key(self) -> bytes:
        return self.article.id.encode("utf-8")

    def to_bytes(self) -> bytes:
        return _dumps(
            {
                "article": self.article.to_dict(),
                "hits": [h.to_dict() for h in self.hits],
                "alerts": [a.to_dict() for a in self.alerts],
            }
        )

    @classmethod
    def from_bytes(cls, value: bytes) -> MatchedRecord:
        data = _loads(value, "matched record")
        try:
            return cls(
                Article.from_dict(data["article"]),
                tuple(Hit.from_dict(h) for h in data.get("hits") or ()),
                tuple(Alert.from_dict(a) for a in data.get("alerts") or ()),
            )
        except (KeyError, TypeError, ValueError, InputError) as exc:
            raise RecordError(f"matched record: {type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class RuleRecord:
    """One validated rule as published: its YAML text and where it came from."""

    id: str
    version: str
    text: str
    source: str
    line: int = 1
    published_at: str = ""

    @property
    def key(self) -> bytes:
        return self.id.encode("utf-8")

    def to_bytes(self) -> bytes:
        return _dumps(
            {
                "id": self.id,
                "version": self.version,
                "text": self.text,
                "source": self.source,
                "line": self.line,
                "published_at": self.published_at or _now(),
            }
        )

    @classmethod
    def from_bytes(cls, value: bytes) -> RuleRecord:
        data = _loads(value, "rule record")
        try:
            return cls(
                id=str(data["id"]),
                version=str(data["version"]),
                text=str(data["text"]),
                source=str(data.get("source") or ""),
                line=int(data.get("line") or 1),
                published_at=str(data.get("published_at") or ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RecordError(f"rule record: {type(exc).__name__}: {exc}") from exc

    def same_as(self, other: RuleRecord) -> bool:
        """Equal but for the publication time: republishing it would change nothing."""
        return (self.id, self.version, self.text, self.source, self.line) == (
            other.id,
            other.version,
            other.text,
            other.source,
            other.line,
        )


def dead_letter_key(alert_key: str, target_id: str) -> bytes:
    return f"{alert_key}{KEY_SEP}{target_id}".encode()


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An alert parked for one target: its sends failed, or their outcome is unknown.

    ``in_doubt``: the worker stopped while a send was in flight, so the target may or may not
    have it; such letters are replayed only on request (``alerts retry --in-doubt``).
    """

    alert: Alert
    target_id: str
    target: str  # the target's display form (secrets masked)
    reason: str
    attempts: int
    in_doubt: bool = False
    parked_at: str = ""

    @property
    def key(self) -> bytes:
        return dead_letter_key(self.alert.key, self.target_id)

    def to_bytes(self) -> bytes:
        return _dumps(
            {
                "alert": self.alert.to_dict(),
                "target_id": self.target_id,
                "target": self.target,
                "reason": self.reason,
                "attempts": self.attempts,
                "in_doubt": self.in_doubt,
                "parked_at": self.parked_at or _now(),
            }
        )

    @classmethod
    def from_bytes(cls, value: bytes) -> DeadLetter:
        data = _loads(value, "dead letter")
        try:
            return cls(
                alert=Alert.from_dict(data["alert"]),
                target_id=str(data["target_id"]),
                target=str(data.get("target") or data["target_id"]),
                reason=str(data.get("reason") or ""),
                attempts=int(data.get("attempts") or 0),
                in_doubt=bool(data.get("in_doubt")),
                parked_at=str(data.get("parked_at") or ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RecordError(f"dead letter: {type(exc).__name__}: {exc}") from exc
