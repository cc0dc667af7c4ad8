"""``newswatch alerts …``: look at and retry the deliveries held in the outbox.

The group is registered into the main CLI with ``main.add_command(alerts)``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from newswatch.alerts.notifier import retry_held
from newswatch.alerts.outbox import Delivery, Outbox, OutboxError
from newswatch.alerts.targets import Targets, TargetsError
from newswatch.constants import DEFAULT_TOPIC_PREFIX, OUTBOX_FILENAME

__all__ = ["alerts", "outbox_path"]

_STATE = click.option(
    "--state",
    "state",
    required=True,
    type=click.Path(path_type=Path),
    help=f"The outbox SQLite file, or a state directory holding {OUTBOX_FILENAME}.",
)


def outbox_path(state: Path) -> Path:
    """The outbox file for ``--state``: the path itself, or ``<dir>/outbox.sqlite3``."""
    return state / OUTBOX_FILENAME if state.is_dir() else state


def _open_outbox(state: Path) -> Outbox:
    try:
        # create=False: a mistyped path is an error, not a new empty outbox.
        return Outbox(outbox_path(state), create=False)
    except OutboxError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("alerts")
def alerts() -> None:
    """Alert deliveries held in the outbox: list them, retry them.

    \b
    Example:
      newswatch alerts pending --state var/
      newswatch alerts retry --state var/ --config apprise.yaml
    """


@alerts.command("pending")
@_STATE
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most this many.")
def pending(state: Path, fmt: str, limit: int | None) -> None:
    """List deliveries not sent yet, with attempts, next try and last error.

    \b
    Example:
      newswatch alerts pending --state var/outbox.sqlite3
      newswatch alerts pending --state var/ --format json | jq '.[].last_error'
    """
    with _open_outbox(state) as box:
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


@alerts.command("retry")
@click.option(
    "--state",
    "state",
    default=None,
    type=click.Path(path_type=Path),
    help=f"The outbox SQLite file, or a state directory holding {OUTBOX_FILENAME}.",
)
@click.option(
    "--config",
    "config",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The Apprise YAML config (${NAME} taken from the environment).",
)
@click.option(
    "--bootstrap",
    default=None,
    help="Scale-out mode: replay the Kafka dead-letter topic at this broker instead of --state.",
)
@click.option("--topic-prefix", default=DEFAULT_TOPIC_PREFIX, envvar="NEWSWATCH_TOPIC_PREFIX")
@click.option(
    "--in-doubt",
    is_flag=True,
    help="With --bootstrap: also replay letters whose first send may have arrived.",
)
def retry(
    state: Path | None, config: Path, bootstrap: str | None, topic_prefix: str, in_doubt: bool
) -> None:
    """Make every held delivery due and deliver now; exit 1 if some still fail.

    \b
    Example:
      SMTP_PASSWORD=… newswatch alerts retry --state var/ --config apprise.yaml
    Example (scale-out mode, the workers' dead letters):
      newswatch alerts retry --bootstrap 127.0.0.1:9092 --config apprise.yaml
    """
    if (state is None) == (bootstrap is None):
        raise click.UsageError("give --state (an outbox) or --bootstrap (Kafka dead letters)")
    try:
        targets = Targets.load(config)
    except TargetsError as exc:
        raise click.ClickException(str(exc)) from None
    if bootstrap is not None:
        from newswatch.kafka.cli import retry_dead_letters

        retry_dead_letters(bootstrap, topic_prefix, targets, in_doubt=in_doubt)
        return
    assert state is not None
    report = asyncio.run(retry_held(_open_outbox(state), targets))
    click.echo(f"sent {report.sent}, failed {report.failed}, deferred {report.deferred}")
    for failure in report.failures:
        click.echo(
            f"  failed: rule {failure.rule_id}, article {failure.article_id}, "
            f"target {failure.target}: {failure.error}",
            err=True,
        )
    if not report.ok:
        raise SystemExit(1)
