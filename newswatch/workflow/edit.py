"""The rule editor's three steps for one rule file, as the web page runs them: check the text,
try it (dry run over archived articles, and the diff against the rules running now), save it.

Each check runs ``rules check`` (``workflow.check.check_rules``) on the edited text placed where
it will live — a scratch copy of the file beside a copy of the entity catalogue — so ``ref:``
entities, examples and lints behave as they will after saving, and problems are reported at the
real file's line and column. Ids already used by *other* files of the running rule set are
errors too, so a save never replaces a running rule by accident.

Save writes only text that passed: to a temporary file in the same directory, flushed to disk,
then renamed over the old one (readers see the old file or the new one, never half of either).
The monitor's live reload then picks it up like any edit.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from newswatch.article import Article
from newswatch.rules.catalogue import CATALOGUE_DIRNAME
from newswatch.rules.model import Rule
from newswatch.rules.problems import RuleProblem
from newswatch.workflow.check import check_rules
from newswatch.workflow.diff import RuleDiff, diff_rules
from newswatch.workflow.dryrun import DryRunAlert, as_active, dry_run

__all__ = ["EditCheck", "Trial", "check_edit", "save_edit", "try_edit", "write_atomically"]

MAX_TRIAL_ALERTS = 200  # the page shows this many alerts of a dry run; the count is exact


@dataclass(frozen=True, slots=True)
class EditCheck:
    path: Path
    rules: tuple[Rule, ...]  # the file's rules as they would load
    problems: tuple[RuleProblem, ...]

    @property
    def errors(self) -> tuple[RuleProblem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class Trial:
    check: EditCheck
    alerts: tuple[DryRunAlert, ...]  # the first MAX_TRIAL_ALERTS
    alert_count: int
    diff: RuleDiff


def _copy_catalogues(rules_dir: Path, scratch: Path) -> None:
    for found in rules_dir.rglob(CATALOGUE_DIRNAME):
        if found.is_dir() and not found.is_symlink():
            target = scratch / found.relative_to(rules_dir)
            shutil.copytree(found, target, symlinks=False, dirs_exist_ok=True)


def check_edit(
    rules_dir: Path, path: Path, text: str, *, others: Mapping[str, str] | None = None
) -> EditCheck:
    """``rules check`` on ``text`` as the content of ``path`` (inside ``rules_dir``).
    ``others``: rule id -> file of the rules running now; an id of another file is an error."""
    relative = path.relative_to(rules_dir)
    with tempfile.TemporaryDirectory(prefix="newswatch-edit-") as tmp:
        scratch = Path(tmp)
        _copy_catalogues(rules_dir, scratch)
        target = scratch / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        result = check_rules(target)
        shown = str(path)

        def located(problem: RuleProblem) -> RuleProblem:
            where = problem.file.replace(str(target), shown).replace(str(scratch), str(rules_dir))
            return replace(problem, file=where)

        problems = [located(p) for p in result.problems]
    for rule in result.rules:
        owner = (others or {}).get(rule.id)
        if owner is not None and Path(owner).resolve() != path.resolve():
            problems.append(
                RuleProblem(
                    shown,
                    rule.line or 1,
                    1,
                    f"rule id {rule.id!r} is already used by {owner}",
                    rule_id=rule.id,
                    code="duplicate-id",
                    suggestion="choose another id (ids are unique across the rules directory)",
                )
            )
    problems.sort(key=lambda p: (p.line, p.col))
    rules = tuple(replace(r, source=shown) for r in result.rules)
    return EditCheck(path, rules, tuple(problems))


def try_edit(check: EditCheck, running: Iterable[Rule], articles: Iterable[Article]) -> Trial:
    """The alerts the edited rules would send on ``articles`` (disabled rules tested as if
    enabled) and which articles would start or stop matching compared with ``running`` (the
    live rules of this file). ``articles`` is read once."""
    batch = list(articles)
    alerts: list[DryRunAlert] = []
    count = 0
    for result in dry_run(as_active(check.rules), batch):
        count += 1
        if len(alerts) < MAX_TRIAL_ALERTS:
            alerts.append(result)
    diff = diff_rules(tuple(running), check.rules, batch)
    return Trial(check, tuple(alerts), count, diff)


def save_edit(check: EditCheck, text: str) -> bool:
    """Write ``text`` to ``check.path`` atomically if its check passed; False (nothing
    written) otherwise. ``check`` must be the check of this very ``text``."""
    if not check.ok:
        return False
    write_atomically(check.path, text)
    return True


def write_atomically(path: Path, text: str) -> None:
    """``text`` into a temporary file beside ``path``, flushed to disk, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
