"""One feed (or web page) fetched once, with no state: ``feeds fetch``, ``rules test --feed``
and ``explain URL``. The same ``Fetcher`` (timeouts, caps, redirects) and the same
``parse_feed`` as the pollers, so what these commands see is what a poller would see.

All three raise ``feeds.fetch.FetchError`` when the fetch itself fails; a body that parses
badly still gives whatever entries parse, with the parse error beside them.
"""

from __future__ import annotations

import asyncio
import html
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from feeds.config import FeedSpec
from feeds.fetch import Fetcher, FetchLimits, FetchResult
from feeds.parse import ParsedFeed, html_to_text, parse_feed
from newswatch.article import Article, make_article_id

__all__ = ["feed_id_for", "fetch_feed", "fetch_once", "fetch_page"]

DEFAULT_TIMEOUT = 30.0
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


async def fetch_once(spec: FeedSpec, limits: FetchLimits) -> tuple[ParsedFeed, FetchResult]:
    """Fetch ``spec`` once (with its headers) and parse what came back."""
    async with Fetcher(limits=limits) as fetcher:
        result = await fetcher.fetch(spec.url, headers=spec.header_dict)
    parsed = parse_feed(
        result.body,
        spec,
        content_type=result.content_type,
        base_url=result.url,
        fetched=datetime.now(UTC),
    )
    return parsed, result


def feed_id_for(url: str) -> str:
    """A feed id made from a URL's host, for a feed that is in no feed list."""
    host = urlsplit(url).hostname or "feed"
    return re.sub(r"[^a-z0-9-]+", "-", host.lower()).strip("-") or "feed"


def fetch_feed(
    url: str, *, feed_id: str | None = None, language: str = "", timeout: float = DEFAULT_TIMEOUT
) -> tuple[list[Article], str | None]:
    """The articles of the feed at ``url``, and the parse error if any."""
    spec = FeedSpec(id=feed_id or feed_id_for(url), url=url, language=language)
    parsed, _ = asyncio.run(fetch_once(spec, FetchLimits(read_timeout=timeout)))
    return list(parsed.articles), parsed.error


def fetch_page(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> list[Article]:
    """The article(s) at ``url``: a feed's entries, or a web page as one article (its
    ``<title>`` and its text)."""
    spec = FeedSpec(id=feed_id_for(url), url=url)
    parsed, result = asyncio.run(fetch_once(spec, FetchLimits(read_timeout=timeout)))
    if parsed.articles:
        return list(parsed.articles)
    page = result.body.decode("utf-8", "replace")
    found = _TITLE.search(page)
    title = " ".join(html.unescape(found.group(1)).split()) if found else ""
    text = html_to_text(_TITLE.sub("", page))
    return [
        Article(
            id=make_article_id(spec.id, None, result.url, title, text),
            feed=spec.id,
            url=result.url,
            title=title,
            content=text,
            fetched=datetime.now(UTC),
        )
    ]
