"""Fixtures for the scale-out tests: real `newswatch poll` / `worker` processes on the test broker.

Each test gets its own deployment: a topic prefix from ``kafka_topics`` (so the fixture's
cleanup deletes every topic, the Faust changelogs included), a temporary directory for rules,
state and Faust data, and the processes it starts — all killed at the end, by pid.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from newswatch.article import Article
from newswatch.kafka.config import KafkaSettings
from newswatch.matching.matcher import Matcher
from newswatch.rules.loader import load_rules
from tests.support.feed_server import feed_server  # noqa: F401
from tests.support.kafka import TopicFactory, make_producer
from tests.support.processes import OwnedProcess
from tests.support.receivers import (  # noqa: F401
    HttpReceiver,
    ReceivedRequest,
    http_receiver,
    smtp_receiver,
)

REPO = Path(__file__).resolve().parents[2]
PARTITIONS = 4  # fewer changelog partitions to recover: faster starts, same behaviour

# "Rule: <title> (<id> v<version>, <severity>)", or one "- <title> (…)" line per rule under
# "Rules:" when an alert names several.
_RULE_LINE = re.compile(r"^(?:Rule: |- ).* \((?P<rule>[^ ]+) v(?P<version>\w+), \w+\)$", re.M)
_LINK_LINE = re.compile(r"^Link: (?P<url>\S+)$", re.M)


def report(msg: str) -> None:
    """Timings and observations; visible with ``pytest -s`` (or in a failure report)."""
    print(f"[kafka-e2e] {msg}", flush=True)


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    # Apprise posts through requests, which honours proxy variables; 127.0.0.1 stays local.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        env.pop(name, None)
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Proc(OwnedProcess):
    """One `python -m newswatch.cli ...` process we own (own session, own pid, own log)."""

    def __init__(self, name: str, args: list[str], workdir: Path, env: dict[str, str]) -> None:
        super().__init__(name, workdir, env)
        self.args = args
        self.out_path = workdir / f"{name}.out"

    def start(self) -> Proc:
        command = [sys.executable, "-m", "newswatch.cli", "--log-level", "info", *self.args]
        self.spawn(command, stdout=self.out_path)
        return self


@dataclass
class Alert:
    """One notification as the HTTP receiver got it."""

    rule: str
    version: str
    url: str
    title: str
    message: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule, self.url)


def parse_alerts(request: ReceivedRequest) -> list[Alert]:
    """One ``Alert`` per rule a notification names (a story alert names every rule that fired
    on its article)."""
    body = request.json
    message = body["message"]
    rules, link = list(_RULE_LINE.finditer(message)), _LINK_LINE.search(message)
    assert rules and link, f"unexpected alert text: {message[:300]!r}"
    return [Alert(r["rule"], r["version"], link["url"], body["title"], message) for r in rules]


def received_alerts(receiver: HttpReceiver) -> list[Alert]:
    return [alert for request in receiver.accepted() for alert in parse_alerts(request)]


def alert_counts(receiver: HttpReceiver) -> Counter[tuple[str, str]]:
    return Counter(alert.key for alert in received_alerts(receiver))


def wait_until(predicate: Any, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


# --- synthetic streams -------------------------------------------------------------------------

WATCHED = {"moscow": "Moscow", "geneva": "Geneva", "aleppo": "Aleppo"}
UNWATCHED = ["Paris", "Lima", "Oslo", "Quito", "Hanoi", "Accra", "Riga", "Tunis", "Dakar"]


def write_place_rules(directory: Path, places: dict[str, str] = WATCHED) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for rule_id, place in places.items():
        (directory / f"{rule_id}.yaml").write_text(
            f"id: {rule_id}\ntitle: Watch {place}\nseverity: high\n"
            f"entities:\n  e:\n    place: {place}\n",
            encoding="utf-8",
        )


def synthetic_articles(n: int, *, prefix: str = "a", every: int = 7) -> list[Article]:
    """``n`` short English stories; about one in ``every`` names a watched place."""
    watched = list(WATCHED.values())
    articles = []
    for i in range(n):
        place = watched[i % len(watched)] if i % every == 0 else UNWATCHED[i % len(UNWATCHED)]
        other = UNWATCHED[(i * 7 + 3) % len(UNWATCHED)]
        articles.append(
            Article(
                id=f"{prefix}-{i:05d}",
                feed="synthetic",
                url=f"https://news.example.org/{prefix}/{i}",
                title=f"Story {i}: ministers meet in {place}",
                summary=f"Delegations from {other} arrived in {place} on day {i} for talks.",
                language="en",
            )
        )
    return articles


def expected_alerts(rules_dir: Path, articles: Iterable[Article]) -> set[tuple[str, str]]:
    """What the embedded matcher says should fire: (rule id, article url)."""
    matcher = Matcher(load_rules(rules_dir).rules)
    return {(hit.rule_id, a.url) for a in articles for hit in matcher.match(a)}


# --- one deployment ----------------------------------------------------------------------------


@dataclass
class Deployment:
    bootstrap: str
    prefix: str
    root: Path
    partitions: int = PARTITIONS
    procs: list[Proc] = field(default_factory=list)

    @property
    def settings(self) -> KafkaSettings:
        return KafkaSettings(self.bootstrap, self.prefix, self.partitions)

    @property
    def rules(self) -> Path:
        return self.root / "rules"

    @property
    def apprise(self) -> Path:
        return self.root / "apprise.yaml"

    def kafka_args(self) -> list[str]:
        return ["--bootstrap", self.bootstrap, "--topic-prefix", self.prefix]

    def write_targets(self, *urls: str) -> None:
        body = "".join(f'  - "{u}":\n      tag: default\n' for u in urls)
        self.apprise.write_text(f"version: 1\nurls:\n{body}", encoding="utf-8")

    def cli(self, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "newswatch.cli", *args],
            cwd=self.root,
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def publish(self, rules: Path | None = None) -> subprocess.CompletedProcess[str]:
        return self.cli("rules", "publish", str(rules or self.rules), *self.kafka_args())

    def worker(
        self,
        name: str = "worker",
        *,
        web_port: int | None = None,
        extra: Iterable[str] = (),
        stories: bool = False,
    ) -> Proc:
        """A worker; ``stories=False`` (most tests: synthetic, look-alike probe articles that
        must each alert) makes every article its own story."""
        args = [
            "worker",
            "--stories" if stories else "--no-stories",
            *self.kafka_args(),
            "--partitions",
            str(self.partitions),
            "--apprise",
            str(self.apprise),
            "--data",
            str(self.root / f"{name}-data"),
            "--session-timeout",
            "6",
        ]
        args += ["--web-port", str(web_port)] if web_port else ["--no-web"]
        proc = Proc(name, [*args, *extra], self.root, child_env())
        self.procs.append(proc)
        return proc.start()

    def poller(self, feeds: Path, name: str = "poller", *, extra: Iterable[str] = ()) -> Proc:
        args = [
            "poll",
            "--feeds",
            str(feeds),
            *self.kafka_args(),
            "--partitions",
            str(self.partitions),
            "--state",
            str(self.root / f"{name}-state"),
            "--min-feed-interval",
            "0.1",
        ]
        proc = Proc(name, [*args, *extra], self.root, child_env())
        self.procs.append(proc)
        return proc

    def produce(self, articles: Iterable[Article], *, pause: float = 0.0) -> int:
        producer = make_producer(self.bootstrap, linger_ms=20)
        topic = self.settings.topics.articles
        n = 0
        try:
            for article in articles:
                producer.send(topic, key=article.id.encode(), value=article.to_json().encode())
                n += 1
                if pause:
                    time.sleep(pause)
            producer.flush(timeout=60)
        finally:
            producer.close(timeout=10)
        return n

    def health(self, port: int) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                return dict(json.loads(r.read()))
        except urllib.error.HTTPError as exc:  # 503 while starting: still a JSON body
            return dict(json.loads(exc.read()))
        except OSError:
            return None

    def owned(self, port: int) -> set[int]:
        """The articles partitions the worker on ``port`` owns (per its /health)."""
        health = self.health(port) or {}
        topic = self.settings.topics.articles
        found = set()
        for item in health.get("assigned", []):
            name, _, rest = item.rpartition("[")
            if name == topic:
                found.add(int(rest.rstrip("]")))
        return found

    def close(self) -> None:
        for proc in self.procs:
            proc.kill()


@pytest.fixture
def deployment(
    kafka_bootstrap: str, kafka_topics: TopicFactory, tmp_path: Path
) -> Iterator[Deployment]:
    d = Deployment(kafka_bootstrap, kafka_topics.prefix, tmp_path)
    try:
        yield d
    finally:
        d.close()
