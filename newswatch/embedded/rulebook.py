"""The live set of rules a running monitor matches with, reloaded when the files change.

A bad edit never stops alerts. Rule by rule: when an edit makes a rule invalid, that rule's
previous version keeps running (and the problem is logged with file:line:col, and reported to
``on_reject`` so the runtime can tell an ops channel); the other rules of the file take their
new versions. A YAML error that makes the whole file unreadable keeps all its previous rules.
The entity catalogue works the same way, entity by entity. A deleted file's rules stop at once;
a disabled rule stops firing.

With ``last_good`` (a directory in the state directory), the last version of each rule file
that loaded without error is kept there, so a monitor restarted while a file is broken runs
that file's last good rules instead of dropping them — and says so; when a broken file loads
cleanly again, its fix is confirmed in the log (``on_fixed``).

What is watched: the rule files and the catalogue files they can include (``entities/``).
Change detection is a cheap fingerprint (paths, sizes, mtimes), so calling ``reload()`` every
second or two costs a few ``stat`` calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from newswatch.matching.matcher import Matcher
from newswatch.matching.snapshot import RuleSnapshot
from newswatch.rules.catalogue import (
    Catalogue,
    CatalogueEntity,
    catalogue_files,
    find_catalogue_dir,
)
from newswatch.rules.files import rule_files
from newswatch.rules.loader import (
    load_catalogue,
    parse_rule_file,
    parse_rules_text,
    unique_rules,
)
from newswatch.rules.model import Rule
from newswatch.rules.problems import RuleProblem

__all__ = ["KEPT", "Rejection", "ReloadReport", "RuleBook"]

log = logging.getLogger(__name__)

Fingerprint = tuple[tuple[str, int, int], ...]
KEPT = "invalid edit rejected, previous version keeps running"
SKIPPED = "invalid, not loaded (there is no previous version to keep)"


@dataclass(frozen=True, slots=True)
class Rejection:
    """An edit the running monitor did not take: one rule, one catalogue entity, or a file."""

    file: str
    subject: str  # "rule syria-talks", "entity sergey-lavrov", or the file when unreadable
    problems: tuple[RuleProblem, ...]
    kept_previous: bool

    @property
    def message(self) -> str:
        verdict = KEPT if self.kept_previous else SKIPPED
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        first = f": {self.problems[0]}" if self.problems else ""
        return f"{self.subject}: {verdict}{first}{more}"


@dataclass(frozen=True, slots=True)
class ReloadReport:
    changed: bool
    rules: int
    problems: tuple[RuleProblem, ...] = ()
    kept_previous: tuple[str, ...] = ()  # files some of whose previous rules stay
    rejected: tuple[Rejection, ...] = ()
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


class RuleBook:
    def __init__(
        self,
        path: str | Path,
        *,
        on_problem: Callable[[RuleProblem], None] | None = None,
        on_reject: Callable[[Rejection], None] | None = None,
        on_fixed: Callable[[str], None] | None = None,
        last_good: Path | None = None,
    ) -> None:
        self.path = Path(path)
        self._on_problem = on_problem
        self._on_reject = on_reject
        self._on_fixed = on_fixed
        self._last_good = last_good
        self._broken: set[str] = set()  # files whose last load had errors
        self._by_file: dict[str, tuple[Rule, ...]] = {}
        self._entities: dict[str, dict[str, CatalogueEntity]] = {}  # catalogue dir -> entities
        self._fingerprint: Fingerprint | None = None
        self.snapshot = RuleSnapshot.empty()

    @property
    def rules(self) -> dict[str, Rule]:
        return self.snapshot.rules

    @property
    def matcher(self) -> Matcher:
        return self.snapshot.matcher

    # --- what is watched -----------------------------------------------------------------

    def _root(self) -> Path | None:
        return self.path if self.path.is_dir() else None

    def watched_files(self) -> list[Path]:
        """Rule files, and the catalogue files of every catalogue they resolve against."""
        files = rule_files(self.path) if self.path.exists() else []
        root = self._root()
        directories = {d for f in files if (d := find_catalogue_dir(f, root)) is not None}
        return files + [c for d in sorted(directories) for c in catalogue_files(d)]

    def _scan(self) -> Fingerprint:
        entries = []
        for file in self.watched_files():
            try:
                stat = file.stat()
            except OSError:
                continue
            entries.append((str(file), stat.st_size, stat.st_mtime_ns))
        return tuple(entries)

    # --- reloading -----------------------------------------------------------------------

    def reload(self, *, force: bool = False) -> ReloadReport:
        """Re-read the rule and catalogue files if they changed since the last call."""
        fingerprint = self._scan()
        if not force and fingerprint == self._fingerprint:
            return ReloadReport(False, len(self.rules))
        self._fingerprint = fingerprint
        problems: list[RuleProblem] = []
        rejected: list[Rejection] = []
        catalogues = _StickyCatalogues(self._root(), self._entities, problems, rejected)
        by_file: dict[str, tuple[Rule, ...]] = {}
        kept_files: list[str] = []
        fixed: list[str] = []
        for file in rule_files(self.path) if self.path.exists() else []:
            catalogue = catalogues.for_file(file)
            rules, file_problems = parse_rule_file(file, catalogue)
            problems.extend(file_problems)
            failed = any(p.level == "error" for p in file_problems)
            if failed and str(file) not in self._by_file:
                self._recall(file, catalogue)  # a restart while it is broken
            elif not failed:
                self._remember(file)
                if str(file) in self._broken:
                    fixed.append(str(file))
            self._broken = (self._broken | {str(file)}) if failed else self._broken - {str(file)}
            kept = self._keep_previous(str(file), rules, file_problems, rejected)
            if kept:
                kept_files.append(str(file))
            by_file[str(file)] = tuple(rules) + kept
        unique, duplicates = unique_rules(r for rules in by_file.values() for r in rules)
        problems.extend(duplicates)
        merged = {rule.id: rule for rule in unique}
        report = ReloadReport(
            True,
            len(merged),
            tuple(problems),
            tuple(kept_files),
            tuple(rejected),
            added=tuple(sorted(merged.keys() - self.rules.keys())),
            updated=tuple(
                sorted(
                    i
                    for i in merged.keys() & self.rules.keys()
                    if (merged[i].version, merged[i].status)
                    != (self.rules[i].version, self.rules[i].status)
                )
            ),
            removed=tuple(sorted(self.rules.keys() - merged.keys())),
        )
        self._by_file = by_file
        self._entities = catalogues.entities
        self.snapshot = RuleSnapshot(Matcher(merged.values()), merged)
        self._announce(report, merged)
        for name in fixed:
            log.info("rule file %s: fixed, its rules run their new versions", name)
            if self._on_fixed is not None:
                try:
                    self._on_fixed(name)
                except Exception:
                    log.exception("could not report a fixed rule file")
        return report

    # --- the last good version of each file ---------------------------------------------

    def _copy_of(self, file: Path) -> Path | None:
        if self._last_good is None:
            return None
        root = self._root()
        try:
            relative = file.resolve().relative_to(root.resolve()) if root else Path(file.name)
        except ValueError:
            relative = Path(file.name)
        return self._last_good / relative

    def _remember(self, file: Path) -> None:
        """Keep ``file`` as its last good version (it loaded without error)."""
        copy = self._copy_of(file)
        if copy is None:
            return
        try:
            text = file.read_bytes()
            if copy.is_file() and copy.read_bytes() == text:
                return
            copy.parent.mkdir(parents=True, exist_ok=True)
            temp = copy.with_name(copy.name + ".tmp")
            temp.write_bytes(text)
            temp.replace(copy)
        except OSError as exc:
            log.warning("could not keep the last good version of %s: %s", file, exc)

    def _recall(self, file: Path, catalogue: Catalogue | None) -> None:
        """At a (re)start, ``file`` is broken: take its last good version's rules as the
        previous ones, so they keep running (``_keep_previous``)."""
        copy = self._copy_of(file)
        if copy is None or not copy.is_file():
            return
        try:
            text = copy.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        rules, problems = parse_rules_text(text, str(file), catalogue=catalogue)
        if rules and not any(p.level == "error" for p in problems):
            self._by_file[str(file)] = tuple(rules)
            log.warning(
                "rule file %s is broken at start: its last good version (kept in %s) runs",
                file,
                copy,
            )

    def _keep_previous(
        self,
        file: str,
        rules: list[Rule],
        problems: list[RuleProblem],
        rejected: list[Rejection],
    ) -> tuple[Rule, ...]:
        """The previous rules of ``file`` that stay because their new version is invalid."""
        errors = [p for p in problems if p.level == "error"]
        if not errors:
            return ()
        previous = {r.id: r for r in self._by_file.get(file, ())}
        loaded = {r.id for r in rules}
        # An error that names no rule (YAML syntax, a rule without an id) may hide any rule of
        # the file: every previous rule missing from the new parse is kept.
        whole_file = any(p.rule_id is None for p in errors)
        kept: list[Rule] = []
        for rule_id in dict.fromkeys(p.rule_id for p in errors if p.rule_id):
            own = tuple(p for p in errors if p.rule_id == rule_id)
            if rule_id in previous and rule_id not in loaded:
                kept.append(previous[rule_id])
            rejected.append(Rejection(file, f"rule {rule_id}", own, rule_id in previous))
        if whole_file:
            named = {r.id for r in kept}
            stay = [r for i, r in previous.items() if i not in loaded and i not in named]
            kept.extend(stay)
            anonymous = tuple(p for p in errors if p.rule_id is None)
            for rule in stay:
                rejected.append(Rejection(file, f"rule {rule.id}", anonymous, True))
            if not stay:
                rejected.append(Rejection(file, file, anonymous, False))
        return tuple(kept)

    def _announce(self, report: ReloadReport, merged: dict[str, Rule]) -> None:
        for problem in report.problems:
            if self._on_problem is not None:
                self._on_problem(problem)
            log.warning("rule problem: %s", problem)
        for rejection in report.rejected:
            log.warning("%s", rejection.message)
            if self._on_reject is not None:
                try:
                    self._on_reject(rejection)
                except Exception:  # an ops-notification failure must not stop the reload
                    log.exception("could not report a rejected rule edit")
        for rule_id in report.added:
            log.info("rule %s: loaded (v%s)", rule_id, merged[rule_id].version)
        for rule_id in report.updated:
            state = "" if merged[rule_id].enabled else ", disabled"
            log.info("rule %s: updated (now v%s%s)", rule_id, merged[rule_id].version, state)
        for rule_id in report.removed:
            log.info("rule %s: removed", rule_id)
        active = sum(1 for r in merged.values() if r.enabled)
        log.info("rules loaded: %d active of %d from %s", active, len(merged), self.path)


class _StickyCatalogues:
    """Catalogues loaded for one reload, where an entity whose new version is invalid keeps its
    previous one (so the rules that refer to it keep matching as before)."""

    def __init__(
        self,
        root: Path | None,
        previous: dict[str, dict[str, CatalogueEntity]],
        problems: list[RuleProblem],
        rejected: list[Rejection],
    ) -> None:
        self._root = root
        self._previous = previous
        self._problems = problems
        self._rejected = rejected
        self.entities: dict[str, dict[str, CatalogueEntity]] = {}
        self._loaded: dict[Path, Catalogue] = {}

    def for_file(self, rule_file: Path) -> Catalogue | None:
        directory = find_catalogue_dir(rule_file, self._root)
        if directory is None:
            return None
        if directory not in self._loaded:
            self._loaded[directory] = self._load(directory)
        return self._loaded[directory]

    def _load(self, directory: Path) -> Catalogue:
        fresh = load_catalogue(directory)
        self._problems.extend(fresh.problems)
        before = self._previous.get(str(directory), {})
        entities = dict(fresh.entities)
        for file, entity_id in fresh.rejected:
            lost: Iterable[CatalogueEntity]
            if entity_id is None:
                lost = [e for e in before.values() if e.source == file]
            else:
                lost = [before[entity_id]] if entity_id in before else []
            owner = f"entity {entity_id}" if entity_id else None
            own = tuple(
                p
                for p in fresh.problems
                if p.file == file and (owner is None or p.rule_id == owner)
            )
            kept = False
            for item in lost:
                if item.entity.key not in entities:
                    entities[item.entity.key] = item
                    kept = True
            subject = f"entity {entity_id}" if entity_id else file
            self._rejected.append(Rejection(file, subject, own, kept))
        self.entities[str(directory)] = entities
        return replace(fresh, entities=entities)
