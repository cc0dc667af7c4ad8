"""The ``feeds`` click group: status, list and fetch, through click's CliRunner."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from feeds.state import FeedStateStore
from newswatch.article import Article
from newswatch.cli.feeds import feeds_group as feeds
from newswatch.constants import FEED_STATE_FILENAME
from tests.support.feed_server import FeedServer, read_fixture

T0 = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


def write_state(path: Path) -> None:
    with FeedStateStore(path) as store:
        store.record_success("bbc-arabic", at=T0, next_poll_at=T0 + timedelta(minutes=5))
        store.mark_seen("bbc-arabic", ["a", "b"])
        store.record_failure("tass", "HTTP 503 Service Unavailable at https://tass.ru/rss", at=T0)
        store.record_failure("tass", "read timeout after 30 s at https://tass.ru/rss", at=T0)


def test_status_table(tmp_path: Path) -> None:
    path = tmp_path / FEED_STATE_FILENAME
    write_state(path)
    result = CliRunner().invoke(feeds, ["status", "--state", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "FEED",
        "LAST",
        "SUCCESS",
        "FAILURES",
        "NEXT",
        "POLL",
        "SEEN",
        "LAST",
        "ERROR",
    ]
    bbc = lines[1].split()
    assert bbc[:6] == ["bbc-arabic", "2025-06-10", "12:00:00Z", "0", "2025-06-10", "12:05:00Z"]
    assert bbc[6:] == ["2", "-"]
    assert lines[2].startswith("tass ")
    assert " never " in lines[2]
    assert lines[2].split()[2] == "2"
    assert lines[2].endswith("read timeout after 30 s at https://tass.ru/rss")


def test_status_json(tmp_path: Path) -> None:
    path = tmp_path / FEED_STATE_FILENAME
    write_state(path)
    result = CliRunner().invoke(feeds, ["status", "--state", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [item["feed_id"] for item in data] == ["bbc-arabic", "tass"]
    assert data[0]["last_success"] == "2025-06-10T12:00:00+00:00"
    assert data[0]["articles_seen"] == 2
    assert data[1]["consecutive_failures"] == 2
    assert data[1]["last_success"] is None


def test_status_without_state_file_fails(tmp_path: Path) -> None:
    result = CliRunner().invoke(feeds, ["status", "--state", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "no such state file" in result.stderr
    assert not (tmp_path / "nope").exists()  # status never creates a state file


def test_list_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "feeds:\n  - id: one\n    url: https://a.example/rss\n    language: ar\n"
        "  - id: two\n    url: https://b.example/atom\n    enabled: false\n"
    )
    result = CliRunner().invoke(feeds, ["list", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["one", "300s", "ar", "yes", "https://a.example/rss"]
    assert lines[2].split() == ["two", "300s", "-", "no", "https://b.example/atom"]
    assert lines[-1] == f"2 feed(s), 1 enabled: {path} is valid"


def test_list_invalid_file_exits_1_with_position(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - id: one\n    url: https://a.example/rss\n    interval: 1\n")
    result = CliRunner().invoke(feeds, ["list", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{path}:4:15: feeds[0].interval: must be at least 10 seconds"


def test_fetch_writes_json_lines(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.route("/rss", read_fixture("rss_ar_ru.xml"))
    config = tmp_path / "feeds.yaml"
    config.write_text(f"feeds:\n  - id: local\n    url: {url}\n    language: ar\n")
    out = tmp_path / "local.jsonl"
    result = CliRunner().invoke(feeds, ["fetch", str(config), "local", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "local: wrote 3 article(s)" in result.stderr
    rows = [Article.from_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [a.feed for a in rows] == ["local"] * 3
    assert rows[2].title == "Лавров провёл переговоры с Керри"
    assert "كيري" in out.read_text(encoding="utf-8")  # not \u-escaped: readable by analysts


def test_fetch_to_stdout(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.route("/atom", read_fixture("atom_fr.xml"))
    config = tmp_path / "feeds.yaml"
    config.write_text(f"feeds:\n  - id: fr\n    url: {url}\n")
    result = CliRunner().invoke(feeds, ["fetch", str(config), "fr", "--out", "-"])
    assert result.exit_code == 0, result.output
    assert [Article.from_json(x).language for x in result.stdout.splitlines()] == ["fr", "fr"]


def test_fetch_errors_exit_1(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.route("/rss", b"", status=500)
    config = tmp_path / "feeds.yaml"
    config.write_text(f"feeds:\n  - id: broken\n    url: {url}\n")
    out = tmp_path / "x.jsonl"
    runner = CliRunner()
    failed = runner.invoke(feeds, ["fetch", str(config), "broken", "--out", str(out)])
    assert failed.exit_code == 1
    assert failed.stderr.strip() == f"Error: broken: HTTP 500 Internal Server Error at {url}"
    assert not out.exists()
    unknown = runner.invoke(feeds, ["fetch", str(config), "nope", "--out", str(out)])
    assert unknown.exit_code == 1
    assert "no feed 'nope' (known: broken)" in unknown.stderr


def test_every_command_documents_an_example() -> None:
    for name, command in feeds.commands.items():
        assert "Example: newswatch feeds " + name in (command.help or ""), name
