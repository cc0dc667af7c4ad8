"""The inbox's durable state, in the outbox's SQLite file (embedded runtime).

Why the same file: a message leaves the inbox and enters the outbox in one transaction
(``commit``), together with the inbox rows it changed — a crash before the commit keeps the
story held, a crash after it has the message queued; nothing is lost or sent twice, and a
restart, a crash or a rule reload never resets a group, a cool-down, a digest or a quiet-hours
hold (Alertmanager keeps these in memory: #2370).

Tables: ``inbox_state`` (the engine's rows: groups and buffers), ``silences`` (every silence,
expired ones too, so what they silenced stays explained) and ``silenced`` (what was not sent
because of one).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from newswatch.alerts.message import Alert
from newswatch.alerts.outbox import Outbox
from newswatch.inbox.engine import Inbox, SilencedRecord
from newswatch.inbox.silences import Silence

__all__ = ["InboxStore", "SilencedRow"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox_state (
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS silences (
    id      TEXT PRIMARY KEY,
    json    TEXT NOT NULL,
    ends_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS silenced (
    at         REAL NOT NULL,
    silence_id TEXT NOT NULL,
    story      TEXT NOT NULL,
    rule_id    TEXT NOT NULL,
    article_id TEXT NOT NULL,
    title      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS silenced_at ON silenced (at);
"""


@dataclass(frozen=True, slots=True)
class SilencedRow:
    at: datetime
    silence_id: str
    story: str
    rule_id: str
    article_id: str
    title: str


class InboxStore:
    """The inbox tables of ``outbox``'s file."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        with outbox.transaction() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)

    def load(self, inbox: Inbox) -> int:
        """Fill ``inbox`` with the stored state; returns how many rows."""
        with self.outbox.reading() as db:
            rows = db.execute("SELECT kind, key, json FROM inbox_state").fetchall()
        inbox.load(rows)
        inbox.silences = self.silences()
        return len(rows)

    def commit(
        self, inbox: Inbox, queued: Sequence[tuple[Alert, Sequence[str]]], now: datetime
    ) -> list[bool]:
        """Queue ``queued`` (alert, target ids) and write the inbox's changed rows and its
        silenced records, in one transaction; per alert, whether it was new to the outbox."""
        rows = inbox.state_rows()
        silenced = inbox.take_silenced()
        with self.outbox.transaction() as db:
            fresh = [Outbox.enqueue_in(db, alert, targets, now) for alert, targets in queued]
            for kind, key, text in rows:
                if text is None:
                    db.execute("DELETE FROM inbox_state WHERE kind = ? AND key = ?", (kind, key))
                else:
                    db.execute(
                        "INSERT OR REPLACE INTO inbox_state (kind, key, json) VALUES (?, ?, ?)",
                        (kind, key, text),
                    )
            _record_silenced(db, silenced)
        return fresh

    # --- silences ----------------------------------------------------------------------------

    def silences(
        self, *, include_expired: bool = False, now: datetime | None = None
    ) -> list[Silence]:
        at = (now or datetime.now(UTC)).timestamp()
        with self.outbox.reading() as db:
            query = "SELECT json FROM silences"
            rows = db.execute(
                query + ("" if include_expired else " WHERE ends_at > ?") + " ORDER BY ends_at",
                () if include_expired else (at,),
            ).fetchall()
        return [Silence.from_dict(json.loads(row[0])) for row in rows]

    def close(self) -> None:
        self.outbox.close()

    def __enter__(self) -> InboxStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def add_silence(self, silence: Silence) -> None:
        with self.outbox.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO silences (id, json, ends_at) VALUES (?, ?, ?)",
                (silence.id, json.dumps(silence.to_dict()), silence.ends_at.timestamp()),
            )

    def expire_silence(self, silence_id: str, now: datetime) -> Silence | None:
        """End silence ``silence_id`` (an id prefix of 4+ characters will do) at ``now``."""
        with self.outbox.transaction() as db:
            rows = db.execute(
                "SELECT json FROM silences WHERE id LIKE ? || '%'", (silence_id,)
            ).fetchall()
            if len(rows) != 1 or len(silence_id) < 4:
                return None
            silence = Silence.from_dict(json.loads(rows[0][0])).expired(now)
            db.execute(
                "UPDATE silences SET json = ?, ends_at = ? WHERE id = ?",
                (json.dumps(silence.to_dict()), silence.ends_at.timestamp(), silence.id),
            )
        return silence

    def silenced(self, limit: int = 100) -> list[SilencedRow]:
        with self.outbox.reading() as db:
            rows = db.execute(
                "SELECT at, silence_id, story, rule_id, article_id, title FROM silenced"
                " ORDER BY at DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            SilencedRow(datetime.fromtimestamp(r[0], tz=UTC), r[1], r[2], r[3], r[4], r[5])
            for r in rows
        ]


def _record_silenced(db: sqlite3.Connection, records: Sequence[SilencedRecord]) -> None:
    db.executemany(
        "INSERT INTO silenced (at, silence_id, story, rule_id, article_id, title)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(r.at.timestamp(), r.silence, r.story, r.rule, r.article_id, r.title) for r in records],
    )
