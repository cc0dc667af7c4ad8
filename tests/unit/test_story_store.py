"""The story store (newswatch.stories.store.StoryStore) on SQLite under tmp_path."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newswatch.article import Article
from newswatch.stories.grouping import Assignment, StoryGrouper
from newswatch.stories.store import StoryStore, StoryStoreError

T0 = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


def art(article_id: str, *, feed: str = "wire", language: str = "en", url: str = "") -> Article:
    return Article(
        id=article_id,
        feed=feed,
        url=url or f"https://example.org/{article_id}",
        title=f"Title of {article_id}",
        summary="Lavrov met Guterres in Geneva; Лавров; لافروف",
        language=language,
        published=T0,
    )


def asg(article_id: str, story_id: str, signal: str = "text") -> Assignment:
    return Assignment(article_id, story_id, signal, 0.5, story_id, (("words", "geneva"),))


def test_round_trip(tmp_path: Path) -> None:
    with StoryStore(tmp_path / "stories.db") as store:
        a = art("a1")
        store.record(a, Assignment("a1", "a1"), now=T0)
        store.record(art("a2"), asg("a2", "a1"), now=T0 + timedelta(minutes=5))
        rows = list(store.rows())
    assert [r.article.id for r in rows] == ["a1", "a2"]
    assert rows[0].article == a and rows[0].article.summary == a.summary  # non-ASCII intact
    assert rows[0].assignment.new_story
    assert rows[1].assignment.story_id == "a1" and rows[1].assignment.signal == "text"
    assert dict(rows[1].assignment.evidence) == {"words": "geneva"}
    assert rows[0].added_at == T0 and rows[1].added_at == T0 + timedelta(minutes=5)


def test_reopen_persists(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "stories.db"
    with StoryStore(path) as store:
        store.record(art("a1"), Assignment("a1", "a1"), now=T0)
    with StoryStore(path, create=False) as store:
        assert [r.article.id for r in store.rows()] == ["a1"]


def test_create_false_without_file_raises(tmp_path: Path) -> None:
    with pytest.raises(StoryStoreError):
        StoryStore(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_first_record_wins(tmp_path: Path) -> None:
    with StoryStore(tmp_path / "s.db") as store:
        store.record(art("a1"), Assignment("a1", "s1"), now=T0)
        store.record(art("a1"), Assignment("a1", "s2"), now=T0 + timedelta(hours=1))
        (row,) = store.rows()
    assert row.assignment.story_id == "s1" and row.added_at == T0


def test_rows_of_one_story_oldest_first(tmp_path: Path) -> None:
    with StoryStore(tmp_path / "s.db") as store:
        store.record(art("a1"), Assignment("a1", "a1"), now=T0)
        store.record(art("b1"), Assignment("b1", "b1"), now=T0)
        store.record(art("a2"), asg("a2", "a1"), now=T0)
        assert [r.article.id for r in store.rows("a1")] == ["a1", "a2"]
        assert [r.article.id for r in store.rows("b1")] == ["b1"]
        assert list(store.rows("nope")) == []


def test_unreadable_rows_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with StoryStore(path) as store:
        store.record(art("a1"), Assignment("a1", "a1"), now=T0)
        store.record(art("a2"), asg("a2", "a1"), now=T0)
    db = sqlite3.connect(path)
    db.execute("UPDATE members SET article = '{not json' WHERE article_id = 'a1'")
    db.commit()
    db.close()
    with StoryStore(path) as store:
        assert [r.article.id for r in store.rows()] == ["a2"]


def test_prune_by_age(tmp_path: Path) -> None:
    with StoryStore(tmp_path / "s.db", max_age=timedelta(days=1)) as store:
        store.record(art("old"), Assignment("old", "old"), now=T0)
        store.record(art("new"), Assignment("new", "new"), now=T0 + timedelta(days=2))
        assert store.prune(now=T0 + timedelta(days=2)) == 1
        assert [r.article.id for r in store.rows()] == ["new"]
        assert store.prune(now=T0 + timedelta(days=2)) == 0


def test_prune_by_count_keeps_newest(tmp_path: Path) -> None:
    with StoryStore(tmp_path / "s.db", max_articles=2) as store:
        for i in range(5):
            store.record(art(f"a{i}"), Assignment(f"a{i}", f"a{i}"), now=T0)
        assert store.prune(now=T0) == 3
        assert [r.article.id for r in store.rows()] == ["a3", "a4"]


def test_load_rebuilds_grouper_as_recorded(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    live = StoryGrouper()
    with StoryStore(path) as store:
        for a in (art("a1", url="https://example.org/p"), art("b1", url="https://example.org/q")):
            store.record(a, live.add(a), now=T0)
        # A recorded story the grouper would not choose itself is restored as recorded.
        store.record(art("c1"), Assignment("c1", "b1", "text"), now=T0)
    restarted = StoryGrouper()
    with StoryStore(path, create=False) as store:
        assert store.load(restarted) == 3
    assert restarted.story_of("c1") == "b1"
    assert restarted.story_of("a1") == live.story_of("a1")
    copy = restarted.add(art("a1-copy", url="https://example.org/p?utm_source=rss"))
    assert copy.signal == "link" and copy.story_id == live.story_of("a1")


def test_story_summary(tmp_path: Path) -> None:
    with StoryStore(tmp_path / "s.db") as store:
        store.record(art("a1", feed="wire"), Assignment("a1", "a1"), now=T0)
        store.record(
            art("a2", feed="russian", language="ru"), asg("a2", "a1"), now=T0 + timedelta(hours=1)
        )
        store.record(art("a3", feed="wire"), asg("a3", "a1"), now=T0 + timedelta(hours=2))
        summary = store.story("a1")
        assert store.story("missing") is None
    assert summary is not None
    assert summary.articles == 3
    assert summary.title == "Title of a1"  # the founder's
    assert summary.first_added == T0 and summary.last_added == T0 + timedelta(hours=2)
    assert summary.languages == ("en", "ru") and summary.feeds == ("wire", "russian")
    data = summary.to_dict()
    assert data["story"] == "a1" and data["articles"] == 3 and data["languages"] == ["en", "ru"]
    assert datetime.fromisoformat(str(data["first_added"])) == T0


def test_stories_most_recent_activity_first(tmp_path: Path) -> None:
    with StoryStore(tmp_path / "s.db") as store:
        store.record(art("a1"), Assignment("a1", "a1"), now=T0)
        store.record(art("b1"), Assignment("b1", "b1"), now=T0)
        store.record(art("c1"), Assignment("c1", "c1"), now=T0)
        store.record(art("a2"), asg("a2", "a1"), now=T0)  # a1 is the latest active
        assert [s.story_id for s in store.stories()] == ["a1", "c1", "b1"]
        assert [s.story_id for s in store.stories(limit=2)] == ["a1", "c1"]


def test_reader_sees_records_while_writer_is_open(tmp_path: Path) -> None:
    # WAL mode and a commit per record: another connection (the CLI) reads while the daemon
    # writes, without the writer closing.
    path = tmp_path / "s.db"
    with StoryStore(path) as writer:
        assert writer._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        writer.record(art("a1"), Assignment("a1", "a1"), now=T0)
        with StoryStore(path, create=False) as reader:
            assert [r.article.id for r in reader.rows()] == ["a1"]
        writer.record(art("a2"), asg("a2", "a1"), now=T0)
        with StoryStore(path, create=False) as reader:
            assert [r.article.id for r in reader.rows("a1")] == ["a1", "a2"]
