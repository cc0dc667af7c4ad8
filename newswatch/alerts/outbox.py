"""The durable outbox: every alert and its delivery to each target, in one SQLite file.

Why a table per concern: ``alerts`` remembers every alert key ever seen (that is what makes a
(rule, article) notify once, also across restarts) and keeps the alert JSON so a restarted
process can resend it; ``deliveries`` holds one row per (alert, target) with its state, attempts,
last error and next attempt time.

Delivery states: ``pending`` (never tried), ``failed`` (tried, waiting for its next attempt),
``sent``. ``due()`` *claims* the rows it returns for a lease, so two processes on one file (the
runtime and ``newswatch alerts retry``) never send the same row at once, and ``retry_now()``
leaves claimed rows alone. Each claim names its process (``claimed_by``: pid@host); a process
killed mid-send (kill -9, a crash) leaves its claims, and the next process to open the outbox on
that host takes back at once those whose process is gone (``reclaim_dead``) rather than waiting
out the lease.

    >>> box = Outbox("var/outbox.sqlite3")                     # doctest: +SKIP
    >>> box.enqueue(alert, ["json-1a2b…"])                      # doctest: +SKIP
    True
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from newswatch.alerts.message import Alert
from newswatch.errors import StateError

__all__ = ["Delivery", "Outbox", "OutboxCounts", "OutboxError", "State"]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: deliveries.claimed_by, so a dead process's leases are reclaimed at once
MAX_ERROR_CHARS = 2000
# Longer than one delivery round to one target: Apprise throttles e-mail to a send per 5.5 s,
# so 100 queued e-mails take about 9 minutes.
DEFAULT_LEASE = timedelta(minutes=15)


class State:
    PENDING = "pending"
    FAILED = "failed"
    SENT = "sent"


class OutboxError(StateError):
    """The outbox file is missing, of a newer schema, or holds an unreadable alert."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One (alert, target) delivery. ``attempts`` counts delivery rounds that were tried."""

    alert: Alert
    target_id: str
    state: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None = None

    @property
    def key(self) -> str:
        return self.alert.key

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.alert.key,
            "rule_id": self.alert.rule_id,
            "article_id": self.alert.article_id,
            "title": self.alert.title,
            "target_id": self.target_id,
            "state": self.state,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "next_attempt_at": self.next_attempt_at.isoformat(),
            "created_at": self.created_at.isoformat(),
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
        }


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    alerts: int
    pending: int
    failed: int
    sent: int

    @property
    def held(self) -> int:
        """Deliveries not sent yet (never tried or waiting to retry)."""
        return self.pending + self.failed


_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    key         TEXT PRIMARY KEY,
    rule_id     TEXT NOT NULL,
    article_id  TEXT NOT NULL,
    alert_json  TEXT NOT NULL,
    created_at  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    alert_key       TEXT NOT NULL REFERENCES alerts(key),
    target_id       TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'failed', 'sent')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at REAL NOT NULL,
    created_at      REAL NOT NULL,
    sent_at         REAL,
    claimed_until   REAL,
    PRIMARY KEY (alert_key, target_id)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_at);
"""

_SELECT = """
SELECT d.alert_key, a.alert_json, d.target_id, d.state, d.attempts, d.last_error, d.next_attempt_at,
       d.created_at, d.sent_at
FROM deliveries d JOIN alerts a ON a.key = d.alert_key
"""


def _ts(when: datetime) -> float:
    # Naive times are taken as UTC (as in Article) so the clock never breaks comparisons.
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def _dt(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def _enqueue(db: sqlite3.Connection, alert: Alert, target_ids: Iterable[str], at: float) -> bool:
    inserted = db.execute(
        "INSERT OR IGNORE INTO alerts (key, rule_id, article_id, alert_json, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (alert.key, alert.rule_id, alert.article_id, alert.to_json(), at),
    ).rowcount
    if not inserted:
        return False
    db.executemany(
        "INSERT OR IGNORE INTO deliveries"
        " (alert_key, target_id, state, attempts, next_attempt_at, created_at)"
        " VALUES (?, ?, 'pending', 0, ?, ?)",
        [(alert.key, target_id, at, at) for target_id in dict.fromkeys(target_ids)],
    )
    return True


class Outbox:
    """SQLite-backed outbox at ``path`` (created unless ``create=False``)."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise OutboxError(f"no outbox at {self.path}")
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection guarded by a lock: the notifier may call from the event loop while a
        # CLI or test uses another thread. Autocommit mode; transactions are explicit below.
        self._lock = threading.RLock()
        self.moved_aside: Path | None = None  # where a damaged outbox was put, if it was
        try:
            self._open()
        except sqlite3.OperationalError as exc:  # read-only, a directory, no permission...
            raise OutboxError(f"{self.path}: cannot open the outbox: {exc}") from None
        except sqlite3.DatabaseError as exc:  # not a database, or a malformed one
            if not create:
                raise OutboxError(f"{self.path}: the outbox is damaged: {exc}") from None
            self._move_aside(exc)
            self._open()
        self.owner = f"{os.getpid()}@{socket.gethostname()}"

    def _move_aside(self, exc: sqlite3.DatabaseError) -> None:
        """Keep a damaged outbox for inspection and start a new one — loudly: the alerts it
        held cannot be read back, and an operator must hear that, not find it out."""
        with contextlib.suppress(Exception):
            self._db.close()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                os.replace(source, Path(f"{aside}{suffix}"))
        self.moved_aside = aside
        log.error(
            "outbox %s is damaged (%s): moved aside to %s and a new one started; alerts it "
            "held and had not sent are in that file and will not be sent",
            self.path,
            exc,
            aside,
        )

    def _open(self) -> None:
        self._db = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=10.0
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a "sent" mark must survive a power cut, or the alert would go out twice.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self._db.close()
            raise OutboxError(
                f"{self.path}: outbox schema {version} is newer than this newswatch "
                f"({SCHEMA_VERSION})"
            )
        with self._tx():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(deliveries)")}
            if "claimed_by" not in columns:  # a version 1 outbox
                self._db.execute("ALTER TABLE deliveries ADD COLUMN claimed_by TEXT")
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front, so read-then-update sequences
        # (claiming due rows) cannot interleave with another process.
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------

    def enqueue(
        self, alert: Alert, target_ids: Iterable[str], *, now: datetime | None = None
    ) -> bool:
        """Record ``alert`` and a pending delivery per target; False if the alert was known.

        A known alert gets no new deliveries, not even for targets added since: the same
        (rule, article) is notified once, whatever happens to the config in between.
        """
        with self._tx() as db:
            return _enqueue(db, alert, target_ids, _ts(now or _now()))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on the outbox file, for state that must commit together with
        the alerts it queues (the inbox's: ``enqueue_in`` inside it)."""
        with self._tx() as db:
            yield db

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads (no write lock taken: WAL readers do not block writers)."""
        with self._lock:
            yield self._db

    @staticmethod
    def enqueue_in(
        db: sqlite3.Connection, alert: Alert, target_ids: Iterable[str], now: datetime
    ) -> bool:
        """``enqueue`` inside a ``transaction()``."""
        return _enqueue(db, alert, target_ids, _ts(now))

    def due(
        self, now: datetime, limit: int = 100, *, lease: timedelta = DEFAULT_LEASE
    ) -> list[Delivery]:
        """Claim up to ``limit`` unsent deliveries whose time has come, oldest first.

        Claimed rows are not due again until ``now + lease`` unless marked failed or deferred
        first (``mark_sent``/``mark_failed``/``defer`` end the claim).
        """
        at = _ts(now)
        with self._tx() as db:
            rows = db.execute(
                _SELECT + " WHERE d.state != 'sent' AND d.next_attempt_at <= ?"
                " AND (d.claimed_until IS NULL OR d.claimed_until <= ?)"
                " ORDER BY d.next_attempt_at, d.created_at, d.alert_key, d.target_id LIMIT ?",
                (at, at, max(0, limit)),
            ).fetchall()
            db.executemany(
                "UPDATE deliveries SET claimed_until = ?, claimed_by = ?"
                " WHERE alert_key = ? AND target_id = ?",
                [(at + lease.total_seconds(), self.owner, row[0], row[2]) for row in rows],
            )
        return [self._delivery(row) for row in rows]

    def claimed_elsewhere(self, now: datetime | None = None) -> int:
        """Unsent deliveries another live process holds a claim on (``alerts retry`` leaves
        them to it, and says so)."""
        at = _ts(now or _now())
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM deliveries WHERE state != 'sent' AND claimed_until > ?"
                " AND (claimed_by IS NULL OR claimed_by != ?)",
                (at, self.owner),
            ).fetchone()
        return int(row[0])

    def reclaim_dead(self, now: datetime | None = None) -> int:
        """Release the claims of processes on this host that are no longer running (killed
        mid-send): their deliveries are due again now, not when the lease ends. Returns how
        many. A claim from another host, or one that names no process, waits out its lease."""
        at = _ts(now or _now())
        host = socket.gethostname()
        with self._tx() as db:
            rows = db.execute(
                "SELECT DISTINCT claimed_by FROM deliveries"
                " WHERE state != 'sent' AND claimed_until > ? AND claimed_by IS NOT NULL",
                (at,),
            ).fetchall()
            dead = [owner for (owner,) in rows if _dead_here(owner, host)]
            released = 0
            for owner in dead:
                released += db.execute(
                    "UPDATE deliveries SET claimed_until = NULL, claimed_by = NULL"
                    " WHERE claimed_by = ? AND state != 'sent'",
                    (owner,),
                ).rowcount
        return released

    def mark_sent(self, alert_key: str, target_id: str, *, now: datetime | None = None) -> None:
        at = _ts(now or _now())
        with self._tx() as db:
            db.execute(
                "UPDATE deliveries SET state = 'sent', attempts = attempts + 1, sent_at = ?,"
                " last_error = NULL, next_attempt_at = ?, claimed_until = NULL"
                " WHERE alert_key = ? AND target_id = ?",
                (at, at, alert_key, target_id),
            )

    def mark_failed(
        self, alert_key: str, target_id: str, error: str, next_attempt_at: datetime
    ) -> int:
        """Record a failed round and when to try again; returns the attempts so far."""
        with self._tx() as db:
            db.execute(
                "UPDATE deliveries SET state = 'failed', attempts = attempts + 1,"
                " last_error = ?, next_attempt_at = ?, claimed_until = NULL"
                " WHERE alert_key = ? AND target_id = ? AND state != 'sent'",
                (error[:MAX_ERROR_CHARS], _ts(next_attempt_at), alert_key, target_id),
            )
            row = db.execute(
                "SELECT attempts FROM deliveries WHERE alert_key = ? AND target_id = ?",
                (alert_key, target_id),
            ).fetchone()
        return int(row[0]) if row else 0

    def defer(self, alert_key: str, target_id: str, next_attempt_at: datetime) -> None:
        """Release a claimed delivery untried until ``next_attempt_at`` (attempts unchanged)."""
        with self._tx() as db:
            db.execute(
                "UPDATE deliveries SET next_attempt_at = ?, claimed_until = NULL"
                " WHERE alert_key = ? AND target_id = ? AND state != 'sent'",
                (_ts(next_attempt_at), alert_key, target_id),
            )

    def retry_now(self, now: datetime | None = None) -> int:
        """Make every unsent delivery due at ``now``; returns how many.

        Rows claimed by a running ``due()`` caller keep their claim (they are being sent).
        """
        with self._tx() as db:
            return db.execute(
                "UPDATE deliveries SET next_attempt_at = ? WHERE state != 'sent'",
                (_ts(now or _now()),),
            ).rowcount

    # --- reading ---------------------------------------------------------------------------

    def pending(self, limit: int | None = None) -> list[Delivery]:
        """Unsent deliveries (never tried, or held after failures), oldest first."""
        with self._lock:
            rows = self._db.execute(
                _SELECT + " WHERE d.state != 'sent'"
                " ORDER BY d.created_at, d.alert_key, d.target_id LIMIT ?",
                (-1 if limit is None else max(0, limit),),
            ).fetchall()
        return [self._delivery(row) for row in rows]

    def deliveries(self, alert_key: str) -> list[Delivery]:
        """Every delivery of one alert, whatever its state."""
        with self._lock:
            rows = self._db.execute(
                _SELECT + " WHERE d.alert_key = ? ORDER BY d.target_id", (alert_key,)
            ).fetchall()
        return [self._delivery(row) for row in rows]

    def get_alert(self, alert_key: str) -> Alert | None:
        with self._lock:
            row = self._db.execute(
                "SELECT alert_json FROM alerts WHERE key = ?", (alert_key,)
            ).fetchone()
        return self._alert(row[0]) if row else None

    def counts(self) -> OutboxCounts:
        with self._lock:
            alerts = self._db.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
            by_state = dict(
                self._db.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state")
            )
        return OutboxCounts(
            alerts=int(alerts),
            pending=int(by_state.get(State.PENDING, 0)),
            failed=int(by_state.get(State.FAILED, 0)),
            sent=int(by_state.get(State.SENT, 0)),
        )

    def _delivery(self, row: tuple[Any, ...]) -> Delivery:
        _, alert_json, target_id, state, attempts, error, next_at, created, sent = row
        return Delivery(
            alert=self._alert(alert_json),
            target_id=target_id,
            state=state,
            attempts=int(attempts),
            last_error=error,
            next_attempt_at=_dt(next_at),
            created_at=_dt(created),
            sent_at=_dt(sent) if sent is not None else None,
        )

    def _alert(self, text: str) -> Alert:
        try:
            return Alert.from_json(text)
        except ValueError as exc:
            raise OutboxError(f"{self.path}: unreadable alert in the outbox: {exc}") from exc


def _dead_here(owner: str, host: str) -> bool:
    """Whether ``owner`` (pid@host) is a process of this host that no longer runs."""
    pid_text, _, owner_host = owner.partition("@")
    if owner_host != host or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it runs, as another user
    return False
