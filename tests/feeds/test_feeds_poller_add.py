"""Poller.add: a feed added while the monitor runs (the web page's "add a feed")."""

from __future__ import annotations

import asyncio

import pytest

from feeds.config import FeedSpec
from feeds.fetch import Fetcher
from feeds.poller import Poller
from feeds.state import FeedStateStore
from tests.support.feed_server import FeedServer, read_fixture
from tests.support.sinks import Collector, eventually

RSS = read_fixture("rss_ar_ru.xml")


def spec(feed_id: str, url: str = "http://127.0.0.1:9/rss", *, enabled: bool = True) -> FeedSpec:
    return FeedSpec(id=feed_id, url=url, interval=60.0, language="ar", enabled=enabled)


async def test_add_while_not_running_keeps_it_for_later(
    fetcher: Fetcher, state: FeedStateStore
) -> None:
    poller = Poller([spec("a")], fetcher, state)
    assert poller.add(spec("b")) is False
    assert [s.id for s in poller.specs] == ["a", "b"]


async def test_add_a_duplicate_id_raises_and_changes_nothing(
    fetcher: Fetcher, state: FeedStateStore
) -> None:
    poller = Poller([spec("a")], fetcher, state)
    with pytest.raises(ValueError, match="'a'"):
        poller.add(spec("a", "http://127.0.0.1:9/other"))
    assert poller.specs == (spec("a"),)
    poller.add(spec("b"))
    with pytest.raises(ValueError):
        poller.add(spec("b"))  # one added later counts too
    assert [s.id for s in poller.specs] == ["a", "b"]


async def test_a_feed_added_while_running_is_polled(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    first = spec("first", feed_server.route("/first", RSS))
    poller = Poller([first], fetcher, state)
    sink = Collector()
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(sink, stop))
    try:
        await eventually(lambda: sink.feeds() == {"first"})
        added = spec("added", feed_server.route("/added", RSS))
        assert poller.add(added) is True
        await eventually(lambda: "added" in sink.feeds())
        assert len(feed_server.requests("/added")) >= 1
        # A disabled feed is listed but not polled.
        off = spec("off", feed_server.route("/off", RSS), enabled=False)
        assert poller.add(off) is False
        assert [s.id for s in poller.specs] == ["first", "added", "off"]
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=2.0)
    assert feed_server.requests("/off") == []
    # Once run has returned, the poller is no longer running.
    assert poller.add(spec("later", feed_server.url("/later"))) is False
