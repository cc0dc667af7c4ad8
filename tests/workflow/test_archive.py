"""The article archive: SQLite + FTS5 (bounded, pruned), the CLI over it, and the Kafka reader."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newswatch.archive.base import ArchiveError, parse_since
from newswatch.archive.sqlite import SqliteArchive
from newswatch.constants import ARCHIVE_FILENAME
from newswatch.kafka.archive import KafkaArchive, key_partition
from tests.support.kafka import TopicFactory, make_producer
from tests.workflow.conftest import Workspace, lines, other_article, seed_article, write_jsonl

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)


def test_parse_since_takes_durations_and_dates() -> None:
    assert parse_since("7d", now=NOW) == NOW - timedelta(days=7)
    assert parse_since("90m", now=NOW) == NOW - timedelta(minutes=90)
    assert parse_since("2w", now=NOW) == NOW - timedelta(weeks=2)
    assert parse_since("2024-05-01") == datetime(2024, 5, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="give a duration"):
        parse_since("last week")


def test_articles_come_back_by_id_url_and_time(tmp_path: Path) -> None:
    seed = seed_article()
    with SqliteArchive(tmp_path / "a.sqlite3") as archive:
        archive.add([other_article("old", "Old story")], now=NOW - timedelta(days=3))
        archive.add([seed], now=NOW - timedelta(hours=1))
        assert archive.get("seed-0001") == seed  # every field survives
        assert archive.get("nope") is None
        assert archive.find_url(seed.url) == seed
        assert [a.id for a in archive.since(NOW - timedelta(days=1))] == ["seed-0001"]
        assert [a.id for a in archive.since(NOW - timedelta(days=7))] == ["old", "seed-0001"]


def test_an_article_archived_twice_keeps_its_first_time(tmp_path: Path) -> None:
    with SqliteArchive(tmp_path / "a.sqlite3") as archive:
        archive.add([other_article("x", "First")], now=NOW - timedelta(days=2))
        archive.add([other_article("x", "Edited")], now=NOW)
        assert archive.stats().articles == 1
        assert archive.get("x").title == "Edited"  # type: ignore[union-attr]
        assert archive.archived_at("x") == NOW - timedelta(days=2)


def test_the_archive_is_bounded_by_age_and_by_count(tmp_path: Path) -> None:
    archive = SqliteArchive(tmp_path / "a.sqlite3", max_articles=3, max_age=timedelta(days=2))
    with archive:
        for i in range(6):
            archive.add([other_article(f"a{i}", f"Story {i}")], now=NOW - timedelta(days=5 - i))
        # a0..a2 are older than two days at NOW; then only 3 may stay of a3..a5 anyway.
        assert archive.prune(now=NOW) == 3
        assert [a.id for a in archive.since(NOW - timedelta(days=30))] == ["a3", "a4", "a5"]
        archive.max_articles = 2
        assert archive.prune(now=NOW) == 1
        assert archive.stats().articles == 2
        # Pruned rows leave the full-text index too.
        assert archive.search("Story") and all(
            a.id in {"a4", "a5"} for a in archive.search("Story")
        )


def test_full_text_search_in_arabic_and_latin(tmp_path: Path) -> None:
    with SqliteArchive(tmp_path / "a.sqlite3") as archive:
        archive.add([seed_article(), other_article("w", "Weather in Paris")])
        assert [a.id for a in archive.search("لافروف")] == ["seed-0001"]
        assert [a.id for a in archive.search('"Sergey Lavrov"')] == ["seed-0001"]
        assert [a.id for a in archive.search("paris")] == ["w"]
        with pytest.raises(ArchiveError, match="search"):
            archive.search('"unbalanced')


def test_a_missing_archive_is_an_error_when_not_creating(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no article archive"):
        SqliteArchive(tmp_path / "none.sqlite3", create=False)


# --- CLI ---------------------------------------------------------------------------------------


def test_import_list_show_search_and_prune_through_the_cli(ws: Workspace) -> None:
    source = write_jsonl(
        ws.root / "in.jsonl", [seed_article(), other_article("w", "Weather in Paris")]
    )
    imported = ws.cli("archive", "import", str(source), "--state", str(ws.state))
    assert imported.exit_code == 0, imported.output
    assert f"2 article(s) archived in {ws.state / ARCHIVE_FILENAME}" in imported.stderr

    listed = ws.cli("archive", "list", "--state", str(ws.state), "--since", "1h")
    assert listed.exit_code == 0
    assert [ln.split()[0] for ln in lines(listed.stdout)] == ["seed-0001", "w"]
    exported = ws.cli("archive", "list", "--state", str(ws.state), "--format", "jsonl")
    assert [json.loads(ln)["id"] for ln in lines(exported.stdout)] == ["seed-0001", "w"]

    shown = ws.cli("archive", "show", "seed-0001", "--state", str(ws.state))
    assert shown.exit_code == 0
    assert json.loads(shown.stdout) == seed_article().to_dict()

    found = ws.cli("archive", "search", "جون كيري", "--state", str(ws.state))
    assert found.exit_code == 0 and lines(found.stdout)[0].startswith("seed-0001")

    pruned = ws.cli("archive", "prune", "--max-articles", "1", "--state", str(ws.state))
    assert pruned.exit_code == 0 and "1 article(s) dropped, 1 kept" in pruned.stderr


def test_archive_commands_fail_cleanly(ws: Workspace) -> None:
    missing = ws.cli("archive", "list", "--state", str(ws.state))
    assert missing.exit_code == 1 and "no article archive at" in missing.output
    ws.archive([seed_article()])
    unknown = ws.cli("archive", "show", "nope", "--state", str(ws.state))
    assert unknown.exit_code == 1 and "no article 'nope' in the archive" in unknown.output
    bad_query = ws.cli("archive", "search", '"open', "--state", str(ws.state))
    assert bad_query.exit_code == 1 and "search" in bad_query.output
    bad_since = ws.cli("archive", "list", "--since", "yesterday", "--state", str(ws.state))
    assert bad_since.exit_code == 2 and "give a duration" in bad_since.output
    broken = ws.root / "broken.jsonl"
    broken.write_text(seed_article().to_json() + "\n{not json\n", encoding="utf-8")
    partly = ws.cli("archive", "import", str(broken), "--state", str(ws.state))
    assert partly.exit_code == 1
    assert (
        "1 article(s) archived" in partly.stderr
        and "broken.jsonl:2: not an article" in partly.stderr
    )


# --- Kafka -------------------------------------------------------------------------------------


@pytest.mark.kafka
def test_the_kafka_reader_seeks_each_partition_to_the_time(
    kafka_bootstrap: str, kafka_topics: TopicFactory, ws: Workspace
) -> None:
    topic = kafka_topics("articles", partitions=2)
    now_ms = int(time.time() * 1000)
    stamps = {"days-ago": now_ms - 3 * 86_400_000, "hour-ago": now_ms - 3_600_000}
    stamps["minute-ago"] = now_ms - 60_000
    producer = make_producer(kafka_bootstrap)
    try:
        for i, (article_id, stamp) in enumerate(stamps.items()):
            article = other_article(article_id, f"Story {article_id}")
            producer.send(
                topic,
                key=article.id.encode(),
                value=article.to_json().encode(),
                timestamp_ms=stamp,
                partition=i % 2,
            )
        producer.send(topic, key=b"junk", value=b"not an article", partition=0)
        producer.flush(timeout=30)
    finally:
        producer.close(timeout=10)

    archive = KafkaArchive(kafka_bootstrap, topic, timeout=30)
    day = {a.id for a in archive.since(datetime.now(UTC) - timedelta(days=1))}
    assert day == {"hour-ago", "minute-ago"}  # the junk record is skipped
    week = {a.id for a in archive.since(datetime.now(UTC) - timedelta(days=7))}
    assert week == {"days-ago", "hour-ago", "minute-ago"}
    assert list(archive.since(datetime.now(UTC) + timedelta(minutes=5))) == []
    got = archive.get("hour-ago")  # put in a partition by hand: found in the other one
    assert got is not None and got.title == "Story hour-ago"
    assert archive.get("nope") is None
    # The commands read the same topic with --bootstrap (topic = <prefix>articles).
    listed = ws.cli(
        "archive",
        "list",
        "--bootstrap",
        kafka_bootstrap,
        "--topic-prefix",
        kafka_topics.prefix,
        "--since",
        "1d",
    )
    assert listed.exit_code == 0, listed.output
    assert sorted(ln.split()[0] for ln in lines(listed.stdout)) == ["hour-ago", "minute-ago"]
    with pytest.raises(ArchiveError, match="no topic"):
        list(KafkaArchive(kafka_bootstrap, kafka_topics.name("missing"), timeout=2).since(NOW))


@pytest.mark.kafka
def test_the_kafka_reader_finds_an_article_in_the_partition_its_key_goes_to(
    kafka_bootstrap: str, kafka_topics: TopicFactory
) -> None:
    topic = kafka_topics("articles", partitions=4)
    producer = make_producer(kafka_bootstrap)
    try:
        sent = {}
        for n in range(12):
            article = other_article(f"keyed-{n}", f"Story {n}")
            future = producer.send(topic, key=article.id.encode(), value=article.to_json().encode())
            sent[article.id] = future.get(timeout=30).partition
        # A later copy of one article, in its key's partition: the latest copy wins.
        again = other_article("keyed-3", "Story 3, updated")
        producer.send(topic, key=b"keyed-3", value=again.to_json().encode()).get(timeout=30)
    finally:
        producer.close(timeout=10)
    assert len(set(sent.values())) > 1  # the keys spread over the partitions
    for article_id, partition in sent.items():
        assert key_partition(article_id.encode(), [0, 1, 2, 3]) == partition
    archive = KafkaArchive(kafka_bootstrap, topic, timeout=30)
    got = archive.get("keyed-3")
    assert got is not None and got.title == "Story 3, updated"
