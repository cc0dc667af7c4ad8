"""The rule files the page's editor may open, check and save: one rules directory, the same
for either runtime (``embedded.desk`` reloads after a save, ``kafka.desk`` publishes).
Paths go through ``security.rule_file``, so nothing outside the directory is read or written."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from newswatch.errors import InputError
from newswatch.rules.files import rule_files
from newswatch.rules.model import Rule
from newswatch.web.security import rule_file
from newswatch.workflow.edit import EditCheck, check_edit, save_edit

__all__ = ["RuleFiles"]


class RuleFiles:
    def __init__(self, rules_dir: Path) -> None:
        self.rules_dir = rules_dir

    def names(self) -> list[str]:
        root = self.rules_dir
        if not root.is_dir():
            return []
        return [p.relative_to(root).as_posix() for p in rule_files(root)]

    def path(self, name: str) -> Path:
        return rule_file(self.rules_dir, name)

    def read(self, name: str) -> str:
        try:
            return self.path(name).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"{name}: no such rule file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{name}: cannot read: {exc}") from None

    def check(self, name: str, text: str, others: Mapping[str, str]) -> EditCheck:
        """``others``: rule id -> the file (path) of each rule running now."""
        return check_edit(self.rules_dir, self.path(name), text, others=others)

    def running_in(self, check: EditCheck, rules: Iterable[Rule]) -> list[Rule]:
        """The running rules that live in the checked file (``source`` as a path, or
        relative to the rules directory as the rules topic records it)."""
        path = check.path.resolve()
        return [r for r in rules if (self.rules_dir / r.source).resolve() == path]

    def save(
        self, name: str, text: str, others: Mapping[str, str], *, new: bool = False
    ) -> tuple[EditCheck, bool]:
        """The check of ``text``, and whether it was written (only if the check passed)."""
        if new and self.path(name).exists():
            raise InputError(f"{name} already exists; open it in the editor instead")
        check = self.check(name, text, others)
        return check, save_edit(check, text)
