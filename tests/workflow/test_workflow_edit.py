"""The web editor's steps for one rule file (newswatch.workflow.edit): check, try, save."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from newswatch.workflow.check import check_rules
from newswatch.workflow.edit import check_edit, save_edit, try_edit
from tests.workflow.conftest import DAMASCUS, SYRIA_TALKS, Workspace, other_article, seed_article

DAMASCUS_OR_PARIS = """\
id: damascus
title: Damascus
entities:
  damascus:
    place: Damascus
    aliases: [دمشق]
  paris:
    place: Paris
match: damascus or paris
"""

# Line 5 is indented one space less than the mapping it belongs to.
BAD_INDENT = """\
id: damascus
entities:
  damascus:
    place: Damascus
   aliases: [دمشق]
"""

PEOPLE = """\
entities:
  sergey-lavrov:
    person: Sergey Lavrov
    aliases: [سيرغي لافروف]
"""

USES_REF = """\
id: lavrov-any
entities:
  lavrov: {ref: sergey-lavrov}
"""


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_a_good_edit_passes_and_its_rules_carry_the_real_path(ws: Workspace) -> None:
    path = ws.rule("damascus.yaml", DAMASCUS)
    check = check_edit(ws.rules, path, DAMASCUS_OR_PARIS)
    assert check.ok and check.errors == ()
    assert check.path == path
    (rule,) = check.rules
    assert rule.id == "damascus"
    assert rule.source == str(path)
    assert path.read_text(encoding="utf-8") == DAMASCUS  # checking writes nothing


def test_a_yaml_error_is_reported_at_the_real_file_and_line(ws: Workspace) -> None:
    (ws.rules / "sub").mkdir(parents=True)
    path = ws.rule("sub/damascus.yaml", DAMASCUS)
    check = check_edit(ws.rules, path, BAD_INDENT)
    assert not check.ok
    (problem,) = check.errors
    assert problem.file == str(path)
    assert "newswatch-edit-" not in str(problem)  # no scratch path leaks out
    assert (problem.line, problem.col, problem.code) == (5, 4, "yaml")
    assert check.rules == ()


def test_a_schema_error_is_reported_at_its_line(ws: Workspace) -> None:
    path = ws.rule("damascus.yaml", DAMASCUS)
    check = check_edit(ws.rules, path, DAMASCUS.replace("id: damascus", "id: Damascus Now"))
    assert not check.ok
    assert [(p.file, p.line) for p in check.errors] == [(str(path), 1)]


def test_an_id_of_another_running_file_is_a_duplicate(ws: Workspace) -> None:
    running = ws.rule("damascus.yaml", DAMASCUS)
    new = ws.rules / "new.yaml"
    check = check_edit(ws.rules, new, DAMASCUS, others={"damascus": str(running)})
    assert not check.ok
    (problem,) = check.errors
    assert problem.code == "duplicate-id" and problem.rule_id == "damascus"
    assert problem.file == str(new)
    assert str(running) in problem.message
    assert not save_edit(check, DAMASCUS)
    assert not new.exists()


def test_the_same_id_in_the_same_file_is_no_duplicate(ws: Workspace) -> None:
    path = ws.rule("damascus.yaml", DAMASCUS)
    check = check_edit(ws.rules, path, DAMASCUS_OR_PARIS, others={"damascus": str(path)})
    assert check.ok
    # The same file named differently (relative, with "..") is still the same file.
    roundabout = str(ws.rules / "sub" / ".." / "damascus.yaml")
    assert check_edit(ws.rules, path, DAMASCUS, others={"damascus": roundabout}).ok


def test_other_ids_do_not_matter(ws: Workspace) -> None:
    path = ws.rule("damascus.yaml", DAMASCUS)
    others = {"syria-talks": str(ws.rules / "syria.yaml")}
    assert check_edit(ws.rules, path, DAMASCUS, others=others).ok


def test_catalogue_refs_resolve_in_the_check(ws: Workspace) -> None:
    (ws.rules / "entities").mkdir(parents=True)
    (ws.rules / "entities" / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    path = ws.rules / "lavrov.yaml"
    check = check_edit(ws.rules, path, USES_REF)
    assert check.ok, [str(p) for p in check.problems]
    unknown = check_edit(ws.rules, path, USES_REF.replace("sergey-lavrov", "nobody"))
    assert not unknown.ok
    assert all(p.file == str(path) for p in unknown.errors)


def test_save_refuses_text_that_failed(ws: Workspace) -> None:
    path = ws.rule("damascus.yaml", DAMASCUS)
    check = check_edit(ws.rules, path, BAD_INDENT)
    assert save_edit(check, BAD_INDENT) is False
    assert path.read_text(encoding="utf-8") == DAMASCUS
    assert listing(ws.rules) == ["damascus.yaml"]


def test_save_writes_atomically_and_leaves_no_temporary_file(ws: Workspace) -> None:
    path = ws.rule("damascus.yaml", DAMASCUS)
    os.chmod(path, 0o640)
    check = check_edit(ws.rules, path, DAMASCUS_OR_PARIS)
    assert save_edit(check, DAMASCUS_OR_PARIS) is True
    assert path.read_bytes() == DAMASCUS_OR_PARIS.encode("utf-8")
    assert listing(ws.rules) == ["damascus.yaml"]  # no .damascus.yaml.*.tmp left behind
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # the old file's mode is kept
    # What was saved loads as it was checked.
    assert [r.id for r in check_rules(ws.rules).rules] == ["damascus"]


def test_save_keeps_line_endings_as_given(ws: Workspace) -> None:
    path = ws.rule("damascus.yaml", DAMASCUS)
    text = DAMASCUS_OR_PARIS.replace("\n", "\r\n")
    check = check_edit(ws.rules, path, text)
    assert check.ok
    assert save_edit(check, text)
    assert path.read_bytes() == text.encode("utf-8")


def test_save_creates_a_new_file_in_a_new_directory(ws: Workspace) -> None:
    ws.rules.mkdir(parents=True)
    path = ws.rules / "mena" / "damascus.yaml"
    check = check_edit(ws.rules, path, DAMASCUS)
    assert check.ok
    assert save_edit(check, DAMASCUS)
    assert path.read_text(encoding="utf-8") == DAMASCUS
    assert listing(path.parent) == ["damascus.yaml"]


def test_save_cleans_up_when_the_write_fails(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ws.rule("damascus.yaml", DAMASCUS)
    check = check_edit(ws.rules, path, DAMASCUS_OR_PARIS)

    def broken(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        save_edit(check, DAMASCUS_OR_PARIS)
    assert path.read_text(encoding="utf-8") == DAMASCUS
    assert listing(ws.rules) == ["damascus.yaml"]


def test_try_edit_alerts_and_diff(ws: Workspace) -> None:
    path = ws.rule("damascus.yaml", DAMASCUS)
    running = check_rules(path).rules
    damascus = other_article("a-damascus", "Talks in Damascus today")
    paris = other_article("a-paris", "Weather in Paris")
    neither = other_article("a-none", "Nothing to see")
    check = check_edit(ws.rules, path, DAMASCUS_OR_PARIS)
    trial = try_edit(check, running, iter([damascus, paris, neither]))  # read once
    assert trial.check is check
    assert trial.alert_count == 2
    assert [a.article.id for a in trial.alerts] == ["a-damascus", "a-paris"]
    assert {a.alert.rule_id for a in trial.alerts} == {"damascus"}
    diff = trial.diff
    assert diff.articles == 3
    assert diff.changed == ("damascus",) and diff.added == () and diff.removed == ()
    # Damascus matched before and after: no change; Paris starts matching.
    assert [(c.rule_id, c.article.id, c.started) for c in diff.changes] == [
        ("damascus", "a-paris", True)
    ]


def test_try_edit_shows_what_stops_matching(ws: Workspace) -> None:
    path = ws.rule("damascus.yaml", DAMASCUS_OR_PARIS)
    running = check_rules(path).rules
    check = check_edit(ws.rules, path, DAMASCUS)
    paris = other_article("a-paris", "Weather in Paris")
    trial = try_edit(check, running, [paris])
    assert trial.alert_count == 0 and trial.alerts == ()
    assert [(c.article.id, c.started) for c in trial.diff.changes] == [("a-paris", False)]


def test_try_edit_of_a_new_rule_on_the_seed_article(ws: Workspace) -> None:
    path = ws.rules / "syria-talks.yaml"
    ws.rules.mkdir(parents=True)
    check = check_edit(ws.rules, path, SYRIA_TALKS)
    assert check.ok
    seed = seed_article()
    trial = try_edit(check, [], [seed, other_article("a-paris", "Weather in Paris")])
    assert [a.article.id for a in trial.alerts] == [seed.id]
    assert trial.diff.added == ("syria-talks",)
    assert [(c.rule_id, c.article.id, c.started) for c in trial.diff.changes] == [
        ("syria-talks", seed.id, True)
    ]


def test_try_edit_tests_a_disabled_rule_as_if_enabled(ws: Workspace) -> None:
    path = ws.rule("damascus.yaml", DAMASCUS)
    disabled = DAMASCUS.replace("title: Damascus\n", "title: Damascus\nstatus: disabled\n")
    check = check_edit(ws.rules, path, disabled)
    assert check.ok, [str(p) for p in check.problems]
    assert not check.rules[0].enabled
    trial = try_edit(check, [], [other_article("a1", "Damascus at night")])
    assert trial.alert_count == 1
