"""The scale-out runtime end to end on a real broker: `newswatch poll` → Kafka → `newswatch
worker` (Faust) → Apprise → real HTTP/SMTP receivers. Nothing is mocked.

Run:
    export "$(scripts/kafka.sh start)"
    .venv/bin/pytest tests/kafka -m kafka -v -s     # -s shows the timings
    scripts/kafka.sh stop
"""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from newswatch.article import Article
from newswatch.kafka.deadletters import list_dead_letters
from newswatch.rules.loader import load_rules
from tests.e2e.conftest import SEED_FIRING, SEED_LINK, rss, seed_feed, write_seed_rules
from tests.kafka.conftest import (
    Deployment,
    alert_counts,
    expected_alerts,
    free_port,
    parse_alerts,
    received_alerts,
    report,
    synthetic_articles,
    wait_until,
    write_place_rules,
)
from tests.support.feed_server import FeedServer
from tests.support.kafka import consume, make_producer
from tests.support.receivers import HttpReceiver, SmtpReceiver

pytestmark = pytest.mark.kafka


def write_seed_rules_with_email(directory: Path, by_email: set[str]) -> None:
    """The embedded test's seed rules; those in ``by_email`` also notify the "email" tag."""
    write_seed_rules(directory)
    for rule_id in by_email:
        path = directory / f"{rule_id}.yaml"
        path.write_text(path.read_text("utf-8") + "notify: [default, email]\n", "utf-8")


def test_seed_article_end_to_end_like_embedded_mode(
    deployment: Deployment,
    feed_server: FeedServer,
    http_receiver: HttpReceiver,
    smtp_receiver: SmtpReceiver,
) -> None:
    d = deployment
    # Every rule notifies the HTTP target; two also go by e-mail (Apprise spaces e-mails to one
    # server 5.5 s apart, which would only make this test slower).
    by_email = {"lavrov", "ankara"}
    write_seed_rules_with_email(d.rules, by_email)
    assert d.publish().returncode == 0
    d.apprise.write_text(
        "version: 1\nurls:\n"
        f'  - "{http_receiver.apprise_url("/hook")}":\n      tag: default\n'
        f'  - "{smtp_receiver.apprise_url(to="desk@example.org")}":\n      tag: email\n',
        encoding="utf-8",
    )
    feed_server.route("/seed.rss", seed_feed(), content_type="application/rss+xml")
    feeds = d.root / "feeds.yaml"
    feeds.write_text(
        f"feeds:\n  - id: desk-ar\n    url: {feed_server.url('/seed.rss')}\n"
        "    interval: 300\n    language: ar\n",
        encoding="utf-8",
    )
    worker = d.worker(stories=True)
    began = time.monotonic()
    poll = d.poller(feeds, extra=["--once"]).start()
    assert poll.proc is not None and poll.proc.wait(timeout=60) == 0, poll.tail()
    assert "1 feed(s) polled (0 failed), 1 article(s) sent to Kafka" in poll.log()

    # One message per target, naming every rule that fired (and not Damascus).
    (post,) = http_receiver.wait_for(1, timeout=60)
    took = time.monotonic() - began
    (mail,) = smtp_receiver.wait_for(1, timeout=30)
    time.sleep(1.0)  # a Damascus alert or a duplicate would have arrived by now
    assert len(http_receiver.accepted()) == 1 and len(smtp_receiver.messages) == 1
    assert sorted(a.rule for a in parse_alerts(post)) == SEED_FIRING, worker.tail()
    assert SEED_LINK in post.json["message"]
    assert "سيرجي لافروف" in post.json["message"] and "سيرغي لافروف" in post.json["message"]
    assert "واشنطن تعلن تقدم مباحثاتها مع موسكو بشأن سوريا" in post.json["title"]
    # The e-mail target is only on two rules' tags: its message names those two.
    assert "Watch Ankara" in mail.body and "Watch Sergey Lavrov" in mail.body
    assert "Watch Aleppo" not in mail.body
    assert "لأنقرة" in mail.body and SEED_LINK in mail.body

    # Every alert records the version of the rule that produced it, as published.
    versions = {r.id: r.version for r in load_rules(d.rules).rules}
    records = [
        json.loads(r.value) for r in consume(d.bootstrap, d.settings.topics.hits, 20, timeout=5)
    ]
    assert len(records) == 2  # one per target
    assert sorted(sorted(r["alert"]["rules"]) for r in records) == sorted(
        [["ankara", "lavrov"], SEED_FIRING]
    )
    for record in records:
        assert record["alert"]["rule_version"] == versions[record["alert"]["rule_id"]]

    # A second poll (a poller restart) sends nothing: its seen-store remembers the article.
    again = d.poller(feeds, name="poller", extra=["--once"]).start()
    assert again.proc is not None and again.proc.wait(timeout=60) == 0, again.tail()
    assert "0 article(s) sent to Kafka" in again.log().rsplit("feed(s) polled", 1)[-1]
    assert len(consume(d.bootstrap, d.settings.topics.articles, 5, timeout=3)) == 1
    report(f"seed article: one alert by HTTP {took:.1f}s after the poll started")
    rc, stop_took = worker.stop()
    assert rc == 0, worker.tail()
    report(f"worker SIGTERM -> exit {rc} in {stop_took:.1f}s")


def test_published_rule_takes_effect_live_and_a_deleted_rule_stops(
    deployment: Deployment, http_receiver: HttpReceiver
) -> None:
    d = deployment
    write_place_rules(d.rules, {"moscow": "Moscow", "geneva": "Geneva"})
    assert d.publish().returncode == 0
    d.write_targets(http_receiver.apprise_url("/hook"))
    port = free_port()
    worker = d.worker(web_port=port)
    assert wait_until(lambda: (d.health(port) or {}).get("rules") == 2, 60), worker.tail()

    def probe(tag: str) -> Article:
        return Article(
            id=f"probe-{tag}",
            url=f"https://news.example.org/probe/{tag}",
            title=f"Probe {tag}: envoys from Moscow and Aleppo meet in Geneva",
            language="en",
        )

    d.produce([probe("before")])
    assert wait_until(lambda: len(received_alerts(http_receiver)) >= 2, 30), worker.tail()
    assert len(http_receiver.accepted()) == 1  # one message naming both rules
    assert sorted(a.rule for a in received_alerts(http_receiver)) == [
        "geneva",
        "moscow",
    ]

    # Change the set while the worker runs: add aleppo, delete moscow, edit geneva.
    (d.rules / "moscow.yaml").unlink()
    write_place_rules(d.rules, {"aleppo": "Aleppo"})
    (d.rules / "geneva.yaml").write_text(
        "id: geneva\ntitle: Geneva talks\nseverity: medium\nentities:\n  e:\n    place: Geneva\n",
        encoding="utf-8",
    )
    published = d.publish()
    assert published.returncode == 0, published.stderr
    assert "deleted moscow" in published.stdout and "published aleppo" in published.stdout
    changed_at = time.monotonic()
    new_versions = {r.id: r.version for r in load_rules(d.rules).rules}

    # Probe until an article matched after the change shows it; it must within 10 s.
    n, seen_change = 0, None
    while time.monotonic() - changed_at < 15 and seen_change is None:
        n += 1
        d.produce([probe(f"after-{n}")])
        time.sleep(0.3)
        for alert in received_alerts(http_receiver):
            if alert.rule == "aleppo" and seen_change is None:
                seen_change = time.monotonic() - changed_at
    assert seen_change is not None and seen_change <= 10.0, worker.tail()

    # From then on: aleppo and the new geneva fire, moscow never again.
    d.produce([probe("final")])
    final_url = "https://news.example.org/probe/final"
    assert wait_until(
        lambda: sum(1 for a in received_alerts(http_receiver) if a.url == final_url) >= 2, 30
    )
    time.sleep(1.0)
    final = [a for a in received_alerts(http_receiver) if a.url == final_url]
    assert sorted((a.rule, a.version) for a in final) == [
        ("aleppo", new_versions["aleppo"]),
        ("geneva", new_versions["geneva"]),
    ]
    # One message names both: the more severe rule (aleppo, high) first.
    assert all(a.title.startswith("[HIGH] Watch Aleppo, Geneva talks: ") for a in final)
    report(f"rule change live after {seen_change:.1f}s (bound 10 s), no restart")
    assert worker.alive


def test_rules_using_the_entity_catalogue_are_published_resolved(
    deployment: Deployment, http_receiver: HttpReceiver
) -> None:
    d = deployment
    entities = d.rules / "entities"
    entities.mkdir(parents=True)
    (entities / "people.yaml").write_text(
        "entities:\n  sergey-lavrov:\n    person: Sergey Lavrov\n"
        "    aliases: [Sergei Lavrov, سيرغي لافروف, Сергей Лавров]\n",
        encoding="utf-8",
    )
    (entities / "places.yaml").write_text(
        "entities:\n  syria:\n    place: Syria\n    aliases: [سوريا, Сирия]\n", "utf-8"
    )
    (d.rules / "lavrov.yaml").write_text(
        "id: lavrov-syria\ntitle: Lavrov on Syria\nseverity: high\nentities:\n"
        "  lavrov: {ref: sergey-lavrov}\n  syria:\n    ref: syria\n    aliases: [الشام]\n"
        "match: lavrov and syria\n",
        encoding="utf-8",
    )
    version = load_rules(d.rules).by_id()["lavrov-syria"].version
    published = d.publish()
    assert published.returncode == 0, published.stderr
    [record] = consume(d.bootstrap, d.settings.topics.rules, 5, timeout=5)
    text = json.loads(record.value)["text"]
    # Self-contained: the catalogue's names and the rule's own alias, no ref left.
    assert "ref:" not in text and "سيرغي لافروف" in text and "الشام" in text
    assert json.loads(record.value)["version"] == version

    # A worker has only Kafka: the catalogue files are gone before it starts.
    for file in entities.iterdir():
        file.unlink()
    entities.rmdir()
    d.write_targets(http_receiver.apprise_url("/hook"))
    port = free_port()
    worker = d.worker(web_port=port)
    assert wait_until(lambda: (d.health(port) or {}).get("rules") == 1, 60), worker.tail()
    d.produce(
        [
            Article(
                id="catalogue-1",
                url="https://news.example.org/catalogue/1",
                title="وصل سيرغي لافروف إلى الشام",
                language="ar",
            )
        ]
    )
    assert wait_until(lambda: len(http_receiver.accepted()) >= 1, 30), worker.tail()
    (alert,) = parse_alerts(http_receiver.accepted()[0])
    assert (alert.rule, alert.version) == ("lavrov-syria", version)


def test_invalid_rules_are_never_published(deployment: Deployment) -> None:
    d = deployment
    write_place_rules(d.rules, {"moscow": "Moscow"})
    assert d.publish().returncode == 0
    (d.rules / "broken.yaml").write_text("id: broken\nentities: {}\nmatch: (x and\n", "utf-8")
    (d.rules / "moscow.yaml").unlink()  # would be deleted, if anything were published
    result = d.publish()
    assert result.returncode == 1
    assert "broken.yaml" in result.stderr and "nothing published" in result.stderr
    records = consume(d.bootstrap, d.settings.topics.rules, 10, timeout=3)
    assert [(r.key, r.value is None) for r in records] == [(b"moscow", False)]


def test_kill_9_mid_stream_every_alert_arrives_exactly_once(
    deployment: Deployment, http_receiver: HttpReceiver
) -> None:
    d = deployment
    write_place_rules(d.rules)
    assert d.publish().returncode == 0
    d.write_targets(http_receiver.apprise_url("/hook"))
    articles = synthetic_articles(2400)
    expected = expected_alerts(d.rules, articles)
    assert len(expected) > 300

    worker = d.worker()
    producer = threading.Thread(target=d.produce, args=(articles,), kwargs={"pause": 0.001})
    producer.start()
    # Kill it hard once a third of the alerts are out: the stream is still flowing.
    assert wait_until(lambda: len(http_receiver.accepted()) >= len(expected) // 3, 90), (
        worker.tail()
    )
    worker.kill()
    killed_at = len(http_receiver.accepted())
    producer.join(timeout=60)
    assert not producer.is_alive()

    restarted = d.worker(name="worker-again")
    began = time.monotonic()

    def in_doubt_keys() -> set[tuple[str, str]]:
        return {
            (letter.alert.rule_id, letter.alert.url)
            for letter in list_dead_letters(d.settings)
            if letter.in_doubt
        }

    def settled() -> bool:
        # Every expected alert received, or parked in doubt (the send cut by the kill).
        missing = expected - set(alert_counts(http_receiver))
        return not missing or (len(missing) <= 2 and missing <= in_doubt_keys())

    done = wait_until(settled, 120, interval=0.5)
    took = time.monotonic() - began
    time.sleep(2.0)  # a duplicate from a late replay would show up now
    counts = alert_counts(http_receiver)
    in_doubt = in_doubt_keys()
    missing = expected - set(counts)
    doubled = {key: n for key, n in counts.items() if n > 1}
    report(
        f"kill -9 after {killed_at} of {len(expected)} alerts ({len(articles)} articles); "
        f"restarted worker finished in {took:.1f}s; duplicates {len(doubled)}, "
        f"in doubt {len(in_doubt)} (received: {len(in_doubt & set(counts))})"
    )
    assert not doubled, f"sent twice: {list(doubled)[:5]}\n{restarted.tail()}"
    assert set(counts) <= expected  # nothing unexpected either
    # Only a send cut by the kill may be missing, and then it is parked as in doubt (never
    # re-sent blindly); at most the one send in flight at the kill.
    assert missing <= in_doubt and len(in_doubt) <= 1, (done, missing, restarted.tail())
    if missing:
        # The operator's step for an in-doubt letter the target does not have: replay it.
        replay = d.cli(
            "alerts",
            "retry",
            "--bootstrap",
            d.bootstrap,
            "--topic-prefix",
            d.prefix,
            "--apprise",
            str(d.apprise),
            "--in-doubt",
        )
        assert replay.returncode == 0, replay.stderr
        time.sleep(0.5)
        counts = alert_counts(http_receiver)
    assert Counter(counts.values()) == Counter({1: len(expected)})  # each exactly once


def test_broker_restart_under_a_running_poller_loses_no_article(
    deployment: Deployment, feed_server: FeedServer, kafka_restart: object
) -> None:
    d = deployment
    items: list[dict[str, str]] = []
    lock = threading.Lock()

    def publish_items(count: int) -> None:
        with lock:
            start = len(items)
            for i in range(start, start + count):
                items.append(
                    {
                        "title": f"Item {i}",
                        "link": f"https://news.example.org/live/{i}",
                        "description": f"Story number {i}.",
                    }
                )
            feed_server.route("/live.rss", rss(items[-200:], language="en"))

    publish_items(5)
    feeds = d.root / "feeds.yaml"
    feeds.write_text(
        f"feeds:\n  - id: live\n    url: {feed_server.url('/live.rss')}\n    interval: 0.3\n",
        encoding="utf-8",
    )
    poller = d.poller(feeds, extra=["--warn-after", "1"]).start()
    assert wait_until(lambda: "polling 1 feed(s)" in poller.log(), 30), poller.tail()

    stop = threading.Event()

    def keep_publishing() -> None:
        while not stop.is_set():
            publish_items(2)
            time.sleep(0.2)

    writer = threading.Thread(target=keep_publishing)
    writer.start()
    try:
        time.sleep(2.0)
        took = kafka_restart()  # type: ignore[operator]
        time.sleep(3.0)
    finally:
        stop.set()
        writer.join(timeout=10)
    total = len(items)
    links = {item["link"] for item in items}

    def all_there() -> bool:
        got = consume(d.bootstrap, d.settings.topics.articles, 10 * total, timeout=3)
        return {json.loads(r.value)["url"] for r in got} >= links

    assert wait_until(all_there, 60, interval=1.0), poller.tail()
    rc, _ = poller.stop()
    log = poller.log()
    report(f"broker restart took {took:.1f}s under a poller; all {total} items on Kafka")
    assert rc == 0, poller.tail()
    assert "Kafka has not acknowledged" in log and "Kafka is back" in log, poller.tail()


def test_two_workers_share_partitions_and_a_stopped_one_hands_over(
    deployment: Deployment, http_receiver: HttpReceiver
) -> None:
    d = deployment
    write_place_rules(d.rules)
    assert d.publish().returncode == 0
    d.write_targets(http_receiver.apprise_url("/hook"))
    port_a, port_b = free_port(), free_port()
    a = d.worker("worker-a", web_port=port_a)
    b = d.worker("worker-b", web_port=port_b)

    def split() -> bool:
        owned_a, owned_b = d.owned(port_a), d.owned(port_b)
        return bool(owned_a and owned_b) and owned_a | owned_b == set(range(d.partitions))

    assert wait_until(split, 90), a.tail() + b.tail()
    owned_a, owned_b = d.owned(port_a), d.owned(port_b)
    assert not owned_a & owned_b

    articles = synthetic_articles(1200, prefix="pair")
    expected = expected_alerts(d.rules, articles)
    d.produce(articles[:600])
    assert wait_until(lambda: len(http_receiver.accepted()) >= len(expected) // 4, 60)
    rc, stop_took = b.stop(signal.SIGTERM)
    assert rc == 0, b.tail()
    producer = threading.Thread(target=d.produce, args=(articles[600:],))
    producer.start()
    assert wait_until(lambda: d.owned(port_a) == set(range(d.partitions)), 60), a.tail()
    producer.join(timeout=60)
    assert wait_until(lambda: set(alert_counts(http_receiver)) >= expected, 90), a.tail()
    time.sleep(1.5)
    counts = alert_counts(http_receiver)
    report(
        f"two workers: a owned {sorted(owned_a)}, b owned {sorted(owned_b)}; b stopped in "
        f"{stop_took:.1f}s; a took over; {len(expected)} alerts each once"
    )
    assert set(counts) == expected
    assert Counter(counts.values()) == Counter({1: len(expected)}), b.tail() + a.tail()
    assert not list_dead_letters(d.settings)  # a graceful stop leaves nothing in doubt


def test_failing_target_parks_on_dead_letters_and_alerts_retry_replays_once(
    deployment: Deployment, http_receiver: HttpReceiver
) -> None:
    d = deployment
    write_place_rules(d.rules, {"moscow": "Moscow"})
    assert d.publish().returncode == 0
    d.write_targets(http_receiver.apprise_url("/hook"))
    http_receiver.fail_with(500)
    worker = d.worker(extra=["--max-attempts", "3", "--retry-initial", "0.2"])
    article = synthetic_articles(1, prefix="dlq")[0]
    d.produce([article])
    assert wait_until(lambda: bool(list_dead_letters(d.settings)), 60), worker.tail()
    [letter] = list_dead_letters(d.settings)
    assert letter.alert.rule_id == "moscow" and not letter.in_doubt
    assert letter.attempts == 3 and "500" in letter.reason
    tries = len(http_receiver.requests)
    assert tries == 3 * 2  # three rounds, each with the notifier's one quick retry

    http_receiver.succeed()
    retry_args = ["alerts", "retry", "--bootstrap", d.bootstrap, "--topic-prefix", d.prefix]
    result = d.cli(*retry_args, "--apprise", str(d.apprise))
    assert result.returncode == 0, result.stderr
    assert "sent 1, failed 0" in result.stdout
    assert len(http_receiver.accepted()) == 1
    assert not list_dead_letters(d.settings)
    again = d.cli(*retry_args, "--apprise", str(d.apprise))
    assert "sent 0, failed 0" in again.stdout
    assert len(http_receiver.accepted()) == 1
    # A second copy of the article changes nothing (the dedupe table has it).
    d.produce([article])
    time.sleep(2.0)
    assert len(http_receiver.accepted()) == 1
    assert "parked on the dead-letter topic" in worker.log()

    # A letter in doubt (a worker died mid-send) is replayed only when asked to.
    doubtful = replace(letter, in_doubt=True, reason="in doubt: test")
    producer = make_producer(d.bootstrap)
    producer.send(d.settings.topics.dead_letters, key=doubtful.key, value=doubtful.to_bytes())
    producer.flush(timeout=30)
    producer.close(timeout=10)
    skipped = d.cli(*retry_args, "--apprise", str(d.apprise))
    assert "sent 0, failed 0, in doubt (not replayed, see --in-doubt) 1" in skipped.stdout
    assert len(http_receiver.accepted()) == 1
    forced = d.cli(*retry_args, "--apprise", str(d.apprise), "--in-doubt")
    assert forced.returncode == 0 and "sent 1" in forced.stdout
    assert len(http_receiver.accepted()) == 2 and not list_dead_letters(d.settings)


def test_sigterm_in_a_retry_backoff_stops_promptly_and_the_next_worker_resumes(
    deployment: Deployment, http_receiver: HttpReceiver
) -> None:
    d = deployment
    write_place_rules(d.rules, {"moscow": "Moscow"})
    assert d.publish().returncode == 0
    d.write_targets(http_receiver.apprise_url("/hook"))
    http_receiver.fail_with(503)
    retry = ["--max-attempts", "5", "--retry-initial", "8"]
    worker = d.worker(extra=retry)
    d.produce(synthetic_articles(1, prefix="backoff"))
    assert wait_until(lambda: len(http_receiver.requests) >= 2, 60), worker.tail()
    rc, took = worker.stop(signal.SIGTERM)  # in the 8 s backoff after the first round
    assert rc == 0 and took < 8.0, (rc, took, worker.tail())
    assert len(http_receiver.requests) == 2  # it did not rush the remaining attempts

    http_receiver.succeed()
    again = d.worker("worker-again", extra=retry)
    assert wait_until(lambda: len(http_receiver.accepted()) >= 1, 60), again.tail()
    time.sleep(1.5)
    report(f"SIGTERM in a retry backoff: exit {rc} in {took:.1f}s; the next worker resumed")
    assert len(http_receiver.accepted()) == 1
    assert not list_dead_letters(d.settings)


def test_sharded_pollers_split_the_feed_list_without_overlap(
    deployment: Deployment, feed_server: FeedServer
) -> None:
    d = deployment
    lines = ["feeds:"]
    for n in range(6):
        item = {"title": f"Feed {n}", "link": f"https://news.example.org/f{n}", "description": "x"}
        feed_server.route(f"/f{n}.rss", rss([item], language="en"))
        lines += [f"  - id: feed-{n}", f"    url: {feed_server.url(f'/f{n}.rss')}"]
    feeds = d.root / "feeds.yaml"
    feeds.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shards = [
        d.poller(feeds, name=f"poller-{i}", extra=["--shard", f"{i}/2", "--once"]) for i in (0, 1)
    ]
    for proc in shards:
        proc.start()
    for proc in shards:
        assert proc.proc is not None and proc.proc.wait(timeout=60) == 0, proc.tail()
    found = [re.search(r"shard \d/2: (\d+) of 6", p.log()) for p in shards]
    polled = [int(m[1]) if m else 0 for m in found]
    assert sum(polled) == 6 and all(polled), polled
    records = consume(d.bootstrap, d.settings.topics.articles, 20, timeout=5)
    urls = sorted(json.loads(r.value)["url"] for r in records)
    assert urls == [f"https://news.example.org/f{n}" for n in range(6)]  # each once


def test_a_feed_list_edit_reaches_a_running_poller(
    deployment: Deployment, feed_server: FeedServer
) -> None:
    """Kafka mode follows the feed list file like `newswatch run`: a feed added while the
    poller runs is published, a broken edit is refused at its file:line and the running feed
    goes on, and the poller's start-up line and heartbeat are logged."""
    d = deployment
    first = {"title": "First", "link": "https://news.example.org/first", "description": "x"}
    added = {"title": "Added", "link": "https://news.example.org/added", "description": "y"}
    feed_server.route("/first.rss", rss([first], language="en"))
    feed_server.route("/added.rss", rss([added], language="en"))
    feeds = d.root / "feeds.yaml"

    def entry(feed_id: str, interval: str = "0.3") -> str:
        url = feed_server.url(f"/{feed_id}.rss")
        return f"  - id: {feed_id}\n    url: {url}\n    interval: {interval}\n"

    feeds.write_text("feeds:\n" + entry("first"), encoding="utf-8")
    poller = d.poller(feeds, extra=["--heartbeat", "1"]).start()
    assert wait_until(
        lambda: "first round: 1 feed(s) configured, 1 reachable" in poller.log(), 60
    ), poller.tail()

    def published() -> set[str]:
        got = consume(d.bootstrap, d.settings.topics.articles, 10, timeout=3)
        return {json.loads(r.value)["url"] for r in got}

    feeds.write_text("feeds:\n" + entry("first") + entry("added"), encoding="utf-8")
    assert wait_until(
        lambda: (
            f"feed list reloaded from {feeds}: 1 added (added), 0 removed, 0 changed"
            in poller.log()
        ),
        15,
    ), poller.tail()
    assert wait_until(lambda: published() >= {first["link"], added["link"]}, 30, interval=1.0)

    feeds.write_text("feeds:\n" + entry("first") + entry("added", "soon"), encoding="utf-8")
    assert wait_until(lambda: f"{feeds}:7:15: feeds[1].interval" in poller.log(), 15)
    polled = len(feed_server.requests("/first.rss"))
    assert wait_until(lambda: len(feed_server.requests("/first.rss")) >= polled + 3, 15)
    assert wait_until(
        lambda: "2 article(s) published" in poller.log() and "alive for" in poller.log(), 15
    ), poller.tail()
    rc, _ = poller.stop()
    assert rc == 0, poller.tail()
    assert poller.log().count("feed list not reloaded") == 1
