"""The options several commands share: one definition each, so one name means one thing
across the whole command line (``--state DIR`` everywhere, ``--bootstrap`` for Kafka
everywhere, ``--apprise FILE`` for the Apprise config everywhere), with one default and one
environment variable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from feeds.config import MIN_INTERVAL
from feeds.progress import DEFAULT_HEARTBEAT
from newswatch.archive.base import parse_since
from newswatch.constants import (
    DEFAULT_APPRISE,
    DEFAULT_FEEDS,
    DEFAULT_PARTITIONS,
    DEFAULT_ROUTES,
    DEFAULT_RULES,
    DEFAULT_STATE_DIR,
    DEFAULT_TOPIC_PREFIX,
)
from newswatch.errors import ConfigError
from newswatch.kafka.config import KafkaSettings
from newswatch.web.security import DEFAULT_BIND, PROXY_HEADER_ENV, TOKEN_ENV

__all__ = [
    "BOOTSTRAP_OPTION",
    "FEEDS_OPTION",
    "HEARTBEAT_OPTION",
    "MIN_FEED_INTERVAL_OPTION",
    "OPTIONAL_BOOTSTRAP_OPTION",
    "PARTITIONS_OPTION",
    "PREFIX_OPTION",
    "ROUTES_OPTION",
    "RULES_OPTION",
    "STATE_OPTION",
    "apprise_option",
    "format_option",
    "kafka_settings",
    "since_option",
]

F = TypeVar("F", bound=Callable[..., Any])

STATE_OPTION = click.option(
    "--state",
    "state_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_STATE_DIR,
    envvar="NEWSWATCH_STATE",
    show_default=True,
    help="The state directory: feed state, outbox and archive (SQLite files).",
)

ROUTES_OPTION = click.option(
    "--routes",
    "routes_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_ROUTES,
    envvar="NEWSWATCH_ROUTES",
    show_default=True,
    help="The inbox's routes (docs/alerts.md). Missing file: each rule's notify tags, at once.",
)

RULES_OPTION = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(exists=True, path_type=Path),
    default=DEFAULT_RULES,
    envvar="NEWSWATCH_RULES",
    show_default=True,
    help="Rules directory (or one rule file).",
)

FEEDS_OPTION = click.option(
    "--feeds",
    "feeds_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_FEEDS,
    envvar="NEWSWATCH_FEEDS",
    help="Feed list (YAML). Default: the shipped feeds/feeds.yaml.",
)

# Hidden: the floor on a feed's interval (10 s), lowered only by tests with local feeds.
MIN_FEED_INTERVAL_OPTION = click.option(
    "--min-feed-interval",
    type=float,
    default=MIN_INTERVAL,
    envvar="NEWSWATCH_MIN_FEED_INTERVAL",
    hidden=True,
)

# The pollers' "alive" line (feeds polled and failing, articles, alerts): a quiet log is then a
# quiet world, not a dead process.
HEARTBEAT_OPTION = click.option(
    "--heartbeat",
    type=click.FloatRange(min=0),
    default=DEFAULT_HEARTBEAT,
    envvar="NEWSWATCH_HEARTBEAT",
    show_default=True,
    metavar="SECONDS",
    help="Log a line saying it is alive (feeds polled and failing, articles, alerts since "
    "start) every SECONDS; 0: never.",
)

STORIES_OPTION = click.option(
    "--stories/--no-stories",
    default=True,
    envvar="NEWSWATCH_STORIES",
    show_default=True,
    help="Group articles into stories: one alert per story and target (--no-stories: one per "
    "article and target).",
)

WEB_OPTION = click.option(
    "--web",
    "web_bind",
    default=DEFAULT_BIND,
    envvar="NEWSWATCH_WEB",
    show_default=True,
    metavar="HOST:PORT",
    help="Serve the analysts' page (docs/web.md), /health and /metrics here. Off loopback it "
    f"needs {TOKEN_ENV} or {PROXY_HEADER_ENV}.",
)


def apprise_option(help_text: str) -> Callable[[F], F]:
    """``--apprise FILE`` (the Apprise YAML config); ``help_text`` says what it is used for."""
    return click.option(
        "--apprise",
        "apprise_config",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_APPRISE,
        envvar="NEWSWATCH_APPRISE",
        show_default=True,
        help=help_text,
    )


def format_option(*choices: str) -> Callable[[F], F]:
    """``--format`` with ``choices``, the first being the default."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True
    )


def since_option(default: str, help_text: str) -> Callable[[F], F]:
    """``--since 7d`` (a duration back from now, or a date): given to the command as the
    datetime it means."""

    def parse(ctx: click.Context, param: click.Parameter, value: str) -> datetime:
        try:
            return parse_since(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return click.option(
        "--since", default=default, show_default=True, callback=parse, help=help_text
    )


# --- Kafka ---------------------------------------------------------------------------------

BOOTSTRAP_OPTION = click.option(
    "--bootstrap",
    envvar="KAFKA_BOOTSTRAP",
    required=True,
    metavar="HOST:PORT[,...]",
    help="Kafka bootstrap servers (env KAFKA_BOOTSTRAP).",
)

# Where Kafka is an alternative to the state directory (archive readers, alerts retry), the
# environment does not choose: KAFKA_BOOTSTRAP set for the workers must not switch a desk's
# `rules diff` from its own archive to the topic.
OPTIONAL_BOOTSTRAP_OPTION = click.option(
    "--bootstrap",
    default=None,
    metavar="HOST:PORT[,...]",
    help="Kafka mode: use this broker instead of the state directory (not read from "
    "KAFKA_BOOTSTRAP, so the environment never switches the mode).",
)

PREFIX_OPTION = click.option(
    "--topic-prefix",
    envvar="NEWSWATCH_TOPIC_PREFIX",
    default=DEFAULT_TOPIC_PREFIX,
    show_default=True,
    help="Prefix of every topic name (env NEWSWATCH_TOPIC_PREFIX).",
)

PARTITIONS_OPTION = click.option(
    "--partitions",
    envvar="NEWSWATCH_PARTITIONS",
    type=click.IntRange(min=1),
    default=DEFAULT_PARTITIONS,
    show_default=True,
    help="Partitions of the articles and hits topics when this creates them.",
)


def kafka_settings(
    bootstrap: str, prefix: str, partitions: int = DEFAULT_PARTITIONS
) -> KafkaSettings:
    """Settings from the Kafka options; a bad value is a usage error naming the option."""
    try:
        return KafkaSettings(bootstrap=bootstrap, prefix=prefix, partitions=partitions)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None
