"""Fetcher against a real HTTP server on 127.0.0.1 (plus MockTransport for pure edge cases)."""

from __future__ import annotations

import gzip
import time
from datetime import UTC, datetime

import httpx
import pytest

from feeds.fetch import (
    USER_AGENT,
    BodyTooLarge,
    FetchConnectError,
    Fetcher,
    FetchHTTPError,
    FetchLimits,
    FetchTimeout,
    InvalidBody,
    TooManyRedirects,
    decode_body,
    parse_retry_after,
    redact_url,
    request_headers,
)
from tests.support.feed_server import FeedServer, read_fixture

RSS = read_fixture("rss_ar_ru.xml")
LAST_MODIFIED = "Tue, 10 Jun 2025 12:00:00 GMT"


async def test_plain_fetch_sends_user_agent_and_feed_headers(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    url = feed_server.route("/rss", RSS, etag='"v1"', last_modified=LAST_MODIFIED)
    result = await fetcher.fetch(url, headers={"Authorization": "Bearer t0k"})
    assert result.status_code == 200
    assert result.body == RSS
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.url == url
    assert (result.etag, result.last_modified) == ('"v1"', LAST_MODIFIED)
    assert result.not_modified is False
    (request,) = feed_server.requests("/rss")
    assert request.headers["user-agent"] == USER_AGENT == "newswatch/0.1.0"
    assert request.headers["authorization"] == "Bearer t0k"
    assert "if-none-match" not in request.headers


async def test_conditional_get_with_etag_gets_304(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    url = feed_server.route("/rss", RSS, etag='"v1"')
    first = await fetcher.fetch(url)
    second = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified is True
    assert second.status_code == 304
    assert second.body == b""
    assert second.etag == '"v1"'
    assert feed_server.requests("/rss")[1].headers["if-none-match"] == '"v1"'


async def test_conditional_get_with_last_modified_gets_304(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    url = feed_server.route("/rss", RSS, last_modified=LAST_MODIFIED)
    first = await fetcher.fetch(url)
    second = await fetcher.fetch(url, last_modified=first.last_modified)
    assert second.not_modified is True
    assert second.last_modified == LAST_MODIFIED
    assert feed_server.requests("/rss")[1].headers["if-modified-since"] == LAST_MODIFIED


async def test_changed_etag_gets_the_new_body(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.route("/rss", RSS, etag='"v1"')
    await fetcher.fetch(url)
    feed_server.route("/rss", b"<rss version='2.0'><channel/></rss>", etag='"v2"')
    result = await fetcher.fetch(url, etag='"v1"')
    assert result.not_modified is False
    assert result.etag == '"v2"'
    assert result.body.startswith(b"<rss")


async def test_http_500_names_status_and_url(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.route("/down", b"oops", status=500, content_type="text/plain")
    with pytest.raises(FetchHTTPError) as info:
        await fetcher.fetch(url)
    assert str(info.value) == f"HTTP 500 Internal Server Error at {url}"
    assert info.value.status_code == 500
    assert info.value.retry_after is None


async def test_retry_after_is_reported(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.route("/busy", b"", status=503, headers={"Retry-After": "120"})
    with pytest.raises(FetchHTTPError) as info:
        await fetcher.fetch(url)
    assert info.value.retry_after == 120.0
    assert "HTTP 503 Service Unavailable" in str(info.value)


async def test_read_timeout(feed_server: FeedServer) -> None:
    url = feed_server.route("/slow", RSS, delay=1.5)
    limits = FetchLimits(connect_timeout=1.0, read_timeout=0.2, total_timeout=10.0)
    started = time.monotonic()
    async with Fetcher(limits=limits, trust_env=False) as fetcher:
        with pytest.raises(FetchTimeout) as info:
            await fetcher.fetch(url)
    assert time.monotonic() - started < 1.2
    assert str(info.value) == f"read timeout after 0.2 s at {url}"


async def test_total_timeout_stops_a_trickling_server(feed_server: FeedServer) -> None:
    url = feed_server.route("/trickle", b"x" * 200, chunk_size=10, chunk_delay=0.1)
    limits = FetchLimits(read_timeout=1.0, total_timeout=0.4)
    started = time.monotonic()
    async with Fetcher(limits=limits, trust_env=False) as fetcher:
        with pytest.raises(FetchTimeout, match=r"timeout after 0\.4 s in total"):
            await fetcher.fetch(url)
    assert time.monotonic() - started < 1.5


async def test_declared_oversized_body_is_refused_before_reading(feed_server: FeedServer) -> None:
    url = feed_server.route("/big", b"x" * 200_000)
    async with Fetcher(limits=FetchLimits(max_bytes=50_000), trust_env=False) as fetcher:
        with pytest.raises(BodyTooLarge) as info:
            await fetcher.fetch(url)
    assert str(info.value) == f"body over 50000 bytes at {url} (Content-Length 200000)"


async def test_undeclared_oversized_body_is_aborted_while_streaming(
    feed_server: FeedServer,
) -> None:
    # No Content-Length: only counting while streaming can stop it. 32 MB would take a while
    # to read; the fetch must stop after the first 64 KB and hang up.
    url = feed_server.route("/huge", b"x" * 32_000_000, content_length=False, chunk_size=16_384)
    async with Fetcher(limits=FetchLimits(max_bytes=65_536), trust_env=False) as fetcher:
        with pytest.raises(BodyTooLarge, match=r"body over 65536 bytes at .* \(aborted\)"):
            await fetcher.fetch(url)
    assert feed_server.wait_idle(timeout=5)
    (request,) = feed_server.requests("/huge")
    assert request.completed is False
    assert request.bytes_sent < 32_000_000


async def test_redirects_are_followed_up_to_the_limit(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.route("/feed", RSS)
    feed_server.route("/r2", redirect_to="/feed")
    start = feed_server.route("/r1", redirect_to=feed_server.url("/r2"))
    result = await fetcher.fetch(start)
    assert result.url == feed_server.url("/feed")  # the base for relative links
    assert result.body == RSS
    async with Fetcher(limits=FetchLimits(max_redirects=1), trust_env=False) as strict:
        with pytest.raises(TooManyRedirects, match=r"more than 1"):
            await strict.fetch(start)


async def test_redirect_loop(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.route("/loop", redirect_to="/loop")
    with pytest.raises(TooManyRedirects) as info:
        await fetcher.fetch(url)
    assert str(info.value) == f"too many redirects (more than 5) from {url}"
    assert len(feed_server.requests("/loop")) == 6  # the first request and 5 redirects


async def test_gzip_with_content_encoding(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.route("/gz", RSS, gzip=True)
    result = await fetcher.fetch(url)
    assert result.body == RSS
    assert "gzip" in feed_server.requests("/gz")[0].headers["accept-encoding"]


async def test_gzip_without_content_encoding_is_sniffed(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    url = feed_server.route("/sneaky", RSS, gzip_silently=True)
    result = await fetcher.fetch(url)
    assert result.body == RSS


async def test_silent_gzip_bomb_is_capped(feed_server: FeedServer) -> None:
    url = feed_server.route("/bomb", b"\0" * 5_000_000, gzip_silently=True)
    async with Fetcher(limits=FetchLimits(max_bytes=1_000_000), trust_env=False) as fetcher:
        with pytest.raises(BodyTooLarge, match="once decompressed"):
            await fetcher.fetch(url)


async def test_connection_refused(fetcher: Fetcher) -> None:
    with FeedServer() as closed:
        url = closed.url("/rss")
    with pytest.raises(FetchConnectError) as info:
        await fetcher.fetch(url)
    assert str(info.value) == f"connection refused at {url}"


async def test_unknown_path_is_404(feed_server: FeedServer, fetcher: Fetcher) -> None:
    with pytest.raises(FetchHTTPError, match=r"^HTTP 404 Not Found at "):
        await fetcher.fetch(feed_server.url("/nothing-here"))


# --- edge cases through httpx.MockTransport ------------------------------------------------


async def test_304_without_validators_keeps_the_previous_ones() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(304))
    async with Fetcher(transport=transport) as fetcher:
        result = await fetcher.fetch("http://feed.test/rss", etag='"e"', last_modified="x")
    assert (result.not_modified, result.etag, result.last_modified) == (True, '"e"', "x")


async def test_bad_declared_gzip_is_invalid_body() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=b"not gzip")

    async with Fetcher(transport=httpx.MockTransport(handler)) as fetcher:
        with pytest.raises(InvalidBody, match="does not decode"):
            await fetcher.fetch("http://feed.test/rss")


async def test_bad_sniffed_gzip_is_invalid_body() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b"\x1f\x8bjunk"))
    async with Fetcher(transport=transport) as fetcher:
        with pytest.raises(InvalidBody, match="does not decompress"):
            await fetcher.fetch("http://feed.test/rss")


async def test_password_in_url_is_not_in_errors() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(502))
    async with Fetcher(transport=transport) as fetcher:
        with pytest.raises(FetchHTTPError) as info:
            await fetcher.fetch("http://user:hunter2@feed.test/rss")
    assert "hunter2" not in str(info.value)
    assert "user:***@feed.test" in str(info.value)


# --- pure helpers ---------------------------------------------------------------------------


def test_request_headers() -> None:
    assert request_headers() == {}
    headers = request_headers({"X-Key": "k"}, etag='"a"', last_modified=LAST_MODIFIED)
    assert headers == {"If-None-Match": '"a"', "If-Modified-Since": LAST_MODIFIED, "X-Key": "k"}


def test_decode_body() -> None:
    assert decode_body(b"<rss/>", url="u", max_bytes=10) == b"<rss/>"
    assert decode_body(gzip.compress(b"<rss/>"), url="u", max_bytes=10) == b"<rss/>"
    with pytest.raises(BodyTooLarge):
        decode_body(gzip.compress(b"x" * 11), url="u", max_bytes=10)


def test_parse_retry_after() -> None:
    now = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
    assert parse_retry_after("30", now) == 30.0
    assert parse_retry_after("Tue, 10 Jun 2025 12:02:00 GMT", now) == 120.0
    assert parse_retry_after("Tue, 10 Jun 2025 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_redact_url() -> None:
    assert redact_url("https://a:b@host:8080/p?q=1") == "https://a:***@host:8080/p?q=1"
    assert redact_url("https://host/p") == "https://host/p"
