"""The command line: one module per command group, each command a thin wrapper over a Python
API function. ``main`` (in ``app``) is the ``newswatch`` entry point."""

from __future__ import annotations

from newswatch.cli.alerts import alerts_group
from newswatch.cli.app import main
from newswatch.cli.archive import archive_group
from newswatch.cli.explain import explain_command
from newswatch.cli.feeds import feeds_group
from newswatch.cli.inbox import routes_group, silence_group
from newswatch.cli.kafka import kafka_group, poll_command, worker_command
from newswatch.cli.match import match_command
from newswatch.cli.rules import rules_group
from newswatch.cli.run import run_command
from newswatch.cli.stories import stories_group
from newswatch.cli.web import web_command

__all__ = ["main"]

for _command in (
    alerts_group,
    archive_group,
    explain_command,
    feeds_group,
    kafka_group,
    match_command,
    poll_command,
    routes_group,
    rules_group,
    run_command,
    silence_group,
    stories_group,
    web_command,
    worker_command,
):
    main.add_command(_command)
