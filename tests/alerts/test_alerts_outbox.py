"""The SQLite outbox: idempotent enqueue (also across reopening), due/claim, failures, retry."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newswatch.alerts.message import Alert, build_alert
from newswatch.alerts.outbox import Outbox, OutboxCounts, OutboxError
from tests.alerts.builders import LAVROV_AR, make_article, make_hit, make_rule

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def alert_for(article_id: str = "a1", rule_id: str = "lavrov-syria") -> Alert:
    rule, article = make_rule(rule_id), make_article(article_id)
    return build_alert(rule, article, make_hit(rule, article))


def test_enqueue_is_idempotent_per_alert_also_after_reopening(outbox_path: Path) -> None:
    alert = alert_for()
    with Outbox(outbox_path) as box:
        assert box.enqueue(alert, ["t1", "t2", "t1"], now=T0) is True
        assert box.enqueue(alert, ["t1", "t2"], now=T0) is False
        # Known alert: no new delivery even for a target added since.
        assert box.enqueue(alert, ["t3"], now=T0) is False
        assert box.counts() == OutboxCounts(alerts=1, pending=2, failed=0, sent=0)

    with Outbox(outbox_path) as box:
        assert box.enqueue(alert, ["t1", "t2"], now=T0) is False
        assert box.enqueue(alert_for("a2"), ["t1"], now=T0) is True
        assert box.counts() == OutboxCounts(alerts=2, pending=3, failed=0, sent=0)
        # The stored JSON brings the alert back whole, Arabic included.
        restored = box.get_alert(alert.key)
        assert restored == alert and restored is not None and LAVROV_AR in restored.body


def test_an_alert_without_targets_is_still_remembered(outbox_path: Path) -> None:
    with Outbox(outbox_path) as box:
        assert box.enqueue(alert_for(), [], now=T0) is True
        assert box.enqueue(alert_for(), [], now=T0) is False
        assert box.counts() == OutboxCounts(alerts=1, pending=0, failed=0, sent=0)
        assert box.due(T0) == []


def test_due_claims_rows_for_a_lease(outbox_path: Path) -> None:
    with Outbox(outbox_path) as box:
        for n in range(3):
            box.enqueue(alert_for(f"a{n}"), ["t1"], now=T0 + timedelta(seconds=n))
        assert box.due(T0 - timedelta(seconds=1)) == []  # nothing due before it was queued
        first = box.due(T0 + timedelta(seconds=5), limit=2, lease=timedelta(seconds=60))
        assert [d.alert.article_id for d in first] == ["a0", "a1"]  # oldest first, limited
        assert [d.state for d in first] == ["pending", "pending"]
        # Claimed rows are invisible to the next caller until the lease ends...
        rest = box.due(T0 + timedelta(seconds=6), lease=timedelta(seconds=60))
        assert [d.alert.article_id for d in rest] == ["a2"]
        assert box.due(T0 + timedelta(seconds=7)) == []
        # ...after which a process that died mid-send leaves them due again.
        again = box.due(T0 + timedelta(seconds=70))
        assert {d.alert.article_id for d in again} == {"a0", "a1", "a2"}


def test_failures_count_attempts_keep_the_error_and_wait(outbox_path: Path) -> None:
    alert = alert_for()
    with Outbox(outbox_path) as box:
        box.enqueue(alert, ["t1"], now=T0)
        [claimed] = box.due(T0)
        retry_at = T0 + timedelta(seconds=30)
        assert box.mark_failed(alert.key, "t1", "HTTP 500", retry_at) == 1
        [held] = box.pending()
        assert (held.state, held.attempts, held.last_error) == ("failed", 1, "HTTP 500")
        assert held.next_attempt_at == retry_at
        assert box.due(T0 + timedelta(seconds=29)) == []
        [due] = box.due(retry_at)
        assert due.target_id == "t1" and due.attempts == 1
        assert box.mark_failed(alert.key, "t1", "x" * 5000, retry_at + timedelta(seconds=60)) == 2
        assert len(box.pending()[0].last_error or "") == 2000  # bounded
        assert box.counts() == OutboxCounts(alerts=1, pending=0, failed=1, sent=0)
        assert claimed.key == alert.key


def test_sent_deliveries_leave_the_queue_for_good(outbox_path: Path) -> None:
    alert = alert_for()
    with Outbox(outbox_path) as box:
        box.enqueue(alert, ["t1", "t2"], now=T0)
        box.due(T0)
        box.mark_sent(alert.key, "t1", now=T0)
        box.mark_failed(alert.key, "t2", "down", T0 + timedelta(hours=1))
        assert [d.target_id for d in box.pending()] == ["t2"]
        # retry_now makes held rows due at once, never sent ones.
        assert box.retry_now(T0) == 1
        assert [d.target_id for d in box.due(T0)] == ["t2"]
        # A late failure report cannot resurrect a sent delivery.
        box.mark_failed(alert.key, "t1", "late", T0)
        states = {d.target_id: (d.state, d.attempts) for d in box.deliveries(alert.key)}
        assert states == {"t1": ("sent", 1), "t2": ("failed", 1)}
        assert box.counts() == OutboxCounts(alerts=1, pending=0, failed=1, sent=1)


def test_retry_now_leaves_rows_being_sent_alone(outbox_path: Path) -> None:
    with Outbox(outbox_path) as box:
        box.enqueue(alert_for("a1"), ["t1"], now=T0)
        box.enqueue(alert_for("a2"), ["t1"], now=T0)
        [in_flight] = box.due(T0, limit=1, lease=timedelta(minutes=5))
        # Another process (the CLI) asks for everything now: only the unclaimed row comes back.
        other = Outbox(outbox_path)
        try:
            other.retry_now(T0)
            [free] = other.due(T0 + timedelta(seconds=1))
            assert free.alert.article_id != in_flight.alert.article_id
        finally:
            other.close()


def test_defer_moves_a_row_without_counting_an_attempt(outbox_path: Path) -> None:
    alert = alert_for()
    with Outbox(outbox_path) as box:
        box.enqueue(alert, ["t1"], now=T0)
        box.due(T0)
        box.defer(alert.key, "t1", T0 + timedelta(seconds=90))
        [held] = box.pending()
        assert (held.state, held.attempts) == ("pending", 0)
        assert box.due(T0 + timedelta(seconds=89)) == []
        assert len(box.due(T0 + timedelta(seconds=90))) == 1


def test_the_file_is_in_wal_mode(outbox_path: Path) -> None:
    Outbox(outbox_path).close()
    with sqlite3.connect(outbox_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_missing_file_without_create_and_newer_schema_are_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    with pytest.raises(OutboxError, match="no outbox"):
        Outbox(missing, create=False)
    assert not missing.exists()

    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version=99")
    with pytest.raises(OutboxError, match="newer"):
        Outbox(newer)


def test_naive_times_are_taken_as_utc(outbox_path: Path) -> None:
    with Outbox(outbox_path) as box:
        box.enqueue(alert_for(), ["t1"], now=T0)
        naive_before = (T0 - timedelta(seconds=1)).replace(tzinfo=None)
        assert box.due(naive_before) == []
        assert len(box.due(T0.replace(tzinfo=None))) == 1
