"""Damaged state files (issue 17, item 7): named in the error, never a traceback;
a damaged outbox is moved aside and reported, never silently emptied."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from feeds.state import FeedStateStore
from newswatch.alerts.outbox import Outbox, OutboxError
from newswatch.errors import StateError

GARBAGE = bytes(range(256)) * 20


def test_a_damaged_outbox_is_moved_aside_and_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "outbox.sqlite3"
    path.write_bytes(GARBAGE)
    with caplog.at_level(logging.ERROR), Outbox(path) as box:  # the daemon starting
        assert box.moved_aside is not None and box.moved_aside.read_bytes() == GARBAGE
        assert box.counts().alerts == 0  # a working, new outbox
    assert "is damaged" in caplog.text and str(box.moved_aside) in caplog.text


def test_commands_that_read_the_outbox_name_it_and_move_nothing(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    path.write_bytes(GARBAGE)
    with pytest.raises(OutboxError, match=rf"{path}: the outbox is damaged"):
        Outbox(path, create=False)  # `alerts pending`, `alerts retry`
    assert path.read_bytes() == GARBAGE and os.listdir(tmp_path) == ["outbox.sqlite3"]


def test_a_damaged_feed_state_is_named_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite3"
    path.write_bytes(GARBAGE)
    with pytest.raises(StateError, match=rf"{path}: cannot open the feed state"):
        FeedStateStore(path)
    assert path.read_bytes() == GARBAGE  # its seen entries are what stops a flood of repeats
