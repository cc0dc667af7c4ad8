"""The alert: what one hit of one rule on one article tells a person (pure, no I/O).

An alert is plain text on purpose: chat targets and e-mail both render it as written, so Arabic,
Cyrillic or any other script arrives exactly as the feed wrote it. Nothing here reorders,
transliterates, escapes or strips characters (no bidi marks are added either: they would change
the text a reader searches for and some clients show them as boxes).

The headline is the alert's ``title`` (``[SEV] rule titles: headline``) and is not repeated in
the body. The body is, in blocks separated by a blank line::

    <the summary — or, without one, the start of the content — cut to ~300 characters>

    <…the content around a matched name the summary does not show…>   (only then)

    Feed: lemonde-une
    Language: fr
    Link: https://www.lemonde.fr/...
    Published: 2026-03-01T11:30:00Z
    Rule: Putin in Syria (putin-syria v3, high)        (or "Rules:" and one "- " line each)
    Names found:
    - Vladimir Putin: Poutine

``marks`` are the (start, end) spans, in body characters, of every matched name the body shows
(from the matcher's own offsets, so a name is marked where it was found, not wherever its
letters happen to recur); ``newswatch.alerts.render`` turns them into bold for Markdown and HTML
targets.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newswatch.article import Article
from newswatch.constants import DEFAULT_TAG
from newswatch.errors import InputError
from newswatch.matching.hits import Hit, Mention
from newswatch.rules.model import Rule

__all__ = [
    "LEAD_CHARS",
    "SNIPPET_CHARS",
    "Alert",
    "AlertError",
    "build_alert",
    "build_story_alert",
    "make_snippet",
    "whole_graphemes",
]

SNIPPET_CHARS = 200
# The summary (or the start of the content) shown in the body.
LEAD_CHARS = 300
# At most this many passages around names the summary does not show.
_MAX_SNIPPETS = 2
ELLIPSIS = "…"
# How far a cut may move to land on a word boundary; scripts written without spaces
# (Chinese, Thai) would otherwise lose the whole window.
_BOUNDARY_SLACK = 30
_WS_RUN = re.compile(r"\s+")


class AlertError(InputError):
    """An alert's JSON form is not valid, or a hit does not belong to the rule/article given."""


@dataclass(frozen=True, slots=True)
class Alert:
    """One notification. ``key`` is its idempotency key: the hit's (one per (rule, article)),
    or for a story alert ``story``, story id, target id (one per (story, target)).

    ``targets``, when set, are the target ids it goes to (a story alert is built per target);
    otherwise its ``tags`` choose them. ``rules`` lists the rules it names when there are
    several (the first is ``rule_id``); ``story`` is the story it opened.

    ``marks`` are (start, end) spans of ``body`` holding a matched name: sorted, each within
    the body, none overlapping (``render`` shows them in bold where a target renders markup)."""

    key: str
    rule_id: str
    rule_version: str
    article_id: str
    title: str
    body: str
    tags: tuple[str, ...]
    severity: str
    url: str = ""
    targets: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    story: str = ""
    marks: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        _check_marks(self.marks, len(self.body))

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "rule_id": self.rule_id,
            "rule_version": self.rule_version,
            "article_id": self.article_id,
            "title": self.title,
            "body": self.body,
            "tags": list(self.tags),
            "severity": self.severity,
            "url": self.url,
            "targets": list(self.targets),
            "rules": list(self.rules),
            "story": self.story,
            "marks": [[start, end] for start, end in self.marks],
        }

    def to_json(self) -> str:
        # ensure_ascii=False keeps non-Latin text readable in topics, files and SQLite.
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        if not isinstance(data, dict):
            raise AlertError(f"expected a JSON object, got {type(data).__name__}")
        values: dict[str, str] = {}
        for name in ("key", "rule_id", "rule_version", "article_id", "title", "body", "severity"):
            value = data.get(name)
            if not isinstance(value, str) or (
                name in ("key", "rule_id", "article_id") and not value
            ):
                raise AlertError(f"{name}: required (a string)")
            values[name] = value
        url = data.get("url") or ""
        if not isinstance(url, str):
            raise AlertError(f"url: expected a string, got {type(url).__name__}")
        story = data.get("story") or ""
        if not isinstance(story, str):
            raise AlertError(f"story: expected a string, got {type(story).__name__}")
        return cls(
            key=values["key"],
            rule_id=values["rule_id"],
            rule_version=values["rule_version"],
            article_id=values["article_id"],
            title=values["title"],
            body=values["body"],
            severity=values["severity"],
            url=url,
            tags=_strings(data, "tags"),
            targets=_strings(data, "targets"),
            rules=_strings(data, "rules"),
            story=story,
            marks=_marks(data, len(values["body"])),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Alert:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AlertError(f"not JSON: {exc}") from exc
        return cls.from_dict(data)


def _strings(data: dict[str, Any], name: str) -> tuple[str, ...]:
    items = data.get(name) or []
    if not isinstance(items, list | tuple) or not all(isinstance(t, str) for t in items):
        raise AlertError(f"{name}: expected a list of strings")
    return tuple(items)


def _marks(data: dict[str, Any], body_length: int) -> tuple[tuple[int, int], ...]:
    # Alerts written before marks existed have none.
    items = data.get("marks") or []
    if not isinstance(items, list | tuple):
        raise AlertError("marks: expected a list of [start, end] pairs")
    marks: list[tuple[int, int]] = []
    for item in items:
        if (
            not isinstance(item, list | tuple)
            or len(item) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in item)
        ):
            raise AlertError(f"marks: expected [start, end] pairs of integers, got {item!r}")
        marks.append((item[0], item[1]))
    result = tuple(marks)
    _check_marks(result, body_length)
    return result


def _check_marks(marks: tuple[tuple[int, int], ...], body_length: int) -> None:
    previous_end = 0
    for start, end in marks:
        if not 0 <= start < end <= body_length:
            raise AlertError(f"marks: span [{start}, {end}] is not within the body")
        if start < previous_end:
            raise AlertError(f"marks: span [{start}, {end}] overlaps or precedes the one before")
        previous_end = end


_SEVERITY_ORDER = ("info", "low", "medium", "high", "critical")


def build_alert(rule: Rule, article: Article, hit: Hit, *, default_tag: str = DEFAULT_TAG) -> Alert:
    """The alert for ``hit`` (of ``rule`` on ``article``).

    >>> alert = build_alert(rule, article, hit)          # doctest: +SKIP
    >>> alert.title                                      # doctest: +SKIP
    '[HIGH] Lavrov in Syria: سيرغي لافروف يصل إلى دمشق'
    """
    return build_story_alert([(rule, hit)], article, key=hit.key, default_tag=default_tag)


def build_story_alert(
    fired: Sequence[tuple[Rule, Hit]],
    article: Article,
    *,
    key: str,
    story: str = "",
    targets: tuple[str, ...] = (),
    default_tag: str = DEFAULT_TAG,
) -> Alert:
    """One message naming every rule of ``fired`` (all hits on ``article``), most severe first
    in the title; with one rule it is that rule's alert."""
    if not fired:
        raise AlertError("an alert needs at least one hit")
    for rule, hit in fired:
        if hit.rule_id != rule.id or hit.article_id != article.id:
            # A mix-up here would send one story's alert under another rule or link.
            raise AlertError(
                f"hit ({hit.rule_id}, {hit.article_id}) is not for rule {rule.id} "
                f"and article {article.id}"
            )
    ranked = sorted(fired, key=lambda pair: -_SEVERITY_ORDER.index(str(pair[0].severity.value)))
    top_rule, top_hit = ranked[0]
    severity = str(top_rule.severity.value)
    article_title = _one_line(article.title) or article.url or article.id
    named = [_one_line(rule.title) or rule.id for rule, _ in ranked]
    # A subject line stays short; the body lists every rule.
    rule_titles = ", ".join(named[:2]) + (f" +{len(named) - 2} more" if len(named) > 2 else "")
    title = f"[{severity.upper()}] {rule_titles}: {article_title}"

    body = _Body()
    mentions = tuple(m for _, hit in fired for m in hit.mentions)
    _add_passages(body, article, article_title, mentions)

    body.blank()
    if article.feed:
        body.line(f"Feed: {article.feed}")
    if article.language:
        body.line(f"Language: {article.language}")
    if article.url:
        body.line(f"Link: {article.url}")
    if article.published is not None:
        body.line(f"Published: {_iso_utc(article.published)}")
    if len(ranked) == 1:
        body.line(_rule_line("Rule: ", top_rule, top_hit))
    else:
        body.line("Rules:")
        for rule, hit in ranked:
            body.line(_rule_line("- ", rule, hit))

    names: dict[str, list[str]] = {}
    for rule, hit in fired:
        for label, surfaces in _names_found(rule, hit.mentions):
            known = names.setdefault(label, [])
            known.extend(s for s in surfaces if s not in known)
    if names:
        body.line("Names found:")
        for entity, surfaces in names.items():
            body.listing(f"- {entity}: ", surfaces)

    # Apprise tags are case-insensitive (it lowercases them); doing the same here keeps routing,
    # storage and display consistent.
    tags = tuple(
        dict.fromkeys(t.strip().lower() for rule, _ in ranked for t in rule.notify if t.strip())
    )
    return Alert(
        key=key,
        rule_id=top_rule.id,
        rule_version=top_hit.rule_version,
        article_id=article.id,
        title=title,
        body=body.text,
        tags=tags or (default_tag.strip().lower(),),
        severity=severity,
        url=article.url,
        targets=targets,
        rules=tuple(rule.id for rule, _ in ranked) if len(ranked) > 1 else (),
        story=story,
        marks=body.marks,
    )


class _Body:
    """The body as it is written, line by line, with the marked spans in body characters."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._length = 0
        self._marks: list[tuple[int, int]] = []

    def line(self, text: str, marks: Sequence[tuple[int, int]] = ()) -> None:
        offset = self._length + (1 if self._lines else 0)  # after the line break
        self._lines.append(text)
        self._length = offset + len(text)
        self._marks.extend((offset + start, offset + end) for start, end in marks)

    def blank(self) -> None:
        # One blank line between blocks, none at the start.
        if self._lines and self._lines[-1]:
            self.line("")

    def listing(self, prefix: str, items: Sequence[str]) -> None:
        # "- Sergey Lavrov: لافروف, ولافروف" with each name marked.
        parts: list[str] = [prefix]
        marks: list[tuple[int, int]] = []
        at = len(prefix)
        for index, item in enumerate(_one_line(i) for i in items):
            if index:
                parts.append(", ")
                at += 2
            parts.append(item)
            if item:
                marks.append((at, at + len(item)))
            at += len(item)
        self.line("".join(parts), marks)

    @property
    def text(self) -> str:
        return "\n".join(self._lines)

    @property
    def marks(self) -> tuple[tuple[int, int], ...]:
        return _merged(self._marks)


def _merged(spans: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    # Two rules finding the same name, or two names sharing letters, give one mark.
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _rule_line(prefix: str, rule: Rule, hit: Hit) -> str:
    severity = str(rule.severity.value)
    return f"{prefix}{rule.title} ({rule.id} v{hit.rule_version}, {severity})"


def _one_line(text: str) -> str:
    # Titles become e-mail subjects and chat headlines: one line, no runs of blanks.
    return _WS_RUN.sub(" ", text).strip()


def _iso_utc(when: datetime) -> str:
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _names_found(rule: Rule, mentions: tuple[Mention, ...]) -> list[tuple[str, list[str]]]:
    found: dict[str, list[str]] = {}
    for mention in mentions:
        surfaces = found.setdefault(mention.entity, [])
        if mention.surface and mention.surface not in surfaces:
            surfaces.append(mention.surface)
    named: list[tuple[str, list[str]]] = []
    for key, surfaces in found.items():
        try:
            label = rule.entity(key).canonical or key
        except KeyError:
            label = key
        named.append((label, surfaces))
    return named


@dataclass(frozen=True, slots=True)
class _Found:
    """A mention located in the text of its (summary or content) field."""

    order: int  # of its field in Article.text_fields
    start: int
    end: int
    field: str
    entity: str


def _add_passages(
    body: _Body, article: Article, headline: str, mentions: tuple[Mention, ...]
) -> None:
    """The summary (or the start of the content), then a passage around each matched name it
    does not show; never the title, which the alert's title carries."""
    texts = dict(article.text_fields)
    order = {name: i for i, (name, _) in enumerate(article.text_fields)}
    found: list[_Found] = []
    for mention in mentions:
        text = texts.get(mention.field)
        if mention.field == "title" or not text:
            continue
        span = _locate(text, mention)
        if span is not None:
            span = _mark_span(text, *span)
        if span is not None:
            found.append(_Found(order[mention.field], *span, mention.field, mention.entity))
    found.sort(key=lambda f: (f.order, f.start, f.end))

    shown: set[str] = set()

    def add(field: str, start: int, end: int, width: int) -> None:
        of_field = [f for f in found if f.field == field]
        wanted = [(f.start, f.end) for f in of_field]
        text, spans = _excerpt(texts[field], start, end, width, wanted)
        if not text:
            return
        body.blank()
        body.line(text, [span for span in spans if span is not None])
        shown.update(f.entity for f, span in zip(of_field, spans, strict=True) if span)

    lead = _lead_field(article, headline)
    if lead:
        add(lead, 0, 0, LEAD_CHARS)
    for _ in range(_MAX_SNIPPETS):
        missing = next((f for f in found if f.entity not in shown), None)
        if missing is None:
            break
        shown.add(missing.entity)  # even if its passage came out empty: no second try
        add(missing.field, missing.start, missing.end, SNIPPET_CHARS)


def _lead_field(article: Article, headline: str) -> str:
    # A feed that repeats its headline as the summary would show the headline twice.
    for field, text in (("summary", article.summary), ("content", article.content)):
        one_line = _one_line(text)
        if one_line and one_line != headline:
            return field
    return ""


def _mark_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``text[start:end]`` without blanks at its ends and grown to whole graphemes, so that
    a mark never separates a letter from its combining marks."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    return whole_graphemes(text, start, end)


def whole_graphemes(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` widened so it neither begins nor ends inside a grapheme: a combining
    mark or joiner at ``start`` takes the letter before it, those after ``end`` are taken in."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    while 0 < start < len(text) and _joins(text[start]):
        start -= 1
    return start, _grapheme_end(text, end)


def _locate(text: str, mention: Mention) -> tuple[int, int] | None:
    fits = 0 <= mention.start < mention.end <= len(text)
    if fits and (not mention.surface or text[mention.start : mention.end] == mention.surface):
        return mention.start, mention.end
    # Offsets that do not fit the text (a stale or hand-made hit) fall back to a search, so the
    # alert still shows the right passage instead of an arbitrary one.
    if mention.surface:
        at = text.find(mention.surface)
        if at >= 0:
            return at, at + len(mention.surface)
    return None


def make_snippet(text: str, start: int, end: int, *, width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters of ``text`` around ``text[start:end]``, cut at word boundaries.

    Cuts are marked with "…"; whitespace runs (line breaks) become single spaces. The characters
    themselves are never changed, so right-to-left text keeps its logical order.
    """
    return _excerpt(text, start, end, width)[0]


def _excerpt(
    text: str, start: int, end: int, width: int, spans: Sequence[tuple[int, int]] = ()
) -> tuple[str, list[tuple[int, int] | None]]:
    """``make_snippet``, and where each of ``spans`` (offsets into ``text``) is in it: None for
    a span the snippet does not hold whole."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    room = max(0, width - (end - start))
    before = room // 2
    after = room - before
    # Near either end of the text the unused room goes to the other side.
    if start < before:
        after += before - start
        before = start
    if len(text) - end < after:
        before = min(start, before + after - (len(text) - end))
        after = len(text) - end
    left = _cut_left(text, start - before, start)
    right = _cut_right(text, end + after, end)

    first, last = left, right
    while first < last and text[first].isspace():
        first += 1
    while last > first and text[last - 1].isspace():
        last -= 1
    if first == last:
        return "", [None] * len(spans)
    prefix = ELLIPSIS if text[:left].strip() else ""
    suffix = ELLIPSIS if text[right:].strip() else ""
    # at[i]: where text[first + i] lands in the snippet (a run of blanks becomes one space).
    chars: list[str] = [prefix]
    at: list[int] = []
    length = len(prefix)
    blank = False
    for char in text[first:last]:
        at.append(length)
        if not char.isspace():
            chars.append(char)
            length += 1
            blank = False
        elif not blank:
            chars.append(" ")
            length += 1
            blank = True
    at.append(length)
    chars.append(suffix)
    placed: list[tuple[int, int] | None] = [
        (at[s - first], at[e - first]) if first <= s < e <= last else None for s, e in spans
    ]
    return "".join(chars), placed


def _clean_cut(text: str, at: int) -> bool:
    return at <= 0 or at >= len(text) or text[at - 1].isspace() or text[at].isspace()


def _cut_left(text: str, at: int, limit: int) -> int:
    # Move right to a word boundary, but never into the mention itself.
    for i in range(at, min(limit, at + _BOUNDARY_SLACK) + 1):
        if _clean_cut(text, i):
            return i
    return _grapheme_start(text, at, limit)


def _cut_right(text: str, at: int, limit: int) -> int:
    for i in range(at, max(limit, at - _BOUNDARY_SLACK) - 1, -1):
        if _clean_cut(text, i):
            return i
    return _grapheme_end(text, at)


def _joins(char: str) -> bool:
    # Combining marks (Arabic harakat, accents, Indic vowel signs) and joiners belong to the
    # character before them: a cut must not separate them from it.
    return unicodedata.category(char) in ("Mn", "Mc", "Me") or char in "\u200c\u200d"


def _grapheme_start(text: str, at: int, limit: int) -> int:
    while at < limit and at < len(text) and _joins(text[at]):
        at += 1
    return at


def _grapheme_end(text: str, at: int) -> int:
    while at < len(text) and _joins(text[at]):
        at += 1
    return at
