"""``newswatch poll``: the embedded runtime's pollers with Kafka as their sink.

Same ``Poller``, ``Fetcher`` and SQLite seen-store as ``newswatch run``; only the sink differs.
A restarted poller opens its store again, so it neither loses articles (unacknowledged ones were
never marked seen) nor re-sends a feed's history (acknowledged ones were).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

from feeds.config import MIN_INTERVAL, FeedSpec, load_feeds
from feeds.fetch import Fetcher, FetchLimits
from feeds.poller import Poller, PollOutcome, select_shard
from feeds.state import FeedStateStore
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


@dataclass(frozen=True, slots=True)
class PollSummary:
    feeds: int
    feeds_failed: int
    articles: int
    errors: tuple[str, ...] = ()


def _my_feeds(config: PollConfig) -> list[FeedSpec]:
    specs = load_feeds(config.feeds_file, min_interval=config.min_feed_interval)
    if config.shard is None:
        return specs
    mine = select_shard(specs, config.shard.index, config.shard.count)
    log.info("shard %s: %d of %d feed(s)", config.shard, len(mine), len(specs))
    return mine


async def run_poll(config: PollConfig, stop: asyncio.Event, *, once: bool = False) -> PollSummary:
    """Poll until ``stop`` is set (or every feed once); articles go to Kafka."""
    specs = _my_feeds(config)
    partitions = await asyncio.to_thread(ensure_topics, config.kafka)
    config.state_dir.mkdir(parents=True, exist_ok=True)
    state = FeedStateStore(config.state_dir / FEED_STATE_FILENAME)
    fetcher = Fetcher(limits=config.fetch_limits)
    sink = ArticleSink(
        config.kafka, delivery_timeout=config.delivery_timeout, warn_after=config.warn_after
    )
    poller = Poller(specs, fetcher, state)
    log.info(
        "polling %d feed(s) into %s (%d partitions) at %s; state in %s",
        len(specs),
        config.kafka.topics.articles,
        partitions,
        config.kafka.bootstrap,
        config.state_dir,
    )
    outcomes: list[PollOutcome] = []
    try:
        if once:
            outcomes = await poller.poll_all_once(sink)
        else:
            await poller.run(sink, stop)
    finally:
        await asyncio.to_thread(sink.close)
        await fetcher.aclose()
        state.close()
    log.info("poller stopped: %d article(s) sent to Kafka", sink.sent)
    failed = [o for o in outcomes if not o.ok]
    return PollSummary(
        feeds=len(outcomes) if once else len(specs),
        feeds_failed=len(failed),
        articles=sink.sent,
        errors=tuple(f"{o.feed_id}: {o.error}" for o in failed),
    )
