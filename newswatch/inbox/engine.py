"""The analyst's inbox: from story notices to the messages a person gets, and when (pure).

``Inbox.offer`` takes one article of a story that fired rules (a ``Notice``), routes each rule
(``routes.Routes``), and files it per (route, target, story) group; ``Inbox.due(now)`` returns
every message whose time has come. Time is always passed in: the runtime gives the wall clock,
``alerts preview`` a simulated one. Nothing here sleeps, sends or stores.

Per group (one story at one target through one route):

- the **first message** goes ``group_wait`` after the story's first article (copies from other
  feeds arriving meanwhile are listed in it: "+2 sources");
- later articles are **updates**, at most one per ``group_interval`` ("+4 sources: RT Arabic,
  TASS, Le Monde; now in ar, ru, fr"), or none with ``updates: false`` (they are counted);
- a **cool-down** (``cooldown: 1h``, per route and rule, or rule + entity) defers the first
  message of a later story instead of dropping it: held stories are listed in one message when
  the cool-down ends;
- a **digest** route sends no message per story: its stories are listed in one message at each
  scheduled time (``every`` or ``at`` in a time zone; a time missed while the monitor was down is
  caught up at once, never skipped);
- **quiet hours** hold whatever falls due inside them, except the ``bypass`` severities, and
  send it as one digest when they end;
- a **silence** records what it matches as silenced and sends nothing of it; checked when a
  notice comes in and again when its message falls due, so a silence takes effect at once.

State is plain data (``state_rows``/``load``): the runtime writes the rows changed by each call
in the same SQLite transaction as the messages it queues, so a crash loses and doubles nothing.
Message keys are deterministic (kind, route, target, story or sequence number), and the
outbox ignores a key it has seen.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from newswatch.alerts.message import Alert
from newswatch.alerts.story import story_key
from newswatch.inbox.routes import Route, Routes, Subject
from newswatch.inbox.schedule import active, active_until
from newswatch.inbox.silences import Silence, first_silence, silenced_values

__all__ = [
    "Entry",
    "FiredRule",
    "Inbox",
    "Message",
    "Notice",
    "SilencedRecord",
]

_SEP = "\x1f"
_SEVERITY = ("info", "low", "medium", "high", "critical")
# A group, once told and idle this long, is forgotten (the stories window is 7 days).
GROUP_RETENTION = timedelta(days=8)
PRUNE_EVERY = timedelta(hours=1)
# Lines a message lists before "… and N more" (a digest is split to the service's length by the
# sender, so this bounds only one story's update).
MAX_LISTED = 50


@dataclass(frozen=True, slots=True)
class FiredRule:
    rule: str
    title: str
    severity: str
    tags: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()  # canonical names matched


@dataclass(frozen=True, slots=True)
class Entry:
    """One article of a story, as messages list it."""

    article_id: str
    title: str
    url: str = ""
    feed: str = ""
    language: str = ""
    published: str = ""  # ISO 8601, or ""

    def line(self) -> str:
        where = ", ".join(p for p in (self.feed, self.language) if p)
        return (
            f"{self.title}"
            + (f" ({where})" if where else "")
            + (f"\n  {self.url}" if self.url else "")
        )


@dataclass(frozen=True, slots=True)
class Notice:
    """One article of ``story`` that fired ``fired`` (each rule once)."""

    story: str
    entry: Entry
    fired: tuple[FiredRule, ...]


#: (rule ids, target, key) -> the first message's alert (title, body, marks), built by the caller
BuildFirst = Callable[[tuple[str, ...], str, str], Alert]
#: Apprise tags -> the target ids they choose
Resolve = Callable[[tuple[str, ...]], Sequence[str]]


@dataclass(frozen=True, slots=True)
class Message:
    """What one target is sent. ``alert`` is the outbox's form of it."""

    kind: str  # first | update | digest | cooldown | quiet
    target: str
    route: str
    at: datetime
    alert: Alert
    stories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SilencedRecord:
    at: datetime
    silence: str
    story: str
    rule: str
    article_id: str
    title: str


@dataclass(slots=True)
class _Group:
    route: str
    target: str
    story: str
    first_at: str
    headline: Entry
    rules: list[FiredRule]
    severity: str
    due: str | None  # ISO time the group's next message is due, None when idle
    sent: int = 0  # messages sent for this group
    last_sent: str | None = None
    first: dict[str, Any] | None = None  # the first message's alert, until it is sent
    pending: list[Entry] = field(default_factory=list)  # not yet told
    told: list[str] = field(default_factory=list)  # article ids told
    feeds: list[str] = field(default_factory=list)  # feeds told
    languages: list[str] = field(default_factory=list)
    unsent_updates: int = 0  # articles not told because updates are off
    held: str = ""  # "", "cooldown" or "quiet": waiting in a buffer
    touched: str = ""


@dataclass(slots=True)
class _Buffer:
    """Stories waiting for one message: a digest, a cool-down's end, or quiet hours' end."""

    kind: str  # digest | cooldown | quiet
    route: str
    target: str
    due: str | None
    groups: list[str] = field(default_factory=list)  # group keys
    seq: int = 0
    until: str | None = None  # cooldown: the end of the current cool-down
    rule: str = ""  # cooldown: the rule (or rule + entity) it counts


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Inbox:
    """The inbox of one runtime. ``resolve`` maps receiver tags to target ids; ``build_first``
    makes a first message's text; ``extra_targets`` (the console) hear of everything."""

    def __init__(
        self,
        routes: Routes,
        resolve: Resolve,
        *,
        default_tag: str = "default",
        extra_targets: Sequence[str] = (),
    ) -> None:
        self.routes = routes
        self.resolve = resolve
        self.default_tag = default_tag
        self.extra_targets = tuple(extra_targets)
        self.silences: list[Silence] = []
        self.groups: dict[str, _Group] = {}
        self.buffers: dict[str, _Buffer] = {}
        self.silenced: list[SilencedRecord] = []  # since the last ``take_silenced``
        self._dirty: set[tuple[str, str]] = set()
        self._pruned_at: datetime | None = None

    # --- state ---------------------------------------------------------------------------

    def state_rows(self) -> list[tuple[str, str, str | None]]:
        """(kind, key, JSON or None for deleted) of every row changed since the last call."""
        rows: list[tuple[str, str, str | None]] = []
        for kind, key in sorted(self._dirty):
            item = (self.groups if kind == "group" else self.buffers).get(key)
            rows.append((kind, key, json.dumps(asdict(item), ensure_ascii=False) if item else None))
        self._dirty.clear()
        return rows

    def load(self, rows: Iterable[tuple[str, str, str]]) -> None:
        for kind, key, text in rows:
            data = json.loads(text)
            if kind == "group":
                data["headline"] = Entry(**data["headline"])
                data["rules"] = [FiredRule(**_tuples(r)) for r in data["rules"]]
                data["pending"] = [Entry(**e) for e in data["pending"]]
                self.groups[key] = _Group(**data)
            else:
                self.buffers[key] = _Buffer(**data)

    def take_silenced(self) -> list[SilencedRecord]:
        out, self.silenced = self.silenced, []
        return out

    def next_due(self) -> datetime | None:
        times = [g.due for g in self.groups.values() if g.due] + [
            b.due for b in self.buffers.values() if b.due
        ]
        return min((_dt(t) for t in times), default=None)

    # --- intake --------------------------------------------------------------------------

    def offer(self, notice: Notice, now: datetime, build_first: BuildFirst) -> None:
        fired = [f for f in notice.fired if not self._silence(notice, f, now)]
        # Keyed by route id: hashing a Route would hash its whole subtree.
        by_group: dict[tuple[str, str], tuple[Route, list[FiredRule]]] = {}
        for rule in fired:
            subject = Subject(
                rule.rule,
                rule.severity,
                tuple(t.lower() for t in rule.tags),
                notice.entry.feed,
                notice.entry.language,
                tuple(e.lower() for e in rule.entities),
            )
            for leaf in self.routes.leaves(subject):
                tags = leaf.settings.receivers or rule.notify or (self.default_tag,)
                targets = list(dict.fromkeys([*self.resolve(tuple(tags)), *self.extra_targets]))
                for target in targets or [""]:
                    by_group.setdefault((leaf.id, target), (leaf, []))[1].append(rule)
        for (_, target), (leaf, rules) in by_group.items():
            self._file(leaf, target, notice, rules, now, build_first)

    def _file(
        self,
        leaf: Route,
        target: str,
        notice: Notice,
        rules: list[FiredRule],
        now: datetime,
        build_first: BuildFirst,
    ) -> None:
        key = _SEP.join((leaf.id, target, notice.story))
        group = self.groups.get(key)
        settings = leaf.settings
        entry = notice.entry
        if group is None:
            ids = tuple(r.rule for r in _ranked(rules))
            alert_key = self._first_key(leaf, target, notice.story)
            first = build_first(ids, target, alert_key)
            group = _Group(
                leaf.id,
                target,
                notice.story,
                _iso(now),
                entry,
                _ranked(rules),
                _top(rules),
                None,
                first=first.to_dict(),
                told=[entry.article_id],
                feeds=[entry.feed] if entry.feed else [],
                languages=[entry.language] if entry.language else [],
            )
            self.groups[key] = group
            if settings.digest is not None:
                self._into_buffer("digest", leaf, target, key, now)
            else:
                group.due = _iso(now + (timedelta(0) if not target else settings.group_wait))
        else:
            known = {r.rule for r in group.rules}
            group.rules = _ranked([*group.rules, *(r for r in rules if r.rule not in known)])
            group.severity = _top(group.rules)
            seen = {e.article_id for e in group.pending} | set(group.told)
            if entry.article_id in seen:
                return
            if group.sent and not settings.updates and settings.digest is None:
                group.unsent_updates += 1
            else:
                group.pending.append(entry)
                if group.sent and group.due is None and not group.held and settings.digest is None:
                    last = _dt(group.last_sent) if group.last_sent else now
                    group.due = _iso(max(now, last + settings.group_interval))
                if settings.digest is not None and group.sent and not group.held:
                    self._into_buffer("digest", leaf, target, key, now)
        group.touched = _iso(now)
        self._dirty.add(("group", key))

    def _first_key(self, leaf: Route, target: str, story: str) -> str:
        # Without a routes file the key is the one the outbox has always used for a story and
        # target, so an upgrade does not tell a known story again.
        if self.routes.is_default:
            return story_key(story, target)
        return _SEP.join(("first", leaf.id, target, story))

    def _silence(self, notice: Notice, rule: FiredRule, now: datetime) -> bool:
        entry = notice.entry
        values = silenced_values(
            rule.rule, rule.entities, (entry.feed,), (entry.language,), notice.story
        )
        silence = first_silence(self.silences, values, now)
        if silence is None:
            return False
        self.silenced.append(
            SilencedRecord(now, silence.id, notice.story, rule.rule, entry.article_id, entry.title)
        )
        return True

    def _group_silenced(self, group: _Group, now: datetime) -> Silence | None:
        entries = [group.headline, *group.pending]
        feeds = [e.feed for e in entries]
        languages = [e.language for e in entries]
        for rule in group.rules:
            values = silenced_values(rule.rule, rule.entities, feeds, languages, group.story)
            silence = first_silence(self.silences, values, now)
            if silence is not None:
                return silence
        return None

    # --- output --------------------------------------------------------------------------

    def due(self, now: datetime) -> list[Message]:
        """Every message due at ``now``, oldest first; the state moves on as if they were
        sent (the caller queues them durably with ``state_rows`` in one transaction)."""
        out: list[Message] = []
        stamp = _iso(now)
        # Only the due ones are sorted (stable: ties keep their order of arrival).
        ripe = [(k, g) for k, g in self.groups.items() if g.due is not None and g.due <= stamp]
        ripe.sort(key=lambda kv: kv[1].due or "")
        for key, group in ripe:
            leaf = self._leaf(group.route)
            group.due = None
            self._dirty.add(("group", key))
            silence = self._group_silenced(group, now)
            if silence is not None:
                self._silence_group(key, group, silence, now)
                continue
            if self._quiet(leaf, group.severity, now) and group.target:
                self._into_buffer("quiet", leaf, group.target, key, now)
                continue
            if leaf.settings.cooldown and group.target:
                # Updates count too: "one alert an hour for this rule". What the cool-down
                # holds is listed in one message when it ends.
                cool = self._cooldown(leaf, group, now)
                if cool.until and cool.until > stamp:
                    group.held = "cooldown"
                    cool.groups.append(key)
                    cool.due = cool.until
                    continue
                cool.until = _iso(now + leaf.settings.cooldown)
            out.append(self._send_group(key, group, now))
        ready = [(k, b) for k, b in self.buffers.items() if b.due is not None and b.due <= stamp]
        ready.sort(key=lambda kv: kv[1].due or "")
        for bkey, buffer in ready:
            message = self._release(bkey, buffer, now)
            if message is not None:
                out.append(message)
        self._prune(now)
        return out

    def _silence_group(self, key: str, group: _Group, silence: Silence, now: datetime) -> None:
        """Record what ``group`` would have told as silenced; it counts as told (its later
        articles are updates, sent once the silence ends)."""
        untold = group.pending if group.sent else [group.headline, *group.pending]
        for entry in dict.fromkeys(untold):
            self.silenced.append(
                SilencedRecord(
                    now,
                    silence.id,
                    group.story,
                    group.rules[0].rule,
                    entry.article_id,
                    entry.title,
                )
            )
        group.held, group.first = "", None
        if not group.sent:
            group.sent, group.last_sent = 1, _iso(now)
        group.told += [e.article_id for e in group.pending]
        group.pending = []
        self._dirty.add(("group", key))

    def _leaf(self, route_id: str) -> Route:
        # A route gone after a reload: its groups finish under the root's settings.
        return self.routes.route(route_id) or self.routes.root

    def _quiet(self, leaf: Route, severity: str, now: datetime) -> bool:
        if not leaf.settings.quiet or severity in leaf.settings.bypass:
            return False
        intervals = [i for name in leaf.settings.quiet for i in self.routes.intervals.get(name, ())]
        return active(intervals, now)

    def _quiet_end(self, leaf: Route, now: datetime) -> datetime:
        intervals = [i for name in leaf.settings.quiet for i in self.routes.intervals.get(name, ())]
        return active_until(intervals, now) or now

    def _cooldown(self, leaf: Route, group: _Group, now: datetime) -> _Buffer:
        rule = group.rules[0]
        counted = rule.rule
        if leaf.settings.cooldown_by == "entity" and rule.entities:
            counted = f"{rule.rule}/{rule.entities[0]}"
        key = _SEP.join(("cooldown", leaf.id, group.target, counted))
        buffer = self.buffers.get(key)
        if buffer is None:
            buffer = _Buffer("cooldown", leaf.id, group.target, None, rule=counted)
            self.buffers[key] = buffer
        self._dirty.add(("buffer", key))
        return buffer

    def _into_buffer(self, kind: str, leaf: Route, target: str, gkey: str, now: datetime) -> None:
        bkey = _SEP.join((kind, leaf.id, target))
        buffer = self.buffers.get(bkey)
        if buffer is None:
            buffer = _Buffer(kind, leaf.id, target, None)
            self.buffers[bkey] = buffer
        if gkey not in buffer.groups:
            buffer.groups.append(gkey)
        if buffer.due is None:
            if kind == "digest" and leaf.settings.digest is not None:
                buffer.due = _iso(leaf.settings.digest.next_after(now))
            elif kind == "quiet":
                buffer.due = _iso(self._quiet_end(leaf, now))
        self.groups[gkey].held = kind
        self._dirty.add(("buffer", bkey))

    def _send_group(self, key: str, group: _Group, now: datetime) -> Message:
        if not group.sent and group.first is not None:
            alert = Alert.from_dict(group.first)
            extra = [e for e in group.pending if e.article_id != group.headline.article_id]
            if extra:
                alert = _with_sources(alert, extra)
            kind = "first"
        else:
            kind = "update"
            alert = self._update_alert(group, now)
        group.sent += 1
        group.last_sent = _iso(now)
        group.first = None
        self._tell(group, group.pending)
        self._dirty.add(("group", key))
        return Message(kind, group.target, group.route, now, alert, (group.story,))

    def _tell(self, group: _Group, entries: Sequence[Entry]) -> None:
        for e in entries:
            group.told.append(e.article_id)
            if e.feed and e.feed not in group.feeds:
                group.feeds.append(e.feed)
            if e.language and e.language not in group.languages:
                group.languages.append(e.language)
        group.pending = []

    def _update_alert(self, group: _Group, now: datetime) -> Alert:
        new = group.pending
        feeds = list(dict.fromkeys(e.feed for e in new if e.feed))
        langs = list(dict.fromkeys([*group.languages, *(e.language for e in new if e.language)]))
        plus = f"+{len(new)} source{'s' if len(new) != 1 else ''}"
        head = f"{plus}: {', '.join(feeds[:5])}{'…' if len(feeds) > 5 else ''}" if feeds else plus
        lines = [
            f"Story: {group.headline.title}",
            f"{head}; now in {', '.join(langs)}" if langs else head,
            "",
            *(f"- {e.line()}" for e in new[:MAX_LISTED]),
        ]
        if len(new) > MAX_LISTED:
            lines.append(f"… and {len(new) - MAX_LISTED} more")
        seq = group.sent
        return self._alert(
            _SEP.join(("update", group.route, group.target, group.story, str(seq))),
            f"[{group.severity.upper()}] {plus}: {group.headline.title}",
            "\n".join(lines),
            group.rules,
            group.target,
            group.story,
            group.headline,
        )

    def _release(self, bkey: str, buffer: _Buffer, now: datetime) -> Message | None:
        leaf = self._leaf(buffer.route)
        self._dirty.add(("buffer", bkey))
        groups = [(k, self.groups[k]) for k in buffer.groups if k in self.groups]
        if buffer.kind == "digest" and self._quiet(leaf, "", now):
            buffer.due = _iso(self._quiet_end(leaf, now))  # a digest waits for quiet hours' end
            return None
        live = []
        for gkey, group in groups:
            silence = self._group_silenced(group, now)
            if silence is None:
                live.append((gkey, group))
                continue
            self._silence_group(gkey, group, silence, now)
        buffer.groups = []
        if buffer.kind == "digest":
            digest = leaf.settings.digest
            buffer.due = _iso(digest.next_after(now)) if digest is not None else None
        else:
            # Kept (not deleted) so its sequence number, part of each message key, goes on:
            # the second night's release is a new message, not a repeat the outbox ignores.
            buffer.due = None
        if not live:
            return None
        buffer.seq += 1
        if buffer.kind == "cooldown":
            buffer.until = _iso(now + leaf.settings.cooldown)
        for gkey, group in live:
            if not group.sent:
                group.told = list(dict.fromkeys([group.headline.article_id, *group.told]))
            group.held, group.sent, group.first = "", group.sent + 1, None
            group.last_sent = _iso(now)
            self._tell(group, [e for e in group.pending])
            self._dirty.add(("group", gkey))
        alert = self._list_alert(bkey, buffer, [g for _, g in live], now)
        return Message(
            buffer.kind, buffer.target, buffer.route, now, alert, tuple(g.story for _, g in live)
        )

    def _list_alert(self, bkey: str, buffer: _Buffer, groups: list[_Group], now: datetime) -> Alert:
        count = f"{len(groups)} stor{'y' if len(groups) == 1 else 'ies'}"
        if buffer.kind == "digest":
            subject = f"Digest: {count}"
            intro = f"Digest of {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC: {count}"
        elif buffer.kind == "cooldown":
            subject = f"{count} held back by the cool-down ({buffer.rule})"
            intro = f"Cool-down of {buffer.rule} ended: {count} held back since the last message"
        else:
            subject = f"Quiet hours ended: {count}"
            intro = f"Quiet hours ended: {count} held"
        by_rule: dict[str, list[_Group]] = {}
        titles: dict[str, str] = {}
        for group in groups:
            rule = group.rules[0]
            by_rule.setdefault(rule.rule, []).append(group)
            titles[rule.rule] = rule.title or rule.rule
        lines = [intro]
        for rule_id, listed in by_rule.items():
            lines += ["", f"{titles[rule_id]} ({rule_id})"]
            for group in listed:
                sources = group.feeds or [group.headline.feed]
                langs = ", ".join(group.languages)
                first = _dt(group.first_at).astimezone(UTC)
                lines.append(
                    f"- {group.headline.title} — {len(sources)} source"
                    f"{'s' if len(sources) != 1 else ''}: {', '.join(s for s in sources if s)}"
                    + (f" ({langs})" if langs else "")
                    + f"; first seen {first:%Y-%m-%d %H:%M} UTC"
                )
                if group.headline.url:
                    lines.append(f"  {group.headline.url}")
        severity = max((g.severity for g in groups), key=_SEVERITY.index)
        rules = _ranked([r for g in groups for r in g.rules])
        key = _SEP.join((bkey, str(buffer.seq)))  # the buffer's key names its rule too
        return self._alert(
            key,
            f"[{severity.upper()}] {subject}",
            "\n".join(lines),
            rules,
            buffer.target,
            "",
            groups[0].headline,
        )

    def _alert(
        self,
        key: str,
        title: str,
        body: str,
        rules: Sequence[FiredRule],
        target: str,
        story: str,
        entry: Entry,
    ) -> Alert:
        ranked = _ranked(list(rules))
        ids = tuple(dict.fromkeys(r.rule for r in ranked))
        return Alert(
            key=key,
            rule_id=ids[0],
            rule_version="",
            article_id=entry.article_id,
            title=title,
            body=body,
            tags=(),
            severity=_top(ranked),
            url=entry.url if story else "",
            targets=(target,) if target else (),
            rules=ids if len(ids) > 1 else (),
            story=story,
        )

    def _prune(self, now: datetime) -> None:
        # A scan of every group, so at most once an hour (``due`` runs every few seconds).
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        horizon = _iso(now - GROUP_RETENTION)
        for key, group in list(self.groups.items()):
            idle = group.due is None and not group.held and not group.pending
            if idle and group.sent and (group.touched or group.first_at) < horizon:
                del self.groups[key]
                self._dirty.add(("group", key))


def _with_sources(alert: Alert, extra: Sequence[Entry]) -> Alert:
    lines = [f"+{len(extra)} more source{'s' if len(extra) != 1 else ''} of this story:"]
    lines += [f"- {e.line()}" for e in extra[:MAX_LISTED]]
    if len(extra) > MAX_LISTED:
        lines.append(f"… and {len(extra) - MAX_LISTED} more")
    data = alert.to_dict()
    data["body"] = alert.body + "\n\n" + "\n".join(lines)
    return Alert.from_dict(data)


def _ranked(rules: Sequence[FiredRule]) -> list[FiredRule]:
    unique = list({r.rule: r for r in rules}.values())
    return sorted(
        unique, key=lambda r: -_SEVERITY.index(r.severity) if r.severity in _SEVERITY else 0
    )


def _top(rules: Sequence[FiredRule]) -> str:
    known = [r.severity for r in rules if r.severity in _SEVERITY]
    return max(known, key=_SEVERITY.index) if known else "medium"


def _tuples(data: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
