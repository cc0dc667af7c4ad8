"""Prometheus metrics of the embedded monitor (``/metrics`` of ``newswatch run --web``).

Counters are counted as the monitor works; the levels (outbox, feeds failing, rules loaded) are
read from the stores at scrape time, so they are never stale and cost nothing between scrapes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

    from newswatch.embedded.runtime import Monitor

__all__ = ["MonitorMetrics"]


class _Levels(Collector):
    def __init__(self, monitor: Monitor) -> None:
        self._monitor = monitor

    def collect(self) -> Iterator[Metric]:
        monitor = self._monitor
        counts = monitor.notifier.outbox.counts()
        outbox = GaugeMetricFamily(
            "newswatch_outbox_deliveries", "Deliveries in the outbox, by state", labels=["state"]
        )
        outbox.add_metric(["pending"], counts.pending)
        outbox.add_metric(["failed"], counts.failed)
        yield outbox
        yield GaugeMetricFamily(
            "newswatch_rules_loaded",
            "Rules in the live rule set",
            value=len(monitor.rulebook.rules),
        )
        health = monitor.feed_state.health()
        yield GaugeMetricFamily(
            "newswatch_feeds", "Feeds in the feed list", value=len(monitor.feeds)
        )
        yield GaugeMetricFamily(
            "newswatch_feeds_failing",
            "Feeds whose last poll failed",
            value=sum(1 for h in health if h.consecutive_failures > 0),
        )
        yield GaugeMetricFamily(
            "newswatch_start_time_seconds",
            "When the monitor started (Unix time)",
            value=monitor.started_at.timestamp(),
        )


class MonitorMetrics:
    """One monitor's metrics, on a registry of its own (several monitors in one test process)."""

    def __init__(self, monitor: Monitor) -> None:
        self.registry = CollectorRegistry()
        self.articles = Counter(
            "newswatch_articles_total", "New articles matched", registry=self.registry
        )
        self.hits = Counter(
            "newswatch_hits_total",
            "Hits (a rule fired on an article), by rule",
            ["rule"],
            registry=self.registry,
        )
        self.queued = Counter(
            "newswatch_alerts_queued_total", "Messages queued in the outbox", registry=self.registry
        )
        self.sent = Counter(
            "newswatch_alerts_sent_total", "Deliveries sent", registry=self.registry
        )
        self.failed = Counter(
            "newswatch_alert_failures_total",
            "Failed deliveries (each is retried with backoff)",
            registry=self.registry,
        )
        self.registry.register(_Levels(monitor))

    def render(self) -> bytes:
        return generate_latest(self.registry)
