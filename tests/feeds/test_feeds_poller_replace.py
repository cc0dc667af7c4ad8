"""Poller.replace: a new feed list applied while the poller runs (the feed list file edited).

Against the real local feed server: what is polled is what the server was asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import pytest

from feeds.config import FeedSpec
from feeds.fetch import Fetcher
from feeds.poller import Poller, Sink
from feeds.state import FeedStateStore
from feeds.watch import FeedListChange
from newswatch.article import Article
from tests.support.feed_server import FeedServer, read_fixture
from tests.support.sinks import Collector, eventually

RSS = read_fixture("rss_ar_ru.xml")


def spec(feed_id: str, url: str, *, interval: float = 0.05, enabled: bool = True) -> FeedSpec:
    return FeedSpec(id=feed_id, url=url, interval=interval, language="ar", enabled=enabled)


@asynccontextmanager
async def running(poller: Poller, sink: Sink) -> AsyncIterator[asyncio.Task[None]]:
    """``poller.run`` in a task, stopped (and awaited, bounded) on the way out."""
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(sink, stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=3.0)


def test_replace_while_not_running_keeps_the_list_for_later(
    fetcher: Fetcher, state: FeedStateStore
) -> None:
    a, b = spec("a", "http://127.0.0.1:9/a"), spec("b", "http://127.0.0.1:9/b")
    poller = Poller([a, b], fetcher, state)
    c = spec("c", "http://127.0.0.1:9/c")
    slower = spec("a", a.url, interval=60)
    change = poller.replace([c, slower])
    assert change == FeedListChange(added=("c",), removed=("b",), changed=("a",))
    assert poller.specs == (c, slower)
    assert not poller.replace([c, slower])  # the same list again: nothing changed


def test_replace_refuses_a_duplicate_id_and_changes_nothing(
    fetcher: Fetcher, state: FeedStateStore
) -> None:
    a = spec("a", "http://127.0.0.1:9/a")
    poller = Poller([a], fetcher, state)
    with pytest.raises(ValueError, match="duplicate feed id"):
        poller.replace([a, spec("b", "http://127.0.0.1:9/b"), spec("b", "http://127.0.0.1:9/c")])
    assert poller.specs == (a,)


async def test_an_added_feed_is_polled_and_a_removed_one_no_longer(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    old = spec("old", feed_server.route("/old", RSS))
    new = spec("new", feed_server.route("/new", RSS))
    poller = Poller([old], fetcher, state)
    sink = Collector()
    async with running(poller, sink):
        await eventually(lambda: len(feed_server.requests("/old")) >= 2)
        change = poller.replace([new])
        assert change == FeedListChange(added=("new",), removed=("old",))
        await eventually(lambda: len(feed_server.requests("/new")) >= 1)
        polled_old = len(feed_server.requests("/old"))
        # Many intervals of 0.05 s: the old feed would have been asked again by now.
        await eventually(lambda: len(feed_server.requests("/new")) >= 6)
        assert len(feed_server.requests("/old")) == polled_old
    assert {feed for feed, _ in sink.calls} == {"old", "new"}
    assert poller.specs == (new,)


async def test_a_disabled_feed_stops_and_an_enabled_one_starts(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    on = spec("on", feed_server.route("/on", RSS))
    off = spec("off", feed_server.route("/off", RSS), enabled=False)
    poller = Poller([on, off], fetcher, state)
    async with running(poller, Collector()):
        await eventually(lambda: len(feed_server.requests("/on")) >= 2)
        assert feed_server.requests("/off") == []
        change = poller.replace([spec("on", on.url, enabled=False), spec("off", off.url)])
        assert change == FeedListChange(changed=("on", "off"))
        await eventually(lambda: len(feed_server.requests("/off")) >= 1)
        polled_on = len(feed_server.requests("/on"))
        await eventually(lambda: len(feed_server.requests("/off")) >= 6)
        assert len(feed_server.requests("/on")) == polled_on


async def test_a_shorter_interval_applies_at_once(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    slow = spec("feed", feed_server.route("/rss", RSS, etag='"v1"'), interval=60)
    poller = Poller([slow], fetcher, state)
    async with running(poller, Collector()):
        await eventually(lambda: len(feed_server.requests("/rss")) == 1)
        await asyncio.sleep(0.3)
        assert len(feed_server.requests("/rss")) == 1  # next poll in a minute
        change = poller.replace([spec("feed", slow.url, interval=0.05)])
        assert change.changed == ("feed",)
        # Not a minute from the last poll: within the new interval.
        await eventually(lambda: len(feed_server.requests("/rss")) >= 4, timeout=3.0)
        # Same URL: the validators are kept, so these are conditional GETs.
        assert feed_server.requests("/rss")[-1].headers.get("if-none-match") == '"v1"'


async def test_a_new_url_is_polled_at_once_without_the_old_validators(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    first = spec("feed", feed_server.route("/first", RSS, etag='"v1"'), interval=60)
    poller = Poller([first], fetcher, state)
    sink = Collector()
    async with running(poller, sink):
        await eventually(lambda: len(sink.calls) == 1)
        moved = spec("feed", feed_server.route("/moved", RSS, etag='"v2"'), interval=60)
        assert poller.replace([moved]).changed == ("feed",)
        await eventually(lambda: len(feed_server.requests("/moved")) == 1, timeout=3.0)
    (request,) = feed_server.requests("/moved")
    assert "if-none-match" not in request.headers  # "v1" is the old URL's
    assert len(feed_server.requests("/first")) == 1


async def test_a_removed_feed_finishes_its_sink_call_in_progress(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    gone = spec("gone", feed_server.route("/gone", RSS))
    entered, release = asyncio.Event(), asyncio.Event()
    delivered: list[Article] = []

    async def slow_sink(feed: FeedSpec, articles: Sequence[Article]) -> None:
        entered.set()
        await release.wait()
        delivered.extend(articles)

    poller = Poller([gone], fetcher, state)
    async with running(poller, slow_sink) as task:
        await asyncio.wait_for(entered.wait(), timeout=5)
        assert poller.replace([]).removed == ("gone",)
        await asyncio.sleep(0.2)
        assert delivered == []  # not cut short: still inside the sink
        release.set()
        await eventually(lambda: len(delivered) == 3)
        await eventually(lambda: state.seen_count("gone") == 3)  # and marked seen after it
        await asyncio.sleep(0.3)  # six intervals: a loop still going would have polled again
        assert len(feed_server.requests("/gone")) == 1
        assert not task.done()  # the poller itself goes on


async def test_a_changed_feed_restarts_only_after_its_sink_call(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    feed = spec("feed", feed_server.route("/rss", RSS))
    entered, release = asyncio.Event(), asyncio.Event()
    calls: list[str] = []

    async def slow_sink(spec_now: FeedSpec, articles: Sequence[Article]) -> None:
        calls.append(spec_now.language)
        entered.set()
        await release.wait()

    poller = Poller([feed], fetcher, state)
    async with running(poller, slow_sink):
        await asyncio.wait_for(entered.wait(), timeout=5)
        # The language changes: the new spec's loop must wait for the old one's sink call,
        # or the same entries would be fetched and handed on twice at once.
        changed = FeedSpec(id="feed", url=feed.url, interval=0.05, language="ru")
        assert poller.replace([changed]).changed == ("feed",)
        await asyncio.sleep(0.3)
        assert len(feed_server.requests("/rss")) == 1
        release.set()
        await eventually(lambda: len(feed_server.requests("/rss")) >= 3)
    assert calls == ["ar"]  # the entries were handed on once, then seen
    assert state.seen_count("feed") == 3


async def test_the_tally_follows_the_first_round_and_the_list(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    good = spec("good", feed_server.route("/good", RSS))
    bad = spec("bad", feed_server.route("/bad", b"boom", status=500, content_type="text/plain"))
    off = spec("off", feed_server.url("/off"), enabled=False)
    poller = Poller([good, bad, off], fetcher, state)
    async with running(poller, Collector()):
        await eventually(lambda: poller.tally.first_round(60) is not None)
        summary = poller.tally.first_round(60)
        assert summary is not None
        assert (summary.configured, summary.reachable, summary.disabled) == (2, 1, 1)
        assert summary.failed == (("bad", f"HTTP 500 Internal Server Error at {bad.url}"),)
        assert poller.tally.pulse(articles=0).failing == ("bad",)
        poller.replace([good])
        pulse = poller.tally.pulse(articles=0)
        assert (pulse.feeds, pulse.failing) == (1, ())
        assert pulse.polls >= 2
