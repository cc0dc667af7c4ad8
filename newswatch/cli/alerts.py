"""``newswatch alerts pending|retry``: the deliveries held in the outbox
(``alerts.outbox.Outbox.pending``, ``alerts.notifier.retry_held``), or with ``--bootstrap``
the Kafka workers' dead letters (``kafka.deadletters.replay_dead_letters``); ``alerts
preview``: the whole inbox on a simulated clock (``inbox.preview.simulate``)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import click

from newswatch.alerts.notifier import retry_held
from newswatch.alerts.outbox import Delivery, Outbox
from newswatch.alerts.targets import Targets
from newswatch.cli.app import NewswatchGroup
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
from newswatch.constants import OUTBOX_FILENAME
from newswatch.inbox.engine import Inbox
from newswatch.inbox.preview import describe, simulate, summary
from newswatch.inbox.routes import Routes, load_routes
from newswatch.inbox.store import InboxStore
from newswatch.jsonlines import BadLine, articles_from_jsonl
from newswatch.matching.snapshot import RuleSnapshot
from newswatch.rules.loader import load_rules

__all__ = ["alerts_group"]


def _open_outbox(state_dir: Path) -> Outbox:
    # create=False: a mistyped path is an error, not a new empty outbox.
    return Outbox(state_dir / OUTBOX_FILENAME, create=False)


@click.group("alerts", cls=NewswatchGroup)
def alerts_group() -> None:
    """Alert deliveries held in the outbox: list them, retry them.

    \b
    Example:
      newswatch alerts pending --state var/state
      newswatch alerts retry --state var/state --apprise apprise.yaml
    """


@alerts_group.command("pending")
@STATE_OPTION
@format_option("text", "json")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most this many.")
def pending(state_dir: Path, fmt: str, limit: int | None) -> None:
    """List deliveries not sent yet, with attempts, next try and last error.

    \b
    Example:
      newswatch alerts pending --state var/state
      newswatch alerts pending --format json | jq '.[].last_error'
    """
    with _open_outbox(state_dir) as box:
        held = box.pending(limit)
    if fmt == "json":
        click.echo(json.dumps([d.to_dict() for d in held], ensure_ascii=False, indent=2))
        return
    if not held:
        click.echo("no held deliveries")
        return
    for delivery in held:
        click.echo(_describe(delivery))
    click.echo(f"{len(held)} held deliver{'y' if len(held) == 1 else 'ies'}")


def _describe(d: Delivery) -> str:
    lines = [
        f"{d.state:7} {d.target_id}  rule {d.alert.rule_id}  article {d.alert.article_id}",
        f"        {d.alert.title}",
        f"        attempts {d.attempts}, next try {d.next_attempt_at:%Y-%m-%dT%H:%M:%S%z}",
    ]
    if d.last_error:
        lines.append(f"        last error: {d.last_error}")
    return "\n".join(lines)


@alerts_group.command("retry")
@STATE_OPTION
@apprise_option("The Apprise YAML config (${NAME} taken from the environment).")
@OPTIONAL_BOOTSTRAP_OPTION
@PREFIX_OPTION
@click.option(
    "--in-doubt",
    is_flag=True,
    help="With --bootstrap: also replay letters whose first send may have arrived.",
)
def retry(
    state_dir: Path, apprise_config: Path, bootstrap: str | None, topic_prefix: str, in_doubt: bool
) -> None:
    """Make every held delivery due and deliver now; exit 1 if some still fail.

    With --bootstrap, the Kafka workers' dead letters are replayed instead of the outbox.

    \b
    Example:
      SMTP_PASSWORD=… newswatch alerts retry --state var/state --apprise apprise.yaml
    Example (scale-out mode, the workers' dead letters):
      newswatch alerts retry --bootstrap 127.0.0.1:9092 --apprise apprise.yaml
    """
    if not apprise_config.is_file():
        raise click.BadParameter(f"{apprise_config}: no such file", param_hint="--apprise")
    given = click.get_current_context().get_parameter_source("state_dir")
    if bootstrap is not None and given is click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("give --state (an outbox) or --bootstrap (Kafka dead letters)")
    targets = Targets.load(apprise_config)
    if bootstrap is not None:
        _retry_dead_letters(bootstrap, topic_prefix, targets, in_doubt=in_doubt)
        return
    if in_doubt:
        raise click.UsageError("--in-doubt needs --bootstrap (it is about Kafka dead letters)")
    outbox = _open_outbox(state_dir)
    reclaimed = outbox.reclaim_dead()
    if reclaimed:
        click.echo(f"took back {reclaimed} delivery(ies) claimed by a process that is gone")
    claimed = outbox.claimed_elsewhere()
    report = asyncio.run(retry_held(outbox, targets))
    if claimed:
        click.echo(
            f"{claimed} delivery(ies) are being sent by a running monitor: left to it", err=True
        )
    _outcome(
        f"sent {report.sent}, failed {report.failed}, deferred {report.deferred}",
        [(f.rule_id, f.article_id, f.target, f.error) for f in report.failures],
        ok=report.ok,
    )


def _outcome(summary: str, failures: list[tuple[str, str, str, str]], *, ok: bool) -> None:
    """Print what a retry did and each (rule, article, target, error) that still failed;
    exit 1 unless all went out."""
    click.echo(summary)
    for rule_id, article_id, target, error in failures:
        click.echo(
            f"  failed: rule {rule_id}, article {article_id}, target {target}: {error}", err=True
        )
    if not ok:
        raise SystemExit(1)


def _retry_dead_letters(bootstrap: str, prefix: str, targets: Targets, *, in_doubt: bool) -> None:
    from newswatch.kafka.deadletters import replay_dead_letters

    settings = kafka_settings(bootstrap, prefix)
    report = asyncio.run(replay_dead_letters(settings, targets, in_doubt=in_doubt))
    _outcome(
        f"sent {report.sent}, failed {report.failed}, "
        f"in doubt (not replayed, see --in-doubt) {report.skipped_in_doubt}",
        [
            (ltr.alert.rule_id, ltr.alert.article_id, ltr.target, err)
            for ltr, err in report.failures
        ],
        ok=report.ok,
    )


@alerts_group.command("preview")
@RULES_OPTION
@ROUTES_OPTION
@apprise_option("Apprise config: which targets each receiver tag names (missing: tags shown).")
@click.option(
    "--input",
    "input_file",
    type=click.File("r", encoding="utf-8"),
    required=True,
    help="Articles as JSON lines, each with 'fetched' or 'published' (its arrival time).",
)
@click.option(
    "--until",
    default=None,
    metavar="TIME",
    help="Simulate until this ISO time (default: a day after the last article).",
)
@click.option(
    "--silences-from",
    "silences_state",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A state directory whose silences apply (default: none).",
)
@format_option("text", "json")
def preview(
    rules_dir: Path,
    routes_file: Path,
    apprise_config: Path,
    input_file: TextIO,
    until: str | None,
    silences_state: Path | None,
    fmt: str,
) -> None:
    """Dry-run the whole inbox over timestamped articles on a simulated clock: every message
    that would be sent (when, to which target, its full text) and what silences would keep
    back. Nothing is sent; nothing is stored.

    \b
    Example:
      newswatch alerts preview --rules rules/ --routes routes.yaml --input day.jsonl
      newswatch alerts preview --input day.jsonl --until 2026-03-03T09:00:00Z --format json
    """
    ruleset = load_rules(rules_dir)
    for problem in ruleset.problems:
        click.echo(f"{problem} (rule skipped)", err=True)
    snapshot = RuleSnapshot.of(ruleset.rules)
    targets = Targets.load(apprise_config if apprise_config.is_file() else None)
    routes = (
        load_routes(routes_file, receivers=targets.tags() if targets else None)
        if routes_file.is_file()
        else Routes.default()
    )
    # Without an Apprise config, each receiver tag stands for one target of that name.
    resolve = targets.route if targets else (lambda tags: tuple(f"tag:{t}" for t in tags))
    inbox = Inbox(routes, resolve)
    if silences_state is not None:
        with InboxStore(Outbox(silences_state / OUTBOX_FILENAME)) as store:
            inbox.silences = store.silences(include_expired=True)
    bad: list[BadLine] = []
    articles = list(articles_from_jsonl(input_file, bad))
    for line in bad:
        click.echo(f"{input_file.name}:{line.line}: not an article: {line.message}", err=True)
    end = datetime.fromisoformat(until.replace("Z", "+00:00")) if until else None
    if end is not None and end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    result = simulate(inbox, snapshot, articles, default_tag=targets.default_tag, until=end)

    def name(target: str) -> str:
        found = targets.get(target) if target else None
        return found.display if found is not None else (target or "(no target)")

    if fmt == "json":
        out = {
            "messages": [
                {
                    "at": m.at.isoformat(),
                    "kind": m.kind,
                    "target": name(m.target),
                    "route": m.route,
                    **m.alert.to_dict(),
                }
                for m in result.messages
            ],
            "silenced": [
                {
                    "at": r.at.isoformat(),
                    "silence": r.silence,
                    "story": r.story,
                    "rule": r.rule,
                    "article": r.article_id,
                    "title": r.title,
                }
                for r in result.silenced
            ],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for message in result.messages:
        click.echo(describe(message, name(message.target)))
        click.echo()
    for record in result.silenced:
        click.echo(
            f"{record.at:%Y-%m-%d %H:%M:%S}Z  silenced ({record.silence}) {record.rule}: "
            f"{record.title}"
        )
    undated = len(articles) - result.articles
    if undated:
        click.echo(f"{undated} article(s) without fetched/published time skipped", err=True)
    click.echo(summary(result, [name(m.target) for m in result.messages]))
