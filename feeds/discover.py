"""Finding a site's feeds from its page: `feeds add URL` and the web page's "add a feed".

A URL that is a feed is taken as it is. A web page is read for the feeds it announces — ``<link
rel="alternate" type="application/rss+xml | application/atom+xml | ...">`` in its head, as
every feed reader's discovery does — and, if it announces none, the paths sites commonly serve
feeds at (``/feed``, ``/rss.xml``...). Each candidate is fetched once and kept only if it parses
as a feed with entries, so what is written to the list is known to work. The page's own language
(``<html lang>``) is remembered for a feed that does not declare one.

The HTML is read with the standard library's parser (``html.parser``); fetching goes through the
pollers' ``Fetcher`` (timeouts, size cap, redirects, no internal addresses).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from feeds.config import FeedSpec
from feeds.fetch import FetchError, FetchLimits
from feeds.once import feed_id_for, fetch_once
from feeds.parse import normalise_language

__all__ = ["COMMON_PATHS", "Discovery", "FoundFeed", "discover", "page_feeds"]

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/xml",
        "text/xml",
    }
)
# Where sites serve feeds without announcing them (WordPress, Blogger, Ghost, Hugo, Jekyll...).
COMMON_PATHS = (
    "/feed",
    "/rss",
    "/rss.xml",
    "/feed.xml",
    "/atom.xml",
    "/index.xml",
    "/feeds/posts/default",
)
MAX_CANDIDATES = 12  # fetched at most, per page


@dataclass(frozen=True, slots=True)
class FoundFeed:
    url: str
    title: str
    entries: int
    language: str  # the feed's own, else the page's


@dataclass(frozen=True, slots=True)
class Discovery:
    feeds: tuple[FoundFeed, ...]
    tried: tuple[tuple[str, str], ...]  # (candidate URL, why it is not a feed)
    page_language: str = ""


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.alternates: list[tuple[str, str]] = []  # (href, title)
        self.language = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        if tag == "html" and not self.language:
            self.language = values.get("lang", "") or values.get("xml:lang", "")
        if tag != "link" or "alternate" not in values.get("rel", "").lower().split():
            return
        kind = values.get("type", "").split(";")[0].strip().lower()
        if kind in FEED_TYPES and values.get("href", "").strip():
            self.alternates.append((values["href"].strip(), values.get("title", "").strip()))


def page_feeds(html: str, base_url: str) -> tuple[list[tuple[str, str]], str]:
    """The feeds a page announces ((absolute URL, title), in page order, once each) and the
    page's language, from its HTML (pure)."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    out: dict[str, str] = {}
    for href, title in parser.alternates:
        url = urljoin(base_url, href)
        if urlsplit(url).scheme in ("http", "https"):
            out.setdefault(url, title)
    return list(out.items()), normalise_language(parser.language)


def _common(base_url: str) -> list[tuple[str, str]]:
    parts = urlsplit(base_url)
    root = f"{parts.scheme}://{parts.netloc}"
    return [(root + path, "") for path in COMMON_PATHS]


async def discover(url: str, limits: FetchLimits) -> Discovery:
    """The feeds at ``url``: itself if it is a feed, else those its page announces, else those
    at the common paths; each fetched once to check it. ``FetchError`` if ``url`` cannot be
    fetched at all."""
    spec = FeedSpec(id=feed_id_for(url), url=url)
    parsed, result = await fetch_once(spec, limits)
    if parsed.articles:
        language = parsed.articles[0].language
        return Discovery((FoundFeed(result.url, "", len(parsed.articles), language),), ())
    page = result.body.decode("utf-8", "replace")
    announced, page_language = page_feeds(page, result.url)
    candidates = announced or _common(result.url)
    found: list[FoundFeed] = []
    tried: list[tuple[str, str]] = []
    for candidate, title in candidates[:MAX_CANDIDATES]:
        outcome = await _check(candidate, title, page_language, limits)
        if isinstance(outcome, FoundFeed):
            found.append(outcome)
        else:
            tried.append((candidate, outcome))
    return Discovery(tuple(found), tuple(tried), page_language)


async def _check(url: str, title: str, page_language: str, limits: FetchLimits) -> FoundFeed | str:
    spec = FeedSpec(id=feed_id_for(url), url=url, language="")
    try:
        parsed, result = await fetch_once(spec, limits)
    except FetchError as exc:
        return str(exc)
    if not parsed.articles:
        return parsed.error or "no entries"
    declared = parsed.articles[0].language if parsed.articles[0].language_source == "feed" else ""
    return FoundFeed(result.url, title, len(parsed.articles), declared or page_language)


def best(feeds: Sequence[FoundFeed]) -> FoundFeed | None:
    """The feed to add when a page has several: the first it announces (sites list their main
    feed first; comment feeds come after)."""
    return feeds[0] if feeds else None
