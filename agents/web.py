"""The worker's web port (127.0.0.1 unless configured): ``/metrics`` and ``/health``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import faust

from newswatch.kafka.metrics import CONTENT_TYPE

if TYPE_CHECKING:
    from agents.factory import Worker

__all__ = ["add_pages", "health"]


def health(worker: Worker) -> tuple[bool, dict[str, Any]]:
    """Ready when the rules are loaded and the app runs; the JSON says what it owns."""
    app = worker.app
    ready = worker.rules.ready.is_set()
    try:
        assigned = sorted(f"{tp.topic}[{tp.partition}]" for tp in app.consumer.assignment())
    except Exception:  # the consumer is not up yet
        assigned = []
    body = {
        "status": "ok" if ready else "starting",
        "app": worker.settings.app_id,
        "rules": len(worker.rules.snapshot.rules),
        "rules_ready": ready,
        "partitions": worker.partitions,
        "assigned": assigned,
        "rebalancing": bool(app.rebalancing),
    }
    return ready, body


def add_pages(*, worker_app: faust.App, worker: Worker) -> None:
    @worker_app.page("/metrics")
    async def metrics(web: Any, request: Any) -> Any:
        return web.bytes(worker.metrics.render(), content_type=CONTENT_TYPE)

    @worker_app.page("/health")
    async def health_page(web: Any, request: Any) -> Any:
        ok, body = health(worker)
        return web.json(body, status=200 if ok else 503)
