"""Hostile redirects (issue 17, item 2): a feed's redirect may not reach internal or metadata
addresses, nor take the feed's own headers to another host. Real servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from feeds.fetch import Fetcher, FetchLimits, RedirectRefused, redirect_refusal
from tests.support.feed_server import FeedServer, Route

RSS = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


def test_the_policy() -> None:
    def why(
        target: str, *, origin: bool = False, internal: bool = False, meta: bool = False
    ) -> str | None:
        return redirect_refusal(
            target, origin_internal=origin, target_internal=internal, target_metadata=meta
        )

    assert why("https://news.example.org/rss") is None
    assert "internal address" in (why("http://10.0.0.5/admin", internal=True) or "")
    # A feed the operator listed inside the network may redirect within it...
    assert why("http://10.0.0.6/rss", origin=True, internal=True) is None
    # ...but nobody goes to the metadata service, and only http(s) is followed.
    assert "metadata" in (why("http://169.254.169.254/latest/", origin=True, meta=True) or "")
    assert "file scheme" in (why("file:///etc/passwd") or "")


async def test_a_redirect_to_the_metadata_address_is_refused_before_connecting(
    feed_server: FeedServer,
) -> None:
    feed_server.set_route(
        "/feed", Route(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    )
    async with Fetcher(limits=FetchLimits(read_timeout=5, connect_timeout=2)) as fetcher:
        with pytest.raises(RedirectRefused, match="link-local or metadata address"):
            await fetcher.fetch(feed_server.url("/feed"))


async def test_the_feed_s_own_headers_do_not_follow_a_redirect_to_another_host(
    feed_server_factory: Callable[[], FeedServer],
) -> None:
    home, other = feed_server_factory(), feed_server_factory()
    other.route("/rss", RSS)
    home.set_route("/feed", Route(status=302, headers={"Location": other.url("/rss")}))
    headers = {"X-Api-Key": "s3cret", "Authorization": "Bearer t0ken"}
    async with Fetcher(limits=FetchLimits(read_timeout=5)) as fetcher:
        result = await fetcher.fetch(home.url("/feed"), headers=headers)
    assert result.url == other.url("/rss") and result.status_code == 200
    (first,) = home.requests("/feed")
    assert first.headers.get("x-api-key") == "s3cret"  # its own host gets them
    (followed,) = other.requests("/rss")
    assert "x-api-key" not in followed.headers and "authorization" not in followed.headers


async def test_a_redirect_within_the_same_host_keeps_the_headers(feed_server: FeedServer) -> None:
    feed_server.route("/new.rss", RSS)
    feed_server.set_route("/old.rss", Route(status=301, headers={"Location": "/new.rss"}))
    async with Fetcher(limits=FetchLimits(read_timeout=5)) as fetcher:
        await fetcher.fetch(feed_server.url("/old.rss"), headers={"X-Api-Key": "s3cret"})
    (followed,) = feed_server.requests("/new.rss")
    assert followed.headers.get("x-api-key") == "s3cret"
