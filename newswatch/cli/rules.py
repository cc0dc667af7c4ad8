"""``newswatch rules check|test|diff|publish``: the analysts' rule commands.

Thin wrappers over ``workflow.check.check_rules``, ``workflow.dryrun.dry_run`` (articles from
``workflow.sources``), ``workflow.diff.diff_rules`` and ``kafka.publish.publish_rules``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from newswatch.alerts.message import Alert
from newswatch.alerts.notifier import format_console, send_now
from newswatch.alerts.targets import Targets
from newswatch.article import Article
from newswatch.cli.app import NewswatchGroup
from newswatch.cli.options import (
    BOOTSTRAP_OPTION,
    OPTIONAL_BOOTSTRAP_OPTION,
    PREFIX_OPTION,
    STATE_OPTION,
    apprise_option,
    format_option,
    kafka_settings,
    since_option,
)
from newswatch.constants import DEFAULT_RULES
from newswatch.jsonlines import BadLine, articles_from_jsonl
from newswatch.rules.loader import load_rules
from newswatch.rules.problems import RuleSet
from newswatch.workflow.check import check_rules, name_report
from newswatch.workflow.diff import diff_rules, render
from newswatch.workflow.dryrun import as_active, dry_run
from newswatch.workflow.git import DiffError, copy_git_head
from newswatch.workflow.lint import suggest
from newswatch.workflow.sources import ArchiveRef, articles_from_feed

__all__ = ["load_valid", "rules_group"]

RULES_PATH = click.argument(
    "path", type=click.Path(path_type=Path), default=DEFAULT_RULES, envvar="NEWSWATCH_RULES"
)


def load_valid(path: Path) -> RuleSet:
    """The rules of ``path``; every error printed and exit 1 if there is any."""
    loaded = load_rules(path)
    if loaded.errors:
        for problem in loaded.errors:
            click.echo(str(suggest(problem)), err=True)
        click.echo(f"{path}: {len(loaded.errors)} error(s); fix them first", err=True)
        raise SystemExit(1)
    return loaded


@click.group("rules", cls=NewswatchGroup)
def rules_group() -> None:
    """Check, test, diff and publish watch rules.

    \b
    Example:
      newswatch rules check rules/
      newswatch rules test rules/syria-talks.yaml --input articles.jsonl
    """


# --- rules check ---------------------------------------------------------------------------


@rules_group.command("check")
@RULES_PATH
@format_option("text", "json")
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


# --- rules test ----------------------------------------------------------------------------


@rules_group.command("test")
@click.argument("rule_file", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--input",
    "input_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Articles as JSON lines ('-' for standard input).",
)
@click.option("--feed", "feed_url", default=None, metavar="URL", help="A feed, fetched once.")
@click.option("--feed-id", default=None, help="Feed id the --feed articles get (default: host).")
@click.option("--archive", "from_archive", is_flag=True, help="Articles from the archive.")
@since_option("7d", "With --archive: how far back.")
@STATE_OPTION
@OPTIONAL_BOOTSTRAP_OPTION
@PREFIX_OPTION
@click.option("--send", is_flag=True, help="Really send the alerts to their Apprise targets.")
@apprise_option("Apprise config used by --send.")
def rules_test(
    rule_file: Path,
    input_file: Any,
    feed_url: str | None,
    feed_id: str | None,
    from_archive: bool,
    since: datetime,
    state_dir: Path,
    bootstrap: str | None,
    topic_prefix: str,
    send: bool,
    apprise_config: Path,
) -> None:
    """Dry-run RULE_FILE: print, per matching article, the exact alert that would be sent.

    Give the articles with exactly one of --input, --feed or --archive. Nothing is sent unless
    --send. A disabled rule is tested as if it were enabled.

    \b
    Example:
      newswatch rules test rules/syria-talks.yaml --input articles.jsonl
      newswatch rules test rules/syria-talks.yaml --archive --since 2d
      newswatch rules test rules/draft.yaml --feed https://example.org/rss --send
    """
    chosen = sum((input_file is not None, feed_url is not None, from_archive))
    if chosen != 1:
        raise click.UsageError("give exactly one of --input FILE, --feed URL or --archive")
    rules = load_valid(rule_file).rules
    if not rules:
        raise click.ClickException(f"{rule_file}: no rule to test")
    for rule in rules:
        if not rule.enabled:
            click.echo(f"note: rule {rule.id} is disabled; tested as if enabled", err=True)
    bad: list[BadLine] = []
    if input_file is not None:
        source: Iterable[Article] = articles_from_jsonl(input_file, bad)
    elif feed_url is not None:
        source = _feed_articles(feed_url, feed_id)
    else:
        source = ArchiveRef(state_dir, bootstrap, topic_prefix).open().since(since)
    read = 0

    def counted() -> Iterator[Article]:  # streamed: a week of archive need not fit in memory
        nonlocal read
        for article in source:
            read += 1
            yield article

    alerts: list[Alert] = []
    fired: set[str] = set()
    for result in dry_run(as_active(rules), counted()):
        click.echo(format_console(result.alert), nl=False)
        click.echo(f"→ tags: {', '.join(result.alert.tags)}")
        fired.add(result.article.id)
        alerts.append(result.alert)  # alerts are small: only the articles are streamed
    click.echo(
        f"{len(rules)} rule(s), {read} article(s): {len(alerts)} alert(s) "
        f"on {len(fired)} article(s)",
        err=True,
    )
    for line in bad:
        click.echo(
            f"{getattr(input_file, 'name', '-')}:{line.line}: not an article: {line.message}",
            err=True,
        )
    code = 1 if bad else 0
    if not send:
        click.echo("dry run: nothing sent (add --send to send)", err=True)
    elif alerts:
        code = max(code, _send(alerts, apprise_config))
    raise SystemExit(code)


def _feed_articles(url: str, feed_id: str | None) -> list[Article]:
    articles, warning = articles_from_feed(url, feed_id=feed_id)
    if warning is not None:
        click.echo(f"warning: {url}: {warning}", err=True)
    return articles


def _send(alerts: list[Alert], apprise_config: Path) -> int:
    report = asyncio.run(send_now(alerts, Targets.load(apprise_config)))
    click.echo(f"sent {report.sent}, failed {report.failed}", err=True)
    for failure in report.failures:
        click.echo(f"  failed: {failure.target}: {failure.error}", err=True)
    return 0 if report.ok else 1


# --- rules diff ----------------------------------------------------------------------------


@rules_group.command("diff")
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path), required=False)
@since_option("7d", "Archived articles since.")
@STATE_OPTION
@OPTIONAL_BOOTSTRAP_OPTION
@PREFIX_OPTION
@format_option("text", "json")
def rules_diff(
    old: Path,
    new: Path | None,
    since: datetime,
    state_dir: Path,
    bootstrap: str | None,
    topic_prefix: str,
    fmt: str,
) -> None:
    """Which archived articles would start or stop matching if the edit went live.

    OLD and NEW are rule files or directories. With OLD alone, it is compared with its own
    version at git HEAD: what the uncommitted edits would change.

    \b
    Example:
      newswatch rules diff rules/                # working tree against HEAD
      newswatch rules diff old.yaml new.yaml --since 30d --format json
    """
    with tempfile.TemporaryDirectory(prefix="newswatch-diff-") as scratch:
        if new is None:
            new = old
            try:
                head = copy_git_head(old, Path(scratch))
            except DiffError as exc:
                raise click.ClickException(
                    f"{exc} (give OLD and NEW to compare two paths)"
                ) from None
            before = load_rules(head).rules if head is not None else ()
        else:
            loaded = load_rules(old)
            for problem in loaded.errors:
                click.echo(f"old: {problem} (rule left out)", err=True)
            before = loaded.rules
        after = load_valid(new).rules
        with ArchiveRef(state_dir, bootstrap, topic_prefix).opened() as archive:
            result = diff_rules(before, after, archive.since(since))
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in render(result):
            click.echo(line)


# --- rules publish (Kafka mode) --------------------------------------------------------------


@rules_group.command("publish")
@RULES_PATH
@BOOTSTRAP_OPTION
@PREFIX_OPTION
@click.option("--dry-run", is_flag=True, help="Validate and show what would change.")
def publish_command(path: Path, bootstrap: str, topic_prefix: str, dry_run: bool) -> None:
    """Validate rules and publish them to the workers; exit 1 if any is invalid.

    Runs the same checks as `rules check` (examples included). If anything is an error,
    nothing is published. Otherwise the rules topic is made to match PATH: new and changed
    rules are written, rules no longer in PATH are deleted. Workers apply it within seconds.

    Example: newswatch rules publish rules/ --bootstrap 127.0.0.1:9092
    """
    from newswatch.kafka.publish import PublishError, publish_rules

    settings = kafka_settings(bootstrap, topic_prefix)
    try:
        plan = publish_rules(path, settings, dry_run=dry_run)
    except PublishError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise
    for problem in plan.warnings:
        click.echo(str(problem), err=True)
    verb = "would publish" if dry_run else "published"
    for record in plan.upserts:
        click.echo(f"{verb} {record.id} v{record.version} ({record.source}:{record.line})")
    for rule_id in plan.deletes:
        click.echo(f"{'would delete' if dry_run else 'deleted'} {rule_id}")
    click.echo(
        f"{len(plan.upserts)} rule(s) {verb}, {len(plan.deletes)} deleted, "
        f"{len(plan.unchanged)} unchanged on {settings.topics.rules}",
        err=True,
    )
