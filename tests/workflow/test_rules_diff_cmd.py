"""`newswatch rules diff`: which archived articles an edit would make start or stop matching."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.workflow.conftest import (
    DAMASCUS,
    SYRIA_TALKS,
    Workspace,
    lines,
    other_article,
    seed_article,
)

KERRY_ONLY = SYRIA_TALKS.replace(
    "match: (lavrov or kerry) and syria and not sport", "match: kerry and syria and not lavrov"
)
PARIS = "id: paris\ntitle: Paris\nentities:\n  paris:\n    place: Paris\n"


def archive_both(ws: Workspace) -> None:
    ws.archive([seed_article(), other_article("w", "Weather in Paris")])


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Analyst", "-c", "user.email=analyst@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=30,
    )


def test_two_files_list_the_articles_that_stop_and_start(ws: Workspace) -> None:
    archive_both(ws)
    old = ws.root / "old.yaml"
    old.write_text(SYRIA_TALKS, encoding="utf-8")
    new = ws.root / "new.yaml"
    new.write_text(KERRY_ONLY + "---\n" + PARIS, encoding="utf-8")
    result = ws.cli("rules", "diff", str(old), str(new), "--since", "1d", "--state", str(ws.state))
    assert result.exit_code == 0, result.output
    assert lines(result.stdout) == [
        "rules: 1 changed, 1 added, 0 removed, 0 unchanged; 2 archived article(s) compared",
        "- syria-talks  seed-0001  واشنطن تعلن تقدم مباحثاتها مع موسكو بشأن سوريا  "
        "https://news.example.org/2016/08/syria-talks",
        "+ paris  w  Weather in Paris  https://news.example.org/w",
        "paris: 1 start matching, 0 stop matching",
        "syria-talks: 0 start matching, 1 stop matching",
    ]


def test_an_edit_that_changes_nothing_says_so(ws: Workspace) -> None:
    archive_both(ws)
    old = ws.root / "old.yaml"
    old.write_text(SYRIA_TALKS, encoding="utf-8")
    new = ws.root / "new.yaml"
    new.write_text(SYRIA_TALKS.replace("severity: high", "severity: low"), encoding="utf-8")
    result = ws.cli("rules", "diff", str(old), str(new), "--state", str(ws.state))
    assert result.exit_code == 0
    assert "1 changed" in result.stdout
    assert "no article would start or stop matching" in result.stdout


def test_json_output(ws: Workspace) -> None:
    archive_both(ws)
    old = ws.root / "old.yaml"
    old.write_text(SYRIA_TALKS + "---\n" + DAMASCUS, encoding="utf-8")
    new = ws.root / "new.yaml"
    new.write_text(DAMASCUS, encoding="utf-8")
    result = ws.cli(
        "rules", "diff", str(old), str(new), "--format", "json", "--state", str(ws.state)
    )
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["rules"] == {
        "added": [],
        "removed": ["syria-talks"],
        "changed": [],
        "unchanged": 1,
    }
    assert payload["articles"] == 2
    assert payload["changes"] == [
        {
            "rule": "syria-talks",
            "change": "stop",
            "article": "seed-0001",
            "title": seed_article().title,
            "url": seed_article().url,
            "feed": "desk-ar",
        }
    ]


def test_a_directory_against_its_git_head(ws: Workspace) -> None:
    archive_both(ws)
    repo = ws.root / "desk"
    rules = repo / "rules"
    (rules / "entities").mkdir(parents=True)
    (rules / "entities" / "places.yaml").write_text(
        "entities:\n  syria:\n    place: Syria\n    aliases: [سوريا]\n", encoding="utf-8"
    )
    (rules / "syria.yaml").write_text("id: syria\nentities:\n  s: {ref: syria}\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "rules")
    # Uncommitted: the catalogue entity loses its Arabic name; a new rule is added.
    (rules / "entities" / "places.yaml").write_text(
        "entities:\n  syria:\n    place: Syria\n    gazetteer: false\n", encoding="utf-8"
    )
    (rules / "paris.yaml").write_text(PARIS, encoding="utf-8")
    result = ws.cli("rules", "diff", str(rules), "--state", str(ws.state))
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert out[0].startswith("rules: 1 changed, 1 added, 0 removed, 0 unchanged")
    assert "- syria  seed-0001" in result.stdout
    assert "+ paris  w  Weather in Paris" in result.stdout
    # The repository was only read.
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    )
    assert sorted(status.stdout.split("\n")[:-1]) == [
        " M rules/entities/places.yaml",
        "?? rules/paris.yaml",
    ]


def test_a_file_not_committed_yet_is_all_new(ws: Workspace) -> None:
    archive_both(ws)
    repo = ws.root / "desk"
    repo.mkdir()
    (repo / "README").write_text("x", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    rule = repo / "paris.yaml"
    rule.write_text(PARIS, encoding="utf-8")
    result = ws.cli("rules", "diff", str(rule), "--state", str(ws.state))
    assert result.exit_code == 0, result.output
    assert "0 changed, 1 added" in result.stdout and "+ paris  w" in result.stdout


def test_outside_git_one_path_is_an_error(ws: Workspace, tmp_path: Path) -> None:
    archive_both(ws)
    rule = ws.rule("syria.yaml", SYRIA_TALKS)
    result = ws.cli("rules", "diff", str(rule), "--state", str(ws.state))
    assert result.exit_code == 1
    assert "git rev-parse" in result.output and "give OLD and NEW" in result.output


def test_an_invalid_new_side_is_refused(ws: Workspace) -> None:
    archive_both(ws)
    old = ws.root / "old.yaml"
    old.write_text(SYRIA_TALKS, encoding="utf-8")
    new = ws.root / "new.yaml"
    new.write_text(SYRIA_TALKS.replace("match: (lavrov", "match: ((lavrov"), encoding="utf-8")
    result = ws.cli("rules", "diff", str(old), str(new), "--state", str(ws.state))
    assert result.exit_code == 1
    assert "is never closed" in result.stderr and "fix them first" in result.stderr
    assert result.stdout == ""


def test_without_an_archive_it_says_where_it_looked(ws: Workspace) -> None:
    old = ws.root / "old.yaml"
    old.write_text(SYRIA_TALKS, encoding="utf-8")
    result = ws.cli("rules", "diff", str(old), str(old), "--state", str(ws.state))
    assert result.exit_code == 1 and "no article archive at" in result.output
