"""One delivery round of one alert to some of its targets, through the shared ``Notifier``.

The Kafka runtime keeps its delivery state in a Faust table, not in the SQLite outbox; it still
sends exactly as ``newswatch run`` does — one-target Apprise objects, quick retries, secret-free
failure reasons — by giving the notifier a throwaway in-memory outbox for the one round.
"""

from __future__ import annotations

from collections.abc import Sequence

from newswatch.alerts.message import Alert
from newswatch.alerts.notifier import Backoff, Notifier
from newswatch.alerts.outbox import Outbox, State
from newswatch.alerts.targets import Targets

__all__ = ["SendResult", "send_round"]

#: target id -> None when sent, else the (secret-free) reason it was not.
SendResult = dict[str, str | None]


async def send_round(
    targets: Targets,
    alert: Alert,
    target_ids: Sequence[str],
    *,
    quick_retries: int = 1,
    quick_wait: float = 0.5,
    send_timeout: float = 30.0,
    backoff: Backoff | None = None,
) -> SendResult:
    """Send ``alert`` once to each of ``target_ids`` (each with the notifier's quick retries)."""
    if not target_ids:
        return {}
    # ":memory:": the outbox only carries this round; durability lives in the caller's table.
    outbox = Outbox(":memory:")
    notifier = Notifier(
        targets,
        outbox,
        quick_retries=quick_retries,
        quick_wait=quick_wait,
        send_timeout=send_timeout,
        # Only used for the "next try at" of the notifier's failure log line, which should say
        # when the caller's retry comes.
        backoff=backoff,
    )
    try:
        outbox.enqueue(alert, target_ids)
        await notifier.deliver_due()
        result: SendResult = {}
        for delivery in outbox.deliveries(alert.key):
            if delivery.state == State.SENT:
                result[delivery.target_id] = None
            else:
                result[delivery.target_id] = delivery.last_error or "not attempted"
        return result
    finally:
        await notifier.close()
