"""A process killed mid-send (issue 17, item 3): its outbox claims are taken back at once by
the next process, not after the 15-minute lease; claims of a live process are left alone."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newswatch.alerts.outbox import Outbox
from tests.alerts.test_alerts_outbox import alert_for

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def a_dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    return child.pid


def claim_as(path: Path, owner: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE deliveries SET claimed_by = ?", (owner,))


def test_the_claims_of_a_killed_process_are_due_again_at_once(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    with Outbox(path) as box:
        box.enqueue(alert_for("a1"), ["hook"], now=T0)
        box.enqueue(alert_for("a2"), ["hook"], now=T0)
        assert len(box.due(T0)) == 2  # claimed for 15 minutes...
    claim_as(path, f"{a_dead_pid()}@{socket.gethostname()}")  # ...by a process now gone

    with Outbox(path) as box:  # the restarted monitor, or `alerts retry`
        later = T0 + timedelta(seconds=5)
        assert box.due(later) == []  # before: nothing until the lease ends, 15 min later
        assert box.reclaim_dead(later) == 2
        assert {d.alert.article_id for d in box.due(later)} == {"a1", "a2"}


def test_a_live_process_s_claims_are_left_to_it(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    with Outbox(path) as box:
        box.enqueue(alert_for("a1"), ["hook"], now=T0)
        box.due(T0)
    claim_as(path, f"{os.getppid()}@{socket.gethostname()}")  # our parent: alive
    with Outbox(path) as box:
        now = T0 + timedelta(seconds=5)
        assert box.reclaim_dead(now) == 0 and box.due(now) == []
        assert box.claimed_elsewhere(now) == 1
    claim_as(path, "123@another-host")  # another machine's process: its lease holds
    with Outbox(path) as box:
        assert box.reclaim_dead(T0 + timedelta(seconds=5)) == 0


def test_a_version_1_outbox_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    with Outbox(path) as box:
        box.enqueue(alert_for("a1"), ["hook"], now=T0)
    with sqlite3.connect(path) as db:  # as an older newswatch left it
        db.execute("ALTER TABLE deliveries DROP COLUMN claimed_by")
        db.execute("PRAGMA user_version=1")
    with Outbox(path) as box:
        assert len(box.due(T0)) == 1 and box.reclaim_dead(T0) == 0
