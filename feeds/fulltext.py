"""An entry's full article text, fetched from its page: feeds with ``fulltext: true | auto``.

Many feeds carry a summary only (55–187 characters at the Jerusalem Post), so names in the
article body are never seen. For such a feed each new entry's page is fetched and its article
text extracted with trafilatura (Apache-2.0; the reference extractor for news, measured against
readability-lxml in ``benchmarks/bench_fulltext.py``). The feed's summary is kept as the
summary; the page's text becomes the content, and both are matched.

Politeness, as a crawler that comes back every few minutes owes it:

- at most ``per_host`` pages of one host at a time (default 1), ``host_delay`` seconds apart
  (default 1 s), and ``concurrency`` pages in all;
- robots.txt honoured for the pollers' user agent (read once per host, kept an hour; a
  robots.txt that cannot be read forbids nothing, as the standard says for a missing one);
- the pollers' ``Fetcher`` limits: timeouts, a body-size cap, redirects bounded and never to
  internal addresses;
- a cache of the pages fetched (text and validators, bounded): a page asked for again is
  revalidated with a conditional GET, not downloaded again.

A page that fails does not hold its entry back: the entry goes on with what the feed gave, and
the failure is returned so the poller can count it in the feed's health.
"""

from __future__ import annotations

import asyncio
import logging
import time
import urllib.robotparser
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlsplit

from feeds.config import DEFAULT_FULLTEXT_MIN_CHARS, FeedSpec
from feeds.fetch import USER_AGENT, FetchError, FetchResult
from feeds.poller import Sink
from newswatch.article import Article

__all__ = [
    "FullText",
    "PageFetcher",
    "PageReport",
    "PageResult",
    "PageSource",
    "extract_text",
    "full_text_sink",
    "wants_fulltext",
    "with_full_text",
]

log = logging.getLogger(__name__)

PAGE_BUDGET = 30.0  # seconds a feed's batch of pages may take before its entries go on without
CACHE_PAGES = 2000
ROBOTS_TTL = 3600.0


@dataclass(frozen=True, slots=True)
class FullText:
    """A feed's full-text setting: off, on, or on for entries shorter than ``min_chars``."""

    mode: str = "off"  # off | on | auto
    min_chars: int = DEFAULT_FULLTEXT_MIN_CHARS


def wants_fulltext(setting: FullText, text_chars: int) -> bool:
    """Whether an entry with ``text_chars`` characters of summary and content is fetched."""
    if setting.mode == "on":
        return True
    return setting.mode == "auto" and text_chars < setting.min_chars


def extract_text(html: bytes | str, url: str) -> str:
    """The article text of a page (paragraphs on their own lines), or "" if none is found."""
    import trafilatura  # imported on use: only feeds with full text need it

    text = trafilatura.extract(
        html,
        url=url,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        # Not trafilatura's own dedupe: it remembers texts across calls, process-wide, and
        # would empty a page seen before (the same wire story at a second URL). Stories do that.
        deduplicate=False,
    )
    return (text or "").strip()


@dataclass(frozen=True, slots=True)
class PageResult:
    url: str
    text: str = ""
    error: str = ""  # why there is no text (HTTP error, robots.txt, nothing extracted)


class _PageCache:
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, tuple[str, str | None, str | None]] = OrderedDict()

    def get(self, url: str) -> tuple[str, str | None, str | None] | None:
        item = self._items.get(url)
        if item is not None:
            self._items.move_to_end(url)
        return item

    def put(self, url: str, text: str, etag: str | None, last_modified: str | None) -> None:
        self._items[url] = (text, etag, last_modified)
        self._items.move_to_end(url)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


class PageSource(Protocol):
    """What page fetching needs from ``feeds.fetch.Fetcher``."""

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult: ...


class PageFetcher:
    """Fetches article pages politely (see the module docstring) through ``source`` (the
    pollers' ``Fetcher``)."""

    def __init__(
        self,
        source: PageSource,
        *,
        concurrency: int = 8,
        per_host: int = 1,
        host_delay: float = 1.0,
        user_agent: str = USER_AGENT,
        clock: Callable[[], float] = time.monotonic,
        cache_pages: int = CACHE_PAGES,
    ) -> None:
        self._source = source
        self._all = asyncio.Semaphore(max(1, concurrency))
        self._per_host = max(1, per_host)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._last: dict[str, float] = {}
        self._delay = host_delay
        self._agent = user_agent
        self._clock = clock
        self._cache = _PageCache(cache_pages)
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None]] = {}
        self._robots_lock: dict[str, asyncio.Lock] = {}
        self.fetched = 0  # pages downloaded (not counting robots.txt and 304s)

    async def page(self, url: str) -> PageResult:
        """The article text at ``url``; never raises for the page's own faults."""
        host = urlsplit(url).netloc.lower()
        if not host or urlsplit(url).scheme not in ("http", "https"):
            return PageResult(url, error="not an http(s) URL")
        if not await self._allowed(url, host):
            return PageResult(url, error="forbidden by robots.txt")
        cached = self._cache.get(url)
        async with self._all, self._host_slot(host):
            await self._pace(host)
            try:
                result = await self._get(url, cached)
            except FetchError as exc:
                return PageResult(url, error=str(exc))
        if result.not_modified and cached is not None:
            return PageResult(url, text=cached[0])
        self.fetched += 1
        text = extract_text(result.body, result.url)
        self._cache.put(url, text, result.etag, result.last_modified)
        return PageResult(url, text=text) if text else PageResult(url, error="no article text")

    async def _get(
        self, url: str, cached: tuple[str, str | None, str | None] | None
    ) -> FetchResult:
        etag, modified = (cached[1], cached[2]) if cached is not None else (None, None)
        return await self._source.fetch(url, etag=etag, last_modified=modified)

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self._per_host)
        return self._hosts[host]

    async def _pace(self, host: str) -> None:
        """Wait until ``host_delay`` has passed since the last request to ``host``."""
        last = self._last.get(host)
        if last is not None:
            wait = last + self._delay - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
        self._last[host] = self._clock()

    async def _allowed(self, url: str, host: str) -> bool:
        parts = urlsplit(url)
        lock = self._robots_lock.setdefault(host, asyncio.Lock())
        async with lock:
            known = self._robots.get(host)
            if known is None or self._clock() - known[0] > ROBOTS_TTL:
                known = (self._clock(), await self._read_robots(f"{parts.scheme}://{parts.netloc}"))
                self._robots[host] = known
        rules = known[1]
        return rules is None or rules.can_fetch(self._agent, url)

    async def _read_robots(self, root: str) -> urllib.robotparser.RobotFileParser | None:
        """The site's robots.txt rules; None (nothing forbidden) when it cannot be read."""
        try:
            result = await self._get(root + "/robots.txt", None)
        except FetchError:
            return None
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(result.body.decode("utf-8", "replace").splitlines())
        return parser


@dataclass(frozen=True, slots=True)
class PageReport:
    """What fetching one feed batch's pages gave: pages with text, failed, the last error."""

    ok: int = 0
    failed: int = 0
    error: str | None = None


async def with_full_text(
    spec: FeedSpec,
    articles: list[Article],
    pages: PageFetcher,
    *,
    budget: float = PAGE_BUDGET,
) -> tuple[list[Article], PageReport]:
    """``articles`` with their pages' text as content where ``spec`` asks for it. A page that
    fails, or is not back within ``budget`` seconds, leaves its entry as the feed gave it."""
    setting = FullText(spec.fulltext, spec.fulltext_min_chars)
    wanted = [
        i
        for i, a in enumerate(articles)
        if a.url and wants_fulltext(setting, len(a.summary) + len(a.content))
    ]
    if not wanted:
        return articles, PageReport()
    tasks = {i: asyncio.create_task(pages.page(articles[i].url)) for i in wanted}
    done, pending = await asyncio.wait(tasks.values(), timeout=budget)
    for task in pending:
        task.cancel()
    out = list(articles)
    ok = failed = 0
    error: str | None = None
    for i, task in tasks.items():
        if task not in done or task.cancelled() or task.exception() is not None:
            failed += 1
            error = f"{articles[i].url}: no page within {budget:g} s"
            continue
        result = task.result()
        if not result.text:
            failed += 1
            error = f"{result.url}: {result.error}"
            continue
        ok += 1
        if len(result.text) > len(out[i].content):
            out[i] = replace(out[i], content=result.text)
    return out, PageReport(ok, failed, error)


class PageCounter(Protocol):
    """Where a feed's page counts go (``feeds.state.FeedStateStore.record_pages``)."""

    def record_pages(
        self, feed_id: str, ok: int, failed: int, error: str | None, *, at: datetime
    ) -> None: ...


def full_text_sink(
    sink: Sink,
    pages: PageFetcher,
    counts: PageCounter,
    *,
    budget: float = PAGE_BUDGET,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Sink:
    """``sink`` with the entries of ``fulltext:`` feeds given their pages' text first; each
    feed's page counts recorded in its health. The poller marks entries seen only after this
    returns, so an entry is never lost to a page fetch (a crash fetches its page again)."""

    async def enriched(spec: FeedSpec, articles: Sequence[Article]) -> None:
        batch = list(articles)
        if spec.fulltext != "off" and batch:
            batch, report = await with_full_text(spec, batch, pages, budget=budget)
            counts.record_pages(spec.id, report.ok, report.failed, report.error, at=clock())
            if report.failed:
                log.info(
                    "%s: %d of %d page(s) without full text (last: %s)",
                    spec.id,
                    report.failed,
                    report.ok + report.failed,
                    report.error,
                )
        await sink(spec, batch)

    return enriched
