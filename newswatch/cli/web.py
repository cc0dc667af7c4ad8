"""``newswatch web --bootstrap …``: the analysts' page for a Kafka deployment
(``kafka.desk.KafkaDesk`` behind ``web.app.create_app``, served by ``web.server.serve``)."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import click

from newswatch.cli.options import (
    BOOTSTRAP_OPTION,
    FEEDS_OPTION,
    MIN_FEED_INTERVAL_OPTION,
    PREFIX_OPTION,
    RULES_OPTION,
    STATE_OPTION,
    WEB_OPTION,
    apprise_option,
    kafka_settings,
)
from newswatch.cli.stopping import install_stop
from newswatch.kafka.desk import KafkaDesk, KafkaDeskConfig
from newswatch.kafka.deskindex import DEFAULT_KEEP
from newswatch.web.app import create_app
from newswatch.web.security import WebAuth, check_bind, parse_bind
from newswatch.web.server import serve

__all__ = ["web_command"]

log = logging.getLogger("newswatch")


@click.command("web")
@BOOTSTRAP_OPTION
@PREFIX_OPTION
@RULES_OPTION
@FEEDS_OPTION
@STATE_OPTION
@apprise_option("Apprise config, for retrying dead letters from the page.")
@click.option(
    "--group",
    envvar="NEWSWATCH_WORKER_GROUP",
    default="",
    help="The workers' group (Faust app id), whose stories table names each article's story. "
    "Default: <prefix>worker, as `newswatch worker` uses.",
)
@click.option(
    "--days",
    type=click.FloatRange(min=0.01),
    default=7.0,
    show_default=True,
    help="How far back the page reads the matched topic when it starts.",
)
@click.option(
    "--keep",
    type=click.IntRange(min=100),
    default=DEFAULT_KEEP,
    show_default=True,
    help="Articles the page holds in memory (the newest; older ones leave the page).",
)
@WEB_OPTION
@MIN_FEED_INTERVAL_OPTION
def web_command(
    bootstrap: str,
    topic_prefix: str,
    rules_dir: Path,
    feeds_file: Path,
    state_dir: Path,
    apprise_config: Path,
    group: str,
    days: float,
    keep: int,
    web_bind: str,
    min_feed_interval: float,
) -> None:
    """Serve the analysts' page for a Kafka deployment (docs/web.md).

    The same page as `newswatch run` serves, read from the topics: stories from the matched
    topic and the workers' stories table, the rules the workers run, silences, dead letters.
    A rule saved in the editor is written into --rules DIR and published as `rules publish DIR`
    would (nothing is saved if the directory does not pass); silences go to the inbox topic.
    --state is the pollers' state directory, for feed health, when they run on this machine.

    Example: newswatch web --bootstrap 127.0.0.1:9092 --rules rules/ --web 127.0.0.1:8080

    Example (off loopback): NEWSWATCH_WEB_TOKEN=… newswatch web --web 0.0.0.0:8080
    """
    auth = WebAuth.from_env()
    bind = parse_bind(web_bind)
    check_bind(bind, auth)
    config = KafkaDeskConfig(
        kafka=kafka_settings(bootstrap, topic_prefix),
        rules_dir=rules_dir,
        feeds_file=feeds_file,
        state_dir=state_dir,
        apprise_config=apprise_config,
        group=group,
        keep=keep,
        days=days,
        min_feed_interval=min_feed_interval,
    )

    async def run() -> int:
        stop = asyncio.Event()
        install_stop(stop, finishing="closing the page", on_exit="nothing is held here")
        desk = KafkaDesk(config)
        following = asyncio.create_task(desk.run(stop))
        log.info("web page for Kafka %s on http://%s/", bootstrap, bind)
        served = await serve(create_app(desk, auth=auth), bind, stop)
        stop.set()
        await following
        return 0 if served else 1

    sys.exit(asyncio.run(run()))
