"""A restart while a rule file is broken (issue 17, item 10): the file's last good rules keep
running, ops hears it, and the fix is confirmed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from newswatch.embedded.rulebook import Rejection, RuleBook

GOOD = "id: syria\ntitle: Syria\nentities:\n  e:\n    place: Syria\n"
BROKEN = "id: syria\ntitle: Syria\nentities:\n  e:\n    place: [Syria\n"  # YAML error


def test_a_restart_while_a_file_is_broken_keeps_its_last_good_rules(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rules, last_good = tmp_path / "rules", tmp_path / "state" / "rules-last-good"
    rules.mkdir()
    (rules / "syria.yaml").write_text(GOOD, encoding="utf-8")
    RuleBook(rules, last_good=last_good).reload(force=True)  # the first run
    (rules / "syria.yaml").write_text(BROKEN, encoding="utf-8")  # broken while it was down

    rejected: list[Rejection] = []
    fixed: list[str] = []
    with caplog.at_level(logging.INFO):
        book = RuleBook(
            rules, on_reject=rejected.append, on_fixed=fixed.append, last_good=last_good
        )
        book.reload(force=True)  # the restart: before, the rule was dropped ("not loaded")
    assert set(book.rules) == {"syria"} and book.rules["syria"].title == "Syria"
    assert [r.kept_previous for r in rejected] == [True]  # ops told: the previous version runs
    assert "its last good version" in caplog.text

    (rules / "syria.yaml").write_text(
        GOOD.replace("title: Syria", "title: Syria (fixed)"), encoding="utf-8"
    )
    with caplog.at_level(logging.INFO):
        book.reload(force=True)
    assert book.rules["syria"].title == "Syria (fixed)"
    assert fixed == [str(rules / "syria.yaml")] and "fixed, its rules run" in caplog.text


def test_without_a_last_good_copy_a_broken_file_is_still_reported_and_skipped(
    tmp_path: Path,
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "syria.yaml").write_text(BROKEN, encoding="utf-8")
    rejected: list[Rejection] = []
    book = RuleBook(rules, on_reject=rejected.append, last_good=tmp_path / "state" / "lg")
    book.reload(force=True)
    assert book.rules == {} and [r.kept_previous for r in rejected] == [False]
