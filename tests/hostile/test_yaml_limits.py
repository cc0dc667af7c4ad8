"""Hostile YAML and conditions (issue 17, items 1 and 5): refused at their place, at once,
by `rules check`, the feed list and a running monitor's rule reload."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from feeds.config import FeedConfigError, parse_feeds
from newswatch.embedded.rulebook import Rejection, RuleBook
from newswatch.rules.loader import parse_rules_text
from tests.e2e.conftest import env

# 650 bytes that expand to 10^9 strings when walked (the classic "billion laughs").
BOMB = "\n".join(
    [
        "id: bomb",
        "title: Bomb",
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]",
        *(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]"
            for i in range(8)
        ),
        "entities:",
        "  e:",
        "    keywords: *i",
        "",
    ]
)
GOOD = "id: syria\ntitle: Syria\nentities:\n  e:\n    place: Syria\n"


def check(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newswatch.cli", "rules", "check", str(directory)],
        capture_output=True, text=True, timeout=60, env=env(), check=False,
    )  # fmt: skip


def test_an_alias_bomb_is_refused_at_once_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    (tmp_path / "syria.yaml").write_text(GOOD, encoding="utf-8")
    result = check(tmp_path)  # before: 158 s and 5.6 GB, then MemoryError
    assert result.returncode == 1
    assert f"{tmp_path / 'bomb.yaml'}:" in result.stdout + result.stderr
    assert "expand to more than 100,000 values" in result.stdout + result.stderr
    assert "1 rule(s) loaded" in result.stdout + result.stderr  # the good file still loads


def test_five_thousand_levels_of_nesting_give_file_line_not_a_traceback(tmp_path: Path) -> None:
    deep = GOOD + "tags: " + "[" * 5000 + "x" + "]" * 5000 + "\n"
    (tmp_path / "deep.yaml").write_text(deep, encoding="utf-8")
    result = check(tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in out
    assert f"{tmp_path / 'deep.yaml'}:6:" in out and "nested more than 64 levels deep" in out


def test_a_condition_nested_thousands_deep_is_refused_at_its_line() -> None:
    parens = GOOD + "match: " + "(" * 5000 + "e" + ")" * 5000 + "\n"
    rules, problems = parse_rules_text(parens, "parens.yaml")
    assert not rules
    assert any(p.line == 6 and "parentheses deep" in p.message for p in problems), problems
    nots = GOOD + "match: " + "not " * 5000 + "e\n"
    rules, problems = parse_rules_text(nots, "nots.yaml")
    assert not rules and any("nested too deeply" in p.message for p in problems), problems


def test_a_feed_list_bomb_is_refused_at_its_line() -> None:
    text = BOMB.replace("id: bomb\ntitle: Bomb\n", "").replace(
        "entities:\n  e:\n    keywords: *i", "feeds: *i"
    )
    try:
        parse_feeds(text, source="feeds.yaml")
    except FeedConfigError as exc:
        assert exc.line > 1 and "expand to more than 100,000 values" in str(exc)
    else:
        raise AssertionError("the bomb was accepted")


def test_a_running_monitor_rejects_a_bomb_and_keeps_its_rules(tmp_path: Path) -> None:
    (tmp_path / "syria.yaml").write_text(GOOD, encoding="utf-8")
    rejected: list[Rejection] = []
    book = RuleBook(tmp_path, on_reject=rejected.append)
    book.reload(force=True)
    assert set(book.rules) == {"syria"}
    (tmp_path / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    book.reload()
    assert set(book.rules) == {"syria"}
    (rejection,) = rejected
    assert rejection.file.endswith("bomb.yaml")
    assert "expand to more than 100,000 values" in rejection.problems[0].message
