"""Scale-out mode: ``newswatch poll`` (``kafka.poll.run_poll``), ``newswatch worker``
(``agents.factory.create_app``) and ``newswatch kafka topics|check|dead-letters``
(``kafka.admin.ensure_topics``, ``kafka.health.check_health``,
``kafka.deadletters.list_dead_letters``). Faust is imported only when a worker starts.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path

import click

from feeds.fetch import FetchLimits
from newswatch.cli.app import NewswatchGroup
from newswatch.cli.options import (
    BOOTSTRAP_OPTION,
    FEEDS_OPTION,
    HEARTBEAT_OPTION,
    MIN_FEED_INTERVAL_OPTION,
    PARTITIONS_OPTION,
    PREFIX_OPTION,
    STATE_OPTION,
    STORIES_OPTION,
    apprise_option,
    format_option,
    kafka_settings,
)
from newswatch.cli.stopping import install_stop
from newswatch.constants import DEFAULT_WORKER_DATA
from newswatch.kafka.admin import ensure_topics
from newswatch.kafka.config import parse_shard
from newswatch.kafka.health import check_health
from newswatch.stories.grouping import StoryParams

__all__ = ["kafka_group", "poll_command", "worker_command"]

log = logging.getLogger("newswatch")


# --- newswatch poll ----------------------------------------------------------------------------


@click.command("poll")
@FEEDS_OPTION
@click.option("--shard", default=None, help="i/n: poll only this poller's share of the feeds.")
@BOOTSTRAP_OPTION
@PREFIX_OPTION
@PARTITIONS_OPTION
@STATE_OPTION
@click.option("--once", is_flag=True, help="Poll every feed once and exit.")
@click.option(
    "--delivery-timeout",
    type=float,
    default=120.0,
    show_default=True,
    help="Seconds Kafka may take to acknowledge a batch (an outage longer than this fails the "
    "poll; the articles come again on the next one).",
)
@click.option("--fetch-timeout", type=float, default=FetchLimits().read_timeout, hidden=True)
@click.option(
    "--warn-after",
    type=float,
    default=5.0,
    hidden=True,
    help="Seconds without Kafka's acknowledgement before the outage is logged.",
)
@HEARTBEAT_OPTION
@MIN_FEED_INTERVAL_OPTION
def poll_command(
    feeds_file: Path,
    shard: str | None,
    bootstrap: str,
    topic_prefix: str,
    partitions: int,
    state_dir: Path,
    once: bool,
    delivery_timeout: float,
    fetch_timeout: float,
    warn_after: float,
    heartbeat: float,
    min_feed_interval: float,
) -> None:
    """Poll feeds and put new articles on Kafka (scale-out mode).

    Each new article goes to the articles topic, keyed by its id; it is marked seen only once
    Kafka acknowledged it. Several pollers split a feed list with --shard. Edits of the feed
    list are picked up while it runs. After the first round one line says which feeds answered;
    then a heartbeat line every --heartbeat seconds. SIGTERM or Ctrl-C finishes the batch in
    flight and exits.

    Example: newswatch poll --feeds feeds.yaml --bootstrap 127.0.0.1:9092

    Example (three pollers): newswatch poll --feeds feeds.yaml --shard 0/3
    """
    from newswatch.kafka.poll import PollConfig, run_poll

    try:
        parsed_shard = parse_shard(shard) if shard else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--shard") from None
    config = PollConfig(
        feeds_file=feeds_file,
        state_dir=state_dir,
        kafka=kafka_settings(bootstrap, topic_prefix, partitions),
        shard=parsed_shard,
        min_feed_interval=min_feed_interval,
        fetch_limits=FetchLimits(read_timeout=fetch_timeout),
        delivery_timeout=delivery_timeout,
        warn_after=warn_after,
        heartbeat=heartbeat,
    )

    async def run() -> None:
        stop = asyncio.Event()
        if not once:
            install_stop(
                stop,
                finishing="finishing the batch in flight",
                on_exit="unacknowledged articles come again",
            )
        summary = await run_poll(config, stop, once=once)
        if once:
            for error in summary.errors:
                log.warning("feed failed: %s", error)
            click.echo(
                f"{summary.feeds} feed(s) polled ({summary.feeds_failed} failed), "
                f"{summary.articles} article(s) sent to Kafka",
                err=True,
            )

    asyncio.run(run())


# --- newswatch worker --------------------------------------------------------------------------


@click.command("worker")
@BOOTSTRAP_OPTION
@PREFIX_OPTION
@PARTITIONS_OPTION
@apprise_option("Apprise config (YAML, with tags). Missing file: no targets.")
@click.option(
    "--group",
    envvar="NEWSWATCH_WORKER_GROUP",
    default="",
    help="Faust app id / consumer group (default: <prefix>worker). Workers sharing it share "
    "the partitions.",
)
@click.option(
    "--data",
    "datadir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_WORKER_DATA,
    envvar="NEWSWATCH_WORKER_DATA",
    show_default=True,
    help="Faust's data directory.",
)
@click.option("--web/--no-web", default=True, help="Serve /health and /metrics.")
@click.option("--web-host", default="127.0.0.1", envvar="NEWSWATCH_WEB_HOST", show_default=True)
@click.option("--web-port", type=int, default=6066, envvar="NEWSWATCH_WEB_PORT", show_default=True)
@click.option("--console/--no-console", default=False, help="Also print alerts on stdout.")
@click.option(
    "--max-attempts",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Delivery rounds per target before an alert is parked on the dead-letter topic.",
)
@click.option(
    "--retry-initial",
    type=click.FloatRange(min=0.01),
    default=2.0,
    show_default=True,
    help="Seconds before the first retry (doubling, up to 30 s).",
)
@click.option(
    "--session-timeout",
    type=click.FloatRange(min=6.0),
    default=10.0,
    show_default=True,
    help="Seconds before the group gives a dead worker's partitions to the others.",
)
@STORIES_OPTION
def worker_command(
    bootstrap: str,
    topic_prefix: str,
    partitions: int,
    apprise_config: Path,
    group: str,
    datadir: Path,
    web: bool,
    web_host: str,
    web_port: int,
    console: bool,
    max_attempts: int,
    retry_initial: float,
    session_timeout: float,
    stories: bool,
) -> None:
    """Run a Faust worker: dedupe, match, group into stories and alert (scale-out mode).

    Reads the articles topic, matches with the rules published on the rules topic (changes
    apply within seconds, no restart), groups articles into stories (one worker at a time
    holds the one-partition matched topic), sends each story once per target through
    Apprise, and parks alerts that keep failing on the dead-letter topic. Start as many as the
    articles topic has partitions. /health and /metrics are served on 127.0.0.1:6066.

    Example: newswatch worker --bootstrap 127.0.0.1:9092 --apprise apprise.yaml

    Example (no web port): newswatch worker --no-web
    """
    from faust.worker import Worker as FaustWorker

    from agents.factory import create_app
    from agents.settings import WorkerSettings
    from newswatch.alerts.notifier import Backoff
    from newswatch.kafka.delivery import RetryPolicy

    settings = WorkerSettings(
        kafka=kafka_settings(bootstrap, topic_prefix, partitions),
        group=group,
        apprise=apprise_config,
        datadir=datadir,
        web=web,
        web_host=web_host,
        web_port=web_port,
        console=console,
        retry=RetryPolicy(
            attempts=max_attempts,
            backoff=Backoff(initial=retry_initial, factor=2.0, maximum=max(retry_initial, 30.0)),
        ),
        session_timeout=session_timeout,
        stories=StoryParams(grouping=stories),
    )
    worker = create_app(settings)
    level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    # Faust's worker owns the event loop and the signals: SIGTERM/SIGINT finish the events in
    # flight, commit, leave the group and exit 0.
    FaustWorker(worker.app, loglevel=level, quiet=True).execute_from_commandline()


# --- newswatch kafka ... -----------------------------------------------------------------------


@click.group("kafka", cls=NewswatchGroup)
def kafka_group() -> None:
    """Scale-out mode: topics, health, dead letters.

    \b
    Example:
      newswatch kafka check --bootstrap 127.0.0.1:9092 --worker-url http://127.0.0.1:6066
      newswatch kafka dead-letters --bootstrap 127.0.0.1:9092
    """


@kafka_group.command("topics")
@BOOTSTRAP_OPTION
@PREFIX_OPTION
@PARTITIONS_OPTION
def topics_command(bootstrap: str, topic_prefix: str, partitions: int) -> None:
    """Create the missing topics and print their names.

    Example: newswatch kafka topics --bootstrap 127.0.0.1:9092 --partitions 12
    """
    settings = kafka_settings(bootstrap, topic_prefix, partitions)
    n = ensure_topics(settings)
    for name in settings.topics.all():
        click.echo(name)
    click.echo(f"articles and hits have {n} partition(s)", err=True)


@kafka_group.command("check")
@BOOTSTRAP_OPTION
@PREFIX_OPTION
@click.option("--group", default="", help="Worker group (default: <prefix>worker).")
@click.option("--worker-url", default=None, help="A worker's web address: http://127.0.0.1:6066")
@click.option("--max-lag", type=int, default=None, help="Exit 1 if more is unprocessed.")
def check_command(
    bootstrap: str, topic_prefix: str, group: str, worker_url: str | None, max_lag: int | None
) -> None:
    """Health check: broker, topics, the workers' lag, a worker's /health; exit 1 if unwell.

    Prints one JSON object.

    Example: newswatch kafka check --bootstrap 127.0.0.1:9092 --max-lag 10000
    """
    report = check_health(
        kafka_settings(bootstrap, topic_prefix), group=group, worker_url=worker_url, max_lag=max_lag
    )
    click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    sys.exit(0 if report["ok"] else 1)


@kafka_group.command("dead-letters")
@BOOTSTRAP_OPTION
@PREFIX_OPTION
@format_option("text", "json")
def dead_letters_command(bootstrap: str, topic_prefix: str, fmt: str) -> None:
    """List the alerts parked on the dead-letter topic (replay: `newswatch alerts retry`).

    Example: newswatch kafka dead-letters --bootstrap 127.0.0.1:9092 --format json
    """
    from newswatch.kafka.deadletters import list_dead_letters

    letters = list_dead_letters(kafka_settings(bootstrap, topic_prefix))
    if fmt == "json":
        rows = [json.loads(letter.to_bytes()) for letter in letters]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for letter in letters:
        doubt = " IN DOUBT" if letter.in_doubt else ""
        click.echo(
            f"{letter.parked_at}{doubt} rule {letter.alert.rule_id} article "
            f"{letter.alert.article_id} target {letter.target} ({letter.attempts} attempt(s)): "
            f"{letter.reason}"
        )
    click.echo(f"{len(letters)} dead letter(s)", err=True)
