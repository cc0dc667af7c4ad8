"""Full article text from entry pages (feeds/fulltext.py), against a real local HTTP server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from feeds.config import FeedSpec
from feeds.fetch import Fetcher, FetchLimits
from feeds.fulltext import FullText, PageFetcher, extract_text, full_text_sink, wants_fulltext
from feeds.state import FeedStateStore
from newswatch.article import Article
from tests.support.feed_server import FeedServer, Route

PAGE = (Path(__file__).parents[1] / "fixtures" / "pages" / "article_ar.html").read_bytes()


def test_the_article_is_extracted_and_the_boilerplate_left_out() -> None:
    text = extract_text(PAGE, "https://news.example.org/2016/08/lavrov-kerry")
    assert "التقى وزير الخارجية الروسي سيرغي لافروف نظيره الأميركي جون كيري" in text
    assert "وصول المساعدات الإنسانية إلى المدنيين المحاصرين" in text
    for boilerplate in ("ملفات تعريف الارتباط", "أسعار النفط", "جميع الحقوق محفوظة", "مقال رائع"):
        assert boilerplate not in text


def test_auto_fetches_short_entries_only() -> None:
    assert wants_fulltext(FullText("auto", 400), 120)
    assert not wants_fulltext(FullText("auto", 400), 2000)
    assert wants_fulltext(FullText("on"), 5000) and not wants_fulltext(FullText("off"), 0)


def html_route(body: bytes, **options: object) -> Route:
    return Route(body=body, content_type="text/html; charset=utf-8", **options)  # type: ignore[arg-type]


async def test_robots_txt_is_honoured(feed_server: FeedServer) -> None:
    feed_server.route(
        "/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    feed_server.set_route("/private/a.html", html_route(PAGE))
    feed_server.set_route("/news/b.html", html_route(PAGE))
    async with Fetcher(limits=FetchLimits(read_timeout=5)) as fetcher:
        pages = PageFetcher(fetcher, host_delay=0)
        forbidden = await pages.page(feed_server.url("/private/a.html"))
        allowed = await pages.page(feed_server.url("/news/b.html"))
    assert forbidden.error == "forbidden by robots.txt" and not forbidden.text
    assert feed_server.requests("/private/a.html") == []  # never asked for
    assert "سيرغي لافروف" in allowed.text
    assert len(feed_server.requests("/robots.txt")) == 1  # read once for the host


async def test_one_host_is_paced_and_a_slow_host_holds_no_other_up(
    feed_server_factory: Callable[[], FeedServer],
) -> None:
    slow, fast = feed_server_factory(), feed_server_factory()
    slow.set_route("/a.html", html_route(PAGE, delay=1.5))
    fast.set_route("/b.html", html_route(PAGE))
    fast.set_route("/c.html", html_route(PAGE))
    async with Fetcher(limits=FetchLimits(read_timeout=5)) as fetcher:
        pages = PageFetcher(fetcher, concurrency=4, host_delay=0.3)
        started = time.monotonic()
        done: dict[str, float] = {}

        async def one(url: str) -> None:
            result = await pages.page(url)
            assert result.text, result.error
            done[url] = time.monotonic() - started

        await asyncio.gather(
            one(slow.url("/a.html")), one(fast.url("/b.html")), one(fast.url("/c.html"))
        )
    assert done[fast.url("/b.html")] < 1.0 and done[fast.url("/c.html")] < 1.2  # not behind slow
    first, second = sorted((done[fast.url("/b.html")], done[fast.url("/c.html")]))
    assert second - first >= 0.25  # one host's pages come host_delay apart
    assert done[slow.url("/a.html")] >= 1.5


async def test_a_page_asked_for_again_is_revalidated_not_downloaded(
    feed_server: FeedServer,
) -> None:
    feed_server.set_route("/a.html", html_route(PAGE, etag='"v1"'))
    async with Fetcher(limits=FetchLimits(read_timeout=5)) as fetcher:
        pages = PageFetcher(fetcher, host_delay=0)
        first = await pages.page(feed_server.url("/a.html"))
        again = await pages.page(feed_server.url("/a.html"))
    assert first.text and again.text == first.text
    requests = feed_server.requests("/a.html")
    assert len(requests) == 2 and requests[1].headers.get("if-none-match") == '"v1"'
    assert requests[1].status == 304 and pages.fetched == 1


async def test_a_failing_page_gives_its_reason_and_no_text(feed_server: FeedServer) -> None:
    feed_server.set_route("/gone.html", html_route(b"gone", status=404))
    async with Fetcher(limits=FetchLimits(read_timeout=5)) as fetcher:
        result = await PageFetcher(fetcher, host_delay=0).page(feed_server.url("/gone.html"))
    assert not result.text and "404" in result.error


async def test_short_entries_get_their_page_text_and_a_failure_holds_nothing_back(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.set_route("/short.html", html_route(PAGE))
    feed_server.set_route("/broken.html", html_route(b"oops", status=500))
    spec = FeedSpec("jpost", feed_server.url("/feed"), fulltext="auto", fulltext_min_chars=200)
    short = Article(
        "a", feed="jpost", url=feed_server.url("/short.html"), summary="Lavrov met Kerry."
    )
    long = Article("b", feed="jpost", url=feed_server.url("/long.html"), summary="x" * 300)
    broken = Article("c", feed="jpost", url=feed_server.url("/broken.html"), title="Kerry")
    delivered: list[Article] = []

    async def sink(_: FeedSpec, articles: Sequence[Article]) -> None:
        delivered.extend(articles)

    with FeedStateStore(tmp_path / "feeds.sqlite3") as state:
        async with Fetcher(limits=FetchLimits(read_timeout=5)) as fetcher:
            enriched = full_text_sink(sink, PageFetcher(fetcher, host_delay=0), state)
            await enriched(spec, [short, long, broken])
        health = state.get_health("jpost")
    by_id = {a.id: a for a in delivered}
    assert list(by_id) == ["a", "b", "c"]  # every entry delivered, in order
    assert "سيرغي لافروف" in by_id["a"].content and by_id["a"].summary == "Lavrov met Kerry."
    assert by_id["b"] == long and feed_server.requests("/long.html") == []  # long enough
    assert by_id["c"] == broken  # its page failed: as the feed gave it
    assert health is not None and (health.pages_ok, health.pages_failed) == (1, 1)
    assert health.page_error is not None and "500" in health.page_error


async def test_a_feed_without_fulltext_is_passed_through_untouched(feed_server: FeedServer) -> None:
    delivered: list[Article] = []

    async def sink(_: FeedSpec, articles: Sequence[Article]) -> None:
        delivered.extend(articles)

    class Counts:
        calls = 0

        def record_pages(self, *args: object, **kwargs: object) -> None:
            Counts.calls += 1

    article = Article("a", url=feed_server.url("/a.html"), summary="short")
    async with Fetcher(limits=FetchLimits(read_timeout=5)) as fetcher:
        enriched = full_text_sink(sink, PageFetcher(fetcher), Counts())
        await enriched(FeedSpec("plain", feed_server.url("/feed")), [article])
    assert delivered == [article] and feed_server.requests() == [] and Counts.calls == 0
