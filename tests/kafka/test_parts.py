"""The scale-out runtime's parts without a broker: wire forms, the delivery steps (crash by
crash), the rules store, publish planning, shards, oversized articles."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from newswatch.alerts.message import Alert
from newswatch.alerts.notifier import Backoff
from newswatch.article import Article
from newswatch.kafka.config import KafkaSettings, Shard, parse_shard
from newswatch.kafka.delivery import (
    NEW,
    PARKED,
    RETRYING,
    SENDING,
    SENT,
    Interrupted,
    Record,
    RetryPolicy,
    TargetState,
    deliver,
    record_from_json,
    record_to_json,
)
from newswatch.kafka.producer import fit_article
from newswatch.kafka.publish import plan_publish, rule_records
from newswatch.kafka.records import DeadLetter, HitRecord, MatchedRecord, RuleRecord
from newswatch.kafka.rulefeed import RuleStore
from newswatch.matching.hits import Hit, Mention

ALERT = Alert(
    key="moscow\x1fa1",
    rule_id="moscow",
    rule_version="abc",
    article_id="a1",
    title="[HIGH] Watch Moscow: talks",
    body="talks in Moscow",
    tags=("default",),
    severity="high",
    url="https://x/1",
)
FAST = RetryPolicy(attempts=3, backoff=Backoff(initial=0.01, factor=2.0, maximum=0.05, jitter=0))


# --- wire forms --------------------------------------------------------------------------------


def test_records_round_trip() -> None:
    hit = Hit("moscow", "abc", "a1", (Mention("e", "Moscow", "Moscow", "title", 0, 6),))
    record = HitRecord(hit, ALERT, "feed-1")
    again = HitRecord.from_bytes(record.to_bytes())
    assert again == record and again.key == b"moscow\x1fa1"
    rule = RuleRecord("moscow", "v1", "id: moscow\n", "m.yaml", 3)
    assert RuleRecord.from_bytes(rule.to_bytes()).same_as(rule)
    letter = DeadLetter(ALERT, "json-1", "json://127.0.0.1/hook", "HTTP 500", 3, in_doubt=True)
    back = DeadLetter.from_bytes(letter.to_bytes())
    assert (back.alert, back.target_id, back.in_doubt, back.attempts) == (ALERT, "json-1", True, 3)
    assert back.key == b"moscow\x1fa1\x1fjson-1"


def test_settings_and_shards() -> None:
    settings = KafkaSettings("127.0.0.1:1, 127.0.0.1:2", prefix="desk.")
    assert settings.servers == ["127.0.0.1:1", "127.0.0.1:2"]
    assert settings.topics.rules == "desk.rules" and settings.worker_group == "desk.worker"
    with pytest.raises(ValueError):
        KafkaSettings("127.0.0.1:1", prefix="bad prefix/")
    assert parse_shard("1/3") == Shard(1, 3)
    for bad in ("3/3", "1", "a/b", "0/0"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_an_oversized_article_is_trimmed_to_fit_not_refused() -> None:
    article = Article(id="big", title="Title stays", content="word " * 300_000)
    trimmed, value = fit_article(article, limit=100_000)
    assert len(value) <= 100_000 and trimmed.title == "Title stays"
    assert article.content.startswith(trimmed.content) and trimmed.content
    small = Article(id="small", title="t")
    assert fit_article(small)[0] is small


# --- the delivery steps ------------------------------------------------------------------------


class Killed(Exception):
    """Stands for a kill -9: nothing after it runs."""


@dataclass
class FakePorts:
    """Records every durable write; ``crash_at`` raises after the n-th save (a kill -9)."""

    outcomes: list[str | None] = field(default_factory=list)  # per send round, target "t"
    saves: list[Record] = field(default_factory=list)
    letters: list[DeadLetter] = field(default_factory=list)
    sends: int = 0
    crash_at: int | None = None
    crash_in_send: bool = False

    async def save(self, record: Record) -> None:
        self.saves.append(dict(record))
        if self.crash_at is not None and len(self.saves) >= self.crash_at:
            raise Killed("worker killed")

    async def send(self, alert: Alert, target_ids: Sequence[str]) -> dict[str, str | None]:
        self.sends += 1
        if self.crash_in_send:
            raise Killed("killed during the send")
        outcome = self.outcomes.pop(0) if self.outcomes else None
        return {t: outcome for t in target_ids}

    async def park(self, letter: DeadLetter) -> None:
        self.letters.append(letter)

    async def pause(self, seconds: float) -> None:
        await asyncio.sleep(0)

    def describe(self, target_id: str) -> str:
        return f"display-{target_id}"

    def attempts_for(self, target_id: str, policy: RetryPolicy) -> int:
        return policy.attempts

    @property
    def last(self) -> Record:
        return self.saves[-1]


async def test_a_successful_delivery_writes_sending_then_sent() -> None:
    ports = FakePorts()
    outcome = await deliver(ALERT, ["t"], {}, ports, FAST)
    assert outcome.sent == ["t"] and ports.sends == 1
    assert [r["t"].state for r in ports.saves] == [SENDING, SENT]


async def test_a_redelivered_hit_that_was_sent_is_not_sent_again() -> None:
    ports = FakePorts()
    outcome = await deliver(ALERT, ["t"], {"t": TargetState(SENT, 1)}, ports, FAST)
    assert outcome.already_done == ["t"] and ports.sends == 0 and not ports.saves


async def test_failures_are_retried_then_parked_with_the_reason() -> None:
    ports = FakePorts(outcomes=["HTTP 500", "HTTP 500", "HTTP 503"])
    outcome = await deliver(ALERT, ["t"], {}, ports, FAST)
    assert ports.sends == 3 and outcome.failed_attempts == 3
    [letter] = ports.letters
    assert (letter.reason, letter.attempts, letter.in_doubt) == ("HTTP 503", 3, False)
    assert ports.last["t"].state == PARKED and outcome.parked == ["t"]


async def test_a_crash_after_sending_is_marked_leaves_it_in_doubt_and_never_resent() -> None:
    first = FakePorts(crash_in_send=True)
    with pytest.raises(Killed):
        await deliver(ALERT, ["t"], {}, first, FAST)
    assert first.last["t"].state == SENDING  # what the changelog holds after the kill
    replay = FakePorts()
    outcome = await deliver(ALERT, ["t"], first.last, replay, FAST)
    assert replay.sends == 0 and outcome.in_doubt == ["t"]
    [letter] = replay.letters
    assert letter.in_doubt and "in doubt" in letter.reason
    assert replay.last["t"].state == PARKED


async def test_a_crash_before_the_send_is_marked_sends_once_on_replay() -> None:
    # Killed right after the alert's targets were recorded (NEW), before "sending".
    replay = FakePorts()
    outcome = await deliver(ALERT, ["t"], {"t": TargetState(NEW)}, replay, FAST)
    assert outcome.sent == ["t"] and replay.sends == 1


async def test_a_crash_between_retries_resumes_with_the_attempts_counted() -> None:
    first = FakePorts(outcomes=["HTTP 500"], crash_at=2)  # killed after recording the failure
    with pytest.raises(Killed):
        await deliver(ALERT, ["t"], {}, first, FAST)
    assert first.last["t"] == TargetState(RETRYING, 1, "HTTP 500")
    replay = FakePorts(outcomes=["HTTP 500", "HTTP 500"])
    await deliver(ALERT, ["t"], first.last, replay, FAST)
    assert replay.sends == 2 and replay.letters[0].attempts == 3  # 1 before the crash + 2


async def test_a_crash_between_parking_steps_writes_the_letter_again() -> None:
    first = FakePorts(outcomes=["x", "x", "x"])
    first_outcome = await deliver(ALERT, ["t"], {}, first, FAST)
    assert first_outcome.parked == ["t"]
    parking = next(r for r in first.saves if r["t"].state == "parking")
    replay = FakePorts()
    await deliver(ALERT, ["t"], parking, replay, FAST)
    assert replay.sends == 0 and len(replay.letters) == 1  # same key: replaces itself
    assert replay.last["t"].state == PARKED


async def test_an_interrupted_backoff_leaves_a_resumable_record() -> None:
    class Stopping(FakePorts):
        async def pause(self, seconds: float) -> None:
            raise Interrupted()

    ports = Stopping(outcomes=["HTTP 500"])
    with pytest.raises(Interrupted):
        await deliver(ALERT, ["t"], {}, ports, FAST)
    assert ports.last["t"].state == RETRYING


def test_records_serialise_for_the_table() -> None:
    record = {"a": TargetState(SENT, 1), "b": TargetState("parking", 2, "boom", True)}
    assert record_from_json(record_to_json(record)) == record
    assert record_from_json(None) == {}


# --- rules: publishing and following -----------------------------------------------------------


RULES = """\
# two rules in one file
rules:
  - id: moscow
    title: Moscow
    entities:
      e:
        place: Moscow
        aliases: [Москва]   # Cyrillic too
  - id: geneva
    entities:
      e:
        place: Geneva
"""


def test_each_rule_is_published_as_its_own_text_with_the_same_version(tmp_path: Path) -> None:
    (tmp_path / "places.yaml").write_text(RULES, encoding="utf-8")
    records, _ = rule_records(tmp_path)
    assert [(r.id, r.source, r.line) for r in records] == [
        ("moscow", "places.yaml", 3),
        ("geneva", "places.yaml", 9),
    ]
    assert "Москва" in records[0].text and "geneva" not in records[0].text
    store = RuleStore()
    for record in records:
        assert store.apply(record.key, record.to_bytes())
    assert {r.id: r.version for r in store.rules.values()} == {r.id: r.version for r in records}
    snapshot = store.snapshot()
    hits = snapshot.matcher.match(Article(id="x", title="Talks in Москва", language="ru"))
    assert [h.rule_id for h in hits] == ["moscow"]


def test_the_publish_plan_writes_changes_and_tombstones_what_is_gone() -> None:
    a = RuleRecord("a", "v1", "id: a", "a.yaml")
    b = RuleRecord("b", "v1", "id: b", "b.yaml")
    b2 = RuleRecord("b", "v2", "id: b # changed", "b.yaml")
    plan = plan_publish([a, b2], {"a": a, "b": b, "gone": None})
    assert [r.id for r in plan.upserts] == ["b"] and plan.deletes == ("gone",)
    assert plan.unchanged == ("a",)


def test_the_store_keeps_a_rule_whose_new_record_is_broken_and_drops_a_tombstoned_one() -> None:
    store = RuleStore()
    good = RuleRecord("m", "v", "id: m\nentities:\n  e:\n    place: Moscow\n", "m.yaml")
    assert store.apply(b"m", good.to_bytes())
    before = store.rules["m"]
    broken = RuleRecord("m", "v2", "id: m\nentities: {}\n", "m.yaml")
    assert not store.apply(b"m", broken.to_bytes())
    assert not store.apply(b"m", b"not json")
    assert store.rules["m"] is before
    assert store.apply(b"m", None) and not store.rules
    assert not store.apply(b"m", None)


# --- worker pieces (a Faust app object, no broker) ---------------------------------------------


async def test_a_table_forgets_old_entries_of_its_own_partition_only(tmp_path: Path) -> None:
    import time

    import faust

    from agents.tables import DurableTable

    app = faust.App("nwunit", broker="kafka://127.0.0.1:1", store="memory://", datadir=tmp_path)
    table = DurableTable(app, name="seen", default=None, partitions=4, beacon=app.tables.beacon)
    app.tables.add(table)
    now = time.time()
    sent: list[tuple[str, bytes, bytes | None, int]] = []

    async def send(topic: str, key: bytes, value: bytes | None, partition: int, *_: object) -> None:
        sent.append((topic, key, value, partition))

    app.producer.send = send  # type: ignore[method-assign,assignment]  # no broker needed
    await table.write("old", {"t": now - 100, "p": 1}, partition=1)
    await table.write("new", {"t": now, "p": 1}, partition=1)
    await table.write("elsewhere", {"t": now - 100, "p": 2}, partition=2)
    assert await table.maybe_prune(1, retention=50) == 0  # the first call only starts the clock
    table._pruned_at[1] = 0.0
    assert await table.maybe_prune(1, retention=50) == 1
    assert sorted(table.data.keys()) == ["elsewhere", "new"]
    # Faust's own changelog encoding: JSON key and value; a tombstone has no value.
    assert sent[0] == ("nwunit-seen-changelog", b'"old"', b'{"t":%r,"p":1}' % (now - 100), 1)
    assert sent[-1] == ("nwunit-seen-changelog", b'"old"', None, 1)


class _App:
    """What Lifecycle reads of a Faust app: whether it stops, and its flow control."""

    should_stop = False

    def __init__(self) -> None:
        import mode.utils.queues

        self.flow_control = mode.utils.queues.FlowControlEvent(initially_suspended=False)


async def test_interruption_follows_faust_flow_control() -> None:
    from agents.lifecycle import Lifecycle

    app = _App()
    life = Lifecycle(app)
    await life.sleep(0.01)  # not interrupted
    app.flow_control.suspend()  # Faust waits for the events in hand: let go
    with pytest.raises(Interrupted):
        await life.sleep(5)
    with pytest.raises(Interrupted):
        await life.wait(asyncio.Event())


class _HitsTopic:
    """A hits topic whose acknowledgements the test gives (or fails) by hand."""

    def __init__(self) -> None:
        self.sent: list[asyncio.Future[None]] = []
        self.keys: list[bytes] = []

    async def send(self, *, key: bytes, value: bytes, force: bool) -> asyncio.Future[None]:
        self.keys.append(key)
        self.sent.append(asyncio.get_running_loop().create_future())
        return self.sent[-1]


_HIT = Hit("moscow", "abc", "a1", (Mention("e", "Moscow", "Moscow", "title", 0, 6),))


def _matched(targets: int = 1) -> MatchedRecord:
    alerts = tuple(replace(ALERT, targets=(f"t{n}",)) for n in range(targets))
    return MatchedRecord(Article(id="a1", title="Moscow"), (_HIT,), alerts)


def _hit_records(story: str, targets: int = 1) -> list[HitRecord]:
    """What the story stage produces for a first message per target (default routes)."""
    from newswatch.alerts.story import story_key

    return [
        HitRecord(_HIT, replace(ALERT, key=story_key(story, f"t{n}"), targets=(f"t{n}",)))
        for n in range(targets)
    ]


def _article_matcher(app: _App, topic: _HitsTopic) -> Any:
    from agents.lifecycle import Lifecycle
    from agents.matching import ArticleMatcher
    from newswatch.kafka.metrics import WorkerMetrics

    return ArticleMatcher(
        seen=None,  # type: ignore[arg-type]  # _produce only
        matched_topic=topic,
        rules=None,  # type: ignore[arg-type]
        metrics=WorkerMetrics(),
        lifecycle=Lifecycle(app),
        route=lambda tags: (),
        ack_report=0.05,
    )


def _story_stage(app: _App, topic: _HitsTopic) -> Any:
    from agents.lifecycle import Lifecycle
    from agents.stories import StoryStage
    from newswatch.kafka.metrics import WorkerMetrics

    return StoryStage(
        stories=None,  # type: ignore[arg-type]  # _produce only
        hits_topic=topic,
        rules=None,  # type: ignore[arg-type]
        metrics=WorkerMetrics(),
        lifecycle=Lifecycle(app),
        ack_report=0.05,
    )


async def test_a_matched_article_waits_for_kafka_and_a_long_wait_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    topic = _HitsTopic()
    matcher = _article_matcher(_App(), topic)
    producing = asyncio.create_task(matcher._produce(_matched()))
    await asyncio.sleep(0.5)
    assert not producing.done()  # no acknowledgement yet: the article is not done
    assert "1 matched article(s) not yet acknowledged by Kafka" in caplog.text
    topic.sent[0].set_result(None)
    await asyncio.wait_for(producing, 2)
    assert len(topic.sent) == 1  # acknowledged once, so sent once
    counted = matcher.metrics.registry.get_sample_value("newswatch_hits_total", {"rule": "moscow"})
    assert counted == 1.0


async def test_story_messages_are_produced_under_their_keys_and_wait_for_kafka(
    caplog: pytest.LogCaptureFixture,
) -> None:
    topic = _HitsTopic()
    stage = _story_stage(_App(), topic)
    producing = asyncio.create_task(stage._produce(_hit_records("s1", 2)))
    await asyncio.sleep(0.5)
    assert not producing.done()
    assert "2 alert(s) not yet acknowledged by Kafka" in caplog.text
    for future in topic.sent:
        future.set_result(None)
    await asyncio.wait_for(producing, 2)
    assert topic.keys == [b"story\x1fs1\x1ft0", b"story\x1fs1\x1ft1"]


async def test_a_failed_send_is_sent_again(caplog: pytest.LogCaptureFixture) -> None:
    topic = _HitsTopic()
    stage = _story_stage(_App(), topic)
    producing = asyncio.create_task(stage._produce(_hit_records("s1")))
    await asyncio.sleep(0.05)
    topic.sent[0].set_exception(TimeoutError("request timed out"))
    for _ in range(60):  # the retry comes PRODUCE_RETRY (2 s) later
        if len(topic.sent) == 2:
            break
        await asyncio.sleep(0.1)
    assert len(topic.sent) == 2 and "alerts not acknowledged (request timed out)" in caplog.text
    topic.sent[1].set_result(None)
    await asyncio.wait_for(producing, 2)


async def test_a_send_that_fails_after_the_retry_began_is_not_reported_again() -> None:
    topic = _HitsTopic()
    stage = _story_stage(_App(), topic)
    producing = asyncio.create_task(stage._produce(_hit_records("s1", 2)))
    await asyncio.sleep(0.05)
    topic.sent[0].set_exception(TimeoutError("first"))
    await asyncio.sleep(0.5)  # the wait has ended with that error; the retry is sleeping
    topic.sent[1].set_exception(TimeoutError("second"))  # nobody waits for this one any more
    await asyncio.sleep(0)
    # asyncio logs "exception was never retrieved" for a future whose error nobody took; the
    # flag it decides on is private, and read here so the test needs no garbage collection.
    assert topic.sent[1]._log_traceback is False
    producing.cancel()
    await asyncio.wait([producing])


async def test_a_stop_while_waiting_for_kafka_lets_the_article_go() -> None:
    app, topic = _App(), _HitsTopic()
    stage = _story_stage(app, topic)
    producing = asyncio.create_task(stage._produce(_hit_records("s1")))
    await asyncio.sleep(0.05)
    app.should_stop = True
    with pytest.raises(Interrupted):
        await asyncio.wait_for(producing, 2)


async def test_key_locks_serialise_one_key_and_clean_up() -> None:
    from agents.ports import Breaker, KeyLocks

    locks, order = KeyLocks(), []

    async def use(tag: str) -> None:
        async with locks.hold("k"):
            order.append(f"{tag}+")
            await asyncio.sleep(0.01)
            order.append(f"{tag}-")

    await asyncio.gather(use("a"), use("b"))
    assert order == ["a+", "a-", "b+", "b-"] and not locks._locks
    breaker = Breaker(cooldown=60)
    assert not breaker.down("t")
    breaker.tripped("t")
    assert breaker.down("t")
    breaker.healed("t")
    assert not breaker.down("t")


def test_alerts_retry_takes_an_outbox_or_a_broker_not_both(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newswatch.cli.alerts import alerts_group as alerts

    config = tmp_path / "apprise.yaml"
    config.write_text("version: 1\n", encoding="utf-8")
    both = ["retry", "--apprise", str(config), "--state", str(tmp_path), "--bootstrap", "x:1"]
    result = CliRunner().invoke(alerts, both)
    assert result.exit_code == 2 and "--state (an outbox) or --bootstrap" in result.output
    in_doubt = ["retry", "--apprise", str(config), "--state", str(tmp_path), "--in-doubt"]
    result = CliRunner().invoke(alerts, in_doubt)
    assert result.exit_code == 2 and "--in-doubt needs --bootstrap" in result.output
    # Without either, the default state directory's outbox: here there is none.
    with CliRunner().isolated_filesystem(temp_dir=tmp_path):
        result = CliRunner().invoke(alerts, ["retry", "--apprise", str(config)])
    assert result.exit_code == 1 and "no outbox" in result.output
