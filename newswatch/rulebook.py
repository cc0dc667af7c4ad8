"""The live set of rules a running monitor matches with, reloaded when the files change.

A bad edit never stops alerts: when a rule file becomes invalid, the rules it held before keep
running (and the problem is logged with file:line:col); a deleted file's rules stop at once; a
disabled rule stops firing. Reloading is checked by a cheap fingerprint (paths, sizes, mtimes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newswatch.matcher import Matcher
from newswatch.rules.loader import RuleProblem, parse_rules_text, rule_files, unique_rules
from newswatch.rules.model import Rule

__all__ = ["ReloadReport", "RuleBook"]

log = logging.getLogger(__name__)

Fingerprint = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True, slots=True)
class ReloadReport:
    changed: bool
    rules: int
    problems: tuple[RuleProblem, ...] = ()
    kept_previous: tuple[str, ...] = ()  # files whose previous rules stay because of errors


class RuleBook:
    def __init__(
        self, path: str | Path, *, on_problem: Callable[[RuleProblem], None] | None = None
    ) -> None:
        self.path = Path(path)
        self._on_problem = on_problem
        self._by_file: dict[str, tuple[Rule, ...]] = {}
        self._fingerprint: Fingerprint | None = None
        self.matcher = Matcher(())
        self.rules: dict[str, Rule] = {}

    def _scan(self) -> Fingerprint:
        entries = []
        for file in rule_files(self.path) if self.path.exists() else []:
            try:
                stat = file.stat()
            except OSError:
                continue
            entries.append((str(file), stat.st_size, stat.st_mtime_ns))
        return tuple(entries)

    def reload(self, *, force: bool = False) -> ReloadReport:
        """Re-read the rule files if they changed since the last call."""
        fingerprint = self._scan()
        if not force and fingerprint == self._fingerprint:
            return ReloadReport(False, len(self.rules))
        self._fingerprint = fingerprint
        by_file: dict[str, tuple[Rule, ...]] = {}
        problems: list[RuleProblem] = []
        kept: list[str] = []
        for file, _, _ in fingerprint:
            try:
                text = Path(file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(RuleProblem(file, 1, 1, f"cannot read: {exc}"))
                rules: list[Rule] = []
                file_problems: list[RuleProblem] = problems[-1:]
            else:
                rules, file_problems = parse_rules_text(text, file)
                problems.extend(file_problems)
            if any(p.level == "error" for p in file_problems) and file in self._by_file:
                by_file[file] = self._by_file[file]
                kept.append(file)
            else:
                by_file[file] = tuple(rules)
        unique, duplicates = unique_rules(
            r for rules_of_file in by_file.values() for r in rules_of_file
        )
        problems.extend(duplicates)
        merged = {rule.id: rule for rule in unique}
        self._by_file = by_file
        self.rules = merged
        self.matcher = Matcher(merged.values())
        for problem in problems:
            if self._on_problem is not None:
                self._on_problem(problem)
            log.warning("rule problem: %s", problem)
        for file in kept:
            log.warning("%s is invalid: its previous rules keep running until it is fixed", file)
        active = sum(1 for r in merged.values() if r.enabled)
        log.info("rules loaded: %d active of %d from %s", active, len(merged), self.path)
        return ReloadReport(True, len(merged), tuple(problems), tuple(kept))
