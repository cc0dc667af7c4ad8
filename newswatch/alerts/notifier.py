"""The notifier: puts alerts in the outbox and delivers what is due through Apprise.

Delivery is per (alert, target): each target is sent on its own one-target Apprise object, so a
dead target never makes another one receive an alert twice. A failing send gets a couple of quick
retries (tenacity) within the call; if it still fails, the delivery stays in the outbox with its
error and an exponential, jittered, capped backoff. Nothing is dropped: an alert leaves the
outbox only as "sent".

    notifier = Notifier(Targets.load("apprise.yaml"), Outbox("var/outbox.sqlite3"), console=True)
    await notifier.submit(build_alert(rule, article, hit))   # False: this (rule, article) is known
    report = await notifier.deliver_due()                    # call it every few seconds (or run())
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from apprise import Apprise, AppriseResult, NotifyBase, NotifyFormat, NotifyType
from tenacity import AsyncRetrying, RetryCallState, retry_if_result, stop_after_attempt, wait_fixed

from newswatch.alerts.message import Alert
from newswatch.alerts.outbox import DEFAULT_LEASE, Delivery, Outbox
from newswatch.alerts.render import render
from newswatch.alerts.story import CONSOLE
from newswatch.alerts.targets import Target, Targets
from newswatch.constants import OUTBOX_FILENAME
from newswatch.redaction import redact

__all__ = [
    "Backoff",
    "DeliveryFailure",
    "DeliveryReport",
    "Notifier",
    "format_console",
    "native_format",
    "payload",
    "retry_held",
    "send_now",
]

log = logging.getLogger(__name__)

MAX_REASON_CHARS = 500
# Severity decides the Apprise notification type (the colour/icon a chat target shows).
_NOTIFY_TYPES = {
    "info": NotifyType.INFO,
    "low": NotifyType.INFO,
    "medium": NotifyType.WARNING,
    "high": NotifyType.WARNING,
    "critical": NotifyType.FAILURE,
}


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Wait before retrying a failed delivery: ``initial * factor**(attempts-1)``, capped.

    Jitter takes up to ``jitter`` (a fraction) off each wait, so deliveries held by one outage
    do not all come back in the same second; the cap is never exceeded.
    """

    initial: float = 30.0
    factor: float = 2.0
    maximum: float = 3600.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.factor < 1 or self.maximum < self.initial:
            raise ValueError("backoff needs initial > 0, factor >= 1 and maximum >= initial")
        if not 0 <= self.jitter < 1:
            raise ValueError("backoff jitter is a fraction in [0, 1)")

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait after the ``attempts``-th failed round (1 = first failure)."""
        exponent = min(max(attempts, 1) - 1, 64)  # bounded: huge attempt counts stay finite
        base = min(self.maximum, self.initial * self.factor**exponent)
        spread = (rng or random).uniform(0.0, self.jitter) if self.jitter else 0.0
        return timedelta(seconds=base * (1.0 - spread))


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    key: str
    rule_id: str
    article_id: str
    target_id: str
    target: str  # the target's privacy form, safe to print
    error: str
    attempts: int
    next_attempt_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """One ``deliver_due`` call: sent, failed (tried), deferred (not tried: target was down)."""

    sent: int = 0
    failed: int = 0
    deferred: int = 0
    failures: tuple[DeliveryFailure, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.deferred == 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            self.sent + other.sent,
            self.failed + other.failed,
            self.deferred + other.deferred,
            self.failures + other.failures,
        )


def native_format(plugin: NotifyBase) -> NotifyFormat:
    """The format ``plugin`` renders: the one it declares (``notify_format``), or the first of
    those it declares, or its URL's ``?format=`` among them (Apprise's own choice when it is
    given no source format)."""
    return NotifyFormat(plugin.resolve_format(None))


def payload(alert: Alert, plugin: NotifyBase) -> tuple[str, str, NotifyFormat]:
    """``(title, body, body_format)`` of ``alert`` for ``plugin``, in its native format.

    Sent with ``body_format`` equal to the format the plugin resolves to, Apprise converts
    nothing (it has no converter from a format to itself), so the bold and the escaping arrive
    as rendered. A plugin that puts the title into the body (``title_maxlen`` 0, e.g.
    Telegram) gets the title escaped for that format; one that keeps it apart (an e-mail
    subject, a JSON field) gets it as written."""
    fmt = native_format(plugin)
    title, body = render(alert, fmt)
    return (title if plugin.title_maxlen <= 0 else alert.title), body, fmt


def format_console(alert: Alert) -> str:
    """The alert as shown on the console: a rule, the title, the body."""
    return f"{'─' * 72}\n{alert.title}\n{alert.body}\n"


class Notifier:
    """Submits alerts to the outbox and delivers the due ones (see the module docstring).

    ``clock`` returns the current (UTC) time; tests inject one instead of sleeping.
    ``quick_retries``/``quick_wait``: in-call retries of a failed send and the pause between.
    ``send_timeout`` bounds one Apprise send. ``lease`` is how long a claimed delivery stays
    invisible to other processes. ``close()`` closes the outbox too.
    """

    def __init__(
        self,
        targets: Targets,
        outbox: Outbox,
        *,
        console: bool = False,
        clock: Callable[[], datetime] = utc_now,
        backoff: Backoff | None = None,
        quick_retries: int = 2,
        quick_wait: float = 0.5,
        send_timeout: float = 30.0,
        batch_size: int = 100,
        max_batches: int = 50,
        lease: timedelta = DEFAULT_LEASE,
        rng: random.Random | None = None,
        console_stream: TextIO | None = None,
    ) -> None:
        if quick_retries < 0 or quick_wait < 0 or send_timeout <= 0:
            raise ValueError("quick_retries >= 0, quick_wait >= 0 and send_timeout > 0 expected")
        if batch_size < 1 or max_batches < 1:
            raise ValueError("batch_size and max_batches must be at least 1")
        self.targets = targets
        self.outbox = outbox
        self.console = console
        self._clock = clock
        self._backoff = backoff or Backoff()
        self._quick_retries = quick_retries
        self._quick_wait = quick_wait
        self._send_timeout = send_timeout
        self._batch_size = batch_size
        self._max_batches = max_batches
        self._lease = lease
        self._rng = rng or random.Random()
        self._stream = console_stream
        self._senders: dict[str, Apprise] = {}
        self._closed = False

    async def submit(self, alert: Alert) -> bool:
        """Queue ``alert`` for each target of its tags; False if this alert key is known."""
        self._check_open()
        chosen = self.targets.for_alert(alert)
        if not self.outbox.enqueue(alert, [t.id for t in chosen], now=self._clock()):
            log.debug("alert already known, not notified again: %s", alert.key)
            return False
        if self.console and (not alert.targets or CONSOLE in alert.targets):
            self._to_console(alert)
            log.debug("alert shown on the console: %s", alert.key)
        if not chosen and not self.console and not alert.targets:
            log.warning(
                "alert for rule %s, article %s has no target for tags %s and the console is "
                "off: it is recorded in the outbox but sent nowhere",
                alert.rule_id,
                alert.article_id,
                ",".join(alert.tags),
            )
        return True

    async def deliver_due(self) -> DeliveryReport:
        """Send every delivery whose time has come; failures are held with a backoff."""
        self._check_open()
        report = DeliveryReport()
        for _ in range(self._max_batches):  # bounded even if a clock never moves
            batch = self.outbox.due(self._clock(), self._batch_size, lease=self._lease)
            if not batch:
                break
            by_target: dict[str, list[Delivery]] = {}
            for delivery in batch:
                by_target.setdefault(delivery.target_id, []).append(delivery)
            # Targets in parallel, each target's alerts in order.
            parts = await asyncio.gather(
                *(self._deliver_to(tid, items) for tid, items in by_target.items())
            )
            for part in parts:
                report += part
            if len(batch) < self._batch_size:
                break
        return report

    async def run(self, *, interval: float = 5.0, stop: asyncio.Event | None = None) -> None:
        """Call ``deliver_due`` every ``interval`` seconds until ``stop`` is set."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                await self.deliver_due()
            except Exception:
                # A locked or full disk must not end delivery for good; the next round retries.
                log.exception("alert delivery round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._senders.clear()
            self.outbox.close()

    # --- internals -------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the notifier is closed")

    def show(self, alert: Alert) -> None:
        """Print ``alert`` on the console if the console is on (the inbox queues console
        messages itself, then shows the new ones)."""
        if self.console:
            self._to_console(alert)

    def _to_console(self, alert: Alert) -> None:
        stream = self._stream or sys.stdout
        text = format_console(alert)
        try:
            stream.write(text)
        except UnicodeEncodeError:
            # A console that cannot show the script still gets every character, escaped.
            encoding = getattr(stream, "encoding", None) or "ascii"
            stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
        stream.flush()

    async def _deliver_to(self, target_id: str, items: list[Delivery]) -> DeliveryReport:
        target = self.targets.get(target_id)
        if target is None:
            return self._unknown_target(target_id, items)
        report = DeliveryReport()
        for index, delivery in enumerate(items):
            error = await self._send(target, delivery.alert)
            if error is None:
                self.outbox.mark_sent(delivery.key, target_id, now=self._clock())
                report += DeliveryReport(sent=1)
                continue
            failure = self._fail(delivery, target.display, error)
            report += DeliveryReport(failed=1, failures=(failure,))
            # The target is down: the rest of its batch waits with the failed one instead of
            # each spending its own timeouts now (their attempt counts stay as they are).
            for rest in items[index + 1 :]:
                self.outbox.defer(rest.key, target_id, failure.next_attempt_at)
            report += DeliveryReport(deferred=len(items) - index - 1)
            break
        return report

    def _unknown_target(self, target_id: str, items: list[Delivery]) -> DeliveryReport:
        # The config changed since these were queued. They stay held (and listed by
        # `newswatch alerts pending`) until the target is back or an operator acts.
        error = "target is not in the current Apprise config"
        failures = tuple(self._fail(d, target_id, error) for d in items)
        return DeliveryReport(failed=len(failures), failures=failures)

    def _fail(self, delivery: Delivery, shown: str, error: str) -> DeliveryFailure:
        now = self._clock()
        next_at = now + self._backoff.delay(delivery.attempts + 1, self._rng)
        attempts = self.outbox.mark_failed(delivery.key, delivery.target_id, error, next_at)
        log.warning(
            "alert not delivered: rule %s, article %s, target %s; attempt %d failed (%s); "
            "next try at %s",
            delivery.alert.rule_id,
            delivery.alert.article_id,
            shown,
            attempts,
            error,
            next_at.isoformat(timespec="seconds"),
        )
        return DeliveryFailure(
            key=delivery.key,
            rule_id=delivery.alert.rule_id,
            article_id=delivery.alert.article_id,
            target_id=delivery.target_id,
            target=shown,
            error=error,
            attempts=attempts,
            next_attempt_at=next_at,
        )

    def _sender(self, target: Target) -> Apprise:
        sender = self._senders.get(target.id)
        if sender is None:
            # A one-target Apprise object: its result (with the reason of a failure) concerns
            # this target alone.
            sender = Apprise(asset=target.plugin.asset)
            sender.add(target.plugin)
            self._senders[target.id] = sender
        return sender

    async def _send(self, target: Target, alert: Alert) -> str | None:
        """Send with quick retries; None on success, else the (secret-free) reason."""
        sender = self._sender(target)
        notify_type = _NOTIFY_TYPES.get(alert.severity, NotifyType.INFO)
        title, body, body_format = payload(alert, target.plugin)

        async def attempt() -> str | None:
            try:
                result = await sender.async_notify(
                    body=body,
                    title=title,
                    notify_type=notify_type,
                    body_format=body_format,
                    timeout=self._send_timeout,
                )
            except Exception as exc:
                # Apprise reports delivery problems in its result; anything raised is an
                # environment problem, and the alert must stay held rather than be lost.
                return _clip(redact(f"{exc.__class__.__name__}: {exc}"))
            with result:
                return None if result else _reason(result)

        def last_reason(state: RetryCallState) -> str | None:
            outcome = state.outcome
            return outcome.result() if outcome is not None else "not attempted"

        retrying = AsyncRetrying(
            stop=stop_after_attempt(1 + self._quick_retries),
            wait=wait_fixed(self._quick_wait),
            retry=retry_if_result(lambda reason: reason is not None),
            retry_error_callback=last_reason,
        )
        reason: str | None = await retrying(attempt)
        return reason


def _reason(result: AppriseResult) -> str:
    messages: list[str] = []
    for entry in result.logs():
        if entry.level in ("WARNING", "ERROR", "CRITICAL") and entry.message not in messages:
            messages.append(entry.message)
    text = "; ".join(messages) or f"Apprise reported {result.status.name}"
    return _clip(redact(text))


def _clip(text: str) -> str:
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"


# --- one round now, for a person waiting at the command line -------------------------------


def _quick(targets: Targets, outbox: Outbox) -> Notifier:
    # One quick retry only: what still fails stays held (with backoff) or is reported.
    return Notifier(targets, outbox, quick_retries=1, quick_wait=0.5)


async def retry_held(outbox: Outbox, targets: Targets) -> DeliveryReport:
    """``alerts retry``: make every held delivery of ``outbox`` due and deliver it now."""
    notifier = _quick(targets, outbox)
    try:
        outbox.retry_now()
        return await notifier.deliver_due()
    finally:
        await notifier.close()


async def send_now(alerts: Iterable[Alert], targets: Targets) -> DeliveryReport:
    """``rules test --send``: send ``alerts`` to their targets now, through a throw-away
    outbox, so a test send never stops the live monitor from alerting on the same article."""
    with tempfile.TemporaryDirectory(prefix="newswatch-test-") as scratch:
        notifier = _quick(targets, Outbox(Path(scratch) / OUTBOX_FILENAME))
        try:
            for alert in alerts:
                await notifier.submit(alert)
            return await notifier.deliver_due()
        finally:
            await notifier.close()
