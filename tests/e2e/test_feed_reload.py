"""The feed list under a running `newswatch run`, and what the monitor says about its feeds.

A real feed server, a real HTTP receiver, the real command in a subprocess: a feed added to the
file is polled and alerts within seconds; a broken edit is logged once at its file:line while the
previous feeds keep being polled; the fix is confirmed and applied. At start one line says which
feeds answered, then a heartbeat says the monitor is alive.
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from feeds.progress import FIRST_ROUND_WINDOW
from feeds.watch import FeedListChange
from newswatch.embedded.desk import EmbeddedDesk
from newswatch.embedded.runtime import Monitor, MonitorConfig
from tests.e2e.conftest import SEED_FIRING, Desk, env, rss, seed_feed
from tests.e2e.test_embedded import rules_of
from tests.support.processes import OwnedProcess
from tests.support.receivers import HttpReceiver

RELOAD_SECONDS = 2.0  # the monitor's reload interval (MonitorConfig.reload_interval)


def entry(desk: Desk, feed_id: str, path: str, interval: str = "0.5") -> list[str]:
    return [
        f"  - id: {feed_id}",
        f"    url: {desk.server.url(path)}",
        f"    interval: {interval}",
        "    language: ar",
    ]


def write_list(desk: Desk, *entries: list[str]) -> None:
    lines = ["feeds:", *(line for e in entries for line in e)]
    desk.feeds_file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def daemon_env() -> dict[str, str]:
    variables = env() | {"NEWSWATCH_MIN_FEED_INTERVAL": "0.1", "NO_PROXY": "127.0.0.1"}
    # Apprise posts through requests, which honours proxy variables; 127.0.0.1 stays local.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        variables.pop(name, None)
    return variables


@contextmanager
def monitor(desk: Desk, *extra: str) -> Iterator[OwnedProcess]:
    """`newswatch run` going, its log read from a file; SIGTERM (then kill) on the way out."""
    process = OwnedProcess("run", desk.root, daemon_env())
    process.spawn(desk.run_args("--delivery-interval", "0.2", "--no-console", *extra))
    try:
        process.wait_for_log("monitor running", timeout=60)
        yield process
    finally:
        code, _ = process.stop(signal.SIGTERM, timeout=30)
        assert code == 0, process.tail()


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout}s: {what}")
        time.sleep(0.05)


def lines_with(process: OwnedProcess, text: str) -> list[str]:
    return [line for line in process.log().splitlines() if text in line]


def test_a_feed_list_edited_while_running(desk: Desk, http_receiver: HttpReceiver) -> None:
    server = desk.server
    server.route("/quiet.rss", rss([]))
    server.route("/seed.rss", seed_feed())
    server.route("/extra.rss", rss([]))
    desk.write_targets(http_receiver.apprise_url("/hook"))
    write_list(desk, entry(desk, "quiet", "/quiet.rss"))
    listed = desk.feeds_file

    with monitor(desk) as run:
        run.wait_for_log("first round: 1 feed(s) configured, 1 reachable", timeout=30)

        # 1. A feed added to the file: polled and alerting within seconds, no restart.
        edited = time.monotonic()
        write_list(desk, entry(desk, "quiet", "/quiet.rss"), entry(desk, "desk-ar", "/seed.rss"))
        run.wait_for_log(
            f"feed list reloaded from {listed}: 1 added (desk-ar), 0 removed, 0 changed",
            timeout=RELOAD_SECONDS + 10,
        )
        (post,) = http_receiver.wait_for(1, timeout=15)
        took = time.monotonic() - edited
        assert took < RELOAD_SECONDS + 8, f"the added feed alerted {took:.1f}s after the edit"
        assert rules_of(post.json["message"]) == SEED_FIRING

        # 2. A broken edit: one error naming file:line, the running feeds keep being polled.
        write_list(
            desk,
            entry(desk, "quiet", "/quiet.rss"),
            entry(desk, "desk-ar", "/seed.rss"),
            entry(desk, "extra", "/extra.rss", interval="soon"),  # line 12
        )
        run.wait_for_log("feed list not reloaded", timeout=RELOAD_SECONDS + 10)
        broken_at = time.monotonic()
        (error,) = lines_with(run, "feed list not reloaded")
        assert " ERROR " in error and "the previous list keeps running" in error
        assert f"{listed}:12:15: feeds[2].interval: " in error
        quiet_polls = len(server.requests("/quiet.rss"))
        seed_polls = len(server.requests("/seed.rss"))
        wait_until(
            lambda: (
                len(server.requests("/quiet.rss")) >= quiet_polls + 3
                and len(server.requests("/seed.rss")) >= seed_polls + 3
            ),
            timeout=15,
            what="the previous feeds polled on after the broken edit",
        )
        # Two more reload rounds: the unchanged broken file is not reported again.
        time.sleep(max(0.0, broken_at + 2 * RELOAD_SECONDS + 0.5 - time.monotonic()))
        assert len(lines_with(run, "feed list not reloaded")) == 1
        assert server.requests("/extra.rss") == []

        # 3. Fixed (and "quiet" dropped): the fix is confirmed, the new list is what is polled.
        write_list(desk, entry(desk, "desk-ar", "/seed.rss"), entry(desk, "extra", "/extra.rss"))
        run.wait_for_log(
            f"feed list reloaded from {listed}: 1 added (extra), 1 removed (quiet), 0 changed; "
            "the previous error is fixed",
            timeout=RELOAD_SECONDS + 10,
        )
        wait_until(lambda: len(server.requests("/extra.rss")) >= 1, 10, "the fixed feed polled")
        quiet_polls = len(server.requests("/quiet.rss"))
        wait_until(lambda: len(server.requests("/extra.rss")) >= 5, 15, "the fixed feed polled on")
        assert len(server.requests("/quiet.rss")) == quiet_polls, "a removed feed is still polled"

    # The seed article was alerted once, through every reload.
    assert len(http_receiver.requests) == 1


def test_the_start_up_line_then_a_heartbeat(desk: Desk, http_receiver: HttpReceiver) -> None:
    server = desk.server
    server.route("/seed.rss", seed_feed())
    error_url = server.route("/error.rss", b"boom", status=500, content_type="text/plain")
    desk.write_targets(http_receiver.apprise_url("/hook"))
    write_list(desk, entry(desk, "desk-ar", "/seed.rss"), entry(desk, "broken", "/error.rss"))

    with monitor(desk, "--heartbeat", "1") as run:
        running_at = run.wait_for_log("monitor running")
        summary_at = run.wait_for_log("first round:", timeout=30)
        # Every feed answered at once: the line does not wait for the window to close.
        assert summary_at - running_at < FIRST_ROUND_WINDOW / 4
        (summary,) = lines_with(run, "first round:")
        assert summary.endswith(
            "first round: 2 feed(s) configured, 1 reachable, "
            f"1 failed: broken (HTTP 500 Internal Server Error at {error_url})"
        )
        http_receiver.wait_for(1, timeout=15)
        wait_until(
            lambda: len(lines_with(run, "alive for")) >= 3, 20, "three heartbeats a second apart"
        )

    beats = lines_with(run, "alive for")
    assert len(lines_with(run, "first round:")) == 1  # said once, not with every heartbeat
    pattern = re.compile(
        r"alive for \d+s: 2 feed\(s\) polled, 1 failing \(broken\); since start (\d+) poll\(s\), "
        r"(\d+) article\(s\) seen, (\d+) alert\(s\) queued; (\d+) held for retry$"
    )
    counts = [tuple(int(n) for n in found.groups()) for b in beats if (found := pattern.search(b))]
    assert len(counts) == len(beats), beats
    polls = [c[0] for c in counts]
    assert polls == sorted(polls) and polls[-1] > polls[0]  # still polling between the beats
    assert counts[-1][1:] == (1, 1, 0)  # the seed article, its one alert, delivered


async def test_the_page_and_metrics_see_the_reloaded_list(desk: Desk) -> None:
    desk.server.route("/a.rss", rss([]))
    desk.server.route("/b.rss", rss([]))
    write_list(desk, entry(desk, "a", "/a.rss"))
    config = MonitorConfig(
        feeds_file=desk.feeds_file,
        rules_dir=desk.rules,
        state_dir=desk.state,
        console=False,
        min_feed_interval=0.1,
    )
    async with Monitor(config) as running:
        page = EmbeddedDesk(running)
        assert running.reload_feeds() is None  # unchanged
        write_list(desk, entry(desk, "b", "/b.rss"), entry(desk, "a", "/a.rss", interval="30"))
        change = running.reload_feeds()
        assert change is not None and (change.added, change.changed) == (("b",), ("a",))
        assert [spec.id for spec in running.feeds] == ["b", "a"]
        assert page.health()[1]["feeds"] == 2
        assert page.choices()["feeds"] == ["a", "b"]
        assert [row.spec.interval for row in page.feeds()] == [0.5, 30.0]
        assert b"newswatch_feeds 2.0" in running.metrics.render()


async def test_a_feed_added_on_the_page_is_not_added_again_by_the_reload(desk: Desk) -> None:
    desk.server.route("/a.rss", rss([]))
    new_url = desk.server.route("/new.rss", seed_feed())
    write_list(desk, entry(desk, "a", "/a.rss"))
    config = MonitorConfig(
        feeds_file=desk.feeds_file,
        rules_dir=desk.rules,
        state_dir=desk.state,
        console=False,
        min_feed_interval=0.1,
        reload_interval=3600,  # the test reloads by hand, after the page wrote the file
    )
    async with Monitor(config) as running:
        stop = asyncio.Event()
        task = asyncio.create_task(running.run(stop))
        try:
            message = await EmbeddedDesk(running).add_feed(new_url, "new", "ar")
            assert message.startswith("feed new added") and "polled from now on" in message
            async with asyncio.timeout(10):
                while running.articles_seen < 1:
                    await asyncio.sleep(0.05)
            # The page rewrote the file: reloading it finds the feed already polled.
            assert running.reload_feeds() == FeedListChange()
            assert [spec.id for spec in running.feeds] == ["a", "new"]
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)
    assert running.articles_seen == 1
    assert len(desk.server.requests("/new.rss")) >= 2  # the fetch on adding, then the polls
