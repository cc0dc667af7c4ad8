"""The embedded monitor's inbox: articles in, messages durably queued (the adapter).

The routing, grouping, cool-down, digest, quiet-hour and silence logic is the pure
``newswatch.inbox.engine``; this module builds its notices from the matcher's hits, reads
silences from the store each round (so ``newswatch silence add`` in another process takes
effect at the next round, within ``INBOX_TICK``), splits long messages to each target's length
limit, and commits messages and state in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from newswatch.alerts.firing import Fired
from newswatch.alerts.message import Alert
from newswatch.alerts.story import CONSOLE
from newswatch.alerts.targets import Targets
from newswatch.article import Article
from newswatch.inbox.engine import Inbox, Message
from newswatch.inbox.notices import first_builder, notice_for, parts_of
from newswatch.inbox.routes import Routes
from newswatch.inbox.split import body_limit
from newswatch.inbox.store import InboxStore
from newswatch.matching.snapshot import RuleSnapshot

__all__ = ["INBOX_TICK", "EmbeddedInbox"]

log = logging.getLogger(__name__)

# Seconds between inbox rounds when nothing else wakes it: how late a silence, a digest time or
# the end of quiet hours may be noticed.
INBOX_TICK = 5.0


class EmbeddedInbox:
    """The inbox of one embedded monitor, its state in the outbox's file."""

    def __init__(
        self,
        routes: Routes,
        targets: Targets,
        store: InboxStore,
        *,
        default_tag: str,
        console: bool,
        show: Callable[[Alert], None],
    ) -> None:
        self.targets = targets
        self.store = store
        self.default_tag = default_tag
        self.show = show
        self.console = console
        self.inbox = self._fresh(routes)
        self.restored = store.load(self.inbox)

    def _fresh(self, routes: Routes) -> Inbox:
        return Inbox(
            routes,
            self.targets.route,
            default_tag=self.default_tag,
            extra_targets=(CONSOLE,) if self.console else (),
        )

    @property
    def routes(self) -> Routes:
        return self.inbox.routes

    def replace_routes(self, routes: Routes) -> None:
        """New routes: groups keep their state; a group whose route is gone finishes under
        the root's settings."""
        self.inbox.routes = routes

    def offer(
        self,
        snapshot: RuleSnapshot,
        fired: Sequence[Fired],
        article: Article,
        story: str,
        now: datetime,
    ) -> None:
        if not fired:
            return
        hits = [one.hit for one in fired]
        build = first_builder(snapshot, hits, article, story, self.default_tag)
        self.inbox.offer(notice_for(snapshot, hits, article, story), now, build)

    def refresh_silences(self, now: datetime) -> None:
        """The silences as stored now (``newswatch silence`` writes them from another
        process): read once per round, not per article."""
        self.inbox.silences = self.store.silences(now=now)

    def flush(self, now: datetime) -> list[Message]:
        """Queue every message due at ``now``; returns those new to the outbox."""
        self.refresh_silences(now)
        messages = self.inbox.due(now)
        queued: list[tuple[Alert, list[str]]] = []
        owners: list[Message] = []
        for message in messages:
            target = self.targets.get(message.target) if message.target else None
            limit = body_limit(target.plugin) if target is not None else None
            ids = [message.target] if target is not None else []
            for part in parts_of(message.alert, limit):
                queued.append((part, ids))
                owners.append(message)
        try:
            fresh = self.store.commit(self.inbox, queued, now)
        except Exception:
            # The in-memory inbox moved on as if these were queued: back to what is stored, so
            # the next round builds them again (and the article that failed is polled again).
            self.inbox = self._fresh(self.inbox.routes)
            self.store.load(self.inbox)
            raise
        sent: list[Message] = []
        for (alert, _), message, new in zip(queued, owners, fresh, strict=True):
            if not new:
                log.debug("message already queued, not again: %s", alert.key)
                continue
            if message.target == CONSOLE:
                self.show(alert)
            elif not message.target:
                log.warning(
                    "story %s: rule %s has no target for its tags and the console is off: "
                    "recorded in the outbox, sent nowhere",
                    alert.story,
                    alert.rule_id,
                )
            if not sent or sent[-1] is not message:
                sent.append(message)
        return sent
