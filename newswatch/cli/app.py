"""The ``newswatch`` command: the top group, logging, and the one place errors become messages.

Every command is a thin wrapper over a Python API function (the module of each command group
says which). A ``NewswatchError`` escaping a command is printed as ``Error: <message>`` and
exits 1; click's usage errors exit 2; a command that finds a problem in its input (an invalid
rule, a line that is not an article) says where and exits 1.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from newswatch import __version__
from newswatch.errors import NewswatchError

__all__ = ["EXIT_FAILED", "EXIT_USAGE", "NewswatchGroup", "main", "setup_logging"]

EXIT_FAILED = 1  # the input or the environment was wrong; the message says what and where
EXIT_USAGE = 2  # the command line was wrong (click's usage errors)


class NewswatchGroup(click.Group):
    """A group whose commands' ``NewswatchError``s become one-line messages and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewswatchError as exc:
            raise click.ClickException(str(exc)) from None


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # Kafka clients log every connection at INFO; warnings only unless debugging.
        for name in ("kafka", "aiokafka"):
            logging.getLogger(name).setLevel(logging.WARNING)


@click.group(cls=NewswatchGroup)
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
