"""Silences: "not this, for now" — matchers with an end time, an author and a comment (pure).

A silence holds nothing back for later: what it matches while it is active is recorded as
silenced (``newswatch silence list --silenced`` shows it) and not sent, and its expiry lets
later articles alert again. Matchers are ``field=value`` over rule, entity, feed, language and
story; values are globs (``rule=syria-*``), compared lower-case; all of a silence's matchers must
hold. An end time is required (default one hour, at most 30 days): a silence nobody remembers
must not hide a desk's alerts for ever.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = [
    "DEFAULT_FOR",
    "MAX_FOR",
    "SILENCE_FIELDS",
    "Silence",
    "SilenceError",
    "first_silence",
    "parse_matchers",
    "silenced_values",
]

SILENCE_FIELDS = ("rule", "entity", "feed", "language", "story")
DEFAULT_FOR = timedelta(hours=1)
MAX_FOR = timedelta(days=30)


class SilenceError(ValueError):
    """A silence that cannot be made: a bad matcher, a missing comment, an end out of range."""


def parse_matchers(items: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """``["rule=syria-talks", "language=ar"]`` as (field, glob) pairs."""
    out = []
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip().lower(), value.strip().lower()
        if not sep or not value:
            raise SilenceError(f"matcher {item!r}: expected field=value (e.g. rule=syria-talks)")
        if name not in SILENCE_FIELDS:
            raise SilenceError(
                f"matcher {item!r}: unknown field (known: {', '.join(SILENCE_FIELDS)})"
            )
        out.append((name, value))
    if not out:
        raise SilenceError("a silence needs at least one matcher (--match rule=…)")
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class Silence:
    id: str
    matchers: tuple[tuple[str, str], ...]
    starts_at: datetime
    ends_at: datetime
    author: str
    comment: str
    created_at: datetime

    @classmethod
    def create(
        cls,
        matchers: Iterable[str],
        *,
        author: str,
        comment: str,
        now: datetime,
        duration: timedelta = DEFAULT_FOR,
        starts_at: datetime | None = None,
    ) -> Silence:
        pairs = parse_matchers(matchers)
        if not author.strip():
            raise SilenceError("--author is required: who set the silence")
        if not comment.strip():
            raise SilenceError(
                "--comment is required: why (it is shown to everyone it hides alerts from)"
            )
        if duration <= timedelta(0):
            raise SilenceError("the duration must be positive (e.g. --for 2h)")
        if duration > MAX_FOR:
            raise SilenceError(f"at most {MAX_FOR.days} days (got {duration})")
        start = starts_at or now
        ends = start + duration
        basis = json.dumps([pairs, start.isoformat(), author, comment, now.isoformat()])
        ident = hashlib.sha256(basis.encode()).hexdigest()[:12]
        return cls(ident, pairs, start, ends, author.strip(), comment.strip(), now)

    def active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def matches(self, values: Mapping[str, Iterable[str]]) -> bool:
        """All matchers hold for ``values`` (field -> the notice's values of it)."""
        for name, pattern in self.matchers:
            if not any(fnmatch.fnmatchcase(v.lower(), pattern) for v in values.get(name, ())):
                return False
        return True

    def expired(self, now: datetime) -> Silence:
        """This silence ended at ``now`` (kept, so what it silenced stays explained)."""
        return Silence(
            self.id,
            self.matchers,
            self.starts_at,
            min(self.ends_at, now),
            self.author,
            self.comment,
            self.created_at,
        )

    def describe(self) -> str:
        return " ".join(f"{n}={v}" for n, v in self.matchers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "matchers": [list(m) for m in self.matchers],
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "author": self.author,
            "comment": self.comment,
            "created_at": self.created_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Silence:
        try:
            return cls(
                str(data["id"]),
                tuple((str(n), str(v)) for n, v in data["matchers"]),
                _aware(data["starts_at"]),
                _aware(data["ends_at"]),
                str(data["author"]),
                str(data["comment"]),
                _aware(data["created_at"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SilenceError(f"unreadable silence: {exc}") from exc


def silenced_values(
    rule: str,
    entities: Iterable[str],
    feeds: Iterable[str],
    languages: Iterable[str],
    story: str,
) -> dict[str, tuple[str, ...]]:
    """What a silence's matchers are checked against, for one rule's hit."""
    return {
        "rule": (rule,),
        "entity": tuple(entities),
        "feed": tuple(feeds),
        "language": tuple(languages),
        "story": (story,) if story else (),
    }


def first_silence(
    silences: Iterable[Silence], values: Mapping[str, Iterable[str]], now: datetime
) -> Silence | None:
    """The first of ``silences`` active at ``now`` that matches ``values``."""
    return next((s for s in silences if s.active(now) and s.matches(values)), None)


def _aware(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)
