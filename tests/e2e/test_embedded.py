"""The monitor end to end in one process: feed server → `newswatch run` → receivers."""

from __future__ import annotations

import json
import signal
import subprocess
import time

from tests.e2e.conftest import SEED_FIRING, SEED_LINK, Desk, env, rss, seed_feed
from tests.support.receivers import HttpReceiver, SmtpReceiver


def rule_of(message: str) -> str:
    """Which seed rule an alert is for: its title reads "[HIGH] Watch <Name>: ..."."""
    names = {
        "John Kerry": "kerry",
        "Sergey Lavrov": "lavrov",
        "Syria": "syria",
        "Moscow": "moscow",
        "Geneva": "geneva",
        "Aleppo": "aleppo",
        "Ankara": "ankara",
        "Damascus": "damascus",
    }
    for name, rule_id in names.items():
        if f"Watch {name}" in message:
            return rule_id
    raise AssertionError(f"no seed rule named in {message[:200]!r}")


def test_seed_article_alerts_once_per_rule_by_http_and_email(
    desk: Desk, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver
) -> None:
    desk.server.route("/seed.rss", seed_feed(), content_type="application/rss+xml")
    desk.write_feeds({"desk-ar": "/seed.rss"})
    desk.write_targets(
        http_receiver.apprise_url("/hook"), smtp_receiver.apprise_url(to="desk@example.org")
    )

    result = desk.run()
    assert result.returncode == 0, result.stderr

    posts = http_receiver.wait_for(len(SEED_FIRING))
    time.sleep(0.3)  # anything extra (a Damascus alert, a duplicate) would have arrived by now
    assert len(http_receiver.requests) == len(SEED_FIRING)
    fired = sorted(rule_of(p.json["title"]) for p in posts)
    assert fired == SEED_FIRING  # one each, and none for Damascus

    lavrov = next(p.json for p in posts if rule_of(p.json["title"]) == "lavrov")
    assert SEED_LINK in lavrov["message"]
    assert "سيرجي لافروف" in lavrov["message"]  # the Arabic names arrive intact
    assert "سيرغي لافروف" in lavrov["message"]
    assert "واشنطن تعلن تقدم مباحثاتها مع موسكو بشأن سوريا" in lavrov["title"]

    mails = smtp_receiver.wait_for(len(SEED_FIRING))
    assert sorted(rule_of(m.subject) for m in mails) == SEED_FIRING
    ankara = next(m for m in mails if rule_of(m.subject) == "ankara")
    assert "لأنقرة" in ankara.body and SEED_LINK in ankara.body

    # The console got the alerts too, and the summary says what happened.
    assert "Watch Ankara" in result.stdout
    assert "1 feed(s) polled (0 failed), 1 new article(s), 7 alert(s)" in result.stderr


def test_run_once_twice_sends_nothing_the_second_time(
    desk: Desk, http_receiver: HttpReceiver
) -> None:
    desk.server.route("/seed.rss", seed_feed())
    desk.write_feeds({"desk-ar": "/seed.rss"})
    desk.write_targets(http_receiver.apprise_url("/hook"))

    assert desk.run().returncode == 0
    http_receiver.wait_for(len(SEED_FIRING))
    second = desk.run()
    assert second.returncode == 0, second.stderr
    assert "0 new article(s), 0 alert(s)" in second.stderr
    time.sleep(0.3)
    assert len(http_receiver.requests) == len(SEED_FIRING)


def test_an_alert_held_while_the_receiver_is_down_is_delivered_later_once(
    desk: Desk, http_receiver: HttpReceiver
) -> None:
    desk.server.route("/seed.rss", seed_feed())
    desk.write_feeds({"desk-ar": "/seed.rss"})
    desk.write_targets(http_receiver.apprise_url("/hook"))
    http_receiver.stop()

    first = desk.run()
    assert first.returncode == 0, first.stderr
    assert f"0 delivered, {len(SEED_FIRING)} held for retry" in first.stderr
    assert "alert not delivered: rule" in first.stderr  # says what failed and where

    pending = desk.run(
        *desk.command("alerts", "pending", "--state", str(desk.state), "--format", "json")
    )
    assert pending.returncode == 0, pending.stderr
    held = json.loads(pending.stdout)
    assert sorted({d["rule_id"] for d in held}) == SEED_FIRING

    http_receiver.start()
    retried = desk.run(
        *desk.command("alerts", "retry", "--state", str(desk.state), "--apprise", str(desk.apprise))
    )
    assert retried.returncode == 0, retried.stderr + retried.stdout
    posts = http_receiver.wait_for(len(SEED_FIRING))
    assert sorted(rule_of(p.json["title"]) for p in posts) == SEED_FIRING

    # Nothing is left to send, and a new run does not send anything again.
    again = desk.run()
    assert "0 alert(s), 0 delivered, 0 held" in again.stderr
    time.sleep(0.3)
    assert len(http_receiver.requests) == len(SEED_FIRING)


def test_bad_feeds_are_reported_and_the_good_one_still_alerts(
    desk: Desk, http_receiver: HttpReceiver
) -> None:
    server = desk.server
    server.route("/seed.rss", seed_feed())
    server.route("/error.rss", b"boom", status=500)
    server.route("/slow.rss", seed_feed(), delay=3.0)
    # A feed cut off in its second item: the first, complete item is kept.
    full = rss(
        [
            {"title": "Weather report", "link": "https://x.example/1", "description": "Rain."},
            {"title": "Markets", "link": "https://x.example/2", "description": "Flat."},
        ]
    )
    server.route("/truncated.rss", full[: len(full) - 40])
    server.route(
        "/page.html", b"<html><body><h1>Not a feed</h1></body></html>", content_type="text/html"
    )
    server.route(
        "/huge.rss",
        rss([{"title": "t", "link": "https://x.example/big", "description": "x" * 50_000}]),
    )
    desk.write_feeds(
        {
            "good": "/seed.rss",
            "error": "/error.rss",
            "slow": "/slow.rss",
            "truncated": "/truncated.rss",
            "page": "/page.html",
            "huge": "/huge.rss",
        }
    )
    desk.write_targets(http_receiver.apprise_url("/hook"))

    result = desk.run(*desk.run_args("--once", "--fetch-timeout", "1", "--max-feed-bytes", "20000"))
    assert result.returncode == 0, result.stderr
    http_receiver.wait_for(len(SEED_FIRING))
    assert "6 feed(s) polled (4 failed), 2 new article(s)" in result.stderr

    status = desk.run(
        *desk.command("feeds", "status", "--state", str(desk.state), "--format", "json")
    )
    assert status.returncode == 0, status.stderr
    health = {row["feed_id"]: row for row in json.loads(status.stdout)}
    assert health["good"]["consecutive_failures"] == 0
    assert "500" in health["error"]["last_error"]
    assert (
        "timed out" in health["slow"]["last_error"].lower()
        or "timeout" in health["slow"]["last_error"].lower()
    )
    assert "20000" in health["huge"]["last_error"] or "20,000" in health["huge"]["last_error"]
    assert "not a feed" in health["page"]["last_error"].lower()
    # Broken but partly readable: a success with the parse error recorded.
    assert health["truncated"]["consecutive_failures"] == 0
    assert "cut off" in health["truncated"]["last_error"]


def test_invalid_rule_files_are_reported_and_the_valid_rules_still_fire(
    desk: Desk, http_receiver: HttpReceiver
) -> None:
    (desk.rules / "broken.yaml").write_text("id: broken\nentities: [oops\n", encoding="utf-8")
    (desk.rules / "unknown.yaml").write_text(
        "id: unknown-key\nentities:\n  e:\n    place: Syria\nurgency: high\n", encoding="utf-8"
    )
    desk.server.route("/seed.rss", seed_feed())
    desk.write_feeds({"desk-ar": "/seed.rss"})
    desk.write_targets(http_receiver.apprise_url("/hook"))

    result = desk.run()
    assert result.returncode == 0, result.stderr
    assert f"{desk.rules / 'broken.yaml'}:3:1: YAML syntax error" in result.stderr
    assert f"{desk.rules / 'unknown.yaml'}:5:1: urgency: unknown key" in result.stderr
    posts = http_receiver.wait_for(len(SEED_FIRING))
    assert sorted(rule_of(p.json["title"]) for p in posts) == SEED_FIRING

    check = desk.run(*desk.command("rules", "check", str(desk.rules)))
    assert check.returncode == 1
    assert check.stdout.count("\n") == 2


def test_the_daemon_keeps_polling_and_stops_cleanly_on_sigterm(
    desk: Desk, http_receiver: HttpReceiver
) -> None:
    desk.server.route("/seed.rss", rss([]))  # nothing yet
    desk.write_feeds({"desk-ar": "/seed.rss"}, interval=0.5)
    desk.write_targets(http_receiver.apprise_url("/hook"))
    variables = env() | {"NEWSWATCH_MIN_FEED_INTERVAL": "0.1"}
    process = subprocess.Popen(
        desk.run_args("--delivery-interval", "0.2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=variables,
        cwd=desk.root,
    )
    try:
        # The article appears while the daemon runs: it is picked up on a later poll.
        deadline = time.monotonic() + 20
        while len(desk.server.requests("/seed.rss")) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(desk.server.requests("/seed.rss")) >= 2, "the daemon did not keep polling"
        desk.server.route("/seed.rss", seed_feed())
        posts = http_receiver.wait_for(len(SEED_FIRING), timeout=20)
        assert sorted(rule_of(p.json["title"]) for p in posts) == SEED_FIRING
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "SIGTERM received" in stderr and "stopped:" in stderr
    time.sleep(0.3)
    assert len(http_receiver.requests) == len(SEED_FIRING)
