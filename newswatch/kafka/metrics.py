"""Prometheus metrics of a worker, on its own registry (several apps in one test process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["CONTENT_TYPE", "WorkerMetrics"]

# No charset parameter: aiohttp (under Faust) refuses one inside content_type; UTF-8 is implied.
CONTENT_TYPE = "text/plain; version=0.0.4"


class WorkerMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.articles = Counter(
            "newswatch_articles_total",
            "Articles read from the articles topic, by outcome (new, duplicate, invalid, error)",
            ["outcome"],
            registry=r,
        )
        self.hits = Counter("newswatch_hits_total", "Hits produced, by rule", ["rule"], registry=r)
        self.alerts_sent = Counter(
            "newswatch_alerts_sent_total",
            "Alert deliveries sent, by target",
            ["target"],
            registry=r,
        )
        self.alert_failures = Counter(
            "newswatch_alert_failures_total",
            "Failed delivery rounds (each is retried, then parked)",
            ["target"],
            registry=r,
        )
        self.dead_letters = Counter(
            "newswatch_dead_letters_total",
            "Deliveries parked on the dead-letter topic, by reason (failed, in_doubt)",
            ["reason"],
            registry=r,
        )
        self.duplicate_hits = Counter(
            "newswatch_duplicate_hits_total",
            "Hits whose (rule, article) was already delivered or parked (redelivery, replay)",
            registry=r,
        )
        self.lag = Gauge(
            "newswatch_consumer_lag",
            "Messages not yet processed, per topic partition owned by this worker",
            ["topic", "partition"],
            registry=r,
        )
        self.rules = Gauge("newswatch_rules_loaded", "Rules in the live rule set", registry=r)
        self.match_seconds = Histogram(
            "newswatch_match_seconds",
            "Time to match one article and build its alerts",
            buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5),
            registry=r,
        )
        self.hit_latency = Histogram(
            "newswatch_article_to_hit_seconds",
            "From the article's Kafka timestamp to its hits being acknowledged",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
