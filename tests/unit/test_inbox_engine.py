"""The inbox engine on a simulated clock: group waits, updates, cool-downs that defer, digests,
quiet hours that hold and release, silences that record — and state that survives a reload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newswatch.alerts.message import Alert
from newswatch.alerts.story import story_key
from newswatch.inbox.engine import Entry, FiredRule, Inbox, Message, Notice
from newswatch.inbox.routes import Routes, parse_routes
from newswatch.inbox.silences import Silence

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris
SYRIA = FiredRule("syria-talks", "Syria talks", "high", ("syria",), ("desk",), ("Syria",))
LAVROV = FiredRule("lavrov", "Lavrov", "medium", (), ("desk",), ("Sergey Lavrov",))
CRITICAL = FiredRule("aleppo-strike", "Aleppo strike", "critical", ("syria",), ("desk",))


def _routes(text: str) -> Routes:
    routes, problems = parse_routes(text, "routes.yaml", {"desk", "oncall", "default"})
    assert routes is not None, [str(p) for p in problems]
    return routes


def _resolve(tags: tuple[str, ...]) -> list[str]:
    return [f"t-{tag}" for tag in tags]


def _build(rule_ids: tuple[str, ...], target: str, key: str) -> Alert:
    return Alert(
        key=key,
        rule_id=rule_ids[0],
        rule_version="1",
        article_id="a",
        title=f"first: {','.join(rule_ids)}",
        body="body",
        tags=("desk",),
        severity="high",
        targets=(target,) if target else (),
        rules=rule_ids if len(rule_ids) > 1 else (),
    )


def _notice(story: str, n: int, *rules: FiredRule, feed: str = "", language: str = "en") -> Notice:
    entry = Entry(
        f"{story}-{n}",
        f"{story} headline {n}",
        f"https://x.test/{story}/{n}",
        feed or f"feed{n}",
        language,
    )
    return Notice(story, entry, rules or (SYRIA,))


def _run(inbox: Inbox, until: datetime, step: timedelta = timedelta(seconds=10)) -> list[Message]:
    out: list[Message] = []
    at = T0
    while at <= until:
        out += inbox.due(at)
        at += step
    return out


def test_without_a_routes_file_the_first_article_goes_at_once_under_todays_key() -> None:
    inbox = Inbox(Routes.default(), _resolve)
    inbox.offer(_notice("s1", 1), T0, _build)
    sent = inbox.due(T0)
    assert [(m.kind, m.target) for m in sent] == [("first", "t-desk")]
    assert sent[0].alert.key == story_key("s1", "t-desk")
    inbox.offer(_notice("s1", 2), T0 + timedelta(minutes=1), _build)
    assert inbox.due(T0 + timedelta(hours=2)) == []  # no updates by default, as before


def test_group_wait_lets_other_sources_join_the_first_message() -> None:
    inbox = Inbox(_routes("route: {receiver: desk, group_wait: 30s}"), _resolve)
    inbox.offer(_notice("s1", 1), T0, _build)
    inbox.offer(_notice("s1", 2, feed="tass"), T0 + timedelta(seconds=10), _build)
    assert inbox.due(T0 + timedelta(seconds=29)) == []
    sent = inbox.due(T0 + timedelta(seconds=30))
    assert [m.kind for m in sent] == ["first"]
    assert "+1 more source" in sent[0].alert.body and "tass" in sent[0].alert.body


def test_updates_come_at_most_once_per_group_interval_listing_sources_and_languages() -> None:
    inbox = Inbox(_routes("route: {receiver: desk, group_wait: 0s, group_interval: 10m}"), _resolve)
    inbox.offer(_notice("s1", 1), T0, _build)
    assert [m.kind for m in inbox.due(T0)] == ["first"]
    for n, (feed, lang) in enumerate([("RT Arabic", "ar"), ("TASS", "ru"), ("Le Monde", "fr")]):
        at = T0 + timedelta(minutes=1 + n)
        inbox.offer(_notice("s1", 2 + n, feed=feed, language=lang), at, _build)
        assert inbox.due(at) == []
    sent = inbox.due(T0 + timedelta(minutes=10))
    assert [m.kind for m in sent] == ["update"]
    body = sent[0].alert.body
    assert "+3 sources: RT Arabic, TASS, Le Monde" in body
    assert "now in en, ar, ru, fr" in body
    assert inbox.due(T0 + timedelta(minutes=30)) == []  # nothing new, nothing sent


def test_updates_false_counts_later_articles_and_sends_none() -> None:
    inbox = Inbox(_routes("route: {receiver: desk, group_wait: 0s, updates: false}"), _resolve)
    inbox.offer(_notice("s1", 1), T0, _build)
    inbox.due(T0)
    inbox.offer(_notice("s1", 2), T0 + timedelta(minutes=1), _build)
    assert _run(inbox, T0 + timedelta(hours=1), timedelta(minutes=5)) == []
    assert next(iter(inbox.groups.values())).unsent_updates == 1


def test_a_cool_down_defers_later_stories_and_lists_them_when_it_ends() -> None:
    inbox = Inbox(_routes("route: {receiver: desk, group_wait: 0s, cooldown: 1h}"), _resolve)
    inbox.offer(_notice("s1", 1), T0, _build)
    assert [m.kind for m in inbox.due(T0)] == ["first"]
    for n, story in enumerate(["s2", "s3"]):
        inbox.offer(_notice(story, 1), T0 + timedelta(minutes=10 + n), _build)
    held = _run(inbox, T0 + timedelta(minutes=59), timedelta(minutes=1))
    assert held == []
    released = inbox.due(T0 + timedelta(hours=1))
    assert [m.kind for m in released] == ["cooldown"]
    assert released[0].stories == ("s2", "s3")
    assert "2 stories held back" in released[0].alert.title
    assert "s2 headline 1" in released[0].alert.body and "s3 headline 1" in released[0].alert.body
    # The release is a message: the next story waits for the next hour.
    inbox.offer(_notice("s4", 1), T0 + timedelta(minutes=61), _build)
    assert inbox.due(T0 + timedelta(minutes=62)) == []
    assert [m.stories for m in inbox.due(T0 + timedelta(hours=2))] == [("s4",)]


def test_cool_down_is_per_rule() -> None:
    inbox = Inbox(_routes("route: {receiver: desk, group_wait: 0s, cooldown: 1h}"), _resolve)
    inbox.offer(_notice("s1", 1, SYRIA), T0, _build)
    inbox.offer(_notice("s2", 1, LAVROV), T0, _build)
    assert sorted(m.stories for m in inbox.due(T0)) == [("s1",), ("s2",)]


DIGEST = """
route:
  receiver: desk
  digest: {at: "08:00", timezone: Europe/Paris, days: mon-fri}
"""


def test_a_digest_lists_every_story_once_at_its_time_grouped_by_rule() -> None:
    inbox = Inbox(_routes(DIGEST), _resolve)
    inbox.offer(_notice("s1", 1, SYRIA), T0, _build)
    inbox.offer(
        _notice("s1", 2, SYRIA, feed="TASS", language="ru"), T0 + timedelta(hours=1), _build
    )
    inbox.offer(_notice("s2", 1, LAVROV), T0 + timedelta(hours=2), _build)
    # Monday 10:00 Paris: the next digest is Tuesday 08:00 Paris = 07:00 UTC.
    assert _run(inbox, datetime(2026, 3, 3, 6, 59, tzinfo=UTC), timedelta(minutes=30)) == []
    sent = inbox.due(datetime(2026, 3, 3, 7, 0, tzinfo=UTC))
    assert [m.kind for m in sent] == ["digest"]
    body = sent[0].alert.body
    assert body.count("s1 headline 1") == 1 and body.count("s2 headline 1") == 1
    assert body.index("Syria talks (syria-talks)") < body.index("s1 headline 1")
    assert "2 sources: feed1, TASS (en, ru)" in body
    assert inbox.due(datetime(2026, 3, 4, 7, 0, tzinfo=UTC)) == []  # told once


def test_a_digest_missed_while_down_goes_out_at_once_and_is_not_stuck() -> None:
    inbox = Inbox(_routes(DIGEST), _resolve)
    inbox.offer(_notice("s1", 1), T0, _build)
    late = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)  # two digest times later
    assert [m.kind for m in inbox.due(late)] == ["digest"]
    inbox.offer(_notice("s2", 1), late, _build)
    buffer = next(iter(inbox.buffers.values()))
    assert buffer.due == datetime(2026, 3, 6, 7, 0, tzinfo=UTC).isoformat()


QUIET = """
route:
  receiver: desk
  group_wait: 0s
  quiet: [night]
  bypass: [critical]
time_intervals:
  night:
    - times: [{start: "22:00", end: "07:00"}]
      location: Europe/Paris
"""


def test_quiet_hours_hold_and_release_one_digest_and_critical_bypasses() -> None:
    inbox = Inbox(_routes(QUIET), _resolve)
    night = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)  # 23:00 Paris
    inbox.offer(_notice("s1", 1, SYRIA), night, _build)
    inbox.offer(_notice("s2", 1, LAVROV), night + timedelta(hours=1), _build)
    inbox.offer(_notice("s3", 1, CRITICAL), night + timedelta(hours=2), _build)
    assert inbox.due(night) == []
    urgent = inbox.due(night + timedelta(hours=2))
    assert [(m.kind, m.stories) for m in urgent] == [("first", ("s3",))]
    assert inbox.due(datetime(2026, 3, 3, 5, 59, tzinfo=UTC)) == []
    morning = inbox.due(datetime(2026, 3, 3, 6, 0, tzinfo=UTC))  # 07:00 Paris
    assert [(m.kind, m.stories) for m in morning] == [("quiet", ("s1", "s2"))]


def test_two_nights_release_two_messages_with_their_own_keys() -> None:
    inbox = Inbox(_routes(QUIET), _resolve)
    keys = []
    for night in (datetime(2026, 3, 2, 22, 0, tzinfo=UTC), datetime(2026, 3, 3, 22, 0, tzinfo=UTC)):
        inbox.offer(_notice(f"s{night.day}", 1, SYRIA), night, _build)
        assert inbox.due(night) == []
        released = inbox.due(night + timedelta(hours=8))
        assert [m.kind for m in released] == ["quiet"]
        keys.append(released[0].alert.key)
    assert keys[0] != keys[1]


def test_cool_downs_of_two_rules_release_under_distinct_keys() -> None:
    inbox = Inbox(_routes("route: {receiver: desk, group_wait: 0s, cooldown: 1h}"), _resolve)
    inbox.offer(_notice("a1", 1, SYRIA), T0, _build)
    inbox.offer(_notice("b1", 1, LAVROV), T0, _build)
    inbox.due(T0)
    inbox.offer(_notice("a2", 1, SYRIA), T0 + timedelta(minutes=5), _build)
    inbox.offer(_notice("b2", 1, LAVROV), T0 + timedelta(minutes=5), _build)
    released = inbox.due(T0 + timedelta(hours=1))
    assert sorted(m.stories for m in released) == [("a2",), ("b2",)]
    assert len({m.alert.key for m in released}) == 2


def test_a_silence_records_what_it_matches_at_once_and_its_expiry_resumes() -> None:
    inbox = Inbox(_routes("route: {receiver: desk, group_wait: 30s}"), _resolve)
    inbox.offer(_notice("s1", 1), T0, _build)  # pending when the silence is set
    inbox.silences = [
        Silence.create(
            ["rule=syria-*"],
            author="ana",
            comment="handling it",
            now=T0,
            duration=timedelta(hours=2),
        )
    ]
    assert inbox.due(T0 + timedelta(seconds=30)) == []
    inbox.offer(_notice("s2", 1), T0 + timedelta(minutes=5), _build)
    inbox.offer(_notice("s3", 1, LAVROV), T0 + timedelta(minutes=5), _build)
    sent = inbox.due(T0 + timedelta(minutes=6))
    assert [m.stories for m in sent] == [("s3",)]
    silenced = inbox.take_silenced()
    assert sorted(r.story for r in silenced) == ["s1", "s2"]
    inbox.offer(_notice("s4", 1), T0 + timedelta(hours=2), _build)
    assert [m.stories for m in inbox.due(T0 + timedelta(hours=2, seconds=30))] == [("s4",)]


def test_routing_tree_continue_and_severity_wait_zero() -> None:
    routes = _routes(
        """
route:
  receiver: desk
  group_wait: 30s
  routes:
    - match: {severity: critical}
      receiver: oncall
      group_wait: 0s
      continue: true
    - match: {tags: syria}
      receiver: desk
"""
    )
    inbox = Inbox(routes, _resolve)
    inbox.offer(_notice("s1", 1, CRITICAL), T0, _build)
    now = inbox.due(T0)
    assert [(m.target, m.route) for m in now] == [("t-oncall", "root.0")]
    later = inbox.due(T0 + timedelta(seconds=30))
    assert [(m.target, m.route) for m in later] == [("t-desk", "root.1")]


def test_one_message_names_every_rule_a_story_fires_at_one_target() -> None:
    inbox = Inbox(_routes("route: {receiver: desk, group_wait: 0s}"), _resolve)
    inbox.offer(_notice("s1", 1, SYRIA, LAVROV), T0, _build)
    sent = inbox.due(T0)
    assert len(sent) == 1 and sent[0].alert.title == "first: syria-talks,lavrov"


@pytest.mark.parametrize("cut", [timedelta(seconds=10), timedelta(minutes=30), timedelta(hours=1)])
def test_state_rows_restore_an_inbox_that_then_sends_the_same_messages(cut: timedelta) -> None:
    text = "route: {receiver: desk, group_wait: 30s, group_interval: 10m, cooldown: 1h}"

    def feed(inbox: Inbox, start: datetime, end: datetime) -> list[Message]:
        out: list[Message] = []
        at = start
        while at < end:
            minute = int((at - T0).total_seconds() // 60)
            if minute % 7 == 0 and (at - T0).total_seconds() % 60 == 0:
                inbox.offer(_notice(f"s{minute // 14}", minute, SYRIA), at, _build)
            out += inbox.due(at)
            at += timedelta(seconds=10)
        return out

    end = T0 + timedelta(hours=3)
    whole = feed(Inbox(_routes(text), _resolve), T0, end)
    first = Inbox(_routes(text), _resolve)
    before = feed(first, T0, T0 + cut)
    rows: dict[tuple[str, str], str] = {}
    for kind, key, value in first.state_rows():
        if value is None:
            rows.pop((kind, key), None)
        else:
            rows[(kind, key)] = value
    second = Inbox(_routes(text), _resolve)
    second.load((k, key, v) for (k, key), v in rows.items())
    after = feed(second, T0 + cut, end)
    keys = [m.alert.key for m in before + after]
    assert keys == [m.alert.key for m in whole]
    assert len(keys) == len(set(keys)) and len(keys) >= 3
