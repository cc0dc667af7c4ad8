"""Polling: fetch -> parse -> drop seen entries -> sink -> mark seen, with backoff on failure.

Articles are marked seen only after the sink returned, so a crash or a failing downstream
never loses one (it is delivered again on the next poll; the downstream is idempotent).
A failing feed is logged and retried later; ``poll_feed`` never raises.

While ``run`` goes, ``replace`` applies a new feed list (the feed list file was edited): each
feed has a task of its own, stopped by its own event, so a removed or changed feed ends the way
every feed ends on stop (a sink call in progress finishes first), and its successor starts only
then: one feed is never polled twice at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from feeds.config import FeedSpec
from feeds.fetch import FetchError, FetchHTTPError, FetchResult, redact_url
from feeds.parse import parse_feed
from feeds.progress import PollTally
from feeds.state import FeedHealth, FeedStateStore, HttpCache
from feeds.watch import FeedListChange, diff_feeds
from newswatch.article import Article

__all__ = [
    "Clock",
    "FeedFetcher",
    "PollOutcome",
    "Poller",
    "Sink",
    "backoff_delay",
    "select_shard",
]

log = logging.getLogger(__name__)

Sink = Callable[[FeedSpec, Sequence[Article]], Awaitable[None]]
Clock = Callable[[], datetime]

DEFAULT_BACKOFF_CAP = 3600.0


class FeedFetcher(Protocol):
    """What the poller needs from ``feeds.fetch.Fetcher`` (tests may pass a fake)."""

    async def fetch(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult: ...


@dataclass(frozen=True, slots=True)
class PollOutcome:
    feed_id: str
    ok: bool
    next_poll_at: datetime
    new_articles: int = 0
    parsed_articles: int = 0
    not_modified: bool = False
    error: str | None = None  # why the poll failed
    warning: str | None = None  # the feed was broken but some entries were read
    consecutive_failures: int = 0


def _utcnow() -> datetime:
    return datetime.now(UTC)


def backoff_delay(
    failures: int,
    interval: float,
    *,
    cap: float = DEFAULT_BACKOFF_CAP,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds until the next poll after ``failures`` consecutive failures.

    No failure: the interval. Otherwise a random delay between the interval and a ceiling
    that doubles per failure (``interval * 2**failures``) up to ``cap``: jitter spreads the
    retries of feeds that failed together, and the delay is never shorter than the interval.
    """
    if failures <= 0:
        return interval
    ceiling = max(interval, min(cap, interval * 2.0 ** min(failures, 64)))
    floor = min(interval, ceiling)
    return floor + rng() * (ceiling - floor)


def select_shard(specs: Sequence[FeedSpec], index: int, count: int) -> list[FeedSpec]:
    """The feeds poller ``index`` of ``count`` owns; stable across runs and machines."""
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"shard index {index} out of range for {count} shard(s)")

    def shard(spec: FeedSpec) -> int:
        # sha256, not hash(): Python salts str hashes per process.
        digest = hashlib.sha256(spec.id.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % count

    return [spec for spec in specs if shard(spec) == index]


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to ``seconds``; True if ``stop`` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=max(0.0, seconds))
    except TimeoutError:
        return stop.is_set()
    return True


@dataclass(frozen=True, slots=True)
class _Run:
    """What ``run`` polls with, for the feed loops ``replace`` starts while it goes."""

    group: asyncio.TaskGroup
    sink: Sink
    stop: asyncio.Event
    limit: asyncio.Semaphore


@dataclass(frozen=True, slots=True)
class _FeedLoop:
    """One feed's polling task; setting ``halt`` ends it (never inside a sink call)."""

    spec: FeedSpec
    halt: asyncio.Event
    task: asyncio.Task[None]


class Poller:
    """Polls feeds into a sink; ``state`` remembers validators, health and seen entries."""

    def __init__(
        self,
        specs: Sequence[FeedSpec],
        fetcher: FeedFetcher,
        state: FeedStateStore,
        *,
        clock: Clock = _utcnow,
        concurrency: int = 8,
        backoff_cap: float = DEFAULT_BACKOFF_CAP,
        rng: Callable[[], float] = random.random,
        retention_days: float = 30.0,
        prune_every: float = 3600.0,
    ) -> None:
        self.specs = tuple(specs)
        self._fetcher = fetcher
        self._state = state
        self._clock = clock
        self._concurrency = max(1, concurrency)
        self._backoff_cap = backoff_cap
        self._rng = rng
        self._retention_days = retention_days
        self._prune_every = prune_every
        self._committing: set[str] = set()  # feeds whose sink call is in progress
        self._running: _Run | None = None
        # The newest loop of each feed (one being halted stays until it ends).
        self._loops: dict[str, _FeedLoop] = {}
        self.tally = PollTally(clock)  # what the runs' polls did: first round, heartbeat

    # --- one poll ---------------------------------------------------------------------------

    async def poll_feed(
        self, spec: FeedSpec, sink: Sink, *, slot: asyncio.Semaphore | None = None
    ) -> PollOutcome:
        """Poll one feed once. Never raises (except on cancellation). ``slot``: held while the
        feed is fetched and parsed, not while the sink takes the new entries — a sink that
        fetches entry pages (full text) or waits for Kafka must not hold a poller slot."""
        try:
            return await self._poll(spec, sink, slot)
        except Exception as exc:  # a bug or a broken state file must not stop other feeds
            log.exception("feed %s: unexpected error while polling", spec.id)
            reason = f"internal error: {type(exc).__name__}: {exc}"
            try:
                return self._fail(spec, reason, self._clock())
            except Exception:
                now = self._clock()
                delay = backoff_delay(1, spec.interval, cap=self._backoff_cap, rng=self._rng)
                return PollOutcome(spec.id, False, now + timedelta(seconds=delay), error=reason)
        finally:
            self._committing.discard(spec.id)

    async def _poll(
        self, spec: FeedSpec, sink: Sink, slot: asyncio.Semaphore | None
    ) -> PollOutcome:
        async with slot if slot is not None else contextlib.nullcontext():
            cache = self._state.get_cache(spec.id)
            try:
                result = await self._fetcher.fetch(
                    spec.url,
                    headers=spec.header_dict,
                    etag=cache.etag,
                    last_modified=cache.last_modified,
                )
            except FetchError as exc:
                retry_after = exc.retry_after if isinstance(exc, FetchHTTPError) else None
                return self._fail(spec, str(exc), self._clock(), retry_after=retry_after)
            now = self._clock()
            validators = HttpCache(result.etag, result.last_modified)
            if result.not_modified:
                return self._succeed(spec, now, validators, not_modified=True)

            # In a thread: a large feed takes feedparser seconds, which would stall other polls.
            parsed = await asyncio.to_thread(
                parse_feed,
                result.body,
                spec,
                content_type=result.content_type,
                base_url=result.url,
                fetched=now,
            )
        if parsed.error is not None and not parsed.articles:
            return self._fail(spec, parsed.error, now)

        new = self._state.filter_unseen(spec.id, parsed.articles, now=now)
        if new:
            self._committing.add(spec.id)
            try:
                await sink(spec, new)
            except Exception as exc:
                # Not marked seen and validators not stored: the next poll refetches in full
                # and offers these articles again.
                return self._fail(spec, f"sink failed: {type(exc).__name__}: {exc}", now)
            self._state.mark_seen(spec.id, [article.id for article in new], now=now)
        return self._succeed(
            spec,
            now,
            validators,
            new=len(new),
            parsed=len(parsed.articles),
            warning=parsed.error,
        )

    def _succeed(
        self,
        spec: FeedSpec,
        now: datetime,
        validators: HttpCache,
        *,
        new: int = 0,
        parsed: int = 0,
        not_modified: bool = False,
        warning: str | None = None,
    ) -> PollOutcome:
        next_poll_at = now + timedelta(seconds=spec.interval)
        self._state.record_success(
            spec.id, at=now, next_poll_at=next_poll_at, cache=validators, warning=warning
        )
        if warning:  # info, not warning: a feed broken the same way would warn every poll
            log.info(
                "feed %s (%s): broken document, read %d entries: %s",
                spec.id,
                redact_url(spec.url),
                parsed,
                warning,
            )
        return PollOutcome(
            spec.id,
            True,
            next_poll_at,
            new_articles=new,
            parsed_articles=parsed,
            not_modified=not_modified,
            warning=warning,
        )

    def _fail(
        self, spec: FeedSpec, reason: str, now: datetime, *, retry_after: float | None = None
    ) -> PollOutcome:
        failures = self._state.record_failure(spec.id, reason, at=now)
        delay = backoff_delay(failures, spec.interval, cap=self._backoff_cap, rng=self._rng)
        if retry_after is not None:
            # Honour the server's Retry-After, within the same bound as our own backoff.
            delay = max(delay, min(retry_after, max(self._backoff_cap, spec.interval)))
        next_poll_at = now + timedelta(seconds=delay)
        self._state.set_next_poll(spec.id, next_poll_at)
        log.warning(
            "feed %s (%s) failed: %s; %d consecutive failure(s), next retry in %.0f s",
            spec.id,
            redact_url(spec.url),
            reason,
            failures,
            delay,
        )
        return PollOutcome(
            spec.id, False, next_poll_at, error=reason, consecutive_failures=failures
        )

    # --- many polls -------------------------------------------------------------------------

    def _enabled(self) -> list[FeedSpec]:
        return [spec for spec in self.specs if spec.enabled]

    async def poll_all_once(self, sink: Sink) -> list[PollOutcome]:
        """Poll every enabled feed once, at most ``concurrency`` at a time; in spec order."""
        limit = asyncio.Semaphore(self._concurrency)

        async def one(spec: FeedSpec) -> PollOutcome:
            return await self.poll_feed(spec, sink, slot=limit)

        return list(await asyncio.gather(*(one(spec) for spec in self._enabled())))

    async def run(self, sink: Sink, stop: asyncio.Event) -> None:
        """Poll every enabled feed on its schedule until ``stop`` is set.

        On stop, waiting feeds end at once and fetches in flight are cancelled, but a sink
        call in progress is allowed to finish (and its articles are marked seen).
        """
        if self._running is not None:
            raise RuntimeError("this poller is already running")
        enabled = self._enabled()
        self.tally.start([spec.id for spec in enabled], disabled=len(self.specs) - len(enabled))
        try:
            async with asyncio.TaskGroup() as group:
                self._running = _Run(group, sink, stop, asyncio.Semaphore(self._concurrency))
                group.create_task(self._maintain(stop))
                group.create_task(self._halt_all_on(stop))
                for spec in enabled:
                    self._start(spec)
        finally:
            self._running = None
            self._loops.clear()

    def replace(self, specs: Sequence[FeedSpec]) -> FeedListChange:
        """Poll ``specs`` from now on instead of the current list; what changed, by feed id.

        While ``run`` goes: a new (or newly enabled) feed starts polling, a removed (or
        disabled) one stops, and one whose spec changed is restarted with the new spec, its
        first poll due at once for a new URL or headers (validators of the old URL dropped),
        else within its new interval. A feed stopping lets its sink call in progress finish.
        Not running: the list is kept for the next ``run``. Raises ``ValueError`` on a
        duplicate feed id, changing nothing.
        """
        new = tuple(specs)
        ids = [spec.id for spec in new]
        if len(set(ids)) != len(ids):
            twice = sorted({feed_id for feed_id in ids if ids.count(feed_id) > 1})
            raise ValueError(f"duplicate feed id(s): {', '.join(twice)}")
        change = diff_feeds(self.specs, new)
        self.specs = new
        running = self._running
        if running is not None and not running.stop.is_set():
            self._follow_specs()
        return change

    def add(self, spec: FeedSpec) -> bool:
        """Poll one more feed from now on (the web page's "add a feed"); True if it is being
        polled by the running loop, False if the poller is not running (it is kept for later)."""
        if any(s.id == spec.id for s in self.specs):
            raise ValueError(f"feed {spec.id!r} is already polled")
        self.replace((*self.specs, spec))
        running = self._running
        return spec.enabled and running is not None and not running.stop.is_set()

    def _follow_specs(self) -> None:
        """Make the running feed loops match ``specs``: halt the loops of feeds no longer
        enabled or whose spec changed, start loops for the others that have none."""
        wanted = {spec.id: spec for spec in self._enabled()}
        for feed_id, loop in list(self._loops.items()):
            if not loop.halt.is_set() and wanted.get(feed_id) != loop.spec:
                loop.halt.set()
        for spec in wanted.values():
            current = self._loops.get(spec.id)
            if current is None or current.halt.is_set():
                self._start(spec)
        self.tally.polling(wanted)

    def _start(self, spec: FeedSpec) -> None:
        running = self._running
        assert running is not None
        previous = self._loops.get(spec.id)
        halt = asyncio.Event()
        task = running.group.create_task(
            self._feed_loop(
                spec,
                running.sink,
                halt,
                running.limit,
                after=previous.task if previous is not None else None,
                restarted=previous.spec if previous is not None else None,
            )
        )
        loop = _FeedLoop(spec, halt, task)
        self._loops[spec.id] = loop

        def forget(_: asyncio.Task[None]) -> None:
            if self._loops.get(spec.id) is loop:
                del self._loops[spec.id]

        task.add_done_callback(forget)

    async def _halt_all_on(self, stop: asyncio.Event) -> None:
        """On the global stop, halt every feed loop (each ends as on its own halt)."""
        await stop.wait()
        for loop in list(self._loops.values()):
            loop.halt.set()

    def _first_due(
        self, spec: FeedSpec, health: FeedHealth | None, restarted: FeedSpec | None
    ) -> datetime:
        """When a feed loop's first poll is due: the previous run's schedule (and backoff),
        within bounds; for a changed spec, at once if the URL or headers changed (a new
        source), else within the new interval (an interval shortened takes effect now)."""
        now = self._clock()
        if restarted is not None and (
            restarted.url != spec.url or restarted.headers != spec.headers
        ):
            return now
        if health is None or health.next_poll_at is None:
            return now
        bound = spec.interval if restarted is not None else max(spec.interval, self._backoff_cap)
        return min(health.next_poll_at, now + timedelta(seconds=bound))

    async def _feed_loop(
        self,
        spec: FeedSpec,
        sink: Sink,
        halt: asyncio.Event,
        limit: asyncio.Semaphore,
        *,
        after: asyncio.Task[None] | None = None,
        restarted: FeedSpec | None = None,
    ) -> None:
        """Poll one feed until ``halt`` is set (by ``replace`` or the global stop)."""
        if after is not None:
            # The feed's previous loop may be finishing a sink call: never two polls at once.
            # Waited for even when halted meanwhile, so a loop after this one waits for both.
            await asyncio.wait({after})
        if halt.is_set():
            return
        if restarted is not None and restarted.url != spec.url:
            # Validators of the old URL would make the new one answer 304 Not Modified.
            self._state.set_cache(spec.id, HttpCache())
        health = self._state.get_health(spec.id)
        due = self._first_due(spec, health, restarted)
        failing = health is not None and health.consecutive_failures > 0
        self.tally.scheduled(spec.id, due, health.last_error if health and failing else None)
        while not halt.is_set():
            wait = (due - self._clock()).total_seconds()
            if wait > 0 and await _wait(halt, wait):
                return
            outcome = await self._poll_until_stopped(spec, sink, halt, limit)
            if outcome is None:
                return
            self.tally.record(outcome.feed_id, outcome.ok, outcome.error)
            due = outcome.next_poll_at

    async def _poll_until_stopped(
        self, spec: FeedSpec, sink: Sink, stop: asyncio.Event, slot: asyncio.Semaphore
    ) -> PollOutcome | None:
        task = asyncio.create_task(self.poll_feed(spec, sink, slot=slot))
        stopper = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                return task.result()
            if spec.id in self._committing:
                return await task  # never cut a sink call short
            task.cancel()
            await asyncio.wait({task})
            return None
        finally:
            stopper.cancel()
            if not task.done():
                task.cancel()

    async def _maintain(self, stop: asyncio.Event) -> None:
        """Keep the seen table bounded while running."""
        while True:
            try:
                removed = self._state.prune_seen(self._retention_days, now=self._clock())
                if removed:
                    log.info(
                        "pruned %d seen entries older than %g days", removed, self._retention_days
                    )
            except Exception:
                log.exception("pruning seen entries failed")
            if await _wait(stop, self._prune_every):
                return
