"""Command-line options that several commands share: one definition, one help text each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from newswatch.constants import (
    ARCHIVE_FILENAME,
    DEFAULT_APPRISE,
    DEFAULT_FEEDS,
    DEFAULT_RULES,
    DEFAULT_STATE_DIR,
)

__all__ = [
    "FEEDS_OPTION",
    "RULES_OPTION",
    "STATE_FILE_OR_DIR_OPTION",
    "apprise_option",
    "state_dir_option",
]

F = TypeVar("F", bound=Callable[..., Any])

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

# The archive commands take the monitor's state directory or the SQLite file itself.
STATE_FILE_OR_DIR_OPTION = click.option(
    "--state",
    "state",
    type=click.Path(path_type=Path),
    default=DEFAULT_STATE_DIR,
    envvar="NEWSWATCH_STATE",
    show_default=True,
    help=f"The monitor's state directory (holding {ARCHIVE_FILENAME}) or the archive file.",
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


def state_dir_option(default: str, help_text: str) -> Callable[[F], F]:
    """``--state DIR``: where a process keeps its SQLite state."""
    return click.option(
        "--state",
        "state_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=default,
        envvar="NEWSWATCH_STATE",
        show_default=True,
        help=help_text,
    )
