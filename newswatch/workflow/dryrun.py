"""``rules test``: run rules over articles and show the exact alerts they would send.

The alerts are built by the same code the monitor uses (``alerts.firing.fire``), so what
is printed is byte for byte what a target would receive. Nothing is sent unless asked; then
the alerts go through the real notifier, with a throw-away outbox so a test send never stops the
live monitor from alerting on the same article later.

This module also says where test articles come from: a JSON-lines file, a feed fetched once,
a web page fetched once (for ``explain``), or the archive.
"""

from __future__ import annotations

import asyncio
import html
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from feeds.config import FeedSpec
from feeds.fetch import Fetcher, FetchLimits
from feeds.parse import html_to_text, parse_feed
from newswatch.alerts.firing import fire
from newswatch.alerts.message import Alert
from newswatch.alerts.notifier import DeliveryReport, Notifier
from newswatch.alerts.outbox import Outbox
from newswatch.alerts.targets import Targets
from newswatch.article import Article, make_article_id
from newswatch.constants import DEFAULT_TAG
from newswatch.matching.snapshot import RuleSnapshot
from newswatch.rules.model import Rule, Status

__all__ = [
    "DryRunAlert",
    "as_active",
    "dry_run",
    "fetch_feed",
    "fetch_page",
    "send_alerts",
]


@dataclass(frozen=True, slots=True)
class DryRunAlert:
    article: Article
    alert: Alert


def as_active(rules: Iterable[Rule]) -> list[Rule]:
    """Rules as they would run once enabled: a draft may be tested while still disabled."""
    return [replace(r, status=Status.ACTIVE) if not r.enabled else r for r in rules]


def dry_run(
    rules: Iterable[Rule], articles: Iterable[Article], *, default_tag: str = DEFAULT_TAG
) -> Iterator[DryRunAlert]:
    """Every alert ``rules`` would raise on ``articles``, in article then rule order."""
    snapshot = RuleSnapshot.of(rules)
    for article in articles:
        for fired in fire(snapshot, article, default_tag=default_tag):
            yield DryRunAlert(article, fired.alert)


def _feed_id(url: str) -> str:
    host = urlsplit(url).hostname or "feed"
    return re.sub(r"[^a-z0-9-]+", "-", host.lower()).strip("-") or "feed"


async def _fetch(url: str, timeout: float) -> tuple[bytes, str, str]:
    async with Fetcher(limits=FetchLimits(read_timeout=timeout)) as fetcher:
        result = await fetcher.fetch(url)
    return result.body, result.content_type, result.url


def fetch_feed(
    url: str, *, feed_id: str | None = None, language: str = "", timeout: float = 30.0
) -> tuple[list[Article], str | None]:
    """The articles of the feed at ``url`` (fetched once, no state), and the parse error if
    any. Raises ``feeds.fetch.FetchError``."""
    body, content_type, final = asyncio.run(_fetch(url, timeout))
    spec = FeedSpec(id=feed_id or _feed_id(url), url=url, language=language)
    parsed = parse_feed(
        body, spec, content_type=content_type, base_url=final, fetched=datetime.now(UTC)
    )
    return list(parsed.articles), parsed.error


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


def fetch_page(url: str, *, timeout: float = 30.0) -> list[Article]:
    """The article(s) at ``url``: a feed's entries, or a web page as one article (its
    ``<title>`` and its text). Raises ``feeds.fetch.FetchError``."""
    body, content_type, final = asyncio.run(_fetch(url, timeout))
    spec = FeedSpec(id=_feed_id(url), url=url)
    parsed = parse_feed(
        body, spec, content_type=content_type, base_url=final, fetched=datetime.now(UTC)
    )
    if parsed.articles:
        return list(parsed.articles)
    page = body.decode("utf-8", "replace")
    found = _TITLE.search(page)
    title = " ".join(html.unescape(found.group(1)).split()) if found else ""
    text = html_to_text(_TITLE.sub("", page))
    return [
        Article(
            id=make_article_id(spec.id, None, final, title, text),
            feed=spec.id,
            url=final,
            title=title,
            content=text,
            fetched=datetime.now(UTC),
        )
    ]


def send_alerts(alerts: Iterable[Alert], apprise_config: Path | None) -> DeliveryReport:
    """Send ``alerts`` to their Apprise targets now (one quick retry each)."""
    targets = Targets.load(apprise_config)
    return asyncio.run(_send(list(alerts), targets))


async def _send(alerts: list[Alert], targets: Targets) -> DeliveryReport:
    with tempfile.TemporaryDirectory(prefix="newswatch-test-") as scratch:
        notifier = Notifier(
            targets, Outbox(Path(scratch) / "outbox.sqlite3"), quick_retries=1, quick_wait=0.5
        )
        try:
            for alert in alerts:
                await notifier.submit(alert)
            return await notifier.deliver_due()
        finally:
            await notifier.close()
