"""The rules as committed: a rules path copied out of git ``HEAD`` (with the entity catalogue
it uses), so ``rules diff rules/`` can compare the working tree with it. The only module that
runs a program; read-only for the repository (``git rev-parse``, ``ls-tree`` and ``show``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from newswatch.errors import SourceError
from newswatch.rules.catalogue import find_catalogue_dir

__all__ = ["DiffError", "copy_git_head"]


class DiffError(SourceError):
    """The old rules cannot be had (no git repository, git failed)."""


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DiffError(f"git {args[0]} failed: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return done.stdout


def copy_git_head(path: Path, dest: Path) -> Path | None:
    """Write ``path`` (a rules file or directory) as committed at HEAD under ``dest``, with the
    entity catalogue it uses; returns where the copy of ``path`` is, or None if HEAD does not
    have it (nothing committed yet: every rule is new). Read-only for the repository: only
    ``git rev-parse``, ``ls-tree`` and ``show``."""
    resolved = path.resolve()
    where = resolved if resolved.is_dir() else resolved.parent
    if not where.exists():
        raise DiffError(f"{path}: no such file or directory")
    top = Path(_git(["rev-parse", "--show-toplevel"], where).decode().strip())
    wanted = [resolved.relative_to(top)]
    catalogue = find_catalogue_dir(resolved / "x.yaml" if resolved.is_dir() else resolved)
    if catalogue is not None and top in catalogue.resolve().parents:
        wanted.append(catalogue.resolve().relative_to(top))
    for rel in wanted:
        listed = _git(["ls-tree", "-r", "-z", "--name-only", "HEAD", "--", rel.as_posix()], top)
        for name in filter(None, listed.decode("utf-8").split("\0")):
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_git(["show", f"HEAD:{name}"], top))
    copy = dest / wanted[0]
    return copy if copy.exists() else None
