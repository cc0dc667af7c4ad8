"""Live reload under a running `newswatch run`: a real feed server, a real HTTP receiver.

While articles keep flowing (a new one every ~0.3 s, each naming the always-on ``control``
rule), the ``target`` rule is edited, broken, fixed and deleted. Checked: every article gets its
control alert exactly once (nothing lost during a reload); each valid edit is in effect within
5 s of the save; the broken edit is rejected (log + ops notification) while the previous version
keeps firing and the broken version never does; the deleted rule stops.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.conftest import Desk, env, rss
from tests.support.feed_server import FeedServer
from tests.support.receivers import HttpReceiver

RELOAD_DEADLINE = 5.0
CONTROL = "id: control\ntitle: Control\nentities:\n  k:\n    keywords: [bulletin]\n"


def target(word: str) -> str:
    return f"id: target\ntitle: Target\nentities:\n  k:\n    keywords: [{word}]\n"


@dataclass
class Daemon:
    """`newswatch run` in a subprocess; its log is read line by line as it comes."""

    process: subprocess.Popen[str]
    log: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._lock:
                self.log.append((time.monotonic(), line.rstrip("\n")))

    def wait_log(self, text: str, after: float, timeout: float) -> float:
        """Seconds from ``after`` until a line holding ``text`` appeared; fails on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                hit = next((t for t, line in self.log if t >= after and text in line), None)
            if hit is not None:
                return hit - after
            assert self.process.poll() is None, self.text()
            time.sleep(0.05)
        pytest.fail(f"no log line with {text!r} within {timeout}s:\n{self.text()[-4000:]}")

    def text(self) -> str:
        with self._lock:
            return "\n".join(line for _, line in self.log)


class Newsroom:
    """The feed: articles appended over time, each with its own guid."""

    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self.items: list[dict[str, str]] = []
        self._lock = threading.Lock()
        server.route("/live.rss", rss([], language="en"))

    def publish(self, title: str) -> str:
        with self._lock:
            n = len(self.items)
            link = f"https://news.example.org/live/{n}"
            self.items.append({"title": title, "link": link, "description": title})
            self.server.route("/live.rss", rss(self.items[-40:], language="en"))
        return title


def titles(receiver: HttpReceiver, path: str, rule_title: str) -> list[str]:
    """The articles alerted for ``rule_title``: an alert names every rule that fired on its
    article, as "[MEDIUM] Control, Target: <article>"."""
    found = []
    for request in receiver.accepted(path):
        rules, _, article = request.json["title"].removeprefix("[MEDIUM] ").partition(": ")
        if rule_title in rules.split(", "):
            found.append(article)
    return found


def wait_alert(receiver: HttpReceiver, rule_title: str, article: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if article in titles(receiver, "/hook", rule_title):
            return
        time.sleep(0.05)
    pytest.fail(f"no {rule_title} alert for {article!r} within {timeout}s")


@pytest.fixture
def daemon(
    tmp_path: Path, feed_server: FeedServer, http_receiver: HttpReceiver
) -> Iterator[tuple[Desk, Daemon]]:
    desk = Desk(tmp_path, feed_server)
    desk.rules.mkdir()
    (desk.rules / "control.yaml").write_text(CONTROL, encoding="utf-8")
    (desk.rules / "target.yaml").write_text(target("alpha"), encoding="utf-8")
    desk.feeds_file.write_text(
        f"feeds:\n  - id: live\n    url: {feed_server.url('/live.rss')}\n    interval: 0.3\n"
        "    language: en\n",
        encoding="utf-8",
    )
    desk.apprise.write_text(
        "version: 1\nurls:\n"
        f'  - "{http_receiver.apprise_url("/hook")}":\n      tag: default\n'
        f'  - "{http_receiver.apprise_url("/ops")}":\n      tag: ops\n',
        encoding="utf-8",
    )
    variables = env() | {"NEWSWATCH_MIN_FEED_INTERVAL": "0.1", "NEWSWATCH_OPS_TAG": "ops"}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        variables.pop(name, None)
    process = subprocess.Popen(
        # Every article alerts: the near-identical bulletins would otherwise be one story.
        desk.run_args("--delivery-interval", "0.2", "--no-console", "--no-stories"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=variables,
        cwd=desk.root,
    )
    running = Daemon(process)
    try:
        running.wait_log("monitor running", 0.0, 30)
        yield desk, running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def test_edit_break_fix_delete_while_articles_flow(
    daemon: tuple[Desk, Daemon], feed_server: FeedServer, http_receiver: HttpReceiver
) -> None:
    desk, running = daemon
    newsroom = Newsroom(feed_server)
    rule_file = desk.rules / "target.yaml"
    stop = threading.Event()

    def flow() -> None:  # a steady trickle that spans every reload below
        for n in range(200):
            if stop.wait(0.3):
                return
            newsroom.publish(f"bulletin flow {n}")

    flowing = threading.Thread(target=flow, daemon=True)
    flowing.start()
    try:
        first = newsroom.publish("bulletin probe-1 alpha")
        wait_alert(http_receiver, "Target", first)

        # 1. A valid edit: in effect within 5 s, no restart.
        saved = time.monotonic()
        rule_file.write_text(target("beta"), encoding="utf-8")
        took = running.wait_log("rule target: updated", saved, RELOAD_DEADLINE + 5)
        assert took < RELOAD_DEADLINE, f"the edit took {took:.1f}s to take effect"
        beta = newsroom.publish("bulletin probe-2 beta")
        wait_alert(http_receiver, "Target", beta)
        old_word = newsroom.publish("bulletin probe-3 alpha")
        wait_alert(http_receiver, "Control", old_word)

        # 2. A broken edit (it would watch "gamma"): rejected, the beta version keeps running.
        saved = time.monotonic()
        rule_file.write_text(target("gamma") + "match: k and (\n", encoding="utf-8")
        running.wait_log(
            "rule target: invalid edit rejected, previous version keeps running",
            saved,
            RELOAD_DEADLINE,
        )
        deadline = time.monotonic() + 10
        while not http_receiver.accepted("/ops") and time.monotonic() < deadline:
            time.sleep(0.05)
        ops_posts = http_receiver.accepted("/ops")
        assert len(ops_posts) == 1
        assert ops_posts[0].json["title"] == "[OPS] rule edit rejected: rule target"
        assert "previous version keeps running" in ops_posts[0].json["message"]
        assert f"{rule_file}:6:" in ops_posts[0].json["message"]  # where the problem is
        gamma = newsroom.publish("bulletin probe-4 gamma")
        still_beta = newsroom.publish("bulletin probe-5 beta")
        wait_alert(http_receiver, "Target", still_beta)
        wait_alert(http_receiver, "Control", gamma)

        # 3. Fixed: the gamma version fires.
        saved = time.monotonic()
        rule_file.write_text(target("gamma"), encoding="utf-8")
        took = running.wait_log("rule target: updated", saved, RELOAD_DEADLINE + 5)
        assert took < RELOAD_DEADLINE
        fixed = newsroom.publish("bulletin probe-6 gamma")
        wait_alert(http_receiver, "Target", fixed)

        # 4. Deleted: it stops.
        saved = time.monotonic()
        rule_file.unlink()
        took = running.wait_log("rule target: removed", saved, RELOAD_DEADLINE + 5)
        assert took < RELOAD_DEADLINE
        gone = newsroom.publish("bulletin probe-7 gamma")
        wait_alert(http_receiver, "Control", gone)
    finally:
        stop.set()
        flowing.join(timeout=5)

    last = newsroom.publish("bulletin probe-last")
    wait_alert(http_receiver, "Control", last)
    time.sleep(1.0)  # a stray alert (a duplicate, a late target) would have arrived by now

    published = [item["title"] for item in newsroom.items]
    control = titles(http_receiver, "/hook", "Control")
    assert sorted(control) == sorted(published), "an article lost its control alert"
    assert len(control) == len(set(control)), "an alert was sent twice"
    assert sorted(titles(http_receiver, "/hook", "Target")) == sorted(
        [first, beta, still_beta, fixed]
    )
    # Ops heard the rejection, then the fix.
    ops_titles = [post.json["title"] for post in http_receiver.accepted("/ops")]
    assert ops_titles == [
        "[OPS] rule edit rejected: rule target",
        f"[OPS] rule file fixed: {rule_file}",
    ]
    assert len(published) > 12  # the flow really ran through the reloads
