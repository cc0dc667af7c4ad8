"""FeedStateStore: seen entries, HTTP cache and health, across reopenings of one SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from feeds.state import FeedStateStore, HttpCache
from newswatch.article import Article

T0 = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


def articles(*ids: str) -> list[Article]:
    return [Article(id=i, feed="f", title=f"title {i}") for i in ids]


def test_unseen_until_marked(state: FeedStateStore) -> None:
    batch = articles("a", "b", "c")
    assert state.filter_unseen("f", batch) == batch
    assert state.mark_seen("f", ["a", "b"]) == 2
    assert [a.id for a in state.filter_unseen("f", batch)] == ["c"]
    # Seen ids are per feed.
    assert state.filter_unseen("other", batch) == batch


def test_filter_drops_repeats_within_a_batch(state: FeedStateStore) -> None:
    assert [a.id for a in state.filter_unseen("f", articles("a", "b", "a"))] == ["a", "b"]


def test_mark_seen_counts_only_new_ids(state: FeedStateStore) -> None:
    assert state.mark_seen("f", ["a", "b", "a"]) == 2
    assert state.mark_seen("f", ["b", "c"]) == 1
    health = state.get_health("f")
    assert health is not None
    assert health.articles_seen == 3
    assert state.seen_count("f") == 3


def test_everything_survives_reopening_the_file(state_path: Path) -> None:
    with FeedStateStore(state_path) as first:
        first.mark_seen("f", ["a"])
        first.set_cache("f", HttpCache('"v1"', "Tue, 10 Jun 2025 12:00:00 GMT"))
        first.record_failure("f", "HTTP 500 at x", at=T0)
    with FeedStateStore(state_path) as second:
        assert [a.id for a in second.filter_unseen("f", articles("a", "b"))] == ["b"]
        assert second.get_cache("f") == HttpCache('"v1"', "Tue, 10 Jun 2025 12:00:00 GMT")
        health = second.get_health("f")
        assert health is not None
        assert (health.consecutive_failures, health.last_error) == (1, "HTTP 500 at x")
        assert health.last_error_at == T0


def test_wal_mode(state: FeedStateStore, state_path: Path) -> None:
    with sqlite3.connect(state_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_health_records_success_and_failures(state: FeedStateStore) -> None:
    assert state.get_health("f") is None
    assert state.record_failure("f", "timeout", at=T0) == 1
    assert state.record_failure("f", "timeout again", at=T0 + timedelta(minutes=1)) == 2
    state.record_success(
        "f",
        at=T0 + timedelta(minutes=5),
        next_poll_at=T0 + timedelta(minutes=10),
        cache=HttpCache('"e"', None),
    )
    (health,) = state.health()
    assert health.feed_id == "f"
    assert health.consecutive_failures == 0
    assert health.last_success == T0 + timedelta(minutes=5)
    assert health.next_poll_at == T0 + timedelta(minutes=10)
    # The last error stays visible after recovery, with its time.
    assert health.last_error == "timeout again"
    assert health.last_error_at == T0 + timedelta(minutes=1)
    assert state.get_cache("f") == HttpCache('"e"', None)


def test_success_with_warning_records_it_without_counting_a_failure(
    state: FeedStateStore,
) -> None:
    state.record_success("f", at=T0, next_poll_at=T0, warning="SAXParseException: cut off")
    health = state.get_health("f")
    assert health is not None
    assert health.consecutive_failures == 0
    assert health.last_error == "SAXParseException: cut off"


def test_health_lists_feeds_by_id(state: FeedStateStore) -> None:
    for feed_id in ("zeta", "alpha", "mid"):
        state.record_failure(feed_id, "x", at=T0)
    assert [h.feed_id for h in state.health()] == ["alpha", "mid", "zeta"]


def test_prune_forgets_only_entries_absent_for_long(state: FeedStateStore) -> None:
    state.mark_seen("f", ["old-gone", "old-still-listed"], now=T0)
    state.mark_seen("f", ["recent"], now=T0 + timedelta(days=25))
    # The feed still lists one old entry on day 29: that refreshes it.
    state.filter_unseen("f", articles("old-still-listed"), now=T0 + timedelta(days=29))
    removed = state.prune_seen(30, now=T0 + timedelta(days=31))
    assert removed == 1
    remaining = state.filter_unseen("f", articles("old-gone", "old-still-listed", "recent"))
    assert [a.id for a in remaining] == ["old-gone"]
    assert state.seen_count() == 2


def test_large_batches(state: FeedStateStore) -> None:
    ids = [f"id-{n}" for n in range(2_500)]  # more than one IN (...) chunk
    state.mark_seen("f", ids[:1_200])
    unseen = state.filter_unseen("f", articles(*ids))
    assert [a.id for a in unseen] == ids[1_200:]


def test_memory_store_works(tmp_path: Path) -> None:
    with FeedStateStore(":memory:") as store:
        store.mark_seen("f", ["a"])
        assert store.filter_unseen("f", articles("a")) == []
