"""``newswatch web --bootstrap``: the analysts' page for a Kafka deployment, against a real
broker, a real worker and a real notification receiver.

The page is the same templates the browser tests drive in embedded mode (tests/web); here the
point is where its data comes from and where its edits go: the worker's own story ids, the
rules the workers run, an edit published so that the worker fires with it, silences on the
inbox topic, dead letters replayed to the receiver."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from newswatch.alerts.message import Alert as AlertMessage
from newswatch.alerts.targets import Targets
from newswatch.article import Article
from newswatch.kafka.inboxfeed import read_control
from newswatch.kafka.reading import read_latest
from newswatch.kafka.records import DeadLetter, RuleRecord
from tests.kafka.conftest import (
    Deployment,
    Proc,
    child_env,
    free_port,
    parse_alerts,
    wait_until,
)
from tests.support.kafka import make_producer
from tests.support.receivers import HttpReceiver
from tests.support.story_feeds import STORY_RULES, story_copies

pytestmark = pytest.mark.kafka

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_JOINED = re.compile(r"joined story (\S+) \(")


class Page:
    """The page as a client sees it: one session cookie, its CSRF token from a form."""

    def __init__(self, port: int) -> None:
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", timeout=20, follow_redirects=True
        )

    def get(self, path: str) -> str:
        return self.client.get(path).text

    def post(self, path: str, form: dict[str, str], *, token_from: str = "/") -> httpx.Response:
        found = _CSRF.search(self.get(token_from))
        assert found, f"no CSRF token on {token_from}"
        return self.client.post(path, data={"csrf_token": found[1], **form})

    def health(self) -> dict[str, object]:
        try:
            return dict(self.client.get("/health").json())
        except (httpx.HTTPError, ValueError):
            return {}


def _rule_record(d: Deployment, rule_id: str) -> RuleRecord:
    latest = read_latest(d.settings, d.settings.topics.rules)
    return RuleRecord.from_bytes(latest[rule_id.encode()].value)


def test_the_kafka_page_shows_the_workers_stories_and_its_edits_reach_the_workers(
    deployment: Deployment, http_receiver: HttpReceiver
) -> None:
    d = deployment
    d.rules.mkdir(parents=True)
    for rule_id, text in STORY_RULES.items():
        (d.rules / f"{rule_id}.yaml").write_text(text, encoding="utf-8")
    assert d.publish().returncode == 0
    d.write_targets(http_receiver.apprise_url("/hook"))
    feeds = d.root / "feeds.yaml"
    feeds.write_text("feeds: []\n", encoding="utf-8")
    worker = d.worker(stories=True)
    port = free_port()
    web = Proc(
        "web",
        [
            "web",
            *d.kafka_args(),
            "--rules",
            str(d.rules),
            "--feeds",
            str(feeds),
            "--state",
            str(d.root / "state"),
            "--apprise",
            str(d.apprise),
            "--web",
            f"127.0.0.1:{port}",
        ],
        d.root,
        child_env(),
    )
    d.procs.append(web)
    web.start()
    page = Page(port)
    assert wait_until(lambda: "rules ready" in worker.log(), 90), worker.tail()
    copies = story_copies()
    d.produce(copies)
    assert wait_until(lambda: len(http_receiver.accepted("/hook")) >= 1, 90), worker.tail()
    assert wait_until(lambda: page.health().get("status") == "ok", 60), web.tail()

    # --- the worker's stories, with the matcher's marks --------------------------------------
    assert wait_until(lambda: page.get("/").count("data-article=") == len(copies), 60), web.tail()
    html = page.get("/")
    shown = set(re.findall(r'data-story="([^"]+)"', html))
    decided = set(_JOINED.findall(worker.log()))
    assert len(shown) == 1 and shown == decided, (shown, decided)
    assert re.search(r'<mark class="name"[^>]*>[^<]*لافروف[^<]*</mark>', html)
    assert re.search(r'<mark class="name"[^>]*>[^<]*Лавров[^<]*</mark>', html)
    article = page.get("/article?id=russian-ru-1")
    assert "Лаврова" in article and "geneva" in article and "lavrov" in article
    rules = page.get("/rules")
    assert "Watch Lavrov" in rules and "Watch Geneva" in rules

    # --- an invalid edit: shown with its line, nothing saved, nothing published --------------
    geneva = d.rules / "geneva.yaml"
    before, version = geneva.read_text(encoding="utf-8"), _rule_record(d, "geneva").version
    broken = page.post(
        "/rules/save",
        {"file": "geneva.yaml", "text": "id: geneva\ntitle: [unclosed\n"},
        token_from="/rules/edit?file=geneva.yaml",
    )
    assert broken.status_code == 422 and "geneva.yaml:" in broken.text
    assert geneva.read_text(encoding="utf-8") == before
    assert _rule_record(d, "geneva").version == version

    # --- a good file in a directory `rules publish` refuses: not published, put back ---------
    other = d.rules / "other.yaml"
    other.write_text("id: other\ntitle: [broken\n", encoding="utf-8")
    refused = page.post(
        "/rules/save",
        {
            "file": "geneva.yaml",
            "text": STORY_RULES["geneva"].replace("Watch Geneva", "Watch Geneva, refused"),
        },
        token_from="/rules/edit?file=geneva.yaml",
    )
    assert refused.status_code == 422 and "not published, so not saved" in refused.text
    assert "other.yaml:" in refused.text
    assert geneva.read_text(encoding="utf-8") == before
    assert _rule_record(d, "geneva").version == version
    other.unlink()

    # --- a good edit is published, and the worker fires with it on the next article ----------
    edited = STORY_RULES["geneva"].replace("Watch Geneva", "Watch Geneva, edited on the page")
    saved = page.post(
        "/rules/save",
        {"file": "geneva.yaml", "text": edited},
        token_from="/rules/edit?file=geneva.yaml",
    )
    assert saved.status_code == 200 and "Published from" in saved.text, saved.text[:500]
    assert geneva.read_text(encoding="utf-8") == edited
    record = _rule_record(d, "geneva")
    assert record.version != version and "edited on the page" in record.text
    assert wait_until(lambda: "edited on the page" in page.get("/rules"), 30)
    assert wait_until(lambda: "rule geneva updated to" in worker.log(), 30), worker.tail()
    fresh = Article(
        id="wire-geneva-2",
        feed="wire",
        url="https://wire.example.org/world/2026/03/20/geneva-yemen-conference",
        title="Donors gather in Geneva for a Yemen pledging conference",
        summary="Delegations from forty countries arrived in Geneva on Friday to pledge money "
        "for food and medicine in Yemen, where the harvest failed again this year.",
        language="en",
        published=datetime.now(UTC),
    )
    d.produce([fresh])

    def fired_with_edit() -> bool:
        alerts = [a for r in http_receiver.accepted("/hook") for a in parse_alerts(r)]
        return any(a.rule == "geneva" and a.version == record.version for a in alerts)

    assert wait_until(fired_with_edit, 60), worker.tail()

    # --- a silence from the page goes to the inbox topic; expiring it too --------------------
    (story_id,) = shown
    made = page.post(
        "/silences",
        {
            "matchers": f"story={story_id}",
            "duration": "2h",
            "author": "ana",
            "comment": "on it",
        },
        token_from="/silences",
    )
    assert made.status_code == 200, made.text[:500]
    control = read_control(d.settings)
    (silence,) = control.silences.values()
    assert silence.matchers == (("story", story_id),) and silence.author == "ana"
    assert silence.id in page.get("/silences")
    ended = page.post(f"/silences/{silence.id}/expire", {}, token_from="/silences")
    assert ended.status_code == 200
    assert read_control(d.settings).silences[silence.id].ends_at <= datetime.now(UTC)

    # --- a dead letter is listed, and replayed to its target from the page -------------------
    target = next(iter(Targets.load(d.apprise)))
    letter = DeadLetter(
        alert=AlertMessage(
            key=f"story\x1f{story_id}\x1f{target.id}",
            rule_id="lavrov",
            rule_version="v1",
            article_id="wire-wire-1",
            title="Parked on purpose: Lavrov in Geneva",
            body="A letter the test parked.",
            tags=("default",),
            severity="high",
        ),
        target_id=target.id,
        target=target.display,
        reason="HTTP 500 from the receiver",
        attempts=3,
        parked_at=(datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    )
    producer = make_producer(d.bootstrap)
    try:
        topic = d.settings.topics.dead_letters
        producer.send(topic, key=letter.key, value=letter.to_bytes()).get(timeout=30)
    finally:
        producer.close(timeout=10)
    assert wait_until(lambda: "Parked on purpose" in page.get("/alerts"), 30), web.tail()
    assert "HTTP 500 from the receiver" in page.get("/alerts")
    sent_before = len(http_receiver.accepted("/hook"))
    retried = page.post("/alerts", {}, token_from="/alerts")
    assert "1 dead letter(s) sent, 0 failed again" in retried.text
    posts = http_receiver.accepted("/hook")[sent_before:]
    assert [p.json["title"] for p in posts] == ["Parked on purpose: Lavrov in Geneva"]
    assert wait_until(lambda: "Parked on purpose" not in page.get("/alerts"), 30)

    # --- and a POST without the token is refused ----------------------------------------------
    refused = page.client.post("/silences", data={"matchers": "rule=lavrov"})
    assert refused.status_code == 403
    assert len(read_control(d.settings).silences) == 1
