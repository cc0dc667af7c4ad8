"""Poller end to end against a real local HTTP server, plus backoff and sharding logic."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feeds.config import FeedSpec
from feeds.fetch import Fetcher, FetchLimits, FetchResult
from feeds.poller import Poller, backoff_delay, select_shard
from feeds.state import FeedStateStore
from newswatch.article import Article
from tests.support.feed_server import FeedServer, read_fixture
from tests.support.sinks import Collector, eventually

RSS = read_fixture("rss_ar_ru.xml")
T0 = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
EXTRA_ITEM = (
    b"<item><title>\xd0\x9d\xd0\xbe\xd0\xb2\xd0\xbe\xd0\xb5</title>"
    b"<guid isPermaLink='false'>nw-ru-2002</guid></item>\n  </channel>"
)


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def failing_sink(spec: FeedSpec, articles: Sequence[Article]) -> None:
    raise RuntimeError("kafka is down")


def spec_for(url: str, feed_id: str = "test-feed", interval: float = 60.0) -> FeedSpec:
    return FeedSpec(id=feed_id, url=url, interval=interval, language="ar")


async def test_first_poll_delivers_second_gets_304(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    spec = spec_for(feed_server.route("/rss", RSS, etag='"v1"'))
    clock = FakeClock()
    poller = Poller([spec], fetcher, state, clock=clock)
    sink = Collector()

    first = await poller.poll_feed(spec, sink)
    assert (first.ok, first.new_articles, first.parsed_articles) == (True, 3, 3)
    assert first.next_poll_at == T0 + timedelta(seconds=60)
    assert [feed for feed, _ in sink.calls] == ["test-feed"]
    # The list's language wins over the feed's own (the third item says dc:language ru).
    assert [a.language for a in sink.articles] == ["ar", "ar", "ar"]
    assert state.seen_count("test-feed") == 3

    clock.advance(60)
    second = await poller.poll_feed(spec, sink)
    assert (second.ok, second.not_modified, second.new_articles) == (True, True, 0)
    assert len(sink.calls) == 1
    assert feed_server.requests("/rss")[1].headers["if-none-match"] == '"v1"'
    health = state.get_health("test-feed")
    assert health is not None
    assert health.consecutive_failures == 0
    assert health.last_success == T0 + timedelta(seconds=60)
    assert health.last_error is None
    assert health.articles_seen == 3


async def test_only_new_entries_are_delivered(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    spec = spec_for(feed_server.route("/rss", RSS, etag='"v1"'))
    poller = Poller([spec], fetcher, state, clock=FakeClock())
    sink = Collector()
    await poller.poll_feed(spec, sink)
    feed_server.route("/rss", RSS.replace(b"</channel>", EXTRA_ITEM), etag='"v2"')
    outcome = await poller.poll_feed(spec, sink)
    assert (outcome.new_articles, outcome.parsed_articles) == (1, 4)
    assert [a.title for a in sink.calls[1][1]] == ["Новое"]


async def test_seen_entries_persist_across_restart(
    feed_server: FeedServer, fetcher: Fetcher, state_path: Path
) -> None:
    spec = spec_for(feed_server.route("/rss", RSS))  # no validators: only "seen" can help
    sink = Collector()
    with FeedStateStore(state_path) as state:
        assert (await Poller([spec], fetcher, state).poll_feed(spec, sink)).new_articles == 3
    with FeedStateStore(state_path) as state:
        outcome = await Poller([spec], fetcher, state).poll_feed(spec, sink)
    assert (outcome.ok, outcome.not_modified, outcome.new_articles) == (True, False, 0)
    assert len(sink.calls) == 1
    assert len(feed_server.requests("/rss")) == 2


async def test_failing_sink_leaves_articles_for_the_next_poll(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    spec = spec_for(feed_server.route("/rss", RSS, etag='"v1"'))
    poller = Poller([spec], fetcher, state, clock=FakeClock(), rng=lambda: 0.0)
    failed = await poller.poll_feed(spec, failing_sink)
    assert failed.ok is False
    assert failed.error == "sink failed: RuntimeError: kafka is down"
    assert failed.consecutive_failures == 1
    assert state.seen_count("test-feed") == 0

    sink = Collector()
    retried = await poller.poll_feed(spec, sink)
    assert (retried.ok, retried.new_articles) == (True, 3)
    assert len(sink.articles) == 3
    # The failed poll stored no validators, so the retry was a full GET, not a 304.
    assert "if-none-match" not in feed_server.requests("/rss")[1].headers


async def test_http_500_backs_off_and_logs_one_warning(
    feed_server: FeedServer,
    fetcher: Fetcher,
    state: FeedStateStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = feed_server.route("/rss", b"boom", status=500, content_type="text/plain")
    spec = spec_for(url, "down-feed")
    clock = FakeClock()
    poller = Poller([spec], fetcher, state, clock=clock, rng=lambda: 1.0, backoff_cap=3600)
    caplog.set_level(logging.WARNING, logger="feeds.poller")

    first = await poller.poll_feed(spec, Collector())
    assert first.ok is False
    assert first.error == f"HTTP 500 Internal Server Error at {url}"
    assert first.next_poll_at == T0 + timedelta(seconds=120)
    second = await poller.poll_feed(spec, Collector())
    assert second.consecutive_failures == 2
    assert second.next_poll_at == T0 + timedelta(seconds=240)

    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert messages[-1] == (
        f"feed down-feed ({url}) failed: HTTP 500 Internal Server Error at {url}; "
        "2 consecutive failure(s), next retry in 240 s"
    )
    health = state.get_health("down-feed")
    assert health is not None
    assert health.consecutive_failures == 2
    assert health.next_poll_at == T0 + timedelta(seconds=240)

    feed_server.route("/rss", RSS)
    recovered = await poller.poll_feed(spec, Collector())
    assert (recovered.ok, recovered.consecutive_failures) == (True, 0)
    health = state.get_health("down-feed")
    assert health is not None
    assert health.consecutive_failures == 0


async def test_retry_after_lengthens_the_wait(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    url = feed_server.route("/rss", b"", status=429, headers={"Retry-After": "900"})
    spec = spec_for(url)
    poller = Poller([spec], fetcher, state, clock=FakeClock(), rng=lambda: 0.0)
    outcome = await poller.poll_feed(spec, Collector())
    assert outcome.next_poll_at == T0 + timedelta(seconds=900)


async def test_timeout_is_a_recorded_failure(
    feed_server: FeedServer, state: FeedStateStore
) -> None:
    spec = spec_for(feed_server.route("/rss", RSS, delay=1.0))
    limits = FetchLimits(read_timeout=0.2, total_timeout=5)
    async with Fetcher(limits=limits, trust_env=False) as fetcher:
        outcome = await Poller([spec], fetcher, state).poll_feed(spec, Collector())
    assert outcome.ok is False
    assert outcome.error is not None
    assert outcome.error.startswith("read timeout after 0.2 s")


async def test_html_page_is_a_failure_with_no_articles(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    html = read_fixture("not_a_feed.html")
    spec = spec_for(feed_server.route("/rss", html, content_type="text/html; charset=utf-8"))
    sink = Collector()
    outcome = await Poller([spec], fetcher, state).poll_feed(spec, sink)
    assert (outcome.ok, outcome.error) == (False, "not a feed: HTML page")
    assert sink.calls == []


async def test_truncated_feed_delivers_what_parsed_and_records_the_error(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    spec = spec_for(feed_server.route("/rss", read_fixture("truncated.xml")))
    sink = Collector()
    outcome = await Poller([spec], fetcher, state).poll_feed(spec, sink)
    assert (outcome.ok, outcome.new_articles) == (True, 2)
    assert outcome.warning is not None
    assert "SAXParseException" in outcome.warning
    health = state.get_health("test-feed")
    assert health is not None
    assert health.consecutive_failures == 0
    assert health.last_error == outcome.warning


async def test_gzip_without_content_encoding_end_to_end(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    spec = spec_for(feed_server.route("/rss.gz", RSS, gzip_silently=True))
    sink = Collector()
    outcome = await Poller([spec], fetcher, state).poll_feed(spec, sink)
    assert outcome.new_articles == 3
    assert sink.articles[0].title.startswith("كيري")


class BrokenFetcher:
    async def fetch(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        raise ValueError("a bug")


async def test_unexpected_errors_never_escape(state: FeedStateStore) -> None:
    spec = spec_for("http://127.0.0.1:9/rss")
    outcome = await Poller([spec], BrokenFetcher(), state).poll_feed(spec, Collector())
    assert (outcome.ok, outcome.error) == (False, "internal error: ValueError: a bug")
    health = state.get_health("test-feed")
    assert health is not None
    assert health.consecutive_failures == 1


class CountingFetcher:
    """Serves the RSS fixture slowly and records how many fetches overlap."""

    def __init__(self) -> None:
        self.active = 0
        self.most = 0
        self.urls: list[str] = []

    async def fetch(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        self.urls.append(url)
        self.active += 1
        self.most = max(self.most, self.active)
        await asyncio.sleep(0.02)
        self.active -= 1
        return FetchResult(200, RSS, "application/rss+xml", url)


async def test_poll_all_once_bounds_concurrency_and_skips_disabled(
    state: FeedStateStore,
) -> None:
    specs = [spec_for(f"http://feeds.test/{n}", f"feed-{n:02d}") for n in range(12)]
    specs.append(FeedSpec(id="off", url="http://feeds.test/off", enabled=False))
    fetcher = CountingFetcher()
    sink = Collector()
    outcomes = await Poller(specs, fetcher, state, concurrency=3).poll_all_once(sink)
    assert fetcher.most == 3
    assert [o.feed_id for o in outcomes] == [f"feed-{n:02d}" for n in range(12)]
    assert all(o.ok and o.new_articles == 3 for o in outcomes)
    assert "http://feeds.test/off" not in fetcher.urls
    assert len(sink.articles) == 36


async def test_run_polls_each_feed_on_its_interval_until_stopped(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    specs = [
        spec_for(feed_server.route("/a", RSS), "feed-a", interval=0.05),
        spec_for(feed_server.route("/b", RSS, etag='"b"'), "feed-b", interval=0.05),
    ]
    sink = Collector()
    stop = asyncio.Event()
    task = asyncio.create_task(Poller(specs, fetcher, state).run(sink, stop))
    await eventually(lambda: min(len(feed_server.requests(p)) for p in ("/a", "/b")) >= 3)
    stop.set()
    await asyncio.wait_for(task, timeout=1.0)
    # Each entry delivered once although each feed was fetched several times.
    assert sorted(feed for feed, _ in sink.calls) == ["feed-a", "feed-b"]
    assert len(sink.articles) == 6
    assert any("if-none-match" in r.headers for r in feed_server.requests("/b"))


async def test_stop_lets_a_sink_in_progress_finish(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    spec = spec_for(feed_server.route("/rss", RSS), interval=0.05)
    entered = asyncio.Event()
    release = asyncio.Event()
    delivered: list[Article] = []

    async def slow_sink(spec: FeedSpec, articles: Sequence[Article]) -> None:
        entered.set()
        await release.wait()
        delivered.extend(articles)

    stop = asyncio.Event()
    task = asyncio.create_task(Poller([spec], fetcher, state).run(slow_sink, stop))
    await asyncio.wait_for(entered.wait(), timeout=5)
    stop.set()
    await asyncio.sleep(0.1)
    assert not task.done()  # still waiting for the sink, not cancelling it
    release.set()
    await asyncio.wait_for(task, timeout=1.0)
    assert len(delivered) == 3
    assert state.seen_count("test-feed") == 3  # marked seen after the sink returned


async def test_stop_cancels_a_slow_fetch_promptly(
    feed_server: FeedServer, state: FeedStateStore
) -> None:
    spec = spec_for(feed_server.route("/slow", RSS, delay=3.0))
    sink = Collector()
    stop = asyncio.Event()
    async with Fetcher(limits=FetchLimits(read_timeout=10), trust_env=False) as fetcher:
        task = asyncio.create_task(Poller([spec], fetcher, state).run(sink, stop))
        await eventually(lambda: len(feed_server.requests("/slow")) == 1)
        stop.set()
        await asyncio.wait_for(task, timeout=0.5)
    assert sink.calls == []
    assert state.get_health("test-feed") is None  # an interrupted poll records nothing


async def test_run_resumes_a_backoff_and_prunes_old_entries(
    feed_server: FeedServer, fetcher: Fetcher, state: FeedStateStore
) -> None:
    spec = spec_for(feed_server.route("/rss", RSS), interval=0.05)
    now = datetime.now(UTC)
    state.record_failure("test-feed", "HTTP 503", at=now)
    state.set_next_poll("test-feed", now + timedelta(hours=1))
    state.mark_seen("test-feed", ["ancient"], now=now - timedelta(days=45))
    stop = asyncio.Event()
    task = asyncio.create_task(
        Poller([spec], fetcher, state, retention_days=30).run(Collector(), stop)
    )
    await eventually(lambda: state.seen_count() == 0)
    await asyncio.sleep(0.2)  # several intervals: a fresh schedule would have polled by now
    stop.set()
    await asyncio.wait_for(task, timeout=1.0)
    assert feed_server.requests("/rss") == []


# --- pure logic -----------------------------------------------------------------------------


def test_backoff_grows_and_is_capped() -> None:
    def at_most(failures: int) -> float:
        return backoff_delay(failures, 60, cap=3600, rng=lambda: 1.0)

    assert [at_most(n) for n in range(8)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert at_most(10_000) == 3600  # no overflow
    # Full jitter between the interval and the ceiling: never faster than the interval.
    assert backoff_delay(5, 60, cap=3600, rng=lambda: 0.0) == 60
    assert backoff_delay(2, 60, cap=3600, rng=lambda: 0.5) == 150
    # A feed polled less often than the cap is not polled sooner after a failure.
    assert backoff_delay(3, 7200, cap=3600, rng=lambda: 1.0) == 7200


def test_backoff_uses_the_rng_within_bounds() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(4, 30, cap=300, rng=rng.random) for _ in range(200)]
    assert all(30 <= d <= 300 for d in delays)
    assert len(set(delays)) > 100  # actually jittered


def test_select_shard_partitions_stably() -> None:
    specs = [FeedSpec(id=f"feed-{n}", url=f"http://x/{n}") for n in range(50)]
    shards = [select_shard(specs, i, 4) for i in range(4)]
    ids = [spec.id for shard in shards for spec in shard]
    assert sorted(ids) == sorted(spec.id for spec in specs)  # every feed exactly once
    assert all(shards)  # 50 feeds over 4 shards: none empty
    assert select_shard(list(reversed(specs)), 2, 4) == list(reversed(shards[2]))
    assert select_shard(specs, 0, 1) == specs
    with pytest.raises(ValueError, match="out of range"):
        select_shard(specs, 4, 4)


async def test_a_slow_sink_holds_no_poller_slot(
    feed_server: FeedServer, state: FeedStateStore
) -> None:
    # One slot for two feeds: while the first feed's sink is busy (fetching entry pages for full
    # text, say), the second feed is fetched and delivered.
    one = FeedSpec(id="slow-sink", url=feed_server.route("/one.rss", RSS))
    two = FeedSpec(id="quick", url=feed_server.route("/two.rss", RSS.replace(b"nw-", b"two-")))
    events: list[str] = []
    release = asyncio.Event()

    async def sink(spec: FeedSpec, articles: Sequence[Article]) -> None:
        events.append(f"{spec.id} in")
        if spec.id == "slow-sink":
            await asyncio.wait_for(release.wait(), timeout=5)
        events.append(f"{spec.id} out")
        if spec.id == "quick":
            release.set()

    async with Fetcher(limits=FetchLimits(read_timeout=5)) as fetcher:
        outcomes = await Poller([one, two], fetcher, state, concurrency=1).poll_all_once(sink)
    assert [o.ok for o in outcomes] == [True, True]
    assert events == ["slow-sink in", "quick in", "quick out", "slow-sink out"]
