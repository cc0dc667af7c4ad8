"""Feed documents to articles: pure, no I/O (feedparser is only given bytes, never a URL).

feedparser does the hard part (RSS 0.9x/1.0/2.0, Atom, encodings, relative links, broken XML);
this module decides what is an error, turns entry HTML into plain text and fills ``Article``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser

from feeds.config import FeedSpec
from feeds.language import choose_language
from newswatch.article import Article, make_article_id
from newswatch.links import canonical_url

__all__ = ["ParsedFeed", "html_to_text", "normalise_language", "parse_feed"]

# feedparser reports these as "bozo" but has recovered correctly: the XML declaration's charset
# beat the HTTP default (RFC 7303 agrees), or a server labelled the feed text/html. Counting
# them as errors would flag half the real feeds as broken.
_BENIGN_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)

# fmt: off
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul",
})
# fmt: on
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript"})
_SPACES = re.compile(r"[^\S\n]+")  # whitespace except newlines
_LANG_PRIMARY = re.compile(r"[a-z]{2,8}")
_LANGUAGE_SAMPLE = 2000  # characters of the body a language detection reads, after the title
# expat's words for "the document ended inside an element": a cut-off download or file.
_EOF_ERRORS = ("no element found", "unclosed token", "unclosed cdata section")
_ENTRY_START = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")
_ENTRY_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>")
_HTML_START = re.compile(
    rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I | re.S
)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """The articles found, and the reason if the document was broken (possibly with articles)."""

    articles: tuple[Article, ...]
    error: str | None = None


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def _collapse(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: entities decoded, tags gone, blocks on their own lines."""
    if "<" not in html and "&" not in html:
        return _collapse(html)
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return _collapse("".join(parser.parts))


def _detail_text(value: Any, detail: Any) -> str:
    """Text of a feedparser value; text/plain is already unescaped and must not be re-parsed."""
    if not isinstance(value, str) or not value:
        return ""
    kind = detail.get("type", "") if isinstance(detail, dict) else ""
    return _collapse(value) if kind == "text/plain" else html_to_text(value)


def normalise_language(tag: object) -> str:
    """``fr-FR`` -> ``fr``; anything that is not a language tag -> ``""``."""
    if not isinstance(tag, str):
        return ""
    primary = re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()
    return primary if _LANG_PRIMARY.fullmatch(primary) else ""


def _declared_language(entry: Any, feed_language: str) -> str:
    """What the entry (or else the feed) says its language is."""
    candidates: list[object] = [entry.get("language")]
    for key in ("title_detail", "summary_detail"):
        detail = entry.get(key)
        if isinstance(detail, dict):
            candidates.append(detail.get("language"))
    for item in entry.get("content") or ():
        if isinstance(item, dict):
            candidates.append(item.get("language"))
    candidates.append(feed_language)
    for candidate in candidates:
        language = normalise_language(candidate)
        if language:
            return language
    return ""


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value is None:
            continue
        try:
            # feedparser gives a UTC struct_time, already shifted from the feed's offset.
            year, month, day, hour, minute, second = value[:6]
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except (TypeError, ValueError):
            continue
    return None


def _not_a_feed(body: bytes, result: Any) -> str:
    if not body.strip():
        return "not a feed: empty body"
    if _HTML_START.match(body.lstrip(b"\xef\xbb\xbf")):
        return "not a feed: HTML page"
    exc = result.get("bozo_exception")
    if exc is not None and not isinstance(exc, _BENIGN_BOZO):
        return f"not a feed: {_exception_text(exc)}"
    return "not a feed: no RSS, Atom or RDF root element"


def _exception_text(exc: BaseException) -> str:
    text = " ".join(str(exc).split()).removeprefix("<unknown>:")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _cut_inside_entry(body: bytes, exc: BaseException | None) -> bool:
    """True if the document ends inside an entry: that last entry is incomplete.

    Delivering it would mark its guid seen, and the complete entry would never be sent.
    """
    if exc is None or not str(exc).lower().endswith(_EOF_ERRORS):
        return False
    starts = list(_ENTRY_START.finditer(body))
    return bool(starts) and _ENTRY_END.search(body, starts[-1].end()) is None


def _article(
    entry: Any, spec: FeedSpec, base_url: str, feed_language: str, fetched: datetime
) -> Article:
    title = _detail_text(entry.get("title"), entry.get("title_detail"))
    summary = _detail_text(entry.get("summary"), entry.get("summary_detail"))
    content = ""
    items = entry.get("content") or ()
    if items and isinstance(items[0], dict):
        content = _detail_text(items[0].get("value"), items[0])
        if content == summary:
            content = ""  # feedparser copies a lone <content> into summary; keep one copy
    link = entry.get("link")
    url = (
        canonical_url(urljoin(base_url, link.strip()))
        if isinstance(link, str) and link.strip()
        else ""
    )
    guid = entry.get("id")
    declared = _declared_language(entry, feed_language)
    sample = " ".join((title, summary, content[:_LANGUAGE_SAMPLE]))
    listed = normalise_language(spec.language)
    language, language_source = choose_language(listed, declared, sample)
    return Article(
        id=make_article_id(spec.id, guid if isinstance(guid, str) else None, url, title, content),
        feed=spec.id,
        url=url,
        title=title,
        summary=summary,
        content=content,
        language=language,
        language_source=language_source,
        published=_entry_time(entry),
        fetched=fetched,
    )


def parse_feed(
    body: bytes,
    spec: FeedSpec,
    *,
    content_type: str = "",
    base_url: str = "",
    fetched: datetime,
) -> ParsedFeed:
    """Articles of one feed document; ``base_url`` resolves relative links (the final URL).

    A broken document keeps the entries that parsed and reports why in ``error``; a document
    that is no feed at all (HTML page, empty body) has an error and no articles.
    """
    headers = {"content-location": base_url or spec.url}
    if content_type:
        headers["content-type"] = content_type
    # BytesIO, not bytes: feedparser would treat a bytes/str argument as a path or URL to open.
    result = feedparser.parse(io.BytesIO(body), response_headers=headers)
    entries = result.get("entries") or []
    if not result.get("version") and not entries:
        return ParsedFeed((), _not_a_feed(body, result))

    feed = result.get("feed") or {}
    feed_language = feed.get("language") or ""
    exc = result.get("bozo_exception") if result.get("bozo") else None
    error = None
    if exc is not None and not isinstance(exc, _BENIGN_BOZO):
        error = _exception_text(exc)
    if entries and _cut_inside_entry(body, exc):
        entries = entries[:-1]
        error = f"{error} (document cut off: its last, incomplete entry was dropped)"

    articles: list[Article] = []
    seen: set[str] = set()
    for entry in entries:
        article = _article(entry, spec, base_url or spec.url, feed_language, fetched)
        if article.id not in seen:  # a feed listing one guid twice yields it once
            seen.add(article.id)
            articles.append(article)
    return ParsedFeed(tuple(articles), error)
