"""The article: one news item as every part of newswatch sees it.

One JSON form (``to_json`` / ``from_json``) is used on the Kafka wire, in JSONL files and in the
SQLite stores, so an article written by a poller reads back identically in a worker.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from newswatch.errors import InputError
from newswatch.links import link_key

__all__ = ["Article", "ArticleError", "make_article_id"]

_TEXT_FIELDS = ("title", "summary", "content")


class ArticleError(InputError):
    """An article's JSON form is not valid."""


def make_article_id(
    feed_id: str, guid: str | None, link: str | None, title: str = "", content: str = ""
) -> str:
    """Stable id: the entry's guid, else its canonical link, else a hash of its text.

    The id is a hash so it is short, safe as a Kafka key and in file names, and the same on
    every poller that sees the entry. The guid is scoped by feed (two feeds may reuse "1");
    a link is global and named by its ``link_key`` (no trackers, AMP or mobile forms), so the
    same story syndicated by two feeds, or at a second URL, gets one id.
    """
    if guid and guid.strip():
        basis = f"guid\0{feed_id}\0{guid.strip()}"
    elif link and link_key(link):
        basis = f"link\0{link_key(link)}"
    else:
        basis = f"text\0{feed_id}\0{title}\0{content}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]


def _parse_time(value: Any, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ArticleError(f"{name}: not an ISO 8601 time: {value!r}") from exc
    else:
        raise ArticleError(f"{name}: expected an ISO 8601 string, got {type(value).__name__}")
    # Naive times are taken as UTC so comparisons never raise.
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    feed: str = ""
    url: str = ""
    title: str = ""
    summary: str = ""
    content: str = ""
    language: str = ""
    # Who said which language it is: "list" (the feed list), "feed" (the feed's declaration),
    # "detected" (from the text), "" (not known or not recorded).
    language_source: str = ""
    published: datetime | None = None
    fetched: datetime | None = field(default=None, compare=False)

    @property
    def text_fields(self) -> tuple[tuple[str, str], ...]:
        """The fields matched, in order, with their names (hit offsets refer to these)."""
        return (("title", self.title), ("summary", self.summary), ("content", self.content))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("published", "fetched"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Build from the JSON form; missing text fields are empty, unknown keys are ignored."""
        if not isinstance(data, dict):
            raise ArticleError(f"expected a JSON object, got {type(data).__name__}")
        raw_id = data.get("id")
        if not isinstance(raw_id, str | int) or str(raw_id) == "":
            raise ArticleError("id: required (a non-empty string)")
        values: dict[str, Any] = {}
        for key in ("feed", "url", "language", "language_source", *_TEXT_FIELDS):
            value = data.get(key)
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise ArticleError(f"{key}: expected a string, got {type(value).__name__}")
            values[key] = value
        return cls(
            id=str(raw_id),
            published=_parse_time(data.get("published"), "published"),
            fetched=_parse_time(data.get("fetched"), "fetched"),
            **values,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Article:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ArticleError(f"not JSON: {exc}") from exc
        return cls.from_dict(data)

    def with_fetched(self, when: datetime) -> Article:
        return replace(self, fetched=when)
