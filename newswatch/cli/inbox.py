"""``newswatch silence add|list|expire`` and ``newswatch routes check``: thin wrappers over
``inbox.store.InboxStore`` (silences, in ``<state>/outbox.sqlite3``, read by the running
monitor at its next inbox round) and ``inbox.routes.load_routes``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from newswatch.alerts.firing import fire
from newswatch.alerts.outbox import Outbox
from newswatch.alerts.targets import Targets
from newswatch.archive.sqlite import SqliteArchive
from newswatch.cli.app import EXIT_FAILED, NewswatchGroup
from newswatch.cli.options import (
    OPTIONAL_BOOTSTRAP_OPTION,
    PREFIX_OPTION,
    ROUTES_OPTION,
    RULES_OPTION,
    STATE_OPTION,
    apprise_option,
    format_option,
    kafka_settings,
)
from newswatch.constants import ARCHIVE_FILENAME, OUTBOX_FILENAME
from newswatch.errors import ConfigError
from newswatch.inbox.notices import notice_for
from newswatch.inbox.routes import Routes, parse_routes
from newswatch.inbox.schedule import ScheduleError, parse_duration
from newswatch.inbox.silences import DEFAULT_FOR, Silence, SilenceError, silenced_values
from newswatch.inbox.store import InboxStore
from newswatch.kafka.inboxfeed import publish_routes, publish_silence, read_control
from newswatch.matching.snapshot import RuleSnapshot
from newswatch.rules.loader import load_rules

__all__ = ["routes_group", "silence_group"]

PREVIEW_DAYS = 7


def _store(state_dir: Path) -> InboxStore:
    return InboxStore(Outbox(state_dir / OUTBOX_FILENAME))


@click.group("silence", cls=NewswatchGroup)
def silence_group() -> None:
    """Silences: keep matching alerts from being sent, for a time; recorded, not sent.

    \b
    Example:
      newswatch silence add --match rule=syria-talks --for 2h --author ana --comment "on it"
      newswatch silence list
      newswatch silence expire 3f2a
    """


@silence_group.command("add")
@STATE_OPTION
@OPTIONAL_BOOTSTRAP_OPTION
@PREFIX_OPTION
@RULES_OPTION
@click.option(
    "--match",
    "matchers",
    multiple=True,
    required=True,
    metavar="FIELD=GLOB",
    help="rule=, entity=, feed=, language= or story= (repeat: all must hold).",
)
@click.option(
    "--for",
    "duration",
    default="1h",
    show_default=True,
    help="How long (30m, 2h, 3d; at most 30d).",
)
@click.option("--author", required=True, help="Who sets it.")
@click.option("--comment", required=True, help="Why (shown with it).")
@click.option(
    "--preview",
    is_flag=True,
    help=f"Only show what it would have silenced in the archive's last {PREVIEW_DAYS} days.",
)
def silence_add(
    state_dir: Path,
    bootstrap: str | None,
    topic_prefix: str,
    rules_dir: Path,
    matchers: tuple[str, ...],
    duration: str,
    author: str,
    comment: str,
    preview: bool,
) -> None:
    """Add a silence; it takes effect at the monitor's next inbox round (seconds).

    \b
    Example:
      newswatch silence add --match rule=syria-talks --for 2h --author ana --comment "handling it"
      newswatch silence add --match feed=tass-* --match language=ru --for 1d \\
          --author ops --comment "feed flood" --preview
      newswatch silence add --bootstrap 127.0.0.1:9092 --match rule=syria-talks --for 2h \\
          --author ana --comment "on it"     (Kafka: every worker within seconds)
    """
    now = datetime.now(UTC)
    try:
        length = parse_duration(duration) if duration else DEFAULT_FOR
        silence = Silence.create(matchers, author=author, comment=comment, now=now, duration=length)
    except (SilenceError, ScheduleError) as exc:
        raise ConfigError(str(exc)) from exc
    if preview:
        _preview(state_dir, rules_dir, silence, now)
        return
    if bootstrap is not None:
        publish_silence(kafka_settings(bootstrap, topic_prefix), silence)
    else:
        with _store(state_dir) as store:
            store.add_silence(silence)
    click.echo(
        f"silence {silence.id} added: {silence.describe()} until "
        f"{silence.ends_at:%Y-%m-%d %H:%M}Z ({author}: {comment})"
    )


def _preview(state_dir: Path, rules_dir: Path, silence: Silence, now: datetime) -> None:
    """What ``silence`` would have kept back among the archive's articles of the last
    ``PREVIEW_DAYS`` days, matched with today's rules."""
    path = state_dir / ARCHIVE_FILENAME
    archive = SqliteArchive(path, create=False)
    ruleset = load_rules(rules_dir)
    snapshot = RuleSnapshot.of(ruleset.rules)
    shown = total = 0
    with archive:
        for article in archive.since(now - timedelta(days=PREVIEW_DAYS)):
            total += 1
            fired = fire(snapshot, article)
            if not fired:
                continue
            notice = notice_for(snapshot, [one.hit for one in fired], article, "")
            held = [
                r.rule
                for r in notice.fired
                if silence.matches(
                    silenced_values(r.rule, r.entities, (article.feed,), (article.language,), "")
                )
            ]
            if held:
                shown += 1
                if shown <= 50:
                    click.echo(f"{', '.join(held):<24} {article.feed:<16} {article.title[:80]}")
    click.echo(
        f"{shown} of {total} archived article(s) of the last {PREVIEW_DAYS} days would have "
        f"been silenced by: {silence.describe()}"
    )


@silence_group.command("list")
@STATE_OPTION
@OPTIONAL_BOOTSTRAP_OPTION
@PREFIX_OPTION
@click.option("--all", "include_expired", is_flag=True, help="Expired silences too.")
@click.option("--silenced", "show_silenced", is_flag=True, help="What silences kept back.")
@format_option("text", "json")
def silence_list(
    state_dir: Path,
    bootstrap: str | None,
    topic_prefix: str,
    include_expired: bool,
    show_silenced: bool,
    fmt: str,
) -> None:
    """List active silences (or ``--silenced``: the alerts they kept back).

    \b
    Example:
      newswatch silence list
      newswatch silence list --silenced --format json
    """
    if bootstrap is not None:
        if show_silenced:
            raise click.UsageError(
                "--silenced reads the embedded state: give --state, not --bootstrap"
            )
        control = read_control(kafka_settings(bootstrap, topic_prefix))
        now = datetime.now(UTC)
        silences = sorted(
            (s for s in control.silences.values() if include_expired or s.ends_at > now),
            key=lambda s: s.ends_at,
        )
        _print_silences(silences, fmt)
        return
    with _store(state_dir) as store:
        rows = store.silenced() if show_silenced else []
        silences = [] if show_silenced else store.silences(include_expired=include_expired)
    if show_silenced:
        if fmt == "json":
            listed = [
                {
                    "at": r.at.isoformat(),
                    "silence": r.silence_id,
                    "story": r.story,
                    "rule": r.rule_id,
                    "article": r.article_id,
                    "title": r.title,
                }
                for r in rows
            ]
            click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
            return
        for r in rows:
            click.echo(f"{r.at:%Y-%m-%d %H:%M}Z {r.silence_id} {r.rule_id:<20} {r.title[:80]}")
        return
    _print_silences(silences, fmt)


def _print_silences(silences: list[Silence], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps([s.to_dict() for s in silences], ensure_ascii=False, indent=2))
        return
    if not silences:
        click.echo("no silences")
    for s in silences:
        click.echo(
            f"{s.id}  {s.describe():<40} until {s.ends_at:%Y-%m-%d %H:%M}Z  {s.author}: {s.comment}"
        )


@silence_group.command("expire")
@STATE_OPTION
@OPTIONAL_BOOTSTRAP_OPTION
@PREFIX_OPTION
@click.argument("silence_id")
def silence_expire(
    state_dir: Path, bootstrap: str | None, topic_prefix: str, silence_id: str
) -> None:
    """End a silence now (an id prefix of 4+ characters will do).

    \b
    Example:
      newswatch silence expire 3f2a9c
      newswatch silence expire 3f2a9c --bootstrap 127.0.0.1:9092
    """
    now = datetime.now(UTC)
    if bootstrap is not None:
        settings = kafka_settings(bootstrap, topic_prefix)
        found = [s for s in read_control(settings).silences.values() if s.id.startswith(silence_id)]
        ended = found[0].expired(now) if len(found) == 1 and len(silence_id) >= 4 else None
        if ended is not None:
            publish_silence(settings, ended)
    else:
        with _store(state_dir) as store:
            ended = store.expire_silence(silence_id, now)
    if ended is None:
        raise ConfigError(f"no single silence with id {silence_id!r} (see: newswatch silence list)")
    click.echo(f"silence {ended.id} expired: {ended.describe()}")


@click.group("routes", cls=NewswatchGroup)
def routes_group() -> None:
    """The inbox's routes file: check it, or publish it to the Kafka workers.

    \b
    Example:
      newswatch routes check --routes routes.yaml --apprise apprise.yaml
      newswatch routes publish --routes routes.yaml --bootstrap 127.0.0.1:9092
    """


def _checked(routes_file: Path, apprise_config: Path) -> tuple[str, Routes]:
    """The file's text and routes; its problems printed, exit 1 on any error."""
    try:
        text = routes_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{routes_file}: cannot read: {exc.strerror}") from exc
    targets = Targets.load(apprise_config if apprise_config.is_file() else None)
    routes, problems = parse_routes(text, str(routes_file), targets.tags() if targets else None)
    for problem in problems:
        click.echo(str(problem))
    if routes is None:
        raise SystemExit(EXIT_FAILED)
    return text, routes


@routes_group.command("check")
@ROUTES_OPTION
@apprise_option("Apprise config: every receiver must be a tag one of its targets has.")
def routes_check(routes_file: Path, apprise_config: Path) -> None:
    """Validate a routes file: problems as file:line:col, exit 1 on any error.

    \b
    Example:
      newswatch routes check --routes routes.yaml
    """
    _, routes = _checked(routes_file, apprise_config)
    count = sum(1 for _ in routes.root.walk())
    click.echo(f"{routes_file}: ok ({count} route(s), {len(routes.intervals)} time interval(s))")


@routes_group.command("publish")
@ROUTES_OPTION
@apprise_option("Apprise config: every receiver must be a tag one of its targets has.")
@click.option(
    "--bootstrap",
    required=True,
    metavar="HOST:PORT[,...]",
    envvar="KAFKA_BOOTSTRAP",
    help="The Kafka broker of the workers.",
)
@PREFIX_OPTION
def routes_publish(
    routes_file: Path, apprise_config: Path, bootstrap: str, topic_prefix: str
) -> None:
    """Check a routes file and put it on the inbox topic: every worker uses it within seconds
    (a file with errors is refused, the workers keep the routes they have).

    \b
    Example:
      newswatch routes publish --routes routes.yaml --bootstrap 127.0.0.1:9092
    """
    text, _ = _checked(routes_file, apprise_config)
    publish_routes(kafka_settings(bootstrap, topic_prefix), text, routes_file.name)
    click.echo(f"{routes_file}: published to {topic_prefix}inbox")
