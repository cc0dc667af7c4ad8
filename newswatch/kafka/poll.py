"""``newswatch poll``: the embedded runtime's pollers with Kafka as their sink.

Same ``Poller``, ``Fetcher`` and SQLite seen-store as ``newswatch run``; only the sink differs.
A restarted poller opens its store again, so it neither loses articles (unacknowledged ones were
never marked seen) nor re-sends a feed's history (acknowledged ones were).

The feed list file is watched as in ``newswatch run`` (``feeds.watch``): an edit applies to the
running poller (its shard of the new list), a broken one is logged and the previous list keeps
running. The same start-up line and heartbeat (``feeds.progress``) say how it is doing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from feeds.config import MIN_INTERVAL, FeedSpec
from feeds.fetch import Fetcher, FetchLimits
from feeds.fulltext import PageFetcher, full_text_sink
from feeds.poller import Poller, PollOutcome, select_shard
from feeds.progress import DEFAULT_HEARTBEAT, FIRST_ROUND_WINDOW, report_progress
from feeds.state import FeedStateStore
from feeds.watch import FeedListChange, FeedListWatch
from newswatch.constants import FEED_STATE_FILENAME
from newswatch.kafka.admin import ensure_topics
from newswatch.kafka.config import KafkaSettings, Shard
from newswatch.kafka.producer import ArticleSink

__all__ = ["PollConfig", "PollSummary", "run_poll"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollConfig:
    feeds_file: Path
    state_dir: Path
    kafka: KafkaSettings
    shard: Shard | None = None
    min_feed_interval: float = MIN_INTERVAL
    fetch_limits: FetchLimits = field(default_factory=FetchLimits)
    delivery_timeout: float = 120.0
    warn_after: float = 5.0  # an unacknowledged batch older than this is logged as an outage
    reload_interval: float = 2.0  # seconds between checks of the feed list file
    heartbeat: float = DEFAULT_HEARTBEAT  # seconds between "alive" lines; 0: none
    first_round_window: float = FIRST_ROUND_WINDOW  # the start-up line waits this long at most


@dataclass(frozen=True, slots=True)
class PollSummary:
    feeds: int
    feeds_failed: int
    articles: int
    errors: tuple[str, ...] = ()


def _mine(specs: Sequence[FeedSpec], shard: Shard | None) -> list[FeedSpec]:
    """This poller's share of the feed list (all of it without ``--shard``)."""
    return list(specs) if shard is None else select_shard(specs, shard.index, shard.count)


async def run_poll(config: PollConfig, stop: asyncio.Event, *, once: bool = False) -> PollSummary:
    """Poll until ``stop`` is set (or every feed once); articles go to Kafka."""
    watch = FeedListWatch(config.feeds_file, min_interval=config.min_feed_interval)
    listed = watch.load()
    specs = _mine(listed, config.shard)
    if config.shard is not None:
        log.info("shard %s: %d of %d feed(s)", config.shard, len(specs), len(listed))
    partitions = await asyncio.to_thread(ensure_topics, config.kafka)
    config.state_dir.mkdir(parents=True, exist_ok=True)
    state = FeedStateStore(config.state_dir / FEED_STATE_FILENAME)
    fetcher = Fetcher(limits=config.fetch_limits)
    sink = ArticleSink(
        config.kafka, delivery_timeout=config.delivery_timeout, warn_after=config.warn_after
    )
    poller = Poller(specs, fetcher, state)
    # Full-text feeds: entries get their pages' text before they go to Kafka (and are seen).
    publish = full_text_sink(sink, PageFetcher(fetcher), state)
    log.info(
        "polling %d feed(s) into %s (%d partitions) at %s; state in %s",
        len(specs),
        config.kafka.topics.articles,
        partitions,
        config.kafka.bootstrap,
        config.state_dir,
    )

    def apply(new: Sequence[FeedSpec]) -> FeedListChange:
        return poller.replace(_mine(new, config.shard))

    outcomes: list[PollOutcome] = []
    try:
        if once:
            outcomes = await poller.poll_all_once(publish)
        else:
            async with asyncio.TaskGroup() as group:
                group.create_task(poller.run(publish, stop))
                group.create_task(watch.follow(apply, stop, every=config.reload_interval))
                group.create_task(
                    report_progress(
                        poller.tally,
                        stop,
                        pulse=lambda: poller.tally.pulse(articles=sink.sent, published=True),
                        heartbeat=config.heartbeat,
                        window=config.first_round_window,
                    )
                )
    finally:
        await asyncio.to_thread(sink.close)
        await fetcher.aclose()
        state.close()
    log.info("poller stopped: %d article(s) sent to Kafka", sink.sent)
    failed = [o for o in outcomes if not o.ok]
    return PollSummary(
        feeds=len(outcomes) if once else len(poller.specs),
        feeds_failed=len(failed),
        articles=sink.sent,
        errors=tuple(f"{o.feed_id}: {o.error}" for o in failed),
    )
