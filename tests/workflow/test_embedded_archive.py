"""The embedded monitor archives what it handles, and the workflow commands read that archive."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import SEED_LINK, Desk, env, seed_feed, write_seed_rules
from tests.support.feed_server import FeedServer
from tests.support.receivers import HttpReceiver


@pytest.fixture
def desk(tmp_path: Path, feed_server: FeedServer) -> Desk:
    d = Desk(tmp_path, feed_server)
    write_seed_rules(d.rules)
    feed_server.route("/seed.rss", seed_feed())
    d.write_feeds({"desk-ar": "/seed.rss"})
    return d


def test_run_once_archives_the_seed_and_the_commands_read_it(
    desk: Desk, http_receiver: HttpReceiver
) -> None:
    desk.write_targets(http_receiver.apprise_url("/hook"))
    ran = desk.run()
    assert ran.returncode == 0, ran.stderr
    http_receiver.wait_for(1)

    listed = desk.run(
        *desk.command("archive", "list", "--state", str(desk.state), "--format", "jsonl")
    )
    assert listed.returncode == 0, listed.stderr
    (line,) = listed.stdout.splitlines()
    article = json.loads(line)
    assert article["url"] == SEED_LINK and article["feed"] == "desk-ar"

    explained = desk.run(
        *desk.command(
            "explain",
            SEED_LINK,
            "--rules",
            str(desk.rules),
            "--rule",
            "ankara",
            "--state",
            str(desk.state),
        )
    )
    assert explained.returncode == 0, explained.stderr
    assert f"article {article['id']}:" in explained.stdout
    assert "'لأنقرة' in summary" in explained.stdout and "(prefix, as 'أنقرة')" in explained.stdout

    # Disabling the Kerry rule, as diffed against the archive: the seed stops matching it.
    new = desk.root / "new"
    new.mkdir()
    for rule_file in desk.rules.iterdir():
        (new / rule_file.name).write_text(rule_file.read_text("utf-8"), encoding="utf-8")
    (new / "kerry.yaml").write_text(
        (new / "kerry.yaml").read_text("utf-8") + "status: disabled\n", encoding="utf-8"
    )
    diffed = desk.run(
        *desk.command("rules", "diff", str(desk.rules), str(new), "--state", str(desk.state))
    )
    assert diffed.returncode == 0, diffed.stderr
    assert f"- kerry  {article['id']}" in diffed.stdout
    assert "rules: 1 changed, 0 added, 0 removed, 7 unchanged; 1 archived" in diffed.stdout

    tested = desk.run(
        *desk.command(
            "rules",
            "test",
            str(desk.rules / "lavrov.yaml"),
            "--archive",
            "--state",
            str(desk.state),
        )
    )
    assert tested.returncode == 0, tested.stderr
    assert "[HIGH] Watch Sergey Lavrov: واشنطن تعلن" in tested.stdout
    assert len(http_receiver.requests) == 1  # the dry run sent nothing


def test_a_broken_rule_at_start_goes_to_the_ops_tag_once(
    desk: Desk, http_receiver: HttpReceiver
) -> None:
    broken = desk.rules / "broken.yaml"
    broken.write_text("id: broken\nentities: [oops\n", encoding="utf-8")
    desk.apprise.write_text(
        "version: 1\nurls:\n"
        f'  - "{http_receiver.apprise_url("/hook")}":\n      tag: default\n'
        f'  - "{http_receiver.apprise_url("/ops")}":\n      tag: ops\n',
        encoding="utf-8",
    )

    def run_once() -> subprocess.CompletedProcess[str]:
        return desk.run(*desk.run_args("--once", "--ops-tag", "ops"))

    first = run_once()
    assert first.returncode == 0, first.stderr
    assert f"{broken}: invalid, not loaded" in first.stderr
    http_receiver.wait_for(2)
    (ops,) = http_receiver.accepted("/ops")
    assert ops.json["title"] == f"[OPS] rule edit rejected: {broken}"
    assert f"{broken}:3:1: YAML syntax error" in ops.json["message"]
    # Same broken file on the next run: the outbox knows this notification already.
    assert run_once().returncode == 0
    assert len(http_receiver.accepted("/ops")) == 1


def test_no_archive_leaves_none_and_a_bad_archive_setting_stops_the_start(desk: Desk) -> None:
    ran = desk.run(*desk.run_args("--once", "--no-archive"))
    assert ran.returncode == 0, ran.stderr
    assert not (desk.state / "archive.sqlite3").exists()
    bad = subprocess.run(
        desk.run_args("--once"),
        capture_output=True,
        text=True,
        timeout=60,
        env=env() | {"NEWSWATCH_ARCHIVE_DAYS": "a week"},
        cwd=desk.root,
        check=False,
    )
    assert bad.returncode == 2
    assert "Invalid value for '--archive-days'" in bad.stderr and "a week" in bad.stderr
