"""Digest schedules, durations, day lists and quiet-hour intervals (newswatch.inbox.schedule).

The DST dates are real: Europe/Paris springs forward on Sunday 29 March 2026 (02:00 -> 03:00)
and falls back on Sunday 25 October 2026 (03:00 -> 02:00); America/New_York on Sunday 8 March
and Sunday 1 November 2026.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from newswatch.errors import ConfigError
from newswatch.inbox.schedule import (
    ALL_DAYS,
    MAX_ACTIVE_SPAN,
    DigestSchedule,
    ScheduleError,
    TimeInterval,
    TimeRange,
    active,
    active_until,
    parse_days,
    parse_digest,
    parse_duration,
    parse_time_interval,
    parse_time_intervals,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


# --- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", timedelta(0)),
        ("30s", timedelta(seconds=30)),
        ("5m", timedelta(minutes=5)),
        ("1h", timedelta(hours=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("1w2d3h4m5s", timedelta(weeks=1, days=2, hours=3, minutes=4, seconds=5)),
        (" 10M ", timedelta(minutes=10)),
        ("90", timedelta(seconds=90)),
        ("1.5", timedelta(seconds=1.5)),
        (90, timedelta(seconds=90)),
        (0, timedelta(0)),
        (2.5, timedelta(seconds=2.5)),
    ],
)
def test_parse_duration(text: str | int | float, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["x", "", "-5m", "1h-30m", "30m1h", "1.5h", "5 min", "1hh", "h", -1, float("nan"), True]
)
def test_parse_duration_refuses(text: object) -> None:
    with pytest.raises(ScheduleError) as info:
        parse_duration(text)  # type: ignore[arg-type]
    assert str(info.value).startswith("expected a duration like 30s, 5m, 1h30m: got ")
    assert repr(text) in str(info.value)


def test_schedule_error_is_a_config_error_and_a_value_error() -> None:
    with pytest.raises(ScheduleError) as info:
        parse_duration("-5m")
    assert isinstance(info.value, ConfigError)
    assert isinstance(info.value, ValueError)
    assert "must not be negative" in str(info.value)
    assert (
        str(info.value)
        == "expected a duration like 30s, 5m, 1h30m: got '-5m' (must not be negative)"
    )


# --- days -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mon-fri", {MON, TUE, WED, THU, FRI}),
        ("sat-sun", {SAT, SUN}),
        ("mon,wed,fri", {MON, WED, FRI}),
        ("fri-mon", {FRI, SAT, SUN, MON}),
        ("sun-sun", {SUN}),
        ("Monday-Wednesday", {MON, TUE, WED}),
        ("monday:friday", {MON, TUE, WED, THU, FRI}),
        ("daily", set(range(7))),
        ("all", set(range(7))),
        (["mon", "tue"], {MON, TUE}),
        (["sat-sun", "wed"], {WED, SAT, SUN}),
        ("mon - tue, thu", {MON, TUE, THU}),
    ],
)
def test_parse_days(value: str | list[str], expected: set[int]) -> None:
    assert parse_days(value) == frozenset(expected)


@pytest.mark.parametrize("value", ["", "funday", "mon-", "mon-tue-wed", "mon,,tue", []])
def test_parse_days_refuses(value: object) -> None:
    with pytest.raises(ScheduleError, match="expected days like mon-fri"):
        parse_days(value)  # type: ignore[arg-type]


def test_parse_days_names_the_list_item_at_fault() -> None:
    with pytest.raises(ScheduleError) as info:
        parse_days(["mon", "tue", "thursdy"])
    assert info.value.path == (2,)
    assert str(info.value).startswith("[2]: ")
    assert "'thursdy'" in str(info.value)


# --- every: aligned to the epoch ------------------------------------------------------------


def test_every_hour_is_aligned_to_the_hour_in_utc() -> None:
    digest = parse_digest({"every": "1h"})
    assert digest == DigestSchedule(every=timedelta(hours=1))
    assert digest.next_after(utc(2026, 3, 9, 10, 17, 42)) == utc(2026, 3, 9, 11)
    # Strictly after: an instant on the schedule gives the next one.
    assert digest.next_after(utc(2026, 3, 9, 11)) == utc(2026, 3, 9, 12)
    assert digest.previous_at_or_before(utc(2026, 3, 9, 11)) == utc(2026, 3, 9, 11)
    assert digest.previous_at_or_before(utc(2026, 3, 9, 11, 59, 59)) == utc(2026, 3, 9, 11)


def test_every_is_restart_stable_and_aligned_to_the_epoch_not_to_the_start() -> None:
    digest = parse_digest({"every": "7m"})
    # Two processes started at different moments agree on every instant.
    first = [digest.next_after(utc(2026, 3, 9, 10, 0, 1))]
    second = [digest.next_after(utc(2026, 3, 9, 10, 2, 59))]
    for _ in range(5):
        first.append(digest.next_after(first[-1]))
        second.append(digest.next_after(second[-1]))
    assert first == second
    # 10:03 UTC is a multiple of 7 minutes since 1970, not 7 minutes after either start.
    assert first[0] == utc(2026, 3, 9, 10, 3)
    epoch = utc(1970, 1, 1)
    assert all((t - epoch) % timedelta(minutes=7) == timedelta(0) for t in first)
    assert [b - a for a, b in itertools.pairwise(first)] == [timedelta(minutes=7)] * 5


def test_every_answers_in_utc_whatever_zone_it_is_asked_in() -> None:
    digest = parse_digest({"every": "1h"})
    # 10:30 Paris (CET, +1) is 09:30 UTC: the next hour is 10:00 UTC = 11:00 Paris.
    out = digest.next_after(paris(2026, 3, 9, 10, 30))
    assert out == utc(2026, 3, 9, 10)
    assert out.tzinfo is UTC


def test_every_day_is_midnight_utc_not_local() -> None:
    digest = parse_digest({"every": "1d"})
    assert digest.next_after(paris(2026, 6, 1, 1, 0)) == utc(2026, 6, 1)  # 02:00 Paris


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_digest({"every": "1h"}).next_after(datetime(2026, 3, 9, 10))


# --- at: local wall times -------------------------------------------------------------------


def test_eight_in_paris_stays_eight_local_across_spring_forward() -> None:
    digest = parse_digest({"at": "08:00", "timezone": "Europe/Paris"})
    sat = digest.next_after(utc(2026, 3, 28, 0))
    sun = digest.next_after(sat)
    mon = digest.next_after(sun)
    assert (sat, sun, mon) == (utc(2026, 3, 28, 7), utc(2026, 3, 29, 6), utc(2026, 3, 30, 6))
    assert {t.astimezone(PARIS).time() for t in (sat, sun, mon)} == {time(8)}
    assert sat.tzinfo is UTC


def test_eight_in_paris_stays_eight_local_across_fall_back() -> None:
    digest = parse_digest({"at": "08:00", "timezone": "Europe/Paris"})
    sat = digest.next_after(utc(2026, 10, 24, 0))
    sun = digest.next_after(sat)
    assert (sat, sun) == (utc(2026, 10, 24, 6), utc(2026, 10, 25, 7))


def test_a_time_skipped_by_spring_forward_fires_when_the_gap_ends() -> None:
    digest = parse_digest({"at": "02:30", "timezone": "Europe/Paris"})
    fired = digest.next_after(utc(2026, 3, 28, 12))
    # 02:30 does not exist on 29 March: it fires at 03:00 CEST = 01:00 UTC, the first instant
    # after the gap, then at 02:30 again the next day.
    assert fired == utc(2026, 3, 29, 1)
    assert fired.astimezone(PARIS).time() == time(3)
    assert digest.next_after(fired) == utc(2026, 3, 30, 0, 30)
    assert digest.previous_at_or_before(utc(2026, 3, 29, 1, 0, 0)) == fired
    assert digest.previous_at_or_before(utc(2026, 3, 29, 0, 59, 59)) == utc(2026, 3, 28, 1, 30)


def test_a_time_repeated_by_fall_back_fires_once_at_its_first_occurrence() -> None:
    digest = parse_digest({"at": "02:30", "timezone": "Europe/Paris"})
    fired = digest.next_after(utc(2026, 10, 24, 12))
    assert fired == utc(2026, 10, 25, 0, 30)  # 02:30 CEST
    # Not again at 02:30 CET (01:30 UTC) the same night: next is the following day.
    assert digest.next_after(fired) == utc(2026, 10, 26, 1, 30)
    assert digest.previous_at_or_before(utc(2026, 10, 25, 1, 45)) == fired


def test_new_york_gap_and_repeat() -> None:
    digest = parse_digest({"at": ["01:30", "02:30", "08:00"], "timezone": "America/New_York"})
    # 8 March 2026: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
    times = [digest.next_after(utc(2026, 3, 8, 0))]
    for _ in range(3):
        times.append(digest.next_after(times[-1]))
    assert times == [
        utc(2026, 3, 8, 6, 30),  # 01:30 EST
        utc(2026, 3, 8, 7),  # 02:30 does not exist: 03:00 EDT
        utc(2026, 3, 8, 12),  # 08:00 EDT
        utc(2026, 3, 9, 5, 30),  # 01:30 EDT
    ]
    # 1 November 2026: 01:30 happens twice (EDT 05:30 UTC, EST 06:30 UTC); it fires once.
    first = digest.next_after(utc(2026, 11, 1, 4))
    assert first == utc(2026, 11, 1, 5, 30)
    assert digest.next_after(first) == utc(2026, 11, 1, 7, 30)  # 02:30 EST


def test_days_skip_the_weekend_in_local_days() -> None:
    digest = parse_digest({"at": "08:00", "timezone": "Europe/Paris", "days": "mon-fri"})
    # Friday 6 March 2026, 09:00 Paris: the next one is Monday 9 March 08:00 Paris.
    assert digest.next_after(paris(2026, 3, 6, 9)) == paris(2026, 3, 9, 8)
    assert digest.previous_at_or_before(paris(2026, 3, 9, 7, 59)) == paris(2026, 3, 6, 8)
    # The day is Paris's: Monday 00:30 Paris is still Sunday in UTC.
    assert digest.next_after(utc(2026, 3, 8, 23, 30)) == paris(2026, 3, 9, 8)


def test_days_of_a_late_time_are_local_days_too() -> None:
    digest = parse_digest({"at": "23:30", "timezone": "America/New_York", "days": ["sat"]})
    fired = digest.next_after(utc(2026, 3, 2))
    assert fired == utc(2026, 3, 8, 4, 30)  # Saturday 23:30 EST is Sunday 04:30 UTC
    assert fired.astimezone(NEW_YORK).weekday() == SAT


def test_several_times_a_day_in_order() -> None:
    digest = parse_digest({"at": ["18:30", "08:00"], "timezone": "Europe/Paris"})
    assert digest.at == (time(8), time(18, 30))
    assert digest.next_after(paris(2026, 5, 4, 9)) == paris(2026, 5, 4, 18, 30)
    assert digest.next_after(paris(2026, 5, 4, 18, 30)) == paris(2026, 5, 5, 8)


def test_previous_at_or_before_catches_up_on_a_digest_missed_while_down() -> None:
    digest = parse_digest({"at": "08:00", "timezone": "Europe/Paris", "days": "mon-fri"})
    last_sent = paris(2026, 3, 6, 8)  # Friday's went out, then the process stopped
    restarted = paris(2026, 3, 9, 10, 15)  # Monday 10:15, after Monday's 08:00
    due = digest.previous_at_or_before(restarted)
    assert due == paris(2026, 3, 9, 8)
    assert due > last_sent  # so the inbox sends it now rather than waiting for Tuesday
    assert digest.next_after(due) == paris(2026, 3, 10, 8)


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("Europe/Paris", utc(2026, 3, 26)),
        ("Europe/Paris", utc(2026, 10, 22)),
        ("America/New_York", utc(2026, 3, 5)),
        ("America/New_York", utc(2026, 10, 29)),
    ],
)
def test_next_and_previous_agree_around_dst(zone: str, start: datetime) -> None:
    digest = parse_digest({"at": ["01:30", "02:30", "08:00"], "timezone": zone, "days": "fri-mon"})
    t = start
    while t < start + timedelta(days=7):
        before, after = digest.previous_at_or_before(t), digest.next_after(t)
        assert before <= t < after
        assert digest.next_after(before) == after  # nothing scheduled strictly between
        assert after - before <= timedelta(days=4)  # tue-thu is the longest gap
        t += timedelta(minutes=37)


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"evry": "1h"}, "evry", "unknown key 'evry'"),
        ({"at": "08:00", "tz": "UTC"}, "tz", "unknown key 'tz'"),
        ({"every": "1h", "at": "08:00"}, "", "exactly one of every"),
        ({}, "", "exactly one of every"),
        ({"every": "30s"}, "every", "at least 1 minute"),
        ({"every": "soon"}, "every", "expected a duration like 30s"),
        ({"every": "1h", "days": "mon"}, "days", "applies to at only"),
        ({"every": "1h", "timezone": "Europe/Paris"}, "timezone", "applies to at only"),
        ({"at": "25:00"}, "at", "00:00 to 23:59"),
        ({"at": "8h"}, "at", "expected a time like '08:00'"),
        ({"at": ["08:00", 1110]}, "at[1]", "YAML 1.1 reads an unquoted 18:30 as 1110"),
        ({"at": []}, "at", "at least one time"),
        ({"at": "08:00", "timezone": "Mars/Olympus"}, "timezone", "'Mars/Olympus'"),
        ({"at": "08:00", "timezone": "../etc/passwd"}, "timezone", "unknown time zone"),
        ({"at": "08:00", "days": "mon-funday"}, "days", "unknown day 'funday'"),
        ({"at": "08:00", "days": ["mon", 3]}, "days[1]", "expected days like"),
    ],
)
def test_parse_digest_errors_name_the_field(
    data: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(ScheduleError) as info:
        parse_digest(data)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: " if field else "expected")
    assert words in str(info.value)


def test_error_within_adds_where_the_mapping_sat() -> None:
    with pytest.raises(ScheduleError) as info:
        parse_digest({"at": ["08:00", "99:00"]})
    outer = info.value.within("routes", 2, "digest")
    assert outer.path == ("routes", 2, "digest", "at", 1)
    assert str(outer) == "routes[2].digest.at[1]: expected a time from 00:00 to 23:59: got '99:00'"


def test_digest_schedule_validates_when_built_directly() -> None:
    with pytest.raises(ScheduleError, match="exactly one"):
        DigestSchedule()
    with pytest.raises(ScheduleError, match="at least 1 minute"):
        DigestSchedule(every=timedelta(seconds=59))
    with pytest.raises(ScheduleError, match="'Nowhere/City'") as info:
        DigestSchedule(at=(time(8),), timezone="Nowhere/City")
    assert info.value.path == ("timezone",)
    with pytest.raises(ScheduleError) as info:
        DigestSchedule(at=(time(8),), days=frozenset())
    assert info.value.path == ("days",)
    with pytest.raises(ScheduleError) as info:
        DigestSchedule(at=(time(8, tzinfo=UTC),))
    assert info.value.path == ("at", 0)
    assert DigestSchedule(every=timedelta(minutes=1)).every == timedelta(minutes=1)


def test_digest_defaults() -> None:
    digest = parse_digest({"at": "06:00"})
    assert (digest.timezone, digest.days) == ("UTC", ALL_DAYS)
    assert digest.next_after(utc(2026, 1, 1, 6)) == utc(2026, 1, 2, 6)


# --- time intervals -------------------------------------------------------------------------

NIGHT = parse_time_interval(
    {
        "times": [{"start": "22:00", "end": "07:00"}],
        "weekdays": "mon-fri",
        "location": "Europe/Paris",
    }
)


def test_parse_time_interval() -> None:
    assert (
        TimeInterval(
            times=(TimeRange(time(22), time(7)),),
            weekdays=frozenset({MON, TUE, WED, THU, FRI}),
            location="Europe/Paris",
        )
        == NIGHT
    )
    assert NIGHT.times[0].wraps
    assert parse_time_interval({}) == TimeInterval()


@pytest.mark.parametrize(
    ("when", "inside"),
    [
        (paris(2026, 3, 2, 21, 59), False),  # Monday before it starts
        (paris(2026, 3, 2, 22, 0), True),  # Monday 22:00: starts (inclusive)
        (paris(2026, 3, 3, 6, 59), True),  # Tuesday morning: Monday's night
        (paris(2026, 3, 3, 7, 0), False),  # ends (exclusive)
        (paris(2026, 3, 2, 3, 0), False),  # Monday 03:00 belongs to Sunday's night: not listed
        (paris(2026, 3, 6, 23, 0), True),  # Friday night
        (paris(2026, 3, 7, 3, 0), True),  # Saturday 03:00 is still Friday's night
        (paris(2026, 3, 7, 23, 0), False),  # Saturday night starts on a Saturday: not listed
        (paris(2026, 3, 8, 3, 0), False),
    ],
)
def test_wrapping_range_belongs_to_the_day_it_starts(when: datetime, inside: bool) -> None:
    assert active([NIGHT], when) is inside
    assert NIGHT.contains(when) is inside
    assert (active_until([NIGHT], when) is None) is not inside


def test_active_until_a_wrapping_night_ends_next_morning() -> None:
    assert active_until([NIGHT], paris(2026, 3, 2, 23, 15)) == paris(2026, 3, 3, 7)
    assert active_until([NIGHT], paris(2026, 3, 7, 3)) == paris(2026, 3, 7, 7)
    assert active_until([NIGHT], paris(2026, 3, 2, 12)) is None
    out = active_until([NIGHT], paris(2026, 3, 2, 23, 15))
    assert out is not None and out.tzinfo is UTC


def test_adjacent_ranges_merge_across_days_and_the_spring_forward_night() -> None:
    weekend = parse_time_intervals(
        {
            "weekend": [
                {
                    "times": [{"start": "22:00", "end": "24:00"}],
                    "weekdays": "fri",
                    "location": "Europe/Paris",
                },
                {"weekdays": "sat", "location": "Europe/Paris"},
                {
                    "times": [{"start": "00:00", "end": "07:00"}],
                    "weekdays": "sun",
                    "location": "Europe/Paris",
                },
            ]
        }
    )["weekend"]
    # Friday 27 March 22:30 to Sunday 29 March 07:00 CEST, across the 02:00 -> 03:00 jump.
    end = active_until(weekend, paris(2026, 3, 27, 22, 30))
    assert end == utc(2026, 3, 29, 5)
    assert end is not None and end.astimezone(PARIS).time() == time(7)
    assert not active(weekend, end)
    assert active(weekend, end - timedelta(microseconds=1))
    # Friday 21:59 is before it starts.
    assert active_until(weekend, paris(2026, 3, 27, 21, 59)) is None


def test_overlapping_intervals_in_different_zones_merge() -> None:
    early = parse_time_interval({"times": [{"start": "00:00", "end": "06:00"}]})  # UTC
    paris_morning = parse_time_interval(
        {"times": [{"start": "06:00", "end": "09:00"}], "location": "Europe/Paris"}
    )
    # 9 March (CET): Paris 06:00-09:00 is 05:00-08:00 UTC, overlapping 00:00-06:00 UTC.
    assert active_until([early, paris_morning], utc(2026, 3, 9, 1)) == utc(2026, 3, 9, 8)
    # In July (CEST) Paris 06:00 is 04:00 UTC: still overlapping, ends 07:00 UTC.
    assert active_until([early, paris_morning], utc(2026, 7, 6, 1)) == utc(2026, 7, 6, 7)
    # Apart, the UTC one alone ends at 06:00.
    assert active_until([early], utc(2026, 3, 9, 1)) == utc(2026, 3, 9, 6)


def test_an_interval_covering_all_time_returns_t_plus_the_bound() -> None:
    always = parse_time_interval({})
    t = utc(2026, 3, 9, 10, 30)
    assert active([always], t)
    assert active_until([always], t) == t + MAX_ACTIVE_SPAN == t + timedelta(days=8)
    every_night = parse_time_interval(
        {"times": [{"start": "12:00", "end": "12:00:01"}, {"start": "12:00:01", "end": "12:00"}]}
    )
    assert active_until([every_night], t) == t + timedelta(days=8)


def test_all_week_but_one_gap_ends_at_the_gap() -> None:
    most = parse_time_interval({"weekdays": "mon-sat", "location": "America/New_York"})
    # Monday 9 March 2026 10:00 EDT: active until Sunday 15 March 00:00 EDT (04:00 UTC).
    assert active_until([most], datetime(2026, 3, 9, 10, tzinfo=NEW_YORK)) == utc(2026, 3, 15, 4)


def test_fall_back_hour_counts_twice_by_the_wall_clock() -> None:
    late = parse_time_interval(
        {"times": [{"start": "01:00", "end": "02:30"}], "location": "Europe/Paris"}
    )
    first_0210 = utc(2026, 10, 25, 0, 10)  # 02:10 CEST
    second_0210 = utc(2026, 10, 25, 1, 10)  # 02:10 CET
    assert active([late], first_0210)
    assert not active([late], utc(2026, 10, 25, 0, 40))  # 02:40 CEST
    assert active([late], second_0210)
    assert active_until([late], first_0210) == utc(2026, 10, 25, 0, 30)
    # From the second pass it ends at the second 02:30, not at the first (in the past).
    assert active_until([late], second_0210) == utc(2026, 10, 25, 1, 30)


def test_a_range_ending_inside_the_spring_gap_ends_when_the_gap_does() -> None:
    early = parse_time_interval(
        {"times": [{"start": "00:00", "end": "02:30"}], "location": "Europe/Paris"}
    )
    end = active_until([early], paris(2026, 3, 29, 1, 30))
    assert end == utc(2026, 3, 29, 1)  # 03:00 CEST: 02:30 never happens that night
    assert not active([early], end)


def test_new_york_quiet_hours() -> None:
    quiet = parse_time_intervals(
        {
            "night": [
                {
                    "times": [{"start": "21:00", "end": "06:00"}],
                    "weekdays": ["sat"],
                    "location": "America/New_York",
                }
            ]
        }
    )["night"]
    # Saturday 7 March 21:30 EST; ends Sunday 8 March 06:00 EDT (the clocks jumped) = 10:00 UTC.
    assert active_until(quiet, datetime(2026, 3, 7, 21, 30, tzinfo=NEW_YORK)) == utc(2026, 3, 8, 10)
    assert not active(quiet, datetime(2026, 3, 8, 21, 30, tzinfo=NEW_YORK))  # Sunday night


def test_end_at_midnight_written_24_00_or_00_00() -> None:
    a = parse_time_interval({"times": [{"start": "22:00", "end": "24:00"}]})
    b = parse_time_interval({"times": [{"start": "22:00", "end": "00:00"}]})
    assert a == b
    assert not a.times[0].wraps
    assert active_until([a], utc(2026, 3, 9, 23)) == utc(2026, 3, 10)
    whole = parse_time_interval({"times": [{"start": "00:00", "end": "24:00"}], "weekdays": "mon"})
    assert active_until([whole], utc(2026, 3, 9, 12)) == utc(2026, 3, 10)


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"times": [{"start": "22:00"}]}, "times[0].end", "is required"),
        ({"times": [{"start": "22:00", "end": "7"}]}, "times[0].end", "expected a time like"),
        ({"times": [{"start": "24:00", "end": "07:00"}]}, "times[0].start", "00:00 to 23:59"),
        ({"times": [{"start": "22:00", "end": "24:30"}]}, "times[0].end", "00:00 to 24:00"),
        ({"times": [{"start": "08:00", "end": "08:00"}]}, "times[0]", "empty range"),
        ({"times": [{"start": "08:00", "end": "09:00", "tz": "x"}]}, "times[0].tz", "unknown key"),
        ({"times": {"start": "08:00"}}, "times", "expected a list"),
        ({"weekdays": "weekdays"}, "weekdays", "unknown day 'weekdays'"),
        ({"location": "Europe/Pariss"}, "location", "unknown time zone 'Europe/Pariss'"),
        ({"days_of_month": [1]}, "days_of_month", "unknown key 'days_of_month'"),
    ],
)
def test_parse_time_interval_errors_name_the_field(
    data: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(ScheduleError) as info:
        parse_time_interval(data)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert words in str(info.value)


def test_parse_time_intervals_mapping_form_and_errors() -> None:
    parsed = parse_time_intervals(
        {
            "night": [{"times": [{"start": "22:00", "end": "07:00"}]}],
            "weekend": [{"weekdays": "sat-sun"}],
        }
    )
    assert set(parsed) == {"night", "weekend"}
    assert parsed["weekend"] == (TimeInterval(weekdays=frozenset({SAT, SUN})),)
    with pytest.raises(ScheduleError) as info:
        parse_time_intervals({"night": [{"times": [{"start": "22:00", "end": "7:0"}]}]})
    assert info.value.path == ("night", 0, "times", 0, "end")
    assert str(info.value).startswith("night[0].times[0].end: ")
    with pytest.raises(ScheduleError, match="night: expected a non-empty list"):
        parse_time_intervals({"night": []})
    with pytest.raises(ScheduleError, match="night: expected a non-empty list"):
        parse_time_intervals({"night": {"times": []}})
    # Alertmanager's list form is refused with the mapping form shown.
    with pytest.raises(ScheduleError, match="expected a mapping of names"):
        parse_time_intervals([{"name": "night", "time_intervals": []}])  # type: ignore[arg-type]


def test_time_interval_validates_when_built_directly() -> None:
    with pytest.raises(ScheduleError) as info:
        TimeInterval(location="Nowhere/City")
    assert info.value.path == ("location",)
    with pytest.raises(ScheduleError) as info:
        TimeInterval(weekdays=frozenset({7}))
    assert info.value.path == ("weekdays",)
    with pytest.raises(ScheduleError) as info:
        TimeInterval(times=(TimeRange(time(9), time(9)),))
    assert info.value.path == ("times", 0)
