"""When the analyst's inbox sends: durations, digest schedules and quiet-hour intervals (pure).

Nothing here reads a clock or a file: every question takes the instant it is about, so the
inbox, ``alerts preview`` on a simulated clock and the tests all get the same answers.

Two kinds of time are kept apart on purpose:

* **Periods** (``every: 1h``, cool-downs) are physical durations. A digest ``every`` period is
  aligned to multiples of the period since the Unix epoch in UTC, so a restart, a reload or a
  second worker computes the same instants instead of counting from its own start.
* **Wall times** (``at: "08:00"``, quiet hours) are what a person in a time zone reads on the
  clock; they follow that zone's daylight-saving rules (IANA zones through :mod:`zoneinfo`).
  08:00 Paris stays 08:00 local across DST. A wall time skipped by a spring-forward gap fires
  at the first instant after the gap (02:30 -> 03:00 local); a wall time repeated by a
  fall-back fires once, at its first occurrence.

``previous_at_or_before`` exists so the inbox can catch up on a digest that fell due while the
process was down: it always computes the schedule from the instant asked about, never from a
stored "next time", so a digest cannot stick on a past time and never send (ElastAlert #836).

Errors are :class:`ScheduleError`; ``str(error)`` starts with the field concerned, relative to
the mapping parsed (``"at[1]: expected a time like '08:00' …"``) and ``error.path`` holds the
same path as keys and indexes, so a loader can look up the YAML node's line and column.

YAML shapes accepted::

    digest: {every: 1h}
    digest: {at: "08:00", timezone: Europe/Paris, days: mon-fri}
    digest: {at: ["08:00", "18:30"], timezone: America/New_York, days: [mon, wed, fri]}

    time_intervals:                      # name -> list of intervals (the mapping form only)
      night:
        - times: [{start: "22:00", end: "07:00"}]     # start > end wraps past midnight
          weekdays: mon-fri                          # the day a wrapping range starts on
          location: Europe/Paris                     # IANA zone, default UTC
      weekend:
        - weekdays: [sat, sun]                       # no times: all day on those days
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newswatch.errors import ConfigError

__all__ = [
    "ALL_DAYS",
    "MAX_ACTIVE_SPAN",
    "DigestSchedule",
    "ScheduleError",
    "TimeInterval",
    "TimeIntervals",
    "TimeRange",
    "active",
    "active_until",
    "parse_days",
    "parse_digest",
    "parse_duration",
    "parse_time_interval",
    "parse_time_intervals",
]

ALL_DAYS: frozenset[int] = frozenset(range(7))
# How far active_until looks before it gives up: intervals repeat every week, so a set still
# active after 8 days covers all time (a week plus a day for DST and a wrapping range).
MAX_ACTIVE_SPAN = timedelta(days=8)
MIN_EVERY = timedelta(minutes=1)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAYS: dict[str, int] = {
    **{name: n for n, name in enumerate(_DAY_NAMES)},
    **{name[:3]: n for n, name in enumerate(_DAY_NAMES)},
}
_ALL_WORDS = frozenset({"daily", "all"})
_DURATION = re.compile(
    r"(?:(?P<w>\d+)w)?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?"
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CLOCK = re.compile(r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?")
_DURATION_HINT = "expected a duration like 30s, 5m, 1h30m"
_DAY_HINT = "expected days like mon-fri, sat-sun, mon,wed,fri or daily"

Path: TypeAlias = tuple[str | int, ...]


class ScheduleError(ConfigError):
    """A duration, day list, digest schedule or time interval the operator wrote is invalid.

    ``path`` names the field inside the mapping that was parsed (``("at", 1)``), and the
    message starts with it (``"at[1]: …"``), so a loader can point at the YAML line and column.
    """

    def __init__(self, problem: str, *, path: Path = ()) -> None:
        self.problem = problem
        self.path: Path = path
        super().__init__(f"{self.field}: {problem}" if path else problem)

    @property
    def field(self) -> str:
        """The path written as YAML readers say it: ``times[0].end``."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    def within(self, *prefix: str | int) -> ScheduleError:
        """The same problem, one level further out (the loader adds where the mapping sat)."""
        return ScheduleError(self.problem, path=(*prefix, *self.path))


@contextmanager
def _at(*prefix: str | int) -> Iterator[None]:
    try:
        yield
    except ScheduleError as exc:
        raise exc.within(*prefix) from None


# --- durations and days ---------------------------------------------------------------------


def parse_duration(text: str | int | float) -> timedelta:
    """``"0"``, ``"30s"``, ``"5m"``, ``"1h30m"``, ``"2d"``, ``"1w"``; a bare number is seconds.

    Units run from weeks down to seconds, each at most once, as Alertmanager and ElastAlert
    users write them; anything else (negative, ``"1.5h"``, ``"5 min"``) is refused rather than
    guessed, because a misread cool-down silently sends too much or too little.
    """
    if isinstance(text, bool) or not isinstance(text, int | float | str):
        raise ScheduleError(f"{_DURATION_HINT}: got {text!r}")
    if isinstance(text, int | float):
        if not text >= 0 or text == float("inf"):  # also refuses NaN
            raise ScheduleError(f"{_DURATION_HINT}: got {text!r} (must not be negative)")
        return timedelta(seconds=text)
    value = text.strip().lower()
    if _NUMBER.fullmatch(value):
        return timedelta(seconds=float(value))
    match = _DURATION.fullmatch(value)
    if not value or match is None:
        hint = " (must not be negative)" if value.startswith("-") else ""
        raise ScheduleError(f"{_DURATION_HINT}: got {text!r}{hint}")
    parts = {unit: int(n) for unit, n in match.groupdict().items() if n is not None}
    return timedelta(
        weeks=parts.get("w", 0),
        days=parts.get("d", 0),
        hours=parts.get("h", 0),
        minutes=parts.get("m", 0),
        seconds=parts.get("s", 0),
    )


def _day(token: str, original: object) -> int:
    day = _DAYS.get(token.strip().lower())
    if day is None:
        raise ScheduleError(f"{_DAY_HINT}: unknown day {token.strip()!r} in {original!r}")
    return day


def _days_of(text: str, original: object) -> set[int]:
    out: set[int] = set()
    for token in text.split(","):
        word = token.strip().lower()
        if not word:
            raise ScheduleError(f"{_DAY_HINT}: got {original!r}")
        if word in _ALL_WORDS:
            out.update(ALL_DAYS)
            continue
        # Alertmanager writes ranges "monday:friday"; both spellings are accepted.
        ends = re.split(r"\s*[-:]\s*", word)
        if len(ends) == 1:
            out.add(_day(word, original))
        elif len(ends) == 2:
            first, last = _day(ends[0], original), _day(ends[1], original)
            # "fri-mon" wraps through the weekend: fri, sat, sun, mon.
            out.update((first + n) % 7 for n in range((last - first) % 7 + 1))
        else:
            raise ScheduleError(f"{_DAY_HINT}: got {original!r}")
    return out


def parse_days(value: str | Sequence[str]) -> frozenset[int]:
    """Days of the week, 0 = Monday: ``"mon-fri"``, ``"fri-mon"`` (wraps), ``"mon,wed,fri"``,
    ``["mon", "tue"]``, ``"daily"`` / ``"all"``; full names (``monday``) and Alertmanager's
    ``monday:friday`` are accepted too. An empty list is refused: a schedule that never
    fires is a mistake, not a setting."""
    if isinstance(value, str):
        days = _days_of(value, value)
    elif isinstance(value, Sequence) and value:
        days = set()
        for n, item in enumerate(value):
            if not isinstance(item, str):
                raise ScheduleError(f"{_DAY_HINT}: got {item!r}", path=(n,))
            with _at(n):
                days |= _days_of(item, item)
    else:
        raise ScheduleError(f"{_DAY_HINT}: got {value!r}")
    return frozenset(days)


def _clock(value: object, *, end: bool = False) -> time:
    """A wall time "HH:MM" (or "HH:MM:SS"); for the end of a range, "24:00" too (as 00:00)."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ScheduleError(f"expected a wall time without a zone: got {value!r}")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 (PyYAML) reads an unquoted 18:30 as the base-60 number 1110.
        raise ScheduleError(
            f"expected a time like '08:00': got the number {value} (quote it: YAML 1.1 reads "
            "an unquoted 18:30 as 1110)"
        )
    match = _CLOCK.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ScheduleError(f"expected a time like '08:00' or '18:30': got {value!r}")
    hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    if end and (hour, minute, second) == (24, 0, 0):
        return time(0)
    if hour > 23 or minute > 59 or second > 59:
        limit = "00:00 to 24:00" if end else "00:00 to 23:59"
        raise ScheduleError(f"expected a time from {limit}: got {value!r}")
    return time(hour, minute, second)


def _zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name.strip():
        raise ScheduleError(f"expected an IANA time zone such as Europe/Paris: got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleError(
            f"unknown time zone {name!r} (expected an IANA name such as Europe/Paris)"
        ) from None


def _check_keys(data: Mapping[str, object], allowed: tuple[str, ...], what: str) -> None:
    if not isinstance(data, Mapping):
        raise ScheduleError(f"expected a mapping for {what} ({', '.join(allowed)}): got {data!r}")
    for key in data:
        if key not in allowed:
            raise ScheduleError(
                f"unknown key {key!r} in {what} (expected {', '.join(allowed)})", path=(str(key),)
            )


def _check_days(days: object, field: str) -> None:
    if not isinstance(days, frozenset) or not days or not days <= ALL_DAYS:
        raise ScheduleError(f"expected a non-empty set of days 0-6: got {days!r}", path=(field,))


# --- wall time to instants ------------------------------------------------------------------


def _instants(wall: datetime, zone: ZoneInfo) -> list[datetime]:
    """The UTC instants at which ``zone``'s clocks read the naive ``wall``, earliest first:
    one normally, two in a fall-back repeat, and, for a wall time skipped by a spring-forward
    gap, the instant the gap ends (the first instant after it)."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) != wall:
        return [_transition(min(first, second), max(first, second), zone)]
    return sorted({first, second})


def _transition(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The instant between ``before`` and ``after`` where ``zone``'s offset changes (tz
    transitions fall on whole seconds, so a binary search over seconds finds it exactly)."""
    lo, hi = int(before.timestamp()), int(after.timestamp())
    target = datetime.fromtimestamp(hi, zone).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == target:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def _aware(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime: got {t!r}")
    return t.astimezone(UTC)


# --- digests --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """When a route's digest is sent: ``every`` period, or local wall times ``at`` on ``days``.

    Exactly one of ``every`` (at least a minute: a shorter digest is just a delay) and ``at``
    is set. ``timezone`` (IANA, default UTC) and ``days`` (0 = Monday, default every day) only
    apply to ``at``: an ``every`` period is physical time aligned to the Unix epoch, so it has
    no local day to filter on.
    """

    every: timedelta | None = None
    at: tuple[time, ...] = ()
    timezone: str = "UTC"
    days: frozenset[int] = ALL_DAYS

    def __post_init__(self) -> None:
        if (self.every is None) == (not self.at):
            raise ScheduleError("expected exactly one of every or at")
        if self.every is not None:
            if not isinstance(self.every, timedelta) or self.every < MIN_EVERY:
                raise ScheduleError(
                    f"must be at least 1 minute: got {self.every!r}", path=("every",)
                )
            if self.timezone != "UTC" or self.days != ALL_DAYS:
                field = "timezone" if self.timezone != "UTC" else "days"
                raise ScheduleError(
                    "applies to at only: an every period is aligned to UTC", path=(field,)
                )
        for n, wall in enumerate(self.at):
            if not isinstance(wall, time) or wall.tzinfo is not None:
                raise ScheduleError(
                    f"expected a wall time without a zone: got {wall!r}", path=("at", n)
                )
        with _at("timezone"):
            _zone(self.timezone)
        _check_days(self.days, "days")

    def next_after(self, t: datetime) -> datetime:
        """The first scheduled instant strictly after the aware ``t``, as aware UTC."""
        t = _aware(t)
        if self.every is not None:
            return _EPOCH + ((t - _EPOCH) // self.every + 1) * self.every
        return min(i for i in self._candidates(t) if i > t)

    def previous_at_or_before(self, t: datetime) -> datetime:
        """The latest scheduled instant at or before the aware ``t``, as aware UTC: the digest
        that should already have gone out (the inbox sends it if it has not)."""
        t = _aware(t)
        if self.every is not None:
            return _EPOCH + ((t - _EPOCH) // self.every) * self.every
        return max(i for i in self._candidates(t) if i <= t)

    def _candidates(self, t: datetime) -> Iterator[datetime]:
        # Nine local days around t hold a scheduled day on both sides of it whatever ``days``
        # is (at most six days apart), and a gap moves a firing by hours, not days.
        zone = ZoneInfo(self.timezone)
        today = t.astimezone(zone).date()
        for offset in range(-8, 9):
            day = today + timedelta(days=offset)
            if day.weekday() in self.days:
                for wall in self.at:
                    yield _instants(datetime.combine(day, wall), zone)[0]


def parse_digest(data: Mapping[str, object]) -> DigestSchedule:
    """A digest from YAML: ``{every: 1h}`` or ``{at: "08:00" | [...], timezone: Europe/Paris,
    days: mon-fri}``. Unknown keys are refused (a misspelt ``timezone`` would silently mean
    UTC)."""
    _check_keys(data, ("every", "at", "timezone", "days"), "a digest")
    if ("every" in data) == ("at" in data):
        raise ScheduleError("expected exactly one of every (a period) or at (local times)")
    if "every" in data:
        with _at("every"):
            every = parse_duration(data["every"])  # type: ignore[arg-type]
            if every < MIN_EVERY:
                raise ScheduleError(f"must be at least 1 minute: got {data['every']!r}")
        for key in ("timezone", "days"):
            if key in data:
                raise ScheduleError(
                    "applies to at only: an every period is aligned to UTC", path=(key,)
                )
        return DigestSchedule(every=every)
    raw = data["at"]
    walls: list[time] = []
    if isinstance(raw, list | tuple):
        if not raw:
            raise ScheduleError("expected at least one time like '08:00'", path=("at",))
        for n, item in enumerate(raw):
            with _at("at", n):
                walls.append(_clock(item))
    else:
        with _at("at"):
            walls.append(_clock(raw))
    timezone = data.get("timezone", "UTC")
    with _at("timezone"):
        _zone(timezone)
    days = ALL_DAYS
    if "days" in data:
        with _at("days"):
            days = parse_days(data["days"])  # type: ignore[arg-type]
    return DigestSchedule(at=tuple(sorted(set(walls))), timezone=str(timezone), days=days)


# --- time intervals (quiet hours) -----------------------------------------------------------


class TimeRange(NamedTuple):
    """A wall-time range ``[start, end)``. ``end == 00:00`` means 24:00, the end of the day
    (written "24:00" or "00:00"); ``start > end`` wraps past midnight into the next day."""

    start: time
    end: time

    @property
    def wraps(self) -> bool:
        return self.end != time(0) and self.start > self.end


def _us(wall: time) -> int:
    return ((wall.hour * 60 + wall.minute) * 60 + wall.second) * 1_000_000 + wall.microsecond


_DAY_US = 86_400 * 1_000_000


@dataclass(frozen=True, slots=True)
class TimeInterval:
    """Alertmanager's ``time_intervals`` entry, simplified: wall-time ``times`` on
    ``weekdays`` in ``location``. No ``times`` means all day. For a wrapping range (22:00-07:00)
    ``weekdays`` names the day it starts on: ``weekdays: fri`` covers Friday 22:00 to Saturday
    07:00. Membership is by the local wall clock, as in Alertmanager: a fall-back hour inside
    the range counts both times; a spring-forward gap is simply absent."""

    times: tuple[TimeRange, ...] = ()
    weekdays: frozenset[int] = ALL_DAYS
    location: str = "UTC"

    def __post_init__(self) -> None:
        for n, rng in enumerate(self.times):
            if not isinstance(rng, TimeRange) or not all(
                isinstance(w, time) and w.tzinfo is None for w in rng
            ):
                raise ScheduleError(
                    f"expected a TimeRange of wall times: got {rng!r}", path=("times", n)
                )
            if rng.start == rng.end and rng.end != time(0):
                raise ScheduleError(
                    f"start and end are both {rng.start:%H:%M}: an empty range "
                    "(write 00:00 to 24:00 for all day)",
                    path=("times", n),
                )
        _check_days(self.weekdays, "weekdays")
        with _at("location"):
            _zone(self.location)

    def contains(self, t: datetime) -> bool:
        """Whether the aware instant ``t`` falls inside this interval."""
        return bool(self._ends(_aware(t).astimezone(ZoneInfo(self.location))))

    def _ends(self, local: datetime) -> list[datetime]:
        """The naive local wall times at which each range holding ``local`` ends."""
        wall = local.replace(tzinfo=None)
        day, now = wall.date(), _us(wall.time())
        today, yesterday = day.weekday() in self.weekdays, (day.weekday() - 1) % 7 in self.weekdays
        midnight = datetime.combine(day, time(0))
        if not self.times:
            return [midnight + timedelta(days=1)] if today else []
        ends = []
        for rng in self.times:
            start, end = _us(rng.start), _us(rng.end) or _DAY_US
            if not rng.wraps:
                if today and start <= now < end:
                    ends.append(midnight + timedelta(microseconds=end))
            elif today and now >= start:
                ends.append(datetime.combine(day + timedelta(days=1), rng.end))
            elif yesterday and now < end:
                ends.append(datetime.combine(day, rng.end))
        return ends


TimeIntervals: TypeAlias = dict[str, tuple[TimeInterval, ...]]


def parse_time_interval(data: Mapping[str, object]) -> TimeInterval:
    """One interval from YAML: ``{times: [{start: "22:00", end: "07:00"}], weekdays: mon-fri,
    location: Europe/Paris}``; every key is optional (``{}`` is all the time, in UTC)."""
    _check_keys(data, ("times", "weekdays", "location"), "a time interval")
    ranges: list[TimeRange] = []
    raw = data.get("times", [])
    if not isinstance(raw, list | tuple):
        raise ScheduleError(
            f"expected a list like [{{start: '22:00', end: '07:00'}}]: got {raw!r}",
            path=("times",),
        )
    for n, item in enumerate(raw):
        with _at("times", n):
            _check_keys(item, ("start", "end"), "a time range")
            for key in ("start", "end"):
                if key not in item:
                    raise ScheduleError("is required (a time like '22:00')", path=(key,))
            with _at("start"):
                start = _clock(item["start"])
            with _at("end"):
                end = _clock(item["end"], end=True)
            ranges.append(TimeRange(start, end))
    weekdays = ALL_DAYS
    if "weekdays" in data:
        with _at("weekdays"):
            weekdays = parse_days(data["weekdays"])  # type: ignore[arg-type]
    location = data.get("location", "UTC")
    with _at("location"):
        _zone(location)
    return TimeInterval(times=tuple(ranges), weekdays=weekdays, location=str(location))


def parse_time_intervals(data: Mapping[str, object]) -> TimeIntervals:
    """Named unions of intervals, in the mapping form only: ``{night: [{times: …}, …], …}``.

    Alertmanager's list form (``[{name: night, time_intervals: [...]}]``) is refused with a
    message showing the mapping form: one shape keeps ``rules check`` messages and the docs
    simple, and a name can then appear only once.
    """
    if not isinstance(data, Mapping):
        raise ScheduleError(
            "expected a mapping of names to lists of intervals, e.g. "
            f"{{night: [{{times: [{{start: '22:00', end: '07:00'}}]}}]}}: got {data!r}"
        )
    out: TimeIntervals = {}
    for name, items in data.items():
        if not isinstance(name, str) or not name.strip():
            raise ScheduleError(f"expected an interval name: got {name!r}", path=(str(name),))
        if not isinstance(items, list | tuple) or not items:
            raise ScheduleError(
                f"expected a non-empty list of intervals: got {items!r}", path=(name,)
            )
        parsed = []
        for n, item in enumerate(items):
            with _at(name, n):
                parsed.append(parse_time_interval(item))
        out[name] = tuple(parsed)
    return out


def active(intervals: Sequence[TimeInterval], t: datetime) -> bool:
    """Whether the aware instant ``t`` is inside any of ``intervals``."""
    return any(interval.contains(t) for interval in intervals)


def active_until(intervals: Sequence[TimeInterval], t: datetime) -> datetime | None:
    """``None`` if ``t`` is outside every interval; otherwise the first instant at or after
    ``t`` outside all of them, as aware UTC. Adjacent and overlapping ranges merge, across
    days and zones: Fri 22:00-24:00 + Sat all day + Sun 00:00-07:00 ends Sun 07:00.

    The search is bounded: intervals repeat weekly, so a union still active
    :data:`MAX_ACTIVE_SPAN` (8 days) after ``t`` covers all time, and ``t + 8 days`` is returned
    (the caller holds until then and asks again) instead of looping forever.
    """
    t = _aware(t)
    limit = t + MAX_ACTIVE_SPAN
    cur = t
    while cur < limit:
        ends: list[datetime] = []
        for interval in intervals:
            zone = ZoneInfo(interval.location)
            for wall in interval._ends(cur.astimezone(zone)):
                # The range ends at the first instant after ``cur`` when the clock reads its
                # end (the second pass of a fall-back hour, or the end of a skipped gap).
                later = [i for i in _instants(wall, zone) if i > cur]
                ends.append(later[0] if later else cur + timedelta(seconds=1))
        if not ends:
            return None if cur == t else cur
        cur = max(ends)
    return limit
