"""The story store's record of which rules fired where (newswatch.stories.store): the web
page's story list, highlights and rule activity come from these."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newswatch.article import Article
from newswatch.matching.hits import Hit, Mention
from newswatch.stories.grouping import Assignment, StoryGrouper
from newswatch.stories.store import HitRow, RuleActivity, StoryStore

T0 = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
TITLE = "ولافروف يلتقي Лавровым في جنيف"


def art(article_id: str, *, url: str = "") -> Article:
    return Article(
        id=article_id,
        feed="wire",
        url=url or f"https://example.org/{article_id}",
        title=TITLE,
        summary="Lavrov met Guterres in Geneva",
        language="ar",
        published=T0,
    )


def hit(rule_id: str, article_id: str, *mentions: Mention) -> Hit:
    return Hit(rule_id, f"{rule_id}-v1", article_id, tuple(mentions))


def lavrov_ar() -> Mention:
    start = TITLE.index("لافروف")
    return Mention("lavrov", "لافروف", "لافروف", "title", start, start + 6, how="prefixed")


def lavrov_ru() -> Mention:
    start = TITLE.index("Лавровым")
    return Mention("lavrov", "Лавров", "Лавровым", "title", start, start + 8, how="inflected")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StoryStore]:
    with StoryStore(tmp_path / "stories.db") as opened:
        yield opened


def put(store: StoryStore, article_id: str, story_id: str, at: datetime) -> None:
    signal = "new" if article_id == story_id else "text"
    store.record(art(article_id), Assignment(article_id, story_id, signal), now=at)


# --- hits -------------------------------------------------------------------------------


def test_hits_keep_the_matchers_offsets(store: StoryStore) -> None:
    article = art("a1")
    put(store, "a1", "a1", T0)
    fired = hit("lavrov", "a1", lavrov_ar(), lavrov_ru())
    store.record_hits("a1", [fired], now=T0)
    found = store.hits(["a1"])
    assert found == {"a1": [HitRow(fired, "a1", T0)]}
    for mention in found["a1"][0].hit.mentions:
        assert article.title[mention.start : mention.end] == mention.surface
    assert [(m.surface, m.how) for m in found["a1"][0].hit.mentions] == [
        ("لافروف", "prefixed"),
        ("Лавровым", "inflected"),
    ]


def test_hits_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "stories.db"
    fired = hit("lavrov", "a1", lavrov_ar())
    with StoryStore(path) as store:
        put(store, "a1", "a1", T0)
        store.record_hits("a1", [fired], now=T0)
    with StoryStore(path, create=False) as store:
        assert store.hits(["a1"])["a1"][0].hit == fired


def test_hits_of_several_articles_and_rules(store: StoryStore) -> None:
    for article_id in ("a1", "a2", "a3"):
        put(store, article_id, "a1", T0)
    store.record_hits(
        "a1", [hit("syria", "a1"), hit("lavrov", "a1", lavrov_ar())], now=T0 + timedelta(1)
    )
    store.record_hits("a1", [hit("lavrov", "a2")], now=T0)
    found = store.hits(["a1", "a2", "a3", "unknown", "a1"])
    assert set(found) == {"a1", "a2"}  # articles without hits are left out
    assert [r.hit.rule_id for r in found["a1"]] == ["lavrov", "syria"]  # by time, then rule
    assert [r.fired_at for r in found["a1"]] == [T0 + timedelta(1)] * 2
    assert store.hits([]) == {}


def test_a_rule_and_article_keep_their_first_record(store: StoryStore) -> None:
    put(store, "a1", "a1", T0)
    first = hit("lavrov", "a1", lavrov_ar())
    store.record_hits("a1", [first], now=T0)
    store.record_hits("s2", [hit("lavrov", "a1", lavrov_ru())], now=T0 + timedelta(hours=1))
    assert store.hits(["a1"]) == {"a1": [HitRow(first, "a1", T0)]}


def test_hits_of_more_than_one_chunk(store: StoryStore) -> None:
    ids = [f"a{i}" for i in range(1200)]
    store.record_hits("s", [hit("r", i) for i in ids], now=T0)
    found = store.hits(ids)
    assert len(found) == 1200 and set(found) == set(ids)


def test_an_unreadable_hit_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with StoryStore(path) as store:
        store.record_hits("s", [hit("good", "a1"), hit("bad", "a1")], now=T0)
    db = sqlite3.connect(path)
    db.execute("UPDATE hits SET hit = '{not json' WHERE rule_id = 'bad'")
    db.commit()
    db.close()
    with StoryStore(path) as store:
        assert [r.hit.rule_id for r in store.hits(["a1"])["a1"]] == ["good"]


def test_hits_are_pruned_with_their_articles(tmp_path: Path) -> None:
    with StoryStore(tmp_path / "s.db", max_age=timedelta(days=1)) as store:
        put(store, "old", "old", T0)
        put(store, "new", "new", T0 + timedelta(days=2))
        store.record_hits("old", [hit("r", "old")], now=T0)
        store.record_hits("new", [hit("r", "new")], now=T0 + timedelta(days=2))
        store.prune(now=T0 + timedelta(days=2))
        assert set(store.hits(["old", "new"])) == {"new"}


# --- story_ids --------------------------------------------------------------------------


@pytest.fixture
def three_stories(store: StoryStore) -> StoryStore:
    """s1 (fired by lavrov at T0), s2 (syria at T0+2h, lavrov at T0+1h), s3 (no hits, newest)."""
    put(store, "s1", "s1", T0)
    put(store, "s2", "s2", T0)
    put(store, "s2b", "s2", T0 + timedelta(minutes=30))
    put(store, "s3", "s3", T0 + timedelta(hours=5))
    store.record_hits("s1", [hit("lavrov", "s1")], now=T0)
    store.record_hits("s2", [hit("lavrov", "s2")], now=T0 + timedelta(hours=1))
    store.record_hits("s2", [hit("syria", "s2b")], now=T0 + timedelta(hours=2))
    return store


def test_story_ids_fired_only_newest_activity_first(three_stories: StoryStore) -> None:
    assert three_stories.story_ids() == ["s2", "s1"]
    assert three_stories.story_ids(fired_only=True) == ["s2", "s1"]


def test_story_ids_every_story_by_newest_article(three_stories: StoryStore) -> None:
    assert three_stories.story_ids(fired_only=False) == ["s3", "s2", "s1"]
    since = T0 + timedelta(minutes=10)
    assert three_stories.story_ids(fired_only=False, since=since) == ["s3", "s2"]


def test_story_ids_by_rule(three_stories: StoryStore) -> None:
    assert three_stories.story_ids(rules=["syria"]) == ["s2"]
    assert three_stories.story_ids(rules=["lavrov"]) == ["s2", "s1"]
    assert three_stories.story_ids(rules=["syria", "lavrov"]) == ["s2", "s1"]
    assert three_stories.story_ids(rules=["nobody"]) == []
    # A rule filter only makes sense over hits, even when fired_only is off.
    assert three_stories.story_ids(rules=["syria"], fired_only=False) == ["s2"]


def test_story_ids_since(three_stories: StoryStore) -> None:
    assert three_stories.story_ids(since=T0 + timedelta(minutes=30)) == ["s2"]
    assert three_stories.story_ids(since=T0) == ["s2", "s1"]  # inclusive
    assert three_stories.story_ids(since=T0 + timedelta(hours=3)) == []
    # Only lavrov's hit on s2 (T0+1h) counts for the rule filter, s1's is too old.
    assert three_stories.story_ids(rules=["lavrov"], since=T0 + timedelta(minutes=1)) == ["s2"]


def test_story_ids_ordering_follows_the_latest_hit(store: StoryStore) -> None:
    put(store, "s1", "s1", T0)
    put(store, "s2", "s2", T0)
    store.record_hits("s1", [hit("r", "s1")], now=T0)
    store.record_hits("s2", [hit("r", "s2")], now=T0 + timedelta(hours=1))
    assert store.story_ids() == ["s2", "s1"]
    put(store, "s1b", "s1", T0 + timedelta(hours=2))
    store.record_hits("s1", [hit("r", "s1b")], now=T0 + timedelta(hours=2))
    assert store.story_ids() == ["s1", "s2"]


def test_story_ids_limit(three_stories: StoryStore) -> None:
    assert three_stories.story_ids(limit=1) == ["s2"]
    assert three_stories.story_ids(fired_only=False, limit=2) == ["s3", "s2"]


def test_story_ids_with_an_assignment_from_the_grouper(store: StoryStore) -> None:
    grouper = StoryGrouper()
    first = art("g1", url="https://example.org/same")
    again = art("g2", url="https://example.org/same")
    one, two = grouper.add(first), grouper.add(again)
    assert two.story_id == one.story_id  # same link: one story
    store.record(first, one, now=T0)
    store.record(again, two, now=T0 + timedelta(minutes=1))
    store.record_hits(two.story_id, [hit("lavrov", "g2", lavrov_ar())], now=T0)
    assert store.story_ids() == [one.story_id]
    assert [r.article.id for r in store.rows(one.story_id)] == ["g1", "g2"]


# --- rule_activity ----------------------------------------------------------------------


def test_rule_activity_counts_day_and_week(store: StoryStore) -> None:
    now = T0 + timedelta(days=10)
    store.record_hits("s", [hit("lavrov", "a1")], now=now - timedelta(hours=1))
    store.record_hits("s", [hit("lavrov", "a2")], now=now - timedelta(hours=23, minutes=59))
    store.record_hits("s", [hit("lavrov", "a3")], now=now - timedelta(days=2))
    store.record_hits("s", [hit("lavrov", "a4")], now=now - timedelta(days=6, hours=23))
    store.record_hits("s", [hit("lavrov", "a5")], now=now - timedelta(days=8))
    store.record_hits("s", [hit("syria", "a1")], now=now - timedelta(days=9))
    activity = store.rule_activity(now)
    assert activity == {
        "lavrov": RuleActivity("lavrov", now - timedelta(hours=1), day=2, week=4),
        "syria": RuleActivity("syria", now - timedelta(days=9), day=0, week=0),
    }


def test_rule_activity_depends_on_now(store: StoryStore) -> None:
    store.record_hits("s", [hit("lavrov", "a1")], now=T0)
    assert store.rule_activity(T0 + timedelta(hours=1))["lavrov"].day == 1
    assert store.rule_activity(T0 + timedelta(days=2))["lavrov"].day == 0
    assert store.rule_activity(T0 + timedelta(days=2))["lavrov"].week == 1
    assert store.rule_activity(T0 + timedelta(days=8))["lavrov"].week == 0


def test_rule_activity_of_an_empty_store(store: StoryStore) -> None:
    assert store.rule_activity(T0) == {}


# --- rows_of and rows_since -------------------------------------------------------------


def test_rows_of(store: StoryStore) -> None:
    put(store, "a1", "a1", T0)
    put(store, "a2", "a1", T0 + timedelta(minutes=1))
    put(store, "b1", "b1", T0 + timedelta(minutes=2))
    rows = list(store.rows_of(["b1", "a1", "missing"]))
    assert [r.article.id for r in rows] == ["a1", "b1"]  # oldest first, unknown ids skipped
    assert rows[0].article == art("a1")
    assert rows[1].assignment.story_id == "b1" and rows[1].added_at == T0 + timedelta(minutes=2)
    assert list(store.rows_of([])) == []


def test_rows_of_more_than_500_ids(store: StoryStore) -> None:
    ids = [f"a{i:04d}" for i in range(600)]
    for article_id in ids:
        put(store, article_id, "s", T0)
    assert len(list(store.rows_of(ids))) == 600


def test_rows_since(store: StoryStore) -> None:
    put(store, "a1", "a1", T0)
    put(store, "a2", "a1", T0 + timedelta(hours=1))
    put(store, "a3", "a3", T0 + timedelta(hours=2))
    assert [r.article.id for r in store.rows_since(T0 + timedelta(hours=1))] == ["a2", "a3"]
    assert [r.article.id for r in store.rows_since(T0)] == ["a1", "a2", "a3"]
    assert list(store.rows_since(T0 + timedelta(hours=3))) == []
