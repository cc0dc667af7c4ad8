"""What is wrong with a rule file, and where: ``RuleProblem`` (file:line:col, a code, a
suggestion) and ``RuleSet`` (the rules that loaded, with every problem found on the way)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newswatch.rules.model import Rule

__all__ = ["RuleProblem", "RuleSet"]


@dataclass(frozen=True, slots=True)
class RuleProblem:
    file: str
    line: int
    col: int
    message: str
    rule_id: str | None = None
    level: str = "error"  # error | warning | note
    code: str = ""  # what kind of problem, for editors and CI: yaml, unknown-key, ...
    suggestion: str = ""  # what to do about it (``rules check`` fills it in)

    def __str__(self) -> str:
        where = f" [{self.rule_id}]" if self.rule_id else ""
        prefix = "" if self.level == "error" else f"{self.level}: "
        fix = f"; suggestion: {self.suggestion}" if self.suggestion else ""
        return f"{self.file}:{self.line}:{self.col}: {prefix}{self.message}{where}{fix}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "level": self.level,
            "rule": self.rule_id,
            "message": self.message,
            "code": self.code,
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    problems: tuple[RuleProblem, ...]
    files: tuple[str, ...]
    includes: tuple[str, ...] = ()  # the catalogue files read for the rules' ``ref:`` entities

    @property
    def errors(self) -> tuple[RuleProblem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}
