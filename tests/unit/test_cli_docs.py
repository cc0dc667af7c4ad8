"""The command line documents itself, in the spirit of sqlite-utils' docs tests: every command
has a help text with an example, and every command is in README's command table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from newswatch.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"
COMMAND_WORD = re.compile(r"[a-z][a-z-]*(\|[a-z][a-z-]*)*")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of every command, groups included (``("rules",)``, ``("rules", "check")``)."""
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def _leaves(group: click.Group) -> list[str]:
    leaves: list[str] = []
    for path in _commands(group):
        command: click.Command = group
        for name in path:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        if not isinstance(command, click.Group):
            leaves.append(" ".join(path))
    return leaves


def _readme_commands(text: str) -> set[str]:
    """The commands the first column of README's command table names: ``newswatch a b|c``
    names ``a b`` and ``a c``."""
    named: set[str] = set()
    for cell in re.findall(r"^\| `newswatch ([^`]+)` \|", text, re.M):
        words = []
        for word in cell.replace("\\|", "|").split():
            if not COMMAND_WORD.fullmatch(word):
                break  # the arguments and options begin
            words.append(word)
        if not words:
            continue
        *parents, last = words
        for choice in last.split("|"):
            named.add(" ".join([*parents, choice]))
    return named


ALL = [" ".join(path) for path in _commands(main)]


@pytest.mark.parametrize("command", ALL)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(main, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    body = result.output.split("\n\n", 1)[1]  # after "Usage: ..."
    assert body.strip() and "Example" in body, f"newswatch {command} --help has no example"


def test_every_command_is_in_the_readme_table() -> None:
    named = _readme_commands(README.read_text(encoding="utf-8"))
    missing = [leaf for leaf in _leaves(main) if leaf not in named]
    assert not missing, f"README's command table lacks: {missing}"
    unknown = sorted(named - set(ALL))
    assert not unknown, f"README's command table names commands that do not exist: {unknown}"


def test_the_readme_reader_sees_alternatives_and_options() -> None:
    table = "\n".join(
        [
            "| `newswatch archive list\\|show` | x | y |",
            "| `newswatch rules check DIR` | x | y |",
            "| `newswatch alerts retry --state DIR --apprise F` | x | y |",
        ]
    )
    assert _readme_commands(table) == {
        "archive list",
        "archive show",
        "rules check",
        "alerts retry",
    }
