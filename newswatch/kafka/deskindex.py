"""What the page knows of a Kafka deployment, built record by record from the topics (pure:
``kafka.desk`` reads the topics and feeds this).

* the **matched** topic gives every article once matched, fired or not, with its hits (a
  ``MatchedRecord``) and the time the record was written;
* the workers' **stories** table changelog (``<group>-stories-changelog``) gives the story each
  article joined, as the story step decided it — the very ids a silence on ``story=`` matches;
* the **dead-letters** topic (compacted) gives the alerts the workers gave up on.

The two first may come in either order: an article is its own story until its assignment is
read. The index keeps the newest ``keep`` articles; older ones are forgotten, their story rows
with them.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from newswatch.article import Article
from newswatch.kafka.records import DeadLetter, MatchedRecord, RecordError
from newswatch.matching.hits import Hit

__all__ = ["DEFAULT_KEEP", "DeskIndex", "Entry", "RuleActivity", "changelog_key"]

log = logging.getLogger(__name__)

DEFAULT_KEEP = 20_000
_INBOX = "\x1finbox\x1f"  # the story step's inbox rows share the table (agents.stories)


@dataclass(frozen=True, slots=True)
class Entry:
    article: Article
    hits: tuple[Hit, ...]
    added_at: datetime


@dataclass(frozen=True, slots=True)
class RuleActivity:
    rule_id: str
    last_fired: datetime | None
    day: int
    week: int


def changelog_key(key: bytes) -> str:
    """A Faust table key as written to its changelog (JSON: a quoted string)."""
    text = key.decode("utf-8", "replace")
    if text.startswith('"'):
        try:
            decoded = json.loads(text)
        except ValueError:
            return text
        return decoded if isinstance(decoded, str) else text
    return text


def _at(timestamp_ms: int) -> datetime:
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC)


class DeskIndex:
    def __init__(self, keep: int = DEFAULT_KEEP) -> None:
        if keep < 1:
            raise ValueError("keep must be at least 1")
        self.keep = keep
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._story_of: dict[str, str] = {}  # article id -> story id, of indexed articles
        # Assignments read before their article (the changelog ran ahead), oldest first.
        self._pending: OrderedDict[str, str] = OrderedDict()
        self._members: dict[str, list[str]] = {}  # story id -> article ids, oldest first
        self.dead_letters: dict[bytes, DeadLetter] = {}
        self.skipped = 0  # records that were not in the expected form

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def story_count(self) -> int:
        return len(self._members)

    # --- records in ----------------------------------------------------------------------

    def matched(self, value: bytes | None, timestamp_ms: int) -> bool:
        """A record of the matched topic; False if it was not one (counted in ``skipped``)."""
        if value is None:
            return False
        try:
            record = MatchedRecord.from_bytes(value)
        except RecordError as exc:
            self.skipped += 1
            log.warning("matched topic: a record skipped: %s", exc)
            return False
        article = record.article
        if article.id in self._entries:  # a worker's replay: the first copy stays
            return False
        self._entries[article.id] = Entry(article, record.hits, _at(timestamp_ms))
        story_id = self._pending.pop(article.id, article.id)
        if story_id != article.id:
            self._story_of[article.id] = story_id
        self._join(article.id, story_id)
        while len(self._entries) > self.keep:
            old, _ = self._entries.popitem(last=False)
            self._leave(old)
            self._story_of.pop(old, None)
        return True

    def assigned(self, key: bytes | None, value: bytes | None) -> bool:
        """A record of the stories table's changelog: an article's story (or an inbox row,
        ignored; a tombstone forgets the assignment)."""
        if key is None:
            return False
        article_id = changelog_key(key)
        if article_id.startswith(_INBOX):
            return False
        if value is None:
            if article_id in self._story_of:
                self._leave(article_id)
                del self._story_of[article_id]
                self._join(article_id, article_id)
                return True
            return self._pending.pop(article_id, None) is not None
        try:
            data = json.loads(value)
        except ValueError:
            data = None
        assignment = data.get("a") if isinstance(data, dict) else None
        if not isinstance(assignment, dict) or not assignment.get("story"):
            if not (isinstance(data, dict) and "inbox" in data):
                self.skipped += 1
            return False
        story_id = str(assignment["story"])
        if article_id in self._entries:
            if self.story_of(article_id) == story_id:
                return False
            self._leave(article_id)
            self._story_of[article_id] = story_id
            self._join(article_id, story_id)
            return True
        self._pending[article_id] = story_id
        while len(self._pending) > self.keep:
            # Assignments of articles the matched read never brought (before its window).
            self._pending.popitem(last=False)
        return True

    def dead_letter(self, key: bytes | None, value: bytes | None) -> bool:
        if key is None:
            return False
        if value is None:
            return self.dead_letters.pop(key, None) is not None
        try:
            self.dead_letters[key] = DeadLetter.from_bytes(value)
        except RecordError as exc:
            self.skipped += 1
            log.warning("dead-letters topic: a record skipped: %s", exc)
            return False
        return True

    def _join(self, article_id: str, story_id: str) -> None:
        members = self._members.setdefault(story_id, [])
        added = self._entries[article_id].added_at
        # Kept in arrival order: a late assignment puts the article where it came.
        at = len(members)
        while at > 0 and self._entries[members[at - 1]].added_at > added:
            at -= 1
        members.insert(at, article_id)

    def _leave(self, article_id: str) -> None:
        story_id = self._story_of.get(article_id, article_id)
        members = self._members.get(story_id)
        if members and article_id in members:
            members.remove(article_id)
            if not members:
                del self._members[story_id]

    # --- what the page asks --------------------------------------------------------------

    def entry(self, article_id: str) -> Entry | None:
        return self._entries.get(article_id)

    def story_of(self, article_id: str) -> str:
        return self._story_of.get(article_id, article_id)

    def story(self, story_id: str) -> list[Entry]:
        """The story's articles the index holds, oldest first."""
        return [self._entries[a] for a in self._members.get(story_id, ())]

    def story_ids(
        self,
        *,
        rule: str = "",
        since: datetime | None = None,
        fired_only: bool = True,
        limit: int = 50,
    ) -> list[str]:
        """Story ids, the most recent activity first: those where a rule fired (``rule`` if
        given) since ``since``, or every story when ``fired_only`` is false."""
        ranked: list[tuple[datetime, str]] = []
        for story_id, members in self._members.items():
            latest: datetime | None = None
            for article_id in members:
                entry = self._entries[article_id]
                if since is not None and entry.added_at < since:
                    continue
                fired = any(not rule or h.rule_id == rule for h in entry.hits)
                if (fired_only or rule) and not fired:
                    continue
                if latest is None or entry.added_at > latest:
                    latest = entry.added_at
            if latest is not None:
                ranked.append((latest, story_id))
        ranked.sort(reverse=True)
        return [story_id for _, story_id in ranked[:limit]]

    def since(self, when: datetime) -> Iterator[Entry]:
        """The entries added at or after ``when``, oldest first."""
        for entry in self._entries.values():
            if entry.added_at >= when:
                yield entry

    def activity(self, now: datetime) -> dict[str, RuleActivity]:
        """Per rule: when it last fired, and how often in the last day and week."""
        day, week = now - timedelta(days=1), now - timedelta(days=7)
        last: dict[str, datetime] = {}
        counts: dict[str, list[int]] = {}
        for entry in self._entries.values():
            for rule_id in {h.rule_id for h in entry.hits}:
                seen = counts.setdefault(rule_id, [0, 0])
                seen[0] += entry.added_at >= day
                seen[1] += entry.added_at >= week
                if rule_id not in last or entry.added_at > last[rule_id]:
                    last[rule_id] = entry.added_at
        return {r: RuleActivity(r, last[r], counts[r][0], counts[r][1]) for r in last}

    def languages(self) -> list[str]:
        return sorted({e.article.language for e in self._entries.values() if e.article.language})

    def feeds(self) -> list[str]:
        return sorted({e.article.feed for e in self._entries.values() if e.article.feed})
