"""The ``newswatch`` command: thin wrappers over the Python API, one example per command."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

import click

from feeds.cli import feeds as feeds_group
from feeds.config import MIN_INTERVAL, FeedConfigError
from feeds.fetch import FetchLimits
from newswatch import __version__
from newswatch.alerts.cli import alerts as alerts_group
from newswatch.alerts.targets import TargetsError
from newswatch.cli_options import FEEDS_OPTION, RULES_OPTION, apprise_option, state_dir_option
from newswatch.constants import (
    DEFAULT_ARCHIVE_MAX_AGE,
    DEFAULT_ARCHIVE_MAX_ARTICLES,
    DEFAULT_STATE_DIR,
)
from newswatch.embedded.runtime import Monitor, MonitorConfig
from newswatch.jsonlines import BadLine
from newswatch.matching.batch import match_lines
from newswatch.matching.matcher import Matcher
from newswatch.rules.loader import load_rules
from newswatch.shutdown import install_stop
from newswatch.workflow.check import check_rules, name_report

__all__ = ["main"]

log = logging.getLogger("newswatch")


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@click.group()
@click.version_option(__version__, prog_name="newswatch")
@click.option(
    "--log-level",
    default="info",
    envvar="NEWSWATCH_LOG_LEVEL",
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    help="Log verbosity (logs go to stderr).",
)
def main(log_level: str) -> None:
    """newswatch: watch the world's press for named officials and places."""
    setup_logging(log_level)


@main.command("match")
@RULES_OPTION
@click.argument("articles", type=click.File("r", encoding="utf-8"), default="-")
def match_command(rules_dir: Path, articles: TextIO) -> None:
    """Match JSON-lines articles against the rules; print one JSON line per article.

    Each input line is an article: id, title, summary, content, language, feed, url, published
    (missing text fields are empty). Each output line is
    {"id": ..., "rules": [ids that fire, sorted], "hits": [...]}, in input order.

    Example: newswatch match --rules rules/ articles.jsonl
    """
    ruleset = load_rules(rules_dir)
    for problem in ruleset.problems:
        click.echo(f"{problem} (rule skipped)", err=True)
    matcher = Matcher(ruleset.rules)
    bad = 0
    for result in match_lines(matcher, articles):
        if isinstance(result, BadLine):
            bad += 1
            click.echo(f"{articles.name}:{result.line}: not an article: {result.message}", err=True)
            continue
        click.echo(json.dumps(result, ensure_ascii=False))
    if bad:
        sys.exit(1)


@main.group("rules")
def rules_group() -> None:
    """Check and inspect watch rules."""


@rules_group.command("check")
@click.argument("path", type=click.Path(path_type=Path), default="rules", envvar="NEWSWATCH_RULES")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--show-names",
    is_flag=True,
    help="Also list every name each entity is looked for by, generated ones included.",
)
def rules_check(path: Path, fmt: str, show_names: bool) -> None:
    """Validate rules, lint their names and run their examples; exit 1 on any error.

    Prints one "file:line:col: message [rule-id]" line per problem; warnings do not fail.

    Example: newswatch rules check rules/

    Example: newswatch rules check --show-names rules/syria-talks.yaml
    """
    result = check_rules(path)
    names = [line for rule in result.rules for line in name_report(rule)] if show_names else []
    if fmt == "json":
        payload = {
            "rules": [r.id for r in result.rules],
            "problems": [p.to_dict() for p in result.problems],
        }
        if show_names:
            payload["names"] = [asdict(line) for line in names]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for problem in result.problems:
            click.echo(str(problem))
        for line in names:
            note = f"  ({line.note})" if line.note else ""
            click.echo(f"{line.rule}  {line.entity}  {line.source:<15}  {line.name}{note}")
        errors = len(result.errors)
        summary = f"{len(result.rules)} rule(s) loaded from {len(result.files)} file(s)"
        click.echo(f"{summary}; {errors} error(s)", err=True)
    sys.exit(1 if result.errors else 0)


@main.command("run")
@FEEDS_OPTION
@RULES_OPTION
@apprise_option("Apprise config (YAML, with tags). Missing file: console only.")
@state_dir_option(
    str(DEFAULT_STATE_DIR), "Directory for the SQLite state (seen entries, feeds, outbox)."
)
@click.option("--once", is_flag=True, help="Poll every feed once, deliver, and exit.")
@click.option("--console/--no-console", default=True, help="Also print alerts on stdout.")
@click.option("--delivery-interval", type=float, default=5.0, show_default=True, help="Seconds.")
@click.option(
    "--fetch-timeout",
    type=float,
    default=FetchLimits().read_timeout,
    show_default=True,
    help="Seconds to wait for a feed server's next bytes.",
)
@click.option(
    "--max-feed-bytes",
    type=int,
    default=FetchLimits().max_bytes,
    show_default=True,
    help="Largest feed body accepted.",
)
@click.option(
    "--ops-tag",
    envvar="NEWSWATCH_OPS_TAG",
    metavar="TAG",
    help="Apprise tag that also hears about rejected rule edits (default: the log only).",
)
@click.option(
    "--archive/--no-archive",
    default=True,
    envvar="NEWSWATCH_ARCHIVE",
    show_default=True,
    help="Keep every article handled in <state>/archive.sqlite3 (explain, archive search).",
)
@click.option(
    "--archive-days",
    type=click.IntRange(min=1),
    default=DEFAULT_ARCHIVE_MAX_AGE.days,
    envvar="NEWSWATCH_ARCHIVE_DAYS",
    show_default=True,
    help="Archived articles older than this are pruned.",
)
@click.option(
    "--archive-max-articles",
    type=click.IntRange(min=1),
    default=DEFAULT_ARCHIVE_MAX_ARTICLES,
    envvar="NEWSWATCH_ARCHIVE_MAX_ARTICLES",
    show_default=True,
    help="The oldest archived articles beyond this count are pruned.",
)
@click.option(
    "--min-feed-interval",
    type=float,
    default=MIN_INTERVAL,
    envvar="NEWSWATCH_MIN_FEED_INTERVAL",
    hidden=True,
)
def run_command(
    feeds_file: Path,
    rules_dir: Path,
    apprise_config: Path,
    state_dir: Path,
    once: bool,
    console: bool,
    delivery_interval: float,
    fetch_timeout: float,
    max_feed_bytes: int,
    ops_tag: str | None,
    archive: bool,
    archive_days: int,
    archive_max_articles: int,
    min_feed_interval: float,
) -> None:
    """Run the monitor in one process (embedded mode, no Kafka).

    Polls the feeds, matches every new article against the rules, and sends alerts to the
    console and the Apprise targets. Rule files are reloaded when they change. SIGTERM or
    Ctrl-C finishes the work in flight and exits.

    Example: newswatch run --rules rules/ --apprise apprise.yaml

    Example (cron): newswatch run --once

    Example: newswatch run --ops-tag ops --archive-days 7
    """
    config = MonitorConfig(
        feeds_file=feeds_file,
        rules_dir=rules_dir,
        state_dir=state_dir,
        apprise_config=apprise_config,
        console=console,
        delivery_interval=delivery_interval,
        min_feed_interval=min_feed_interval,
        fetch_limits=FetchLimits(read_timeout=fetch_timeout, max_bytes=max_feed_bytes),
        ops_tag=(ops_tag or "").strip() or None,
        archive=archive,
        archive_max_articles=archive_max_articles,
        archive_max_days=archive_days,
    )
    try:
        code = asyncio.run(_run(config, once=once))
    except (FeedConfigError, TargetsError) as exc:
        raise click.ClickException(str(exc)) from None
    sys.exit(code)


async def _run(config: MonitorConfig, *, once: bool) -> int:
    async with Monitor(config) as monitor:
        if once:
            summary = await monitor.run_once()
            for error in summary.errors:
                log.warning("feed failed: %s", error)
            click.echo(
                f"{summary.feeds} feed(s) polled ({summary.feeds_failed} failed), "
                f"{summary.articles} new article(s), {summary.alerts} alert(s), "
                f"{summary.delivered} delivered, {summary.held} held for retry",
                err=True,
            )
            return 0
        stop = asyncio.Event()
        install_stop(
            stop,
            finishing="finishing work in flight",
            on_exit="the outbox keeps undelivered alerts",
        )
        await monitor.run(stop)
        return 0


main.add_command(feeds_group)
main.add_command(alerts_group)

# Scale-out mode (Kafka + Faust); Faust itself is imported only when a worker starts.
from newswatch.kafka.cli import (  # noqa: E402
    kafka_group,
    poll_command,
    publish_command,
    worker_command,
)

main.add_command(poll_command)
main.add_command(worker_command)
main.add_command(kafka_group)
rules_group.add_command(publish_command)


# The analysts' rule workflow: rules test / diff, explain, archive.
from newswatch.workflow_cli import (  # noqa: E402
    archive_group,
    explain_command,
    rules_diff,
    rules_test,
)

rules_group.add_command(rules_test)
rules_group.add_command(rules_diff)
main.add_command(explain_command)
main.add_command(archive_group)


if __name__ == "__main__":
    main()
