"""The alert: what one hit of one rule on one article tells a person (pure, no I/O).

An alert is plain text on purpose: chat targets and e-mail both render it as written, so Arabic,
Cyrillic or any other script arrives exactly as the feed wrote it. Nothing here reorders,
transliterates, escapes or strips characters (no bidi marks are added either: they would change
the text a reader searches for and some clients show them as boxes).
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
    "SNIPPET_CHARS",
    "Alert",
    "AlertError",
    "build_alert",
    "build_story_alert",
    "make_snippet",
]

SNIPPET_CHARS = 200
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
    several (the first is ``rule_id``); ``story`` is the story it opened."""

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

    lines = [article_title]
    if article.feed:
        lines.append(f"Feed: {article.feed}")
    if article.url:
        lines.append(f"Link: {article.url}")
    if article.published is not None:
        lines.append(f"Published: {_iso_utc(article.published)}")
    if len(ranked) == 1:
        lines.append(_rule_line("Rule: ", top_rule, top_hit))
    else:
        lines.append("Rules:")
        lines.extend(_rule_line("- ", rule, hit) for rule, hit in ranked)

    names: dict[str, list[str]] = {}
    for rule, hit in fired:
        for label, surfaces in _names_found(rule, hit.mentions):
            known = names.setdefault(label, [])
            known.extend(s for s in surfaces if s not in known)
    if names:
        lines.append("Names found:")
        lines.extend(f"- {entity}: {', '.join(surfaces)}" for entity, surfaces in names.items())

    snippet = _snippet_for(article, tuple(m for _, hit in fired for m in hit.mentions))
    if snippet:
        lines.extend(("", snippet))

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
        body="\n".join(lines),
        tags=tags or (default_tag.strip().lower(),),
        severity=severity,
        url=article.url,
        targets=targets,
        rules=tuple(rule.id for rule, _ in ranked) if len(ranked) > 1 else (),
        story=story,
    )


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


def _snippet_for(article: Article, mentions: tuple[Mention, ...]) -> str:
    texts = dict(article.text_fields)
    order = {name: i for i, (name, _) in enumerate(article.text_fields)}
    located: list[tuple[int, int, int, str]] = []
    for mention in mentions:
        text = texts.get(mention.field)
        if not text:
            continue
        span = _locate(text, mention)
        if span is not None:
            located.append((order[mention.field], span[0], span[1], mention.field))
    if not located:
        return ""
    # The title is already shown in full, so the first mention in the summary or content says
    # more; the title is used only when it holds the only mentions.
    in_body = [loc for loc in located if loc[3] != "title"]
    _, start, end, field = min(in_body or located)
    return make_snippet(texts[field], start, end)


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

    snippet = _WS_RUN.sub(" ", text[left:right]).strip()
    if not snippet:
        return ""
    cut_before = bool(text[:left].strip())
    cut_after = bool(text[right:].strip())
    return f"{ELLIPSIS if cut_before else ''}{snippet}{ELLIPSIS if cut_after else ''}"


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
