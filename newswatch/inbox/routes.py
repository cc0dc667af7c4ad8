"""The routing tree of ``routes.yaml``: which receivers hear of a story, when, and how (pure).

The tree has Alertmanager's shape. Every route has matchers (``match:``), settings and child
routes; a notice (one rule firing on one article) enters at the root, and descends into the
first child whose matchers all hold, then into that child's first matching child, and so on; the
deepest route reached is where it is delivered. A child with ``continue: true`` lets the search
go on to its next siblings, so one notice may reach several routes. A route matched by nothing
below it keeps the notice itself. Children inherit every setting they do not set.

    route:
      receiver: desk                # Apprise tags; absent: the rule's own ``notify`` tags
      group_wait: 30s               # wait before a story's first message (more sources join)
      group_interval: 10m           # at most one update a story per interval
      routes:
        - match: {severity: critical}
          group_wait: 0s
          receiver: [oncall, desk]
        - match: {tags: [syria], language: [ar, fr]}
          cooldown: 1h              # one message an hour per rule; later stories are held
          quiet: [night]            # held in these intervals, sent as one digest at their end
          bypass: [critical]
        - match: {feed: "tass-*"}
          digest: {at: "08:00", timezone: Europe/Paris, days: mon-fri}
    time_intervals:
      night:
        - times: [{start: "22:00", end: "07:00"}]
          location: Europe/Paris

Without a routes file, ``Routes.default()`` is today's behaviour: each rule's ``notify`` tags,
the first article of a story sent at once, no updates, no digests.

Problems come back as ``RuleProblem`` with file:line:col, as for rules.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from newswatch.errors import ConfigError
from newswatch.inbox.schedule import (
    DigestSchedule,
    ScheduleError,
    TimeInterval,
    parse_digest,
    parse_duration,
    parse_time_interval,
)
from newswatch.rules.model import Severity
from newswatch.rules.problems import RuleProblem
from newswatch.rules.yamldoc import key_pos, plain, value_pos, yaml_documents

__all__ = [
    "MATCH_FIELDS",
    "Route",
    "RouteSettings",
    "Routes",
    "RoutesError",
    "Subject",
    "load_routes",
    "parse_routes",
]

MATCH_FIELDS = ("rule", "tags", "severity", "feed", "language", "entity")
SEVERITIES = tuple(s.value for s in Severity)
# A routes file is a few dozen lines; a megabyte is a mistake (or an attack), not a tree.
MAX_BYTES = 1 << 20
MAX_DEPTH = 16
_ROUTE_KEYS = {
    "match",
    "receiver",
    "continue",
    "group_wait",
    "group_interval",
    "updates",
    "cooldown",
    "cooldown_by",
    "digest",
    "quiet",
    "bypass",
    "routes",
}
_DURATIONS = ("group_wait", "group_interval", "cooldown")


class RoutesError(ConfigError):
    """A routes file that cannot be used: its problems, each with file:line:col."""

    def __init__(self, problems: Sequence[RuleProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class Subject:
    """What a route matches on: one rule firing on one article."""

    rule: str
    severity: str
    tags: tuple[str, ...] = ()
    feed: str = ""
    language: str = ""
    entities: tuple[str, ...] = ()

    def values(self, name: str) -> tuple[str, ...]:
        if name == "tags":
            return self.tags
        if name == "entity":
            return self.entities
        value: str = getattr(self, name)
        return (value,)


@dataclass(frozen=True, slots=True)
class RouteSettings:
    """A route's settings once inherited. ``receivers`` empty: the rule's ``notify`` tags."""

    receivers: tuple[str, ...] = ()
    group_wait: timedelta = timedelta(0)
    group_interval: timedelta = timedelta(minutes=5)
    updates: bool = False
    cooldown: timedelta = timedelta(0)
    cooldown_by: str = "rule"  # rule | entity
    digest: DigestSchedule | None = None
    quiet: tuple[str, ...] = ()
    bypass: frozenset[str] = frozenset()


# The settings a routes file starts from (the defaults: a short wait so copies from other
# feeds join the first message, then updates at most every 5 minutes).
FILE_DEFAULTS = RouteSettings(group_wait=timedelta(seconds=30), updates=True)


@dataclass(frozen=True, slots=True)
class Route:
    """One node of the tree: ``id`` is its path (``root``, ``root.0``, ``root.0.2``), stable
    while the tree's shape is; ``where`` is file:line of its definition."""

    id: str
    settings: RouteSettings
    matchers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    cont: bool = False
    children: tuple[Route, ...] = ()
    where: str = ""

    def matches(self, subject: Subject) -> bool:
        return all(_any_match(patterns, subject.values(name)) for name, patterns in self.matchers)

    def walk(self) -> Iterable[Route]:
        yield self
        for child in self.children:
            yield from child.walk()


def _any_match(patterns: tuple[str, ...], values: tuple[str, ...]) -> bool:
    # Globs for every field (``tass-*``, ``syria-*``); values are compared lower-case.
    return any(fnmatch.fnmatchcase(v.lower(), p) for p in patterns for v in values)


@dataclass(frozen=True, slots=True)
class Routes:
    root: Route
    intervals: Mapping[str, tuple[TimeInterval, ...]] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def default(cls) -> Routes:
        return cls(Route("root", RouteSettings()))

    @property
    def is_default(self) -> bool:
        return not self.source

    def leaves(self, subject: Subject) -> list[Route]:
        """The routes ``subject`` is delivered at, in tree order (at least the root)."""
        found = _descend(self.root, subject)
        return found or [self.root]

    def route(self, route_id: str) -> Route | None:
        return next((r for r in self.root.walk() if r.id == route_id), None)

    def receivers(self) -> set[str]:
        return {tag for r in self.root.walk() for tag in r.settings.receivers}


def _descend(node: Route, subject: Subject) -> list[Route]:
    found: list[Route] = []
    for child in node.children:
        if not child.matches(subject):
            continue
        found.extend(_descend(child, subject) or [child])
        if not child.cont:
            break
    return found


# --- parsing ---------------------------------------------------------------------------------


def load_routes(path: str | Path, *, receivers: set[str] | None = None) -> Routes:
    """The routes of ``path``; ``RoutesError`` with every problem when it has any.
    ``receivers``, when given, are the tags the Apprise config knows (a route naming another
    is a problem: its messages would go nowhere)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RoutesError([RuleProblem(str(path), 1, 1, f"cannot read: {exc.strerror}")]) from exc
    if len(raw) > MAX_BYTES:
        raise RoutesError([RuleProblem(str(path), 1, 1, f"larger than {MAX_BYTES} bytes")])
    routes, problems = parse_routes(raw.decode("utf-8", "replace"), str(path), receivers)
    errors = [p for p in problems if p.level == "error"]
    if errors or routes is None:
        raise RoutesError(errors or problems)
    return routes


def parse_routes(
    text: str, source: str, receivers: set[str] | None = None
) -> tuple[Routes | None, list[RuleProblem]]:
    """Parse a routes document: (the routes or None, problems and warnings)."""
    docs, problems = yaml_documents(text, source)
    if problems:
        return None, problems
    if len(docs) != 1 or not isinstance(docs[0], CommentedMap):
        return None, [RuleProblem(source, 1, 1, "expected one mapping with a 'route:' key")]
    doc = docs[0]
    parser = _Parser(source)
    for key in doc:
        if key not in ("route", "time_intervals"):
            parser.problem(doc, key, f"{key}: unknown key (expected route, time_intervals)", True)
    intervals = parser.intervals(doc.get("time_intervals"), doc)
    if "route" not in doc or not isinstance(doc["route"], CommentedMap):
        parser.problems.append(RuleProblem(source, 1, 1, "route: required (a mapping)"))
        return None, parser.problems
    root = parser.route(doc["route"], "root", FILE_DEFAULTS, 0)
    routes = Routes(root, intervals, source)
    parser.check(routes, receivers)
    if any(p.level == "error" for p in parser.problems):
        return None, parser.problems
    return routes, parser.problems


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[RuleProblem] = []
        self.where: dict[str, tuple[int, int]] = {}  # route id -> (line, col)
        self.at: dict[tuple[str, str], tuple[int, int]] = {}  # (route id, key) -> value pos

    def problem(
        self, node: CommentedMap, key: Any, message: str, at_key: bool = False, level: str = "error"
    ) -> None:
        line, col = key_pos(node, key) if at_key else value_pos(node, key)
        self.problems.append(RuleProblem(self.source, line, col, message, level=level))

    def intervals(self, node: Any, doc: CommentedMap) -> dict[str, tuple[TimeInterval, ...]]:
        if node is None:
            return {}
        if not isinstance(node, CommentedMap):
            self.problem(doc, "time_intervals", "time_intervals: expected a mapping of names")
            return {}
        out: dict[str, tuple[TimeInterval, ...]] = {}
        for name, items in node.items():
            listed = items if isinstance(items, CommentedSeq) else [items]
            parsed = []
            for n, item in enumerate(listed):
                try:
                    if not isinstance(item, Mapping):
                        raise ScheduleError("expected a mapping with times/weekdays/location")
                    parsed.append(parse_time_interval(plain(item)))
                except ScheduleError as exc:
                    at = (
                        listed.lc.item(n)
                        if isinstance(listed, CommentedSeq)
                        else node.lc.value(name)
                    )
                    self.problems.append(
                        RuleProblem(
                            self.source, at[0] + 1, at[1] + 1, f"time_intervals.{name}: {exc}"
                        )
                    )
            out[str(name)] = tuple(parsed)
        return out

    def route(self, node: CommentedMap, route_id: str, parent: RouteSettings, depth: int) -> Route:
        self.where[route_id] = (node.lc.line + 1, node.lc.col + 1)
        if depth > MAX_DEPTH:
            self.problems.append(
                RuleProblem(self.source, *self.where[route_id], f"routes nested over {MAX_DEPTH}")
            )
            return Route(route_id, parent)
        for key in node:
            if key not in _ROUTE_KEYS:
                known = ", ".join(sorted(_ROUTE_KEYS))
                self.problem(node, key, f"{route_id}: {key}: unknown key (known: {known})", True)
        settings = self.settings(node, route_id, parent)
        matchers = self.matchers(node, route_id) if route_id != "root" else ()
        if route_id == "root" and "match" in node:
            self.problem(node, "match", "root: the root route matches everything (no match:)")
        cont = node.get("continue", False)
        if not isinstance(cont, bool):
            self.problem(node, "continue", f"{route_id}: continue: expected true or false")
            cont = False
        children: list[Route] = []
        sub = node.get("routes")
        if sub is not None:
            if not isinstance(sub, CommentedSeq):
                self.problem(node, "routes", f"{route_id}: routes: expected a list of routes")
            else:
                for n, child in enumerate(sub):
                    child_id = f"{route_id}.{n}"
                    if not isinstance(child, CommentedMap):
                        line, col = sub.lc.item(n)
                        self.problems.append(
                            RuleProblem(
                                self.source, line + 1, col + 1, f"{child_id}: expected a mapping"
                            )
                        )
                        continue
                    children.append(self.route(child, child_id, settings, depth + 1))
        line, _ = self.where[route_id]
        return Route(route_id, settings, matchers, cont, tuple(children), f"{self.source}:{line}")

    def matchers(
        self, node: CommentedMap, route_id: str
    ) -> tuple[tuple[str, tuple[str, ...]], ...]:
        match = node.get("match")
        if match is None:
            return ()
        if not isinstance(match, CommentedMap):
            self.problem(node, "match", f"{route_id}: match: expected a mapping of field: values")
            return ()
        out = []
        for name in match:
            if name not in MATCH_FIELDS:
                fields = ", ".join(MATCH_FIELDS)
                self.problem(
                    match, name, f"{route_id}: match: {name}: unknown field ({fields})", True
                )
                continue
            values = self.strings(match, name, f"{route_id}: match: {name}")
            if name == "severity":
                for v in values:
                    if v not in SEVERITIES:
                        self.problem(
                            match,
                            name,
                            f"{route_id}: match: severity: unknown {v!r} ({', '.join(SEVERITIES)})",
                        )
            if values:
                out.append((str(name), values))
        return tuple(out)

    def strings(self, node: CommentedMap, key: str, label: str) -> tuple[str, ...]:
        value = plain(node[key])
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, str) and v.strip() for v in items):
            self.problem(node, key, f"{label}: expected a string or a list of strings")
            return ()
        return tuple(dict.fromkeys(v.strip().lower() for v in items))

    def settings(self, node: CommentedMap, route_id: str, parent: RouteSettings) -> RouteSettings:
        changes: dict[str, Any] = {}
        for key in node:
            self.at[(route_id, str(key))] = value_pos(node, key)
        if "receiver" in node:
            changes["receivers"] = self.strings(node, "receiver", f"{route_id}: receiver")
        for name in _DURATIONS:
            if name in node:
                try:
                    changes[name] = parse_duration(plain(node[name]))
                except ScheduleError as exc:
                    self.problem(node, name, f"{route_id}: {name}: {exc}")
        if "updates" in node:
            if isinstance(node["updates"], bool):
                changes["updates"] = node["updates"]
            else:
                self.problem(node, "updates", f"{route_id}: updates: expected true or false")
        if "cooldown_by" in node:
            if node["cooldown_by"] in ("rule", "entity"):
                changes["cooldown_by"] = str(node["cooldown_by"])
            else:
                self.problem(node, "cooldown_by", f"{route_id}: cooldown_by: rule or entity")
        if "digest" in node:
            digest = node["digest"]
            if digest is None or digest is False:
                changes["digest"] = None
            elif not isinstance(digest, Mapping):
                self.problem(
                    node, "digest", f"{route_id}: digest: expected {{every: 1h}} or {{at: …}}"
                )
            else:
                try:
                    changes["digest"] = parse_digest(plain(digest))
                except ScheduleError as exc:
                    self.problem(node, "digest", f"{route_id}: digest: {exc}")
        if "quiet" in node:
            changes["quiet"] = self.strings(node, "quiet", f"{route_id}: quiet")
        if "bypass" in node:
            bypass = self.strings(node, "bypass", f"{route_id}: bypass")
            for v in bypass:
                if v not in SEVERITIES:
                    self.problem(node, "bypass", f"{route_id}: bypass: unknown severity {v!r}")
            changes["bypass"] = frozenset(bypass)
        return replace(parent, **changes)

    def check(self, routes: Routes, receivers: set[str] | None) -> None:
        """Contradictions: names nothing defines, timers that can never act."""
        for route in routes.root.walk():
            s = route.settings
            for name in s.quiet:
                if name not in routes.intervals:
                    at = self._where(routes, route.id, "quiet")
                    known = ", ".join(sorted(routes.intervals)) or "none defined"
                    self.problems.append(
                        RuleProblem(
                            self.source,
                            *at,
                            f"{route.id}: quiet: no time interval {name!r} "
                            f"(time_intervals: {known})",
                        )
                    )
            every = s.digest.every if s.digest is not None else None
            if every is not None and s.updates and s.group_interval > every:
                self.problems.append(
                    RuleProblem(
                        self.source,
                        *self._where(routes, route.id, "group_interval"),
                        f"{route.id}: group_interval ({_human(s.group_interval)}) is longer than "
                        f"the digest period ({_human(every)}): updates would wait longer than the "
                        "digest that lists them; shorten group_interval or remove it",
                    )
                )
            if s.cooldown and s.digest is not None:
                self.problems.append(
                    RuleProblem(
                        self.source,
                        *self._where(routes, route.id, "cooldown"),
                        f"{route.id}: cooldown has no effect on a digest route (a digest is "
                        "already one message per period)",
                        level="warning",
                    )
                )
            if receivers is not None:
                for tag in s.receivers:
                    if tag not in receivers:
                        known = ", ".join(sorted(receivers)) or "no tags"
                        self.problems.append(
                            RuleProblem(
                                self.source,
                                *self._where(routes, route.id, "receiver"),
                                f"{route.id}: receiver {tag!r}: no notification target has this "
                                f"tag (the Apprise config has: {known})",
                            )
                        )

    def _where(self, routes: Routes, route_id: str, key: str) -> tuple[int, int]:
        """Where ``key`` is set for ``route_id``: on it, else on the nearest parent that sets it
        (an inherited value is wrong where it was written)."""
        current = route_id
        while True:
            if (current, key) in self.at:
                return self.at[(current, key)]
            if "." not in current:
                return self.where.get(route_id, (1, 1))
            current = current.rsplit(".", 1)[0]


def _human(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
