"""The pollers' Kafka sink: articles onto the articles topic, returning only once acknowledged.

``feeds.poller.Poller`` marks articles seen after its sink returns, so a sink that returns only
when the broker has acknowledged every article (idempotent producer, ``acks=all``) makes
"nothing lost" hold end to end: a crash before the acknowledgement re-offers the articles on the
next poll, and the workers' dedupe table absorbs the copy that may already be on the topic.

A broker outage: kafka-python buffers the records and retries them until
``delivery_timeout`` passes; the sink logs one clear line once a batch has waited
``warn_after`` seconds and another when the broker took them. If the timeout passes, the sink
raises, the poller counts a failed poll for that feed (with its usual backoff) and, the articles
not being marked seen, offers them again later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError

from feeds.config import FeedSpec
from newswatch.article import Article
from newswatch.errors import BrokerError
from newswatch.kafka.admin import MAX_MESSAGE_BYTES
from newswatch.kafka.config import KafkaSettings
from newswatch.kafka.records import article_key, article_value

__all__ = ["ArticleSink", "SinkError", "fit_article", "make_producer"]

log = logging.getLogger(__name__)

# Headroom under the topic's max.message.bytes for the key, headers and batch overhead.
_VALUE_LIMIT = MAX_MESSAGE_BYTES - 64 * 1024


class SinkError(BrokerError):
    """Kafka did not acknowledge every article of a batch; they stay unseen and come again."""


def make_producer(
    settings: KafkaSettings, *, delivery_timeout: float = 120.0, **overrides: Any
) -> KafkaProducer:
    """An idempotent, ``acks=all`` producer that rides out a broker restart."""
    config: dict[str, Any] = {
        "bootstrap_servers": settings.servers,
        "client_id": f"{settings.client_id}-poller",
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        "max_request_size": MAX_MESSAGE_BYTES,
        "request_timeout_ms": 10_000,
        "delivery_timeout_ms": int(delivery_timeout * 1000),
        # send() blocks at most this long for metadata or buffer space (e.g. broker down at
        # start); it runs in a worker thread, so the poller's other feeds keep going.
        "max_block_ms": int(delivery_timeout * 1000),
        "reconnect_backoff_ms": 100,
        "reconnect_backoff_max_ms": 2000,
        "retry_backoff_ms": 200,
    }
    config.update(overrides)
    return KafkaProducer(**config)


def fit_article(article: Article, limit: int = _VALUE_LIMIT) -> tuple[Article, bytes]:
    """The article and its wire value, its content cut so the record fits the topic.

    A record over the limit would be refused forever and block its feed; a story that long
    keeps its title, summary and the first megabytes of text.
    """
    value = article_value(article)
    if len(value) <= limit:
        return article, value
    excess = len(value) - limit
    content = article.content.encode("utf-8")
    keep = max(0, len(content) - excess - 1024)
    trimmed = replace(article, content=content[:keep].decode("utf-8", "ignore"))
    log.warning(
        "article %s (%s) is %d bytes on the wire; its content was cut to fit %d",
        article.id,
        article.url,
        len(value),
        limit,
    )
    return trimmed, article_value(trimmed)


class ArticleSink:
    """``async (spec, articles) -> None`` for ``Poller``; see the module docstring."""

    def __init__(
        self,
        settings: KafkaSettings,
        *,
        producer: KafkaProducer | None = None,
        delivery_timeout: float = 120.0,
        warn_after: float = 5.0,
    ) -> None:
        self.topic = settings.topics.articles
        self._producer = producer or make_producer(settings, delivery_timeout=delivery_timeout)
        self._deadline = delivery_timeout + 10.0  # the producer fails records itself before
        self._warn_after = warn_after
        self.sent = 0

    async def __call__(self, spec: FeedSpec, articles: Sequence[Article]) -> None:
        # kafka-python is blocking (send() may wait for metadata, get() for acks): a thread
        # keeps the poller's event loop free for the other feeds.
        await asyncio.to_thread(self._send_and_wait, spec, list(articles))
        self.sent += len(articles)

    def _send_and_wait(self, spec: FeedSpec, articles: list[Article]) -> None:
        started = time.monotonic()
        feed = spec.id.encode("utf-8")
        try:
            futures = []
            for article in articles:
                _, value = fit_article(article)
                futures.append(
                    self._producer.send(
                        self.topic,
                        key=article_key(article),
                        value=value,
                        headers=[("feed", feed)],
                    )
                )
        except KafkaError as exc:
            raise SinkError(f"Kafka refused the articles of feed {spec.id}: {exc}") from exc
        warned = False
        failed: list[BaseException] = []
        for future in futures:
            while not future.is_done:
                waited = time.monotonic() - started
                if not warned and waited >= self._warn_after:
                    warned = True
                    log.warning(
                        "Kafka has not acknowledged %d article(s) of feed %s after %.0f s "
                        "(broker unreachable?): they stay buffered and are retried for up to "
                        "%.0f s; nothing is marked seen until the broker has them",
                        sum(1 for f in futures if not f.is_done),
                        spec.id,
                        waited,
                        self._deadline,
                    )
                if waited > self._deadline:
                    raise SinkError(f"Kafka gave no answer for feed {spec.id} in {waited:.0f} s")
                try:
                    future.get(timeout=1.0)
                except KafkaTimeoutError:
                    continue  # not done yet (or timed out: is_done tells)
                except KafkaError:
                    break
            if future.failed():
                failed.append(future.exception)
        if failed:
            raise SinkError(
                f"Kafka did not take {len(failed)} of {len(futures)} article(s) of feed "
                f"{spec.id}: {failed[0]!r}; they will be offered again"
            )
        if warned:
            log.warning(
                "Kafka is back: %d buffered article(s) of feed %s acknowledged after %.1f s",
                len(futures),
                spec.id,
                time.monotonic() - started,
            )

    def close(self, timeout: float = 10.0) -> None:
        try:
            self._producer.flush(timeout=timeout)
        finally:
            self._producer.close(timeout=timeout)
