"""The start-up line and the heartbeat: the lines from counts (pure), the tally's first round on
a fake clock, and report_progress on real time with a real poller and feed server."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from feeds.config import FeedSpec
from feeds.fetch import Fetcher, FetchLimits
from feeds.poller import Poller
from feeds.progress import (
    FirstRound,
    PollTally,
    Pulse,
    first_round_line,
    format_uptime,
    heartbeat_line,
    report_progress,
    shorten,
)
from feeds.state import FeedStateStore
from tests.support.feed_server import FeedServer, read_fixture

T0 = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
RSS = read_fixture("rss_ar_ru.xml")


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


# --- the lines -------------------------------------------------------------------------------


def test_first_round_line_all_reachable() -> None:
    assert first_round_line(FirstRound(configured=3, reachable=3)) == (
        "first round: 3 feed(s) configured, 3 reachable"
    )


def test_first_round_line_names_failures_and_silent_feeds() -> None:
    summary = FirstRound(
        configured=4,
        reachable=1,
        failed=(("bad", "HTTP 500 Internal Server Error at http://x/bad"), ("gone", "DNS\nerror")),
        unanswered=("slow",),
        disabled=2,
    )
    assert first_round_line(summary) == (
        "first round: 4 feed(s) configured (and 2 disabled), 1 reachable, "
        "2 failed: bad (HTTP 500 Internal Server Error at http://x/bad), gone (DNS error), "
        "1 without an answer after 1m00s: slow"
    )


def test_first_round_line_after_a_restart_says_what_is_from_before() -> None:
    summary = FirstRound(configured=40, reachable=39, failed=(("rt", "timeout"),), carried=37)
    assert first_round_line(summary) == (
        "first round: 40 feed(s) configured, 39 reachable, 1 failed: rt (timeout); "
        "37 not due yet since the restart, as of their last poll"
    )


def test_long_errors_and_long_lists_are_cut() -> None:
    assert shorten("x" * 300) == "x" * 99 + "…"
    assert shorten("short  and\n spaced") == "short and spaced"
    failed = tuple((f"f{n:02d}", "e" * 150) for n in range(12))
    line = first_round_line(FirstRound(configured=12, reachable=0, failed=failed))
    assert line.count("f0") + line.count("f1") == 10  # ten named
    assert line.endswith(", +2 more")
    assert "e" * 100 not in line


def test_heartbeat_line_embedded_and_poll_modes() -> None:
    embedded = Pulse(
        uptime=3725,
        feeds=12,
        failing=("bad", "down"),
        polls=340,
        articles=56,
        alerts_queued=7,
        alerts_held=2,
    )
    assert heartbeat_line(embedded) == (
        "alive for 1h02m: 12 feed(s) polled, 2 failing (bad, down); since start 340 poll(s), "
        "56 article(s) seen, 7 alert(s) queued; 2 held for retry"
    )
    poll = Pulse(uptime=42, feeds=3, failing=(), polls=9, articles=4, published=True)
    assert heartbeat_line(poll) == (
        "alive for 42s: 3 feed(s) polled, 0 failing; since start 9 poll(s), 4 article(s) published"
    )


def test_format_uptime() -> None:
    assert [format_uptime(s) for s in (0, 59.9, 60, 307, 3600, 11100, 86400 + 4 * 3600)] == [
        "0s",
        "59s",
        "1m00s",
        "5m07s",
        "1h00m",
        "3h05m",
        "1d04h",
    ]


# --- the tally -------------------------------------------------------------------------------


def test_the_first_round_waits_for_every_feed_then_reports() -> None:
    clock = FakeClock()
    tally = PollTally(clock)
    assert tally.first_round(60) is None  # no run yet
    tally.start(["a", "b"], disabled=1)
    tally.scheduled("a", T0, None)
    tally.scheduled("b", T0, None)
    tally.record("a", True)
    clock.advance(5)
    assert tally.first_round(60) is None  # b is due and has not answered yet
    tally.record("b", False, "HTTP 503")
    tally.record("b", True)  # a later success does not rewrite the first round
    assert tally.first_round(60) == FirstRound(
        configured=2, reachable=1, failed=(("b", "HTTP 503"),), disabled=1, window=60
    )
    assert tally.pulse(articles=3) == Pulse(uptime=5, feeds=2, failing=(), polls=3, articles=3)


def test_the_window_bounds_the_wait() -> None:
    clock = FakeClock()
    tally = PollTally(clock)
    tally.start(["a", "slow"])
    tally.record("a", True)
    clock.advance(59)
    assert tally.first_round(60) is None
    assert tally.seconds_left(60) == pytest.approx(1)
    clock.advance(1)
    summary = tally.first_round(60)
    assert summary is not None
    assert (summary.reachable, summary.unanswered) == (1, ("slow",))


def test_feeds_not_due_in_the_window_count_as_of_their_last_poll() -> None:
    clock = FakeClock()
    tally = PollTally(clock)
    tally.start(["fresh", "later-ok", "later-bad"])
    tally.scheduled("later-ok", T0 + timedelta(minutes=4), None)
    tally.scheduled("later-bad", T0 + timedelta(minutes=3), "HTTP 404")
    assert tally.first_round(60) is None
    tally.record("fresh", True)
    assert tally.first_round(60) == FirstRound(
        configured=3, reachable=2, failed=(("later-bad", "HTTP 404"),), carried=2, window=60
    )


def test_a_removed_feed_is_neither_waited_for_nor_failing() -> None:
    clock = FakeClock()
    tally = PollTally(clock)
    tally.start(["a", "b", "c"])
    tally.record("a", True)
    tally.record("c", False, "boom")
    assert tally.pulse(articles=0).failing == ("c",)
    tally.polling(["a", "d"])  # b (never polled) and c (failing) removed, d added
    assert tally.first_round(60) == FirstRound(configured=1, reachable=1, window=60)
    pulse = tally.pulse(articles=0)
    assert (pulse.feeds, pulse.failing) == (2, ())


# --- report_progress on real time ----------------------------------------------------------


async def test_report_progress_logs_the_first_round_then_heartbeats(
    feed_server: FeedServer, state: FeedStateStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="feeds.progress")
    specs = [
        FeedSpec(id="good", url=feed_server.route("/good", RSS), interval=0.05),
        FeedSpec(id="slow", url=feed_server.route("/slow", RSS, delay=5.0), interval=0.05),
    ]
    limits = FetchLimits(read_timeout=10, total_timeout=10)
    stop = asyncio.Event()
    async with Fetcher(limits=limits, trust_env=False) as fetcher:
        poller = Poller(specs, fetcher, state)
        polling = asyncio.create_task(poller.run(lambda spec, articles: asyncio.sleep(0), stop))
        reporting = asyncio.create_task(
            report_progress(
                poller.tally,
                stop,
                pulse=lambda: poller.tally.pulse(articles=0),
                heartbeat=0.1,
                window=0.5,
            )
        )
        try:
            async with asyncio.timeout(5):
                while sum("alive for" in r.getMessage() for r in caplog.records) < 2:
                    await asyncio.sleep(0.02)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(polling, reporting), timeout=2.0)
    lines = [r.getMessage() for r in caplog.records if r.name == "feeds.progress"]
    # The slow feed holds the line back only until the window closes.
    assert lines[0] == (
        "first round: 2 feed(s) configured, 1 reachable, 1 without an answer after 0.5s: slow"
    )
    assert sum(line.startswith("first round") for line in lines) == 1
    assert lines[1].startswith("alive for 0s: 2 feed(s) polled, 0 failing; since start ")


async def test_no_heartbeat_when_it_is_off(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="feeds.progress")
    clock = FakeClock()
    tally = PollTally(clock)
    tally.start(["a"])
    tally.record("a", True)
    stop = asyncio.Event()
    # Returns by itself once the first round is logged: nothing more to do.
    await asyncio.wait_for(
        report_progress(tally, stop, pulse=lambda: tally.pulse(articles=0), heartbeat=0),
        timeout=2.0,
    )
    assert [r.getMessage() for r in caplog.records] == [
        "first round: 1 feed(s) configured, 1 reachable"
    ]


async def test_a_stop_before_the_first_round_ends_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="feeds.progress")
    tally = PollTally(FakeClock())
    tally.start(["never"])
    stop = asyncio.Event()
    task = asyncio.create_task(
        report_progress(tally, stop, pulse=lambda: tally.pulse(articles=0), heartbeat=1)
    )
    await asyncio.sleep(0.05)
    assert not task.done()
    stop.set()
    await asyncio.wait_for(task, timeout=1.0)
    assert caplog.records == []
