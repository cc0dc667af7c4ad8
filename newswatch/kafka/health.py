"""``kafka check``: is the scale-out deployment well? The broker answers, every topic exists,
the workers keep up (their lag), and a worker's ``/health`` says ready."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from newswatch.kafka.admin import describe_topics, group_lag
from newswatch.kafka.config import KafkaSettings

__all__ = ["check_health"]


def check_health(
    settings: KafkaSettings,
    *,
    group: str = "",
    worker_url: str | None = None,
    max_lag: int | None = None,
    timeout: float = 5.0,
) -> dict[str, Any]:
    """One JSON-able report; ``report["ok"]`` is False if anything is unwell (a missing topic,
    lag above ``max_lag``, a worker that does not answer ready, Kafka out of reach)."""
    group = group or settings.worker_group
    report: dict[str, Any] = {"bootstrap": settings.bootstrap, "ok": True}
    try:
        topics = describe_topics(settings)
        report["topics"] = topics
        missing = [name for name in settings.topics.all() if name not in topics]
        if missing:
            report["ok"] = False
            report["missing_topics"] = missing
        lag = group_lag(settings, group, [settings.topics.articles, settings.topics.hits])
        report["lag"] = {"group": group, "total": lag.total, **lag.lag}
        if max_lag is not None and lag.total > max_lag:
            report["ok"] = False
    except Exception as exc:  # any failure to reach Kafka is the answer
        report["ok"] = False
        report["error"] = f"{type(exc).__name__}: {exc}"
    if worker_url:
        url = f"{worker_url.rstrip('/')}/health"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                report["worker"] = json.loads(resp.read())
        except Exception as exc:  # 503 (starting) and refused both mean "not healthy"
            report["ok"] = False
            report["worker"] = {"error": f"{type(exc).__name__}: {exc}"}
    return report
