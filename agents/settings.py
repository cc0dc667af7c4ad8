"""A worker's settings: from ``newswatch worker`` options, or from the environment.

``faust -A agents.app worker`` cannot pass options to our code, so the same settings are also
read from environment variables (the names the ``newswatch worker`` options use as envvars).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newswatch.alerts.notifier import Backoff
from newswatch.constants import (
    DEFAULT_APPRISE,
    DEFAULT_PARTITIONS,
    DEFAULT_TAG,
    DEFAULT_TOPIC_PREFIX,
    DEFAULT_WORKER_DATA,
)
from newswatch.kafka.config import KafkaSettings
from newswatch.kafka.delivery import RetryPolicy
from newswatch.stories.grouping import StoryParams

__all__ = ["WorkerSettings"]

DEFAULT_WEB_PORT = 6066


def _flag(value: str | None, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    kafka: KafkaSettings
    group: str = ""  # Faust app id = consumer group; "" means <prefix>worker
    apprise: Path | None = None
    datadir: Path = DEFAULT_WORKER_DATA
    web: bool = True
    web_host: str = "127.0.0.1"  # health and metrics stay on the machine unless asked
    web_port: int = DEFAULT_WEB_PORT
    console: bool = False
    default_tag: str = DEFAULT_TAG
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    quick_retries: int = 1
    send_timeout: float = 10.0  # one Apprise send; a shutdown may wait for one in flight
    target_cooldown: float = 60.0  # after a target's alert is parked, one try per alert
    retention_days: float = 30.0  # dedupe and delivery records kept this long
    commit_interval: float = 2.8  # Faust's default; bounds what a kill -9 replays
    # How soon the group notices a worker that died without leaving (kill -9, lost machine):
    # its partitions wait this long. Faust's 60 s default is long for alerts; the consumer
    # heartbeats from its own thread, so a busy event loop does not trip a short one.
    session_timeout: float = 10.0
    stories: StoryParams = field(default_factory=StoryParams)

    @property
    def app_id(self) -> str:
        return self.group or self.kafka.worker_group

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WorkerSettings:
        env = os.environ if environ is None else environ
        kafka = KafkaSettings(
            bootstrap=env.get("KAFKA_BOOTSTRAP", ""),
            prefix=env.get("NEWSWATCH_TOPIC_PREFIX", DEFAULT_TOPIC_PREFIX),
            partitions=int(env.get("NEWSWATCH_PARTITIONS") or DEFAULT_PARTITIONS),
        )
        apprise = env.get("NEWSWATCH_APPRISE", str(DEFAULT_APPRISE))
        attempts = int(env.get("NEWSWATCH_MAX_ATTEMPTS") or RetryPolicy().attempts)
        initial = float(env.get("NEWSWATCH_RETRY_INITIAL") or 2.0)
        return cls(
            kafka=kafka,
            group=env.get("NEWSWATCH_WORKER_GROUP", ""),
            apprise=Path(apprise) if apprise else None,
            datadir=Path(env.get("NEWSWATCH_WORKER_DATA") or DEFAULT_WORKER_DATA),
            web=_flag(env.get("NEWSWATCH_WEB"), True),
            web_host=env.get("NEWSWATCH_WEB_HOST") or "127.0.0.1",
            web_port=int(env.get("NEWSWATCH_WEB_PORT") or DEFAULT_WEB_PORT),
            console=_flag(env.get("NEWSWATCH_CONSOLE"), False),
            stories=StoryParams(grouping=_flag(env.get("NEWSWATCH_STORIES"), True)),
            retry=RetryPolicy(
                attempts=attempts,
                backoff=Backoff(initial=initial, factor=2.0, maximum=max(initial, 30.0)),
            ),
        )
