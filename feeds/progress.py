"""How the pollers are doing, in two kinds of log line: the first round, then a heartbeat.

At start, once every enabled feed has had its first poll (or ``FIRST_ROUND_WINDOW`` seconds
have passed, whichever comes first), one line says how many feeds are configured, how many
answered, and which failed and why. Then every ``heartbeat`` seconds (0: never) one line says
the process is alive: feeds polled and failing, polls and articles since start, and the
alerts (``newswatch run``) or the articles published (``newswatch poll``). A quiet log then
means a quiet world, not a dead monitor.

``PollTally`` is fed by ``feeds.poller.Poller`` (``tally.record`` after each poll); the lines
are built by pure functions from frozen counts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "DEFAULT_HEARTBEAT",
    "FIRST_ROUND_WINDOW",
    "FirstRound",
    "PollTally",
    "Pulse",
    "first_round_line",
    "format_uptime",
    "heartbeat_line",
    "report_progress",
    "shorten",
]

log = logging.getLogger(__name__)

FIRST_ROUND_WINDOW = 60.0  # seconds the first-round line waits for slow feeds at most
DEFAULT_HEARTBEAT = 300.0

_ERROR_CHARS = 100  # an error in a summary line is cut here: the full text is in its own log line
_IDS_SHOWN = 10  # feeds named per list in a summary line; the rest are counted


def shorten(text: str, limit: int = _ERROR_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(0, limit - 1)].rstrip() + "…"


def _listed(items: list[str]) -> str:
    more = f", +{len(items) - _IDS_SHOWN} more" if len(items) > _IDS_SHOWN else ""
    return ", ".join(items[:_IDS_SHOWN]) + more


def format_uptime(seconds: float) -> str:
    """``42s``, ``5m07s``, ``3h05m``, ``2d04h``."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


# --- the lines (pure) --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FirstRound:
    """The first poll of every enabled feed of a run."""

    configured: int  # enabled feeds
    reachable: int
    failed: tuple[tuple[str, str], ...] = ()  # (feed id, why)
    unanswered: tuple[str, ...] = ()  # no outcome within the window (a fetch still going)
    # Not due within the window (their schedule resumed from before a restart): counted as
    # reachable or failed by their last poll before it.
    carried: int = 0
    disabled: int = 0
    window: float = FIRST_ROUND_WINDOW


def first_round_line(summary: FirstRound) -> str:
    """``first round: 3 feed(s) configured, 2 reachable, 1 failed: bad (HTTP 500 ...)``."""
    disabled = f" (and {summary.disabled} disabled)" if summary.disabled else ""
    parts = [f"{summary.configured} feed(s) configured{disabled}", f"{summary.reachable} reachable"]
    if summary.failed:
        failures = [f"{feed_id} ({shorten(why)})" for feed_id, why in summary.failed]
        parts.append(f"{len(failures)} failed: {_listed(failures)}")
    if summary.unanswered:
        window = summary.window
        waited = f"{window:g}s" if window < 60 else format_uptime(window)
        parts.append(
            f"{len(summary.unanswered)} without an answer after {waited}: "
            f"{_listed(list(summary.unanswered))}"
        )
    line = "first round: " + ", ".join(parts)
    if summary.carried:
        line += f"; {summary.carried} not due yet since the restart, as of their last poll"
    return line


@dataclass(frozen=True, slots=True)
class Pulse:
    """What a heartbeat says. ``alerts_queued``/``alerts_held`` in embedded mode only."""

    uptime: float  # seconds since the run began
    feeds: int  # enabled feeds polled
    failing: tuple[str, ...]  # those whose last poll failed
    polls: int  # polls since start
    articles: int  # new articles since start: matched (run) or published to Kafka (poll)
    published: bool = False
    alerts_queued: int | None = None  # since start
    alerts_held: int | None = None  # now, in the outbox, waiting for (another) try


def heartbeat_line(pulse: Pulse) -> str:
    """``alive for 5m00s: 12 feed(s) polled, 1 failing (bad); since start 340 poll(s), ...``."""
    failing = f" ({_listed(list(pulse.failing))})" if pulse.failing else ""
    verb = "published" if pulse.published else "seen"
    since = [f"{pulse.polls} poll(s)", f"{pulse.articles} article(s) {verb}"]
    if pulse.alerts_queued is not None:
        since.append(f"{pulse.alerts_queued} alert(s) queued")
    line = (
        f"alive for {format_uptime(pulse.uptime)}: {pulse.feeds} feed(s) polled, "
        f"{len(pulse.failing)} failing{failing}; since start {', '.join(since)}"
    )
    if pulse.alerts_held is not None:
        line += f"; {pulse.alerts_held} held for retry"
    return line


# --- the counts ----------------------------------------------------------------------------


class PollTally:
    """Poll outcomes of one run, as the poller reports them (no I/O; ``clock`` is the
    poller's). ``changed`` is set whenever something is recorded, for ``report_progress``."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.changed = asyncio.Event()
        self.started_at: datetime | None = None
        self.polls = 0
        self._expected: list[str] = []  # the feeds the first round waits for
        self._feeds: set[str] = set()  # the feeds polled now
        self._disabled = 0
        self._first: dict[str, str | None] = {}  # feed id -> why its first poll failed, or None
        self._resumed: dict[str, tuple[datetime, str | None]] = {}  # first due, status before
        self._failing: dict[str, str] = {}  # feed id -> why its last poll failed

    def start(self, feed_ids: Iterable[str], *, disabled: int = 0) -> None:
        """A run begins, polling ``feed_ids``; its first round waits for each of them."""
        self.started_at = self.clock()
        self._expected = list(dict.fromkeys(feed_ids))
        self._feeds = set(self._expected)
        self._disabled = disabled
        self._first.clear()
        self._resumed.clear()
        self._failing.clear()
        self.polls = 0
        self.changed.set()

    def scheduled(self, feed_id: str, due: datetime, last_error: str | None) -> None:
        """A feed's first poll of the run is due at ``due``; ``last_error`` is why its last
        poll before the run failed (None: it succeeded, or it was never polled)."""
        self._resumed[feed_id] = (due, last_error)
        self.changed.set()

    def record(self, feed_id: str, ok: bool, error: str | None = None) -> None:
        """One poll's outcome."""
        self.polls += 1
        why = None if ok else (error or "failed")
        self._first.setdefault(feed_id, why)
        if why is None:
            self._failing.pop(feed_id, None)
        else:
            self._failing[feed_id] = why
        self.changed.set()

    def polling(self, feed_ids: Iterable[str]) -> None:
        """The feed list changed: these feeds are polled from now on. A removed feed is no
        longer waited for, nor counted as failing."""
        self._feeds = set(feed_ids)
        self._expected = [feed_id for feed_id in self._expected if feed_id in self._feeds]
        for feed_id in [f for f in self._failing if f not in self._feeds]:
            del self._failing[feed_id]
        self.changed.set()

    def seconds_left(self, window: float) -> float:
        """Until the first round's window closes (``window`` if the run has not begun)."""
        if self.started_at is None:
            return window
        deadline = self.started_at + timedelta(seconds=window)
        return (deadline - self.clock()).total_seconds()

    def first_round(self, window: float = FIRST_ROUND_WINDOW) -> FirstRound | None:
        """The first round, once every expected feed has an outcome, is not due within the
        window, or the window is over; None until then."""
        if self.started_at is None:
            return None
        deadline = self.started_at + timedelta(seconds=window)
        over = self.clock() >= deadline
        reachable, carried = 0, 0
        failed: list[tuple[str, str]] = []
        unanswered: list[str] = []
        for feed_id in self._expected:
            if feed_id in self._first:
                why = self._first[feed_id]
            elif feed_id in self._resumed and self._resumed[feed_id][0] > deadline:
                why = self._resumed[feed_id][1]
                carried += 1
            elif not over:
                return None
            else:
                unanswered.append(feed_id)
                continue
            if why is None:
                reachable += 1
            else:
                failed.append((feed_id, why))
        return FirstRound(
            configured=len(self._expected),
            reachable=reachable,
            failed=tuple(failed),
            unanswered=tuple(unanswered),
            carried=carried,
            disabled=self._disabled,
            window=window,
        )

    def pulse(
        self,
        *,
        articles: int,
        published: bool = False,
        alerts_queued: int | None = None,
        alerts_held: int | None = None,
    ) -> Pulse:
        """Now's heartbeat, with the runtime's own counts."""
        started = self.started_at or self.clock()
        return Pulse(
            uptime=(self.clock() - started).total_seconds(),
            feeds=len(self._feeds),
            failing=tuple(sorted(self._failing)),
            polls=self.polls,
            articles=articles,
            published=published,
            alerts_queued=alerts_queued,
            alerts_held=alerts_held,
        )


# --- the loop ------------------------------------------------------------------------------


async def _either(first: asyncio.Event, second: asyncio.Event, timeout: float) -> None:
    """Wait until one of the events is set, or ``timeout`` seconds."""
    waiters = [asyncio.create_task(event.wait()) for event in (first, second)]
    try:
        await asyncio.wait(waiters, timeout=max(0.01, timeout), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def _first_round(tally: PollTally, stop: asyncio.Event, window: float) -> FirstRound | None:
    while not stop.is_set():
        tally.changed.clear()
        summary = tally.first_round(window)
        if summary is not None:
            return summary
        # Woken by each outcome; the window's end bounds the wait.
        await _either(tally.changed, stop, tally.seconds_left(window))
    return None


async def report_progress(
    tally: PollTally,
    stop: asyncio.Event,
    *,
    pulse: Callable[[], Pulse],
    heartbeat: float = DEFAULT_HEARTBEAT,
    window: float = FIRST_ROUND_WINDOW,
) -> None:
    """Log the first-round line, then a heartbeat every ``heartbeat`` seconds (0: none),
    until ``stop`` is set. ``pulse`` gives the heartbeat's counts when it is due."""
    summary = await _first_round(tally, stop, window)
    if summary is None:
        return
    log.info("%s", first_round_line(summary))
    if heartbeat <= 0:
        return
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=heartbeat)
        except TimeoutError:
            try:
                log.info("%s", heartbeat_line(pulse()))
            except Exception:  # a locked state file must not end the heartbeats
                log.exception("heartbeat: could not read the counts")
