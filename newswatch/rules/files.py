"""Which files are rule files, and reading one: the file-system edge of the rule loader."""

from __future__ import annotations

from pathlib import Path

from newswatch.rules.catalogue import in_catalogue_dir
from newswatch.rules.problems import RuleProblem

__all__ = ["RULE_SUFFIXES", "read_source", "rule_files"]


RULE_SUFFIXES = (".yaml", ".yml")


def rule_files(path: Path) -> list[Path]:
    """The rule files under ``path`` (a file, or a directory searched recursively), sorted.

    Files in an ``entities/`` directory below ``path`` are the entity catalogue, not rules.
    """
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix in RULE_SUFFIXES
        and not p.name.startswith(".")
        and not in_catalogue_dir(p, path)
    )


def read_source(file: Path) -> str | RuleProblem:
    """The text of a rule or catalogue file, or the problem that says it cannot be read."""
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return RuleProblem(str(file), 1, 1, f"cannot read: {exc}", code="unreadable")
