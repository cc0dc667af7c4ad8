"""The monitor end to end in one process: feed server → `newswatch run` → receivers."""

from __future__ import annotations

import json
import signal
import subprocess
import time

from tests.e2e.conftest import SEED_FIRING, SEED_LINK, Desk, env, rss, seed_feed
from tests.support.receivers import HttpReceiver, SmtpReceiver
from tests.support.story_feeds import FEEDS, LOOKALIKE, STORY_RULES, feed_xml


def rules_of(message: str) -> list[str]:
    """The seed rules an alert names ("Watch <Name>" in its title or its "Rules:" list)."""
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
    found = sorted(rule_id for name, rule_id in names.items() if f"Watch {name}" in message)
    assert found, f"no seed rule named in {message[:200]!r}"
    return found


def test_seed_article_alerts_once_per_target_naming_every_rule(
    desk: Desk, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver
) -> None:
    desk.server.route("/seed.rss", seed_feed(), content_type="application/rss+xml")
    desk.write_feeds({"desk-ar": "/seed.rss"})
    desk.write_targets(
        http_receiver.apprise_url("/hook"), smtp_receiver.apprise_url(to="desk@example.org")
    )

    result = desk.run()
    assert result.returncode == 0, result.stderr

    # One article firing seven rules is one message per target, naming all seven.
    (post,) = http_receiver.wait_for(1)
    time.sleep(0.3)  # anything extra (a Damascus alert, a duplicate) would have arrived by now
    assert len(http_receiver.requests) == 1
    assert rules_of(post.json["message"]) == SEED_FIRING  # and not Damascus
    assert SEED_LINK in post.json["message"]
    assert "سيرجي لافروف" in post.json["message"]  # the Arabic names arrive intact
    assert "سيرغي لافروف" in post.json["message"]
    assert "لأنقرة" in post.json["message"]
    assert "واشنطن تعلن تقدم مباحثاتها مع موسكو بشأن سوريا" in post.json["title"]
    assert "+5 more" in post.json["title"]

    (mail,) = smtp_receiver.wait_for(1)
    assert rules_of(mail.body) == SEED_FIRING
    assert "لأنقرة" in mail.body and SEED_LINK in mail.body

    # The console got the story once too, and the summary says what happened: one alert per
    # target.
    assert result.stdout.count("─" * 72) == 1 and "Watch Ankara" in result.stdout
    assert "1 feed(s) polled (0 failed), 1 new article(s), 2 alert(s)" in result.stderr


def test_run_once_twice_sends_nothing_the_second_time(
    desk: Desk, http_receiver: HttpReceiver
) -> None:
    desk.server.route("/seed.rss", seed_feed())
    desk.write_feeds({"desk-ar": "/seed.rss"})
    desk.write_targets(http_receiver.apprise_url("/hook"))

    assert desk.run().returncode == 0
    http_receiver.wait_for(1)
    second = desk.run()
    assert second.returncode == 0, second.stderr
    assert "0 new article(s), 0 alert(s)" in second.stderr
    time.sleep(0.3)
    assert len(http_receiver.requests) == 1


def test_an_alert_held_while_the_receiver_is_down_is_delivered_later_once(
    desk: Desk, http_receiver: HttpReceiver
) -> None:
    desk.server.route("/seed.rss", seed_feed())
    desk.write_feeds({"desk-ar": "/seed.rss"})
    desk.write_targets(http_receiver.apprise_url("/hook"))
    http_receiver.stop()

    first = desk.run()
    assert first.returncode == 0, first.stderr
    assert "0 delivered, 1 held for retry" in first.stderr
    assert "alert not delivered: rule" in first.stderr  # says what failed and where

    pending = desk.run(
        *desk.command("alerts", "pending", "--state", str(desk.state), "--format", "json")
    )
    assert pending.returncode == 0, pending.stderr
    (held,) = json.loads(pending.stdout)
    assert held["rule_id"] in SEED_FIRING

    http_receiver.start()
    retried = desk.run(
        *desk.command("alerts", "retry", "--state", str(desk.state), "--apprise", str(desk.apprise))
    )
    assert retried.returncode == 0, retried.stderr + retried.stdout
    (post,) = http_receiver.wait_for(1)
    assert rules_of(post.json["message"]) == SEED_FIRING

    # Nothing is left to send, and a new run does not send anything again.
    again = desk.run()
    assert "0 alert(s), 0 delivered, 0 held" in again.stderr
    time.sleep(0.3)
    assert len(http_receiver.requests) == 1


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
    (post,) = http_receiver.wait_for(1)
    assert rules_of(post.json["message"]) == SEED_FIRING
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
    (post,) = http_receiver.wait_for(1)
    assert rules_of(post.json["message"]) == SEED_FIRING

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
        (post,) = http_receiver.wait_for(1, timeout=20)
        assert rules_of(post.json["message"]) == SEED_FIRING
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "SIGTERM received" in stderr and "stopped:" in stderr
    time.sleep(0.3)
    assert len(http_receiver.requests) == 1


def _story_desk(desk: Desk) -> None:
    for rule_file in desk.rules.iterdir():
        rule_file.unlink()
    for rule_id, text in STORY_RULES.items():
        (desk.rules / f"{rule_id}.yaml").write_text(text, encoding="utf-8")
    lines = ["feeds:"]
    for feed_id, (language, items) in FEEDS.items():
        desk.server.route(f"/{feed_id}.rss", feed_xml(language, items))
        lines += [
            f"  - id: {feed_id}",
            f"    url: {desk.server.url(f'/{feed_id}.rss')}",
            f"    language: {language}",
        ]
    desk.feeds_file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_one_story_in_six_feeds_and_three_languages_alerts_once_per_target(
    desk: Desk, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver
) -> None:
    _story_desk(desk)
    desk.write_targets(
        http_receiver.apprise_url("/hook"), smtp_receiver.apprise_url(to="desk@example.org")
    )
    first = desk.run()
    assert first.returncode == 0, first.stderr
    assert "6 new article(s), 2 alert(s)" in first.stderr
    (post,) = http_receiver.wait_for(1)
    (mail,) = smtp_receiver.wait_for(1)
    time.sleep(0.5)  # a second alert of the story would have arrived by now
    assert len(http_receiver.requests) == 1 and len(smtp_receiver.messages) == 1
    assert "Watch Lavrov" in post.json["title"] and "Watch Geneva" in post.json["title"]
    assert "Watch Lavrov" in mail.subject and "Watch Geneva" in mail.subject
    # The copies and the other languages joined the first article's story, each saying why.
    stories = desk.run(
        *desk.command("stories", "list", "--state", str(desk.state), "--format", "json")
    )
    assert stories.returncode == 0, stories.stderr
    (story,) = json.loads(stories.stdout)
    assert story["articles"] == 6 and sorted(story["languages"]) == ["ar", "en", "ru"]
    shown = desk.run(
        *desk.command(
            "stories", "show", story["story"], "--state", str(desk.state), "--format", "json"
        )
    )
    # Feeds are polled at once, so arrival order varies: each article's signal is the strongest
    # one available against the articles that came before it (rows are in arrival order).
    rows = [(row["article"]["feed"], row["signal"]) for row in json.loads(shown.stdout)]
    same_link, english = (
        {"wire", "aggregator", "mobile"},
        {"wire", "aggregator", "mobile", "reprint"},
    )
    for index, (feed, joined_by) in enumerate(rows):
        before = {earlier for earlier, _ in rows[:index]}
        if not before:
            expected = "new"
        elif feed in same_link and before & same_link:
            expected = "link"
        elif feed in english and before & english:
            expected = "duplicate"
        else:
            expected = "entities"
        assert joined_by == expected, (feed, rows)

    # A restart sends nothing again; the look-alike event a week later is a story of its own.
    language, items = FEEDS["wire"]
    desk.server.route("/wire.rss", feed_xml(language, [*items, LOOKALIKE]))
    second = desk.run()
    assert second.returncode == 0, second.stderr
    assert "1 new article(s), 2 alert(s)" in second.stderr
    posts = http_receiver.wait_for(2)
    assert "New York" in posts[1].json["title"]
    third = desk.run()
    assert "0 new article(s), 0 alert(s)" in third.stderr
    time.sleep(0.5)
    assert len(http_receiver.requests) == 2
