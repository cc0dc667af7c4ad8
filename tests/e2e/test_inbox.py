"""The inbox end to end, in process: a real feed server, the embedded monitor with a routes file
and a simulated clock (injected, no sleeps for the schedule), a real HTTP receiver via Apprise's
json://, restarts in the middle of every hold — nothing held is lost, nothing is sent twice."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newswatch.embedded.runtime import Monitor, MonitorConfig
from tests.e2e.conftest import Desk, env, rss
from tests.support.processes import OwnedProcess
from tests.support.receivers import HttpReceiver

MONDAY_10_PARIS = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Three stories, one rule each, in three feeds (the seed rules: Ankara, Geneva, Aleppo).
STORIES = {
    "ankara": ("وفد تركي يصل إلى أنقرة لبحث التجارة", "زيارة وفد التجارة إلى أنقرة هذا الأسبوع."),
    "geneva": ("جولة مفاوضات جديدة في جنيف", "تبدأ في جنيف جولة جديدة من المفاوضات الأممية."),
    "aleppo": ("إعادة فتح طريق حلب الدولي", "أعيد فتح الطريق الدولي المؤدي إلى حلب أمس."),
}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _serve(desk: Desk, names: list[str]) -> None:
    feeds = {}
    for name in names:
        title, text = STORIES[name]
        link = f"https://news.example.org/2026/{name}"
        desk.server.route(
            f"/{name}.rss", rss([{"title": title, "link": link, "description": text}])
        )
        feeds[f"desk-{name}"] = f"/{name}.rss"
    desk.write_feeds(feeds)


def _monitor(desk: Desk, routes: str, clock: Clock) -> Monitor:
    path = desk.root / "routes.yaml"
    path.write_text(routes, encoding="utf-8")
    config = MonitorConfig(
        feeds_file=desk.feeds_file,
        rules_dir=desk.rules,
        state_dir=desk.state,
        apprise_config=desk.apprise,
        console=False,
        routes_file=path,
        min_feed_interval=0.0,
    )
    return Monitor(config, clock=clock)


async def _round(desk: Desk, routes: str, clock: Clock, *, poll: bool = True) -> None:
    """One process lifetime: start (restoring state), poll once or only release what is due,
    deliver, stop."""
    async with _monitor(desk, routes, clock) as monitor:
        if poll:
            await monitor.run_once()
        else:
            monitor.flush_inbox()
            await monitor.notifier.deliver_due()


def _settled(receiver: HttpReceiver, count: int) -> list[str]:
    if count:
        receiver.wait_for(count)
    time.sleep(0.3)  # a duplicate would have arrived by now
    return [f"{r.json['title']}\n{r.json['message']}" for r in receiver.requests]


@pytest.fixture
def receiving(desk: Desk, http_receiver: HttpReceiver) -> Iterator[HttpReceiver]:
    desk.write_targets(http_receiver.apprise_url("/hook"))
    yield http_receiver


DIGEST = """
route:
  receiver: default
  digest: {at: "08:00", timezone: Europe/Paris, days: mon-fri}
"""


def test_a_digest_delivers_every_held_story_once_at_its_time_across_restarts(
    desk: Desk, receiving: HttpReceiver
) -> None:
    _serve(desk, ["ankara", "geneva", "aleppo"])
    clock = Clock(MONDAY_10_PARIS)
    asyncio.run(_round(desk, DIGEST, clock))
    assert _settled(receiving, 0) == []
    clock.now = datetime(2026, 3, 3, 6, 59, tzinfo=UTC)  # Tuesday 07:59 Paris, a new process
    asyncio.run(_round(desk, DIGEST, clock, poll=False))
    assert _settled(receiving, 0) == []
    clock.now = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    asyncio.run(_round(desk, DIGEST, clock, poll=False))
    (digest,) = _settled(receiving, 1)
    for name, (title, _) in STORIES.items():
        assert digest.count(title) == 1, name
    assert "Digest of 2026-03-03 07:00 UTC: 3 stories" in digest
    clock.now += timedelta(minutes=1)
    asyncio.run(_round(desk, DIGEST, clock))
    assert len(_settled(receiving, 0)) == 1  # told once


QUIET = """
route:
  receiver: default
  group_wait: 0s
  quiet: [night]
time_intervals:
  night:
    - times: [{start: "22:00", end: "07:00"}]
      location: Europe/Paris
"""


def test_quiet_hours_hold_then_release_one_message_after_a_restart(
    desk: Desk, receiving: HttpReceiver
) -> None:
    _serve(desk, ["ankara", "geneva"])
    clock = Clock(datetime(2026, 3, 2, 22, 30, tzinfo=UTC))  # 23:30 Paris
    asyncio.run(_round(desk, QUIET, clock))
    assert _settled(receiving, 0) == []
    clock.now = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 07:00 Paris: quiet hours end
    asyncio.run(_round(desk, QUIET, clock, poll=False))
    (released,) = _settled(receiving, 1)
    assert "Quiet hours ended: 2 stories held" in released
    assert STORIES["ankara"][0] in released and STORIES["geneva"][0] in released
    asyncio.run(_round(desk, QUIET, clock, poll=False))
    assert len(_settled(receiving, 0)) == 1


COOLDOWN = """
route:
  receiver: default
  group_wait: 0s
  cooldown: 1h
"""


def test_a_cool_down_holds_a_later_story_and_sends_it_when_it_ends(
    desk: Desk, receiving: HttpReceiver
) -> None:
    # Two stories of one rule (Ankara) from two feeds, ten minutes apart.
    summit = "تستضيف أنقرة يوم 12 قمة لوزراء التجارة من 20 دولة لبحث الرسوم الجمركية."
    desk.server.route(
        "/a.rss",
        rss([{"title": "أنقرة تستضيف قمة", "link": "https://n.example/1", "description": summit}]),
    )
    desk.write_feeds({"feed-a": "/a.rss"})
    clock = Clock(MONDAY_10_PARIS)
    asyncio.run(_round(desk, COOLDOWN, clock))
    (first,) = _settled(receiving, 1)
    assert "أنقرة تستضيف قمة" in first
    quake = "هزة أرضية بقوة 4.1 درجات شعر بها سكان أنقرة فجرا ولم تسجل أي أضرار أو إصابات."
    desk.server.route(
        "/b.rss",
        rss(
            [{"title": "زلزال خفيف قرب أنقرة", "link": "https://n.example/2", "description": quake}]
        ),
    )
    desk.write_feeds({"feed-a": "/a.rss", "feed-b": "/b.rss"})
    clock.now += timedelta(minutes=10)
    asyncio.run(_round(desk, COOLDOWN, clock))
    assert len(_settled(receiving, 0)) == 1  # held, not dropped
    clock.now = MONDAY_10_PARIS + timedelta(hours=1)
    asyncio.run(_round(desk, COOLDOWN, clock, poll=False))
    messages = _settled(receiving, 2)
    assert len(messages) == 2
    assert "held back since the last message" in messages[1]
    assert "زلزال خفيف قرب أنقرة" in messages[1]


def _cli(desk: Desk, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        desk.command(*args),
        capture_output=True,
        text=True,
        env=env(),
        cwd=desk.root,
        timeout=60,
        check=False,
    )


def test_a_silence_set_from_the_cli_takes_effect_at_once_and_its_expiry_resumes(
    desk: Desk, receiving: HttpReceiver
) -> None:
    added = _cli(
        desk,
        "silence",
        "add",
        "--state",
        str(desk.state),
        "--match",
        "rule=ankara",
        "--for",
        "2h",
        "--author",
        "ana",
        "--comment",
        "handling the Ankara flood",
    )
    assert added.returncode == 0, added.stderr
    silence_id = added.stdout.split()[1]
    _serve(desk, ["ankara", "geneva"])
    clock = Clock(datetime.now(UTC))
    asyncio.run(_round(desk, "route: {receiver: default, group_wait: 0s}\n", clock))
    (sent,) = _settled(receiving, 1)
    assert STORIES["geneva"][0] in sent and STORIES["ankara"][0] not in sent
    listed = _cli(desk, "silence", "list", "--state", str(desk.state), "--silenced")
    assert listed.returncode == 0, listed.stderr
    assert silence_id in listed.stdout and "ankara" in listed.stdout
    expired = _cli(desk, "silence", "expire", "--state", str(desk.state), silence_id[:6])
    assert expired.returncode == 0, expired.stderr
    assert _cli(desk, "silence", "list", "--state", str(desk.state)).stdout.strip() == "no silences"
    desk.server.route(
        "/c.rss",
        rss(
            [
                {
                    "title": "أنقرة ترد على واشنطن",
                    "link": "https://n.example/3",
                    "description": "ردت أنقرة اليوم.",
                }
            ]
        ),
    )
    desk.write_feeds({"feed-c": "/c.rss"})
    clock.now = datetime.now(UTC)
    asyncio.run(_round(desk, "route: {receiver: default, group_wait: 0s}\n", clock))
    messages = _settled(receiving, 2)
    assert "أنقرة ترد على واشنطن" in messages[1]


def test_routes_check_reports_file_line_col_and_run_refuses_a_broken_file(desk: Desk) -> None:
    bad = desk.root / "routes.yaml"
    bad.write_text("route:\n  receiver: default\n  group_wait: soon\n", encoding="utf-8")
    checked = _cli(desk, "routes", "check", "--routes", str(bad), "--apprise", "/nonexistent")
    assert checked.returncode == 1
    assert f"{bad}:3:15: root: group_wait: expected a duration" in checked.stdout
    _serve(desk, ["ankara"])
    ran = desk.run(*desk.run_args("--once", "--routes", str(bad)))
    assert ran.returncode == 1 and f"{bad}:3:15" in ran.stderr


def test_preview_prints_the_digest_it_would_send(desk: Desk, tmp_path: Path) -> None:
    lines = []
    for n, (name, (title, text)) in enumerate(STORIES.items()):
        at = MONDAY_10_PARIS + timedelta(hours=n)
        item = {
            "id": name,
            "feed": f"f{n}",
            "language": "ar",
            "title": title,
            "summary": text,
            "url": f"https://n.example/{name}",
            "published": at.isoformat(),
        }
        lines.append(json.dumps(item, ensure_ascii=False))
    day = tmp_path / "day.jsonl"
    day.write_text("\n".join(lines) + "\n", encoding="utf-8")
    routes = tmp_path / "r.yaml"
    routes.write_text(DIGEST, encoding="utf-8")
    out = _cli(
        desk,
        "alerts",
        "preview",
        "--rules",
        str(desk.rules),
        "--routes",
        str(routes),
        "--apprise",
        "/nonexistent",
        "--input",
        str(day),
    )
    assert out.returncode == 0, out.stderr
    assert "2026-03-03 07:00:00Z  digest" in out.stdout
    assert out.stdout.count("digest   →") == 1
    for title, _ in STORIES.values():
        assert out.stdout.count(title) == 1
    assert "3 article(s), 3 fired; 1 message(s)" in out.stdout


def test_kill_9_during_a_group_wait_loses_and_doubles_nothing(
    desk: Desk, receiving: HttpReceiver
) -> None:
    """The real daemon on the real clock: a story waits 6 s for copies; the process is killed
    with SIGKILL while it waits, and a new one sends the story once, with the copy that came
    in before the kill."""
    _serve(desk, ["ankara"])
    copy = rss(
        [
            {
                "title": STORIES["ankara"][0],
                "link": "https://news.example.org/2026/ankara-copy",
                "description": STORIES["ankara"][1],
            },
        ]
    )
    desk.server.route("/copy.rss", copy)
    desk.write_feeds({"desk-ankara": "/ankara.rss", "desk-copy": "/copy.rss"}, interval=300)
    routes = desk.root / "routes.yaml"
    routes.write_text("route: {receiver: default, group_wait: 6s}\n", encoding="utf-8")
    variables = env() | {"NEWSWATCH_MIN_FEED_INTERVAL": "0.1"}
    daemon = OwnedProcess("run", desk.root, variables)
    args = desk.run_args("--routes", str(routes), "--delivery-interval", "0.2", "--no-console")
    daemon.spawn(args)
    try:
        daemon.wait_for_log("fired on https://news.example.org/2026/ankara-copy", timeout=30)
        daemon.wait_for_log("fired on https://news.example.org/2026/ankara ", timeout=30)
    finally:
        daemon.kill()
    assert receiving.requests == []  # killed inside the wait: nothing was sent yet
    again = OwnedProcess("run-again", desk.root, variables)
    again.spawn(args)
    try:
        (message,) = _settled(receiving, 1)
        time.sleep(5)  # a second message (the copy told again, a replay) would be here by now
        assert len(receiving.requests) == 1, again.tail()
    finally:
        again.stop()
    assert STORIES["ankara"][0] in message
    assert "+1 more source of this story" in message and (
        "desk-copy" in message or "desk-ankara" in message
    )


def test_a_failed_commit_loses_nothing_the_next_round_queues_it(
    desk: Desk, receiving: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox write fails once (a full disk): the message is built again next round."""
    _serve(desk, ["geneva"])
    clock = Clock(MONDAY_10_PARIS)

    async def scenario() -> None:
        async with _monitor(desk, "route: {receiver: default, group_wait: 0s}\n", clock) as mon:
            real = mon.inbox.store.commit
            calls = {"n": 0}

            def failing(*args: object, **kwargs: object) -> list[bool]:
                calls["n"] += 1
                if calls["n"] == 1:
                    raise OSError("disk full")
                return real(*args, **kwargs)  # type: ignore[arg-type]

            monkeypatch.setattr(mon.inbox.store, "commit", failing)
            first = await mon.run_once()  # the poll's round fails: the article is not marked seen
            assert first.alerts == 0 and first.feeds_failed == 1
            assert "sink failed: OSError: disk full" in first.errors[0]
            assert receiving.requests == []
            second = await mon.run_once()  # polled again, queued, sent
            assert second.alerts == 1, second

    asyncio.run(scenario())
    (message,) = _settled(receiving, 1)
    assert STORIES["geneva"][0] in message


def test_a_broken_routes_edit_keeps_the_running_routes_and_the_fix_is_picked_up(
    desk: Desk, receiving: HttpReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    _serve(desk, ["geneva"])
    monitor = _monitor(
        desk, "route: {receiver: default, group_wait: 10s}\n", Clock(MONDAY_10_PARIS)
    )
    path = desk.root / "routes.yaml"
    try:
        assert monitor.inbox.routes.root.settings.group_wait == timedelta(seconds=10)
        path.write_text("route: {receiver: default, group_wait: soon}\n", encoding="utf-8")
        assert monitor.reload_routes() is False
        assert f"{path}:1:40" in caplog.text and "previous routes stay in use" in caplog.text
        assert monitor.inbox.routes.root.settings.group_wait == timedelta(seconds=10)
        path.write_text("route: {receiver: default, group_wait: 1m}\n", encoding="utf-8")
        assert monitor.reload_routes() is True
        assert monitor.inbox.routes.root.settings.group_wait == timedelta(minutes=1)
        assert monitor.reload_routes() is False  # unchanged: not parsed again
    finally:
        asyncio.run(monitor.close())
