"""``newswatch run``: the embedded monitor in one process (``embedded.runtime.Monitor``)."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import click

from feeds.fetch import FetchLimits
from newswatch.cli.options import (
    FEEDS_OPTION,
    HEARTBEAT_OPTION,
    MIN_FEED_INTERVAL_OPTION,
    ROUTES_OPTION,
    RULES_OPTION,
    STATE_OPTION,
    STORIES_OPTION,
    WEB_OPTION,
    apprise_option,
)
from newswatch.cli.stopping import install_stop
from newswatch.constants import DEFAULT_ARCHIVE_MAX_AGE, DEFAULT_ARCHIVE_MAX_ARTICLES
from newswatch.embedded.desk import EmbeddedDesk
from newswatch.embedded.runtime import Monitor, MonitorConfig
from newswatch.stories.grouping import StoryParams
from newswatch.web.app import create_app
from newswatch.web.security import Bind, WebAuth, check_bind, parse_bind
from newswatch.web.server import serve

__all__ = ["run_command"]

log = logging.getLogger("newswatch")


@click.command("run")
@FEEDS_OPTION
@RULES_OPTION
@apprise_option("Apprise config (YAML, with tags). Missing file: console only.")
@ROUTES_OPTION
@STATE_OPTION
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
@STORIES_OPTION
@HEARTBEAT_OPTION
@MIN_FEED_INTERVAL_OPTION
@WEB_OPTION
@click.option("--no-web", is_flag=True, help="Do not serve the page.")
def run_command(
    feeds_file: Path,
    rules_dir: Path,
    apprise_config: Path,
    routes_file: Path,
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
    stories: bool,
    heartbeat: float,
    min_feed_interval: float,
    web_bind: str,
    no_web: bool,
) -> None:
    """Run the monitor in one process (embedded mode, no Kafka).

    Polls the feeds, matches every new article against the rules, and sends alerts to the
    console and the Apprise targets. Rule files and the feed list are reloaded when they
    change. Once every feed has been polled, one line says which answered and which failed;
    then a heartbeat line every --heartbeat seconds. SIGTERM or Ctrl-C finishes the work in
    flight and exits.

    Example: newswatch run --rules rules/ --apprise apprise.yaml

    Example (cron): newswatch run --once

    Example: newswatch run --ops-tag ops --archive-days 7

    Example: newswatch run --routes routes.yaml   (digests, quiet hours: docs/alerts.md)

    Example: newswatch run --web 127.0.0.1:8080   (then open http://127.0.0.1:8080/)

    Example: newswatch run --heartbeat 60   (an "alive" line every minute; 0: none)
    """
    bind = None
    auth = WebAuth.from_env()
    if not no_web and not once:
        bind = parse_bind(web_bind)
        check_bind(bind, auth)
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
        stories=StoryParams(grouping=stories),
        routes_file=routes_file if routes_file.is_file() else None,
        heartbeat=heartbeat,
    )
    sys.exit(asyncio.run(_run(config, once=once, bind=bind, auth=auth)))


async def _run(config: MonitorConfig, *, once: bool, bind: Bind | None, auth: WebAuth) -> int:
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
        services = []
        if bind is not None:
            app = create_app(EmbeddedDesk(monitor), auth=auth)
            log.info("web page on http://%s/", bind)

            async def web(stopped: asyncio.Event) -> None:
                if not await serve(app, bind, stopped):
                    log.error("monitoring goes on without the page")

            services.append(web)
        await monitor.run(stop, also=services)
        return 0
