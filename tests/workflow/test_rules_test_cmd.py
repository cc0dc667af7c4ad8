"""`newswatch rules test`: the exact alert text per matching article, sending nothing by default."""

from __future__ import annotations

from newswatch.alerts.message import build_alert
from newswatch.alerts.notifier import format_console
from newswatch.matching.matcher import Matcher
from newswatch.rules.loader import load_rules
from tests.e2e.conftest import rss, seed_feed
from tests.support.feed_server import FeedServer
from tests.support.receivers import HttpReceiver
from tests.workflow.conftest import (
    DAMASCUS,
    SYRIA_TALKS,
    Workspace,
    other_article,
    seed_article,
    write_jsonl,
)


def expected_text(ws: Workspace, rule_id: str) -> str:
    """What the monitor would send for the seed article, built by the monitor's own code."""
    rule = load_rules(ws.rules).by_id()[rule_id]
    article = seed_article()
    (hit,) = Matcher([rule]).match(article)
    return format_console(build_alert(rule, article, hit))


def test_input_file_prints_the_exact_alert_and_sends_nothing(
    ws: Workspace, http_receiver: HttpReceiver
) -> None:
    rule = ws.rule("syria.yaml", SYRIA_TALKS)
    articles = write_jsonl(
        ws.root / "a.jsonl", [seed_article(), other_article("w", "Weather in Paris")]
    )
    apprise = ws.root / "apprise.yaml"
    apprise.write_text(f"urls:\n  - {http_receiver.apprise_url('/hook')}\n", encoding="utf-8")
    result = ws.cli("rules", "test", str(rule), "--input", str(articles), "--apprise", str(apprise))
    assert result.exit_code == 0, result.output
    assert result.stdout == expected_text(ws, "syria-talks") + "→ tags: default\n"
    assert "Names found:\n- Syria: سوريا, بسوريا" in result.stdout
    assert "1 rule(s), 2 article(s): 1 alert(s) on 1 article(s)" in result.stderr
    assert "dry run: nothing sent" in result.stderr
    assert http_receiver.requests == []


def test_send_delivers_the_same_text_to_the_targets(
    ws: Workspace, http_receiver: HttpReceiver
) -> None:
    rule = ws.rule("syria.yaml", SYRIA_TALKS)
    articles = write_jsonl(ws.root / "a.jsonl", [seed_article()])
    apprise = ws.root / "apprise.yaml"
    apprise.write_text(f"urls:\n  - {http_receiver.apprise_url('/hook')}\n", encoding="utf-8")
    result = ws.cli(
        "rules", "test", str(rule), "--input", str(articles), "--send", "--apprise", str(apprise)
    )
    assert result.exit_code == 0, result.output
    assert "sent 1, failed 0" in result.stderr
    (post,) = http_receiver.wait_for(1)
    printed = result.stdout.split("\n", 1)[1]  # after the console's rule line
    assert printed.startswith(post.json["title"] + "\n" + post.json["message"])


def test_send_to_a_dead_target_exits_1(ws: Workspace, http_receiver: HttpReceiver) -> None:
    rule = ws.rule("syria.yaml", SYRIA_TALKS)
    articles = write_jsonl(ws.root / "a.jsonl", [seed_article()])
    apprise = ws.root / "apprise.yaml"
    apprise.write_text(f"urls:\n  - {http_receiver.apprise_url('/hook')}\n", encoding="utf-8")
    http_receiver.fail_with(500)
    result = ws.cli(
        "rules", "test", str(rule), "--input", str(articles), "--send", "--apprise", str(apprise)
    )
    assert result.exit_code == 1
    assert "sent 0, failed 1" in result.stderr and "failed:" in result.stderr


def test_a_feed_fetched_once(ws: Workspace, feed_server: FeedServer) -> None:
    rule = ws.rule("syria.yaml", SYRIA_TALKS)
    url = feed_server.route("/seed.rss", seed_feed())
    result = ws.cli("rules", "test", str(rule), "--feed", url, "--feed-id", "desk-ar")
    assert result.exit_code == 0, result.output
    assert "[HIGH] Russia–US talks on Syria: واشنطن تعلن" in result.stdout
    assert "Feed: desk-ar" in result.stdout
    assert "1 article(s): 1 alert(s)" in result.stderr
    assert len(feed_server.requests("/seed.rss")) == 1


def test_a_feed_that_is_not_one_fails(ws: Workspace, feed_server: FeedServer) -> None:
    rule = ws.rule("syria.yaml", SYRIA_TALKS)
    page = feed_server.route("/page", b"<html><body>hi</body></html>", content_type="text/html")
    gone = feed_server.route("/gone", b"", status=404)
    result = ws.cli("rules", "test", str(rule), "--feed", page)
    assert result.exit_code == 1 and "not a feed" in result.output.lower()
    result = ws.cli("rules", "test", str(rule), "--feed", gone)
    assert result.exit_code == 1 and "404" in result.output


def test_articles_from_the_archive_since(ws: Workspace) -> None:
    rule = ws.rule("syria.yaml", SYRIA_TALKS)
    ws.archive([seed_article(), other_article("w", "Weather in Paris")])
    result = ws.cli(
        "rules", "test", str(rule), "--archive", "--since", "1h", "--state", str(ws.state)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.count("[HIGH] Russia–US talks on Syria") == 1
    assert "2 article(s): 1 alert(s)" in result.stderr


def test_a_disabled_draft_is_tested_as_if_enabled(ws: Workspace) -> None:
    rule = ws.rule("draft.yaml", SYRIA_TALKS.replace("severity: high", "status: disabled"))
    articles = write_jsonl(ws.root / "a.jsonl", [seed_article()])
    result = ws.cli("rules", "test", str(rule), "--input", str(articles))
    assert result.exit_code == 0
    assert "note: rule syria-talks is disabled; tested as if enabled" in result.stderr
    assert "Russia–US talks on Syria" in result.stdout


def test_a_rule_that_matches_nothing_prints_nothing(ws: Workspace) -> None:
    rule = ws.rule("damascus.yaml", DAMASCUS)
    articles = write_jsonl(ws.root / "a.jsonl", [seed_article()])
    result = ws.cli("rules", "test", str(rule), "--input", str(articles))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "1 rule(s), 1 article(s): 0 alert(s) on 0 article(s)" in result.stderr


def test_an_invalid_rule_file_is_refused_with_its_errors(ws: Workspace) -> None:
    rule = ws.rule("bad.yaml", SYRIA_TALKS.replace("match: (lavrov", "match: (lavrovv"))
    articles = write_jsonl(ws.root / "a.jsonl", [seed_article()])
    result = ws.cli("rules", "test", str(rule), "--input", str(articles))
    assert result.exit_code == 1
    assert f"{rule}:16:9: match: entity 'lavrovv' is not defined" in result.stderr
    assert "suggestion: did you mean 'lavrov'?" in result.stderr
    assert "1 error(s); fix them first" in result.stderr
    assert result.stdout == ""


def test_bad_input_lines_are_reported_and_fail_the_run(ws: Workspace) -> None:
    rule = ws.rule("syria.yaml", SYRIA_TALKS)
    articles = ws.root / "a.jsonl"
    articles.write_text(seed_article().to_json() + '\n{"title": "no id"}\n', encoding="utf-8")
    result = ws.cli("rules", "test", str(rule), "--input", str(articles))
    assert result.exit_code == 1
    assert "a.jsonl:2: not an article: id: required" in result.stderr
    assert "Russia–US talks on Syria" in result.stdout  # the good line still ran


def test_exactly_one_article_source_is_required(ws: Workspace) -> None:
    rule = ws.rule("syria.yaml", SYRIA_TALKS)
    none = ws.cli("rules", "test", str(rule))
    assert (
        none.exit_code == 2
        and "exactly one of --input FILE, --feed URL or --archive" in none.output
    )
    articles = write_jsonl(ws.root / "a.jsonl", [seed_article()])
    both = ws.cli("rules", "test", str(rule), "--input", str(articles), "--archive")
    assert both.exit_code == 2
    no_archive = ws.cli("rules", "test", str(rule), "--archive", "--state", str(ws.state))
    assert no_archive.exit_code == 1 and "no article archive" in no_archive.output


def test_reading_articles_from_stdin(ws: Workspace) -> None:
    rule = ws.rule("syria.yaml", SYRIA_TALKS)
    result = ws.cli("rules", "test", str(rule), "--input", "-", input=seed_article().to_json())
    assert result.exit_code == 0
    assert "1 article(s): 1 alert(s)" in result.stderr


def test_an_empty_feed_gives_zero_articles(ws: Workspace, feed_server: FeedServer) -> None:
    rule = ws.rule("syria.yaml", SYRIA_TALKS)
    url = feed_server.route("/empty.rss", rss([]))
    result = ws.cli("rules", "test", str(rule), "--feed", url)
    assert result.exit_code == 0
    assert "0 article(s): 0 alert(s)" in result.stderr
