"""The inbox's controls in scale-out mode: the routes file and the silences, on one compacted
topic (``<prefix>inbox``) that every worker follows with the rules (``rulefeed``).

Records: key ``routes`` → ``{"text", "source"}`` (``newswatch routes publish``), key
``silence`` U+001F id → a silence's JSON (``newswatch silence add|expire --bootstrap``). A
routes record that does not parse is logged with its problems (file:line:col) and ignored: the
previous routes keep running, as a broken edit does in embedded mode.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from kafka.errors import KafkaError

from newswatch.errors import BrokerError
from newswatch.inbox.routes import Routes, parse_routes
from newswatch.inbox.silences import Silence, SilenceError
from newswatch.kafka.admin import ensure_topics
from newswatch.kafka.config import KafkaSettings
from newswatch.kafka.producer import make_producer
from newswatch.kafka.reading import read_latest

__all__ = [
    "ROUTES_KEY",
    "InboxControl",
    "publish_routes",
    "publish_silence",
    "read_control",
    "silence_key",
]

log = logging.getLogger(__name__)

ROUTES_KEY = b"routes"
_SILENCE = "silence\x1f"


def silence_key(silence_id: str) -> bytes:
    return (_SILENCE + silence_id).encode("utf-8")


class InboxControl:
    """The routes and silences as the topic says, record by record."""

    def __init__(self) -> None:
        self.routes = Routes.default()
        self.silences: dict[str, Silence] = {}

    def apply(self, key: bytes | None, value: bytes | None) -> bool:
        """One record (``value`` None: a tombstone); True if something changed."""
        if key is None:
            return False
        name = key.decode("utf-8", "replace")
        if name == ROUTES_KEY.decode():
            return self._routes(value)
        if name.startswith(_SILENCE):
            ident = name[len(_SILENCE) :]
            if value is None:
                return self.silences.pop(ident, None) is not None
            try:
                self.silences[ident] = Silence.from_dict(json.loads(value))
            except (ValueError, SilenceError) as exc:
                log.error("inbox topic: silence %s ignored: %s", ident, exc)
                return False
            return True
        log.warning("inbox topic: record %r of an unknown kind ignored", name)
        return False

    def _routes(self, value: bytes | None) -> bool:
        if value is None:
            self.routes = Routes.default()
            log.info("routes removed: each rule's notify tags, at once")
            return True
        try:
            data = json.loads(value)
            text, source = str(data["text"]), str(data.get("source") or "routes.yaml")
        except (ValueError, KeyError, TypeError) as exc:
            log.error("inbox topic: routes record ignored (%s); the previous routes stay", exc)
            return False
        routes, problems = parse_routes(text, source)
        if routes is None:
            listed = "\n".join(str(p) for p in problems)
            log.error("routes not loaded, the previous routes stay in use:\n%s", listed)
            return False
        self.routes = routes
        log.info("routes loaded from the inbox topic (%s)", source)
        return True

    def active_silences(self, now: datetime) -> list[Silence]:
        return [s for s in self.silences.values() if s.active(now)]


def _send(settings: KafkaSettings, key: bytes, value: bytes | None, timeout: float) -> None:
    ensure_topics(settings, only=[settings.topics.inbox])
    producer = make_producer(settings, delivery_timeout=timeout, client_id="newswatch-inbox")
    try:
        producer.send(settings.topics.inbox, key=key, value=value).get(timeout=timeout)
    except KafkaError as exc:
        raise BrokerError(f"Kafka did not take the record: {exc}") from exc
    finally:
        producer.close(timeout=10)


def publish_routes(
    settings: KafkaSettings, text: str, source: str, *, timeout: float = 30.0
) -> None:
    """Put a routes file (already checked) on the inbox topic: every worker uses it within
    seconds."""
    value = json.dumps({"text": text, "source": source}, ensure_ascii=False).encode("utf-8")
    _send(settings, ROUTES_KEY, value, timeout)


def publish_silence(settings: KafkaSettings, silence: Silence, *, timeout: float = 30.0) -> None:
    """Put a silence (new or expired) on the inbox topic."""
    _send(settings, silence_key(silence.id), json.dumps(silence.to_dict()).encode(), timeout)


def read_control(settings: KafkaSettings, *, timeout: float = 30.0) -> InboxControl:
    """The inbox topic's current routes and silences (a bounded read)."""
    control = InboxControl()
    for key, record in read_latest(settings, settings.topics.inbox, timeout=timeout).items():
        control.apply(key, record.value)
    return control
