"""The ``newswatch`` command: thin wrappers over the Python API, one example per command."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TextIO

import click

from newswatch import __version__
from newswatch.batch import BadLine, match_lines
from newswatch.matcher import Matcher
from newswatch.rules.check import check_rules
from newswatch.rules.loader import load_rules

__all__ = ["main"]

log = logging.getLogger("newswatch")

RULES_OPTION = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(exists=True, path_type=Path),
    default="rules",
    envvar="NEWSWATCH_RULES",
    show_default=True,
    help="Rules directory (or one rule file).",
)


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
def rules_check(path: Path, fmt: str) -> None:
    """Validate rules and run their examples; exit 1 on any error.

    Prints one "file:line:col: message [rule-id]" line per problem.

    Example: newswatch rules check rules/
    """
    result = check_rules(path)
    if fmt == "json":
        payload = {
            "rules": [r.id for r in result.rules],
            "problems": [p.to_dict() for p in result.problems],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for problem in result.problems:
            click.echo(str(problem))
        errors = len(result.errors)
        summary = f"{len(result.rules)} rule(s) loaded from {len(result.files)} file(s)"
        click.echo(f"{summary}; {errors} error(s)", err=True)
    sys.exit(1 if result.errors else 0)


def _register_optional_groups() -> None:
    from feeds.cli import feeds as feeds_group

    from newswatch.alerts.cli import alerts as alerts_group

    main.add_command(feeds_group)
    main.add_command(alerts_group)


if __name__ == "__main__":
    main()
