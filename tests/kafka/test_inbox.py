"""The inbox in scale-out mode, against a real broker: routes and silences published while two
workers run reach both (whichever owns the stories stage), a group wait joins copies into one
message, and a silenced rule is not sent while other rules are."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from newswatch.article import Article
from tests.kafka.conftest import Deployment, wait_until
from tests.support.receivers import HttpReceiver

pytestmark = pytest.mark.kafka

RULES = {
    "lavrov": "id: lavrov\ntitle: Lavrov\nentities:\n  p:\n    person: Sergey Lavrov\n",
    "ankara": "id: ankara\ntitle: Ankara\nentities:\n  p:\n    place: Ankara\n",
}


def _article(n: int, name: str, feed: str, words: str) -> Article:
    return Article(
        id=f"a{n}",
        feed=feed,
        url=f"https://wire.example.org/{n}",
        title=f"{name} {words}",
        summary=f"{name} said on Monday that {words} would go ahead, officials confirmed.",
        language="en",
        published=datetime.now(UTC),
    )


def test_routes_and_a_silence_published_while_two_workers_run_take_effect(
    deployment: Deployment, http_receiver: HttpReceiver
) -> None:
    d = deployment
    d.rules.mkdir(parents=True, exist_ok=True)
    for rule_id, text in RULES.items():
        (d.rules / f"{rule_id}.yaml").write_text(text, encoding="utf-8")
    assert d.publish().returncode == 0
    d.write_targets(http_receiver.apprise_url("/hook"))
    routes = d.root / "routes.yaml"
    routes.write_text("route: {receiver: default, group_wait: 6s}\n", encoding="utf-8")
    published = d.cli(
        "routes", "publish", "--routes", str(routes), "--apprise", str(d.apprise), *d.kafka_args()
    )
    assert published.returncode == 0, published.stderr
    silenced = d.cli(
        "silence",
        "add",
        "--match",
        "rule=ankara",
        "--for",
        "1h",
        "--author",
        "ana",
        "--comment",
        "flood",
        *d.kafka_args(),
    )
    assert silenced.returncode == 0, silenced.stderr
    listed = d.cli("silence", "list", *d.kafka_args())
    assert "rule=ankara" in listed.stdout, listed.stdout + listed.stderr

    a, b = d.worker("worker-a", stories=True), d.worker("worker-b", stories=True)
    assert wait_until(lambda: "routes loaded" in a.log() and "routes loaded" in b.log(), 60), (
        a.tail() + b.tail()
    )
    time.sleep(3.0)  # both in the group
    # One Lavrov story in two copies a second apart, and an Ankara story (silenced).
    produced_at = time.monotonic()
    d.produce([_article(1, "Sergey Lavrov", "feed-a", "talks on grain exports")])
    time.sleep(1.0)
    d.produce([_article(2, "Sergey Lavrov", "feed-b", "talks on grain exports")])
    d.produce([_article(3, "Ankara", "feed-c", "hosts a trade fair")])
    assert wait_until(lambda: len(http_receiver.accepted()) >= 1, 90), a.tail() + b.tail()
    waited = time.monotonic() - produced_at
    time.sleep(5.0)  # an Ankara alert or a second Lavrov message would have arrived by now
    (post,) = http_receiver.accepted()
    assert "Lavrov" in post.json["title"] and "Ankara" not in post.json["title"]
    assert "+1 more source of this story" in post.json["message"], post.json["message"]
    assert waited >= 5.0, f"sent {waited:.1f} s after the article: the group wait is 6 s"

    # Expired while both run: the next Ankara story is sent.
    silence_id = silenced.stdout.split()[1]
    expired = d.cli("silence", "expire", silence_id, *d.kafka_args())
    assert expired.returncode == 0, expired.stderr
    time.sleep(3.0)  # the expiry reaches both workers
    d.produce([_article(4, "Ankara", "feed-c", "opens a new metro line")])
    assert wait_until(lambda: len(http_receiver.accepted()) >= 2, 60), a.tail() + b.tail()
    assert "Ankara" in http_receiver.accepted()[1].json["title"]


def test_kill_9_of_the_owner_inside_a_group_wait_the_next_worker_sends_once(
    deployment: Deployment, http_receiver: HttpReceiver
) -> None:
    """The story stage's owner is killed while a story waits out its group wait; the worker
    that takes the matched partition over restores the inbox from the stories table and sends
    the story once, with its copy."""
    d = deployment
    d.rules.mkdir(parents=True, exist_ok=True)
    (d.rules / "lavrov.yaml").write_text(RULES["lavrov"], encoding="utf-8")
    assert d.publish().returncode == 0
    d.write_targets(http_receiver.apprise_url("/hook"))
    routes = d.root / "routes.yaml"
    routes.write_text("route: {receiver: default, group_wait: 20s}\n", encoding="utf-8")
    published = d.cli("routes", "publish", "--routes", str(routes), *d.kafka_args())
    assert published.returncode == 0, published.stderr
    first = d.worker("worker-first", stories=True)
    assert wait_until(lambda: "routes loaded" in first.log(), 60), first.tail()
    d.produce([_article(11, "Sergey Lavrov", "feed-a", "talks on the Black Sea")])
    d.produce([_article(12, "Sergey Lavrov", "feed-b", "talks on the Black Sea")])
    assert wait_until(lambda: first.log().count("joined story") >= 1, 60), first.tail()
    time.sleep(2.0)  # the inbox rows are written after each event
    first.kill()
    assert http_receiver.accepted() == []  # killed inside the 20 s wait
    second = d.worker("worker-second", stories=True)
    assert wait_until(lambda: len(http_receiver.accepted()) >= 1, 120), second.tail()
    time.sleep(5.0)  # a second message would be here by now
    (post,) = http_receiver.accepted()
    assert "+1 more source of this story" in post.json["message"], post.json["message"]
    assert "inbox ready:" in second.log()
