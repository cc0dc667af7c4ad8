"""The Kafka page's index: records of the matched topic, the stories changelog and the dead
letters, in either order, bounded; what the page asks of it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from newswatch.alerts.message import Alert
from newswatch.article import Article
from newswatch.kafka.deskindex import DeskIndex, changelog_key
from newswatch.kafka.records import DeadLetter, MatchedRecord
from newswatch.matching.hits import Hit, Mention

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _matched(article_id: str, *rules: str, language: str = "en", feed: str = "wire") -> bytes:
    article = Article(
        id=article_id, feed=feed, url="", title=f"Lavrov {article_id}", language=language
    )
    mention = Mention("e", "Lavrov", "Lavrov", "title", 0, 6)
    hits = tuple(Hit(rule, "v1", article_id, (mention,)) for rule in rules)
    return MatchedRecord(article, hits).to_bytes()


def _assignment(article_id: str, story_id: str) -> tuple[bytes, bytes]:
    # As Faust's json codec writes the stories table's changelog (agents.stories).
    key = json.dumps(article_id).encode()
    value = {"a": {"id": article_id, "story": story_id, "signal": "text"}, "t": 1.0, "p": 0}
    return key, json.dumps(value).encode()


def test_an_article_is_its_own_story_until_its_assignment_comes_in_either_order() -> None:
    index = DeskIndex()
    assert index.matched(_matched("a1", "lavrov"), _ms(T0))
    assert index.story_of("a1") == "a1"
    index.assigned(*_assignment("a2", "a1"))  # the changelog ran ahead of the matched read
    assert index.matched(_matched("a2", "lavrov"), _ms(T0 + timedelta(minutes=1)))
    assert index.story_of("a2") == "a1"
    assert [e.article.id for e in index.story("a1")] == ["a1", "a2"]
    assert index.story("a2") == [] and index.story_count == 1


def test_a_late_assignment_moves_the_article_into_its_story_in_arrival_order() -> None:
    index = DeskIndex()
    index.matched(_matched("s", "lavrov"), _ms(T0))
    index.matched(_matched("b"), _ms(T0 + timedelta(minutes=2)))
    index.matched(_matched("a"), _ms(T0 + timedelta(minutes=1)))
    index.assigned(*_assignment("b", "s"))
    index.assigned(*_assignment("a", "s"))
    assert [e.article.id for e in index.story("s")] == ["s", "a", "b"]
    assert index.story_count == 1
    key, _ = _assignment("a", "s")
    assert index.assigned(key, None)  # a tombstone: back to a story of its own
    assert index.story_of("a") == "a" and [e.article.id for e in index.story("a")] == ["a"]


def test_the_oldest_articles_leave_when_the_index_is_full() -> None:
    index = DeskIndex(keep=3)
    for i in range(5):
        index.matched(_matched(f"a{i}", "lavrov"), _ms(T0 + timedelta(minutes=i)))
        index.assigned(*_assignment(f"a{i}", "s"))
    assert len(index) == 3 and index.entry("a0") is None
    assert [e.article.id for e in index.story("s")] == ["a2", "a3", "a4"]


def test_replays_inbox_rows_and_foreign_records_change_nothing() -> None:
    index = DeskIndex()
    assert index.matched(_matched("a1", "lavrov"), _ms(T0))
    assert not index.matched(_matched("a1"), _ms(T0 + timedelta(hours=1)))  # a replay
    assert index.entry("a1") is not None and index.entry("a1").hits  # type: ignore[union-attr]
    inbox_key = json.dumps("\x1finbox\x1fgroup\x1fx").encode()
    assert not index.assigned(inbox_key, json.dumps({"inbox": "{}"}).encode())
    assert not index.matched(b"not json", _ms(T0))
    assert not index.assigned(b'"a1"', b'{"unexpected": 1}')
    assert index.skipped == 2


def test_story_ids_newest_activity_first_with_the_filters() -> None:
    index = DeskIndex()
    index.matched(_matched("old", "lavrov"), _ms(T0))
    index.matched(_matched("quiet"), _ms(T0 + timedelta(hours=1)))
    index.matched(_matched("new", "geneva"), _ms(T0 + timedelta(hours=2)))
    assert index.story_ids() == ["new", "old"]
    assert index.story_ids(fired_only=False) == ["new", "quiet", "old"]
    assert index.story_ids(rule="lavrov") == ["old"]
    assert index.story_ids(since=T0 + timedelta(minutes=30)) == ["new"]
    assert index.story_ids(limit=1) == ["new"]


def test_rule_activity_counts_the_last_day_and_week() -> None:
    index = DeskIndex()
    now = T0 + timedelta(days=10)
    index.matched(_matched("a", "lavrov"), _ms(now - timedelta(days=9)))
    index.matched(_matched("b", "lavrov"), _ms(now - timedelta(days=3)))
    index.matched(_matched("c", "lavrov", "geneva"), _ms(now - timedelta(hours=2)))
    activity = index.activity(now)
    assert (activity["lavrov"].day, activity["lavrov"].week) == (1, 2)
    assert activity["lavrov"].last_fired == now - timedelta(hours=2)
    assert (activity["geneva"].day, activity["geneva"].week) == (1, 1)


def test_dead_letters_are_kept_by_key_until_their_tombstone() -> None:
    index = DeskIndex()
    alert = Alert("k", "lavrov", "v1", "a1", "title", "body", ("default",), "high")
    letter = DeadLetter(alert, "json-1", "json://…", "HTTP 500", 3, parked_at="2026-12-01T09:00")
    assert index.dead_letter(letter.key, letter.to_bytes())
    assert list(index.dead_letters.values()) == [letter]
    assert index.dead_letter(letter.key, None) and not index.dead_letters


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(b'"wire-1"', "wire-1"), (b"plain", "plain"), (b'"\\u0644"', "ل"), (b'"broken', '"broken')],
)
def test_changelog_keys_are_read_as_faust_writes_them(raw: bytes, expected: str) -> None:
    assert changelog_key(raw) == expected
