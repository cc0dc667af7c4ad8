"""The feed list file, watched while the pollers run: an edit is picked up without a restart.

``FeedListWatch`` is shared by ``newswatch run`` and ``newswatch poll``. Change detection is the
file's stamp (mtime in nanoseconds, size): a ``stat`` per check, the file is read only when it
changed. A valid new list is handed to the caller's ``apply`` (``Poller.replace``); an invalid
one is logged once with ``file:line:col`` and the running list stays; the next valid edit says
the error is fixed.

``diff_feeds`` and ``FeedListChange`` (what a new list adds, removes and changes) are pure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from feeds.config import MIN_INTERVAL, FeedConfigError, FeedSpec, load_feeds

__all__ = [
    "FeedListChange",
    "FeedListUpdate",
    "FeedListWatch",
    "Stamp",
    "diff_feeds",
    "file_stamp",
]

log = logging.getLogger(__name__)

Stamp = tuple[int, int]  # (st_mtime_ns, st_size)

_IDS_SHOWN = 5  # ids named per kind of change in the log line; the rest are counted


def file_stamp(path: Path | None) -> Stamp | None:
    """``(mtime_ns, size)`` of ``path``, or None if it is missing or unreadable."""
    try:
        info = path.stat() if path is not None else None
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size) if info is not None else None


def _ids(ids: Sequence[str]) -> str:
    if not ids:
        return ""
    shown = ", ".join(ids[:_IDS_SHOWN])
    more = f", +{len(ids) - _IDS_SHOWN} more" if len(ids) > _IDS_SHOWN else ""
    return f" ({shown}{more})"


@dataclass(frozen=True, slots=True)
class FeedListChange:
    """Feed ids a new list adds, removes, and keeps with another spec (url, interval, headers,
    language, enabled...); false when the new list is the old one."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def describe(self) -> str:
        """``1 added (bbc-ar), 0 removed, 2 changed (rt-ru, tass)``."""
        return (
            f"{len(self.added)} added{_ids(self.added)}, "
            f"{len(self.removed)} removed{_ids(self.removed)}, "
            f"{len(self.changed)} changed{_ids(self.changed)}"
        )


# What applies a new list: ``Poller.replace``, or a shard of it.
Apply = Callable[[Sequence[FeedSpec]], FeedListChange]


def diff_feeds(old: Sequence[FeedSpec], new: Sequence[FeedSpec]) -> FeedListChange:
    """What replacing ``old`` by ``new`` does, by feed id (new ids in the new list's order,
    removed ones in the old list's)."""
    before = {spec.id: spec for spec in old}
    after = {spec.id: spec for spec in new}
    return FeedListChange(
        added=tuple(feed_id for feed_id in after if feed_id not in before),
        removed=tuple(feed_id for feed_id in before if feed_id not in after),
        changed=tuple(
            feed_id for feed_id, spec in after.items() if before.get(feed_id, spec) != spec
        ),
    )


@dataclass(frozen=True, slots=True)
class FeedListUpdate:
    """What one check of a changed file found: the new list, or why it is not valid."""

    specs: tuple[FeedSpec, ...] = ()
    error: FeedConfigError | None = None
    fixed: bool = False  # valid again after an invalid version was reported


class FeedListWatch:
    """One feed list file: ``load`` it at start, then ``check`` (or ``reload``) it as often as
    you like."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        min_interval: float = MIN_INTERVAL,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.path = Path(path)
        self._min_interval = min_interval
        self._environ = environ
        self._stamp: Stamp | None = None
        self._broken = False

    def _read(self) -> list[FeedSpec]:
        # The stamp is taken before the read: an edit landing in between is seen next time.
        self._stamp = file_stamp(self.path)
        return load_feeds(self.path, min_interval=self._min_interval, environ=self._environ)

    def load(self) -> list[FeedSpec]:
        """The list as it is now; raises ``FeedConfigError`` (at start, a broken list is an
        error to fix before running)."""
        specs = self._read()
        self._broken = False
        return specs

    def check(self) -> FeedListUpdate | None:
        """None while the file is unchanged; otherwise the new list or its error. A broken
        version is reported once: its stamp is remembered like a good one's."""
        if file_stamp(self.path) == self._stamp:
            return None
        try:
            specs = self._read()
        except FeedConfigError as exc:
            self._broken = True
            return FeedListUpdate(error=exc)
        fixed, self._broken = self._broken, False
        return FeedListUpdate(specs=tuple(specs), fixed=fixed)

    def reload(self, apply: Apply) -> FeedListChange | None:
        """Check the file; hand a valid new list to ``apply`` and log what it changed, or log
        why an edit is refused. The change applied, or None if nothing was."""
        update = self.check()
        if update is None:
            return None
        if update.error is not None:
            log.error("feed list not reloaded, the previous list keeps running: %s", update.error)
            return None
        change = apply(update.specs)
        if change or update.fixed:
            fixed = "; the previous error is fixed" if update.fixed else ""
            log.info("feed list reloaded from %s: %s%s", self.path, change.describe(), fixed)
        else:  # touched, or only comments edited
            log.debug("feed list %s rewritten, same feeds", self.path)
        return change

    async def follow(self, apply: Apply, stop: asyncio.Event, *, every: float) -> None:
        """``reload`` every ``every`` seconds until ``stop`` is set (``newswatch poll``; the
        embedded monitor calls ``reload`` from its own reload loop)."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            if stop.is_set():
                return
            try:
                self.reload(apply)
            except Exception:
                log.exception("feed list reload failed; the previous list keeps running")
