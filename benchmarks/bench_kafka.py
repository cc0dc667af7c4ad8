"""Scale-out benchmark: articles through Kafka + one Faust worker (`newswatch worker`).

Two measurements on a real broker, each in a fresh deployment (its own topic prefix, deleted
afterwards):

1. **Sustained throughput** — a backlog of ``--articles`` articles is put on the articles topic,
   then one worker is started; the rate is counted from its ``/metrics`` between its first and
   its last article (matching, dedupe table, hits produced and acknowledged, alerts sent to a
   local HTTP receiver). Repeated ``--repeat`` times; the median is the figure.
2. **Latency at a fixed rate** — with the worker running, articles are produced at ``--rate``
   per second for ``--seconds``; for each hit, latency = the hit record's Kafka timestamp minus
   its article's (both stamped on this machine): produce → matched, hit acknowledged. Also
   produce → alert received by the HTTP receiver. p50/p95/p99, median over ``--repeat`` runs.

Articles are RSS-sized items (title + summary, 300–700 characters) in Arabic, English,
Russian and French, one in ``--hit-every`` naming a watched entity; ``--rules`` rules (persons
and places with Latin, Arabic and Cyrillic aliases) are published with `rules publish`.

    scripts/with-kafka.sh .venv/bin/python benchmarks/bench_kafka.py
    KAFKA_BOOTSTRAP=127.0.0.1:19092 .venv/bin/python benchmarks/bench_kafka.py --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import KafkaAdminClient  # noqa: E402

from newswatch.article import Article  # noqa: E402
from newswatch.kafka.config import KafkaSettings  # noqa: E402
from newswatch.kafka.publish import publish_rules  # noqa: E402
from newswatch.matching.matcher import Matcher  # noqa: E402
from newswatch.rules.loader import load_rules  # noqa: E402

# --- corpus ------------------------------------------------------------------------------------

PEOPLE = [
    ("Sergey Lavrov", "سيرغي لافروف", "Сергей Лавров"),
    ("John Kerry", "جون كيري", "Джон Керри"),
    ("Staffan de Mistura", "ستافان دي ميستورا", "Стаффан де Мистура"),
    ("Recep Tayyip Erdogan", "رجب طيب أردوغان", "Реджеп Тайип Эрдоган"),
    ("Ban Ki-moon", "بان كي مون", "Пан Ги Мун"),
]
PLACES = [
    ("Aleppo", "حلب", "Алеппо"),
    ("Geneva", "جنيف", "Женева"),
    ("Ankara", "أنقرة", "Анкара"),
    ("Damascus", "دمشق", "Дамаск"),
    ("Moscow", "موسكو", "Москва"),
    ("Homs", "حمص", "Хомс"),
    ("Idlib", "إدلب", "Идлиб"),
    ("Raqqa", "الرقة", "Ракка"),
]
FILLER = {
    "en": "officials said on Tuesday that the talks would continue after a short pause while "
    "delegations consulted their capitals about the proposals on the table and the timetable",
    "fr": "les responsables ont indiqué mardi que les discussions reprendraient après une courte "
    "pause pendant que les délégations consultaient leurs capitales sur les propositions",
    "ru": "официальные лица заявили во вторник, что переговоры продолжатся после короткого "
    "перерыва, пока делегации консультируются со своими столицами по предложениям",
    "ar": "قال المسؤولون يوم الثلاثاء إن المحادثات ستستمر بعد توقف قصير بينما تتشاور الوفود "
    "مع عواصمها بشأن المقترحات المطروحة على الطاولة والجدول الزمني للمفاوضات المقبلة",
}
NEUTRAL = {
    "en": ["Lisbon", "Oslo", "Nairobi", "Lima", "Hanoi", "Quito"],
    "fr": ["Lisbonne", "Oslo", "Nairobi", "Lima", "Hanoï", "Quito"],
    "ru": ["Лиссабон", "Осло", "Найроби", "Лима", "Ханой", "Кито"],
    "ar": ["لشبونة", "أوسلو", "نيروبي", "ليما", "هانوي", "كيتو"],
}
SCRIPT = {"en": 0, "fr": 0, "ar": 1, "ru": 2}


def rules_yaml(count: int) -> dict[str, str]:
    """``count`` rules: a person or a place each, aliases in three scripts (file name -> text)."""
    rng = random.Random(7)
    out = {}
    for i in range(count):
        if i % 2 == 0:
            names, kind = PEOPLE[i % len(PEOPLE)], "person"
        else:
            names, kind = PLACES[i % len(PLACES)], "place"
        # Rules beyond the base names watch made-up ones, so the automaton grows like a real
        # watch list without every article firing every rule.
        suffix = "" if i < len(PEOPLE) + len(PLACES) else f" {rng.choice('BCDFGKLMNPRST')}{i}"
        canonical = names[0] + suffix
        aliases = ", ".join(f'"{n}{suffix}"' for n in names[1:])
        out[f"r{i:03d}.yaml"] = (
            f"id: r{i:03d}\ntitle: Watch {canonical}\nseverity: medium\n"
            f"entities:\n  e:\n    {kind}: {canonical}\n    aliases: [{aliases}]\n"
        )
    return out


def make_articles(
    n: int, *, hit_every: int, tag: str, seed: int = 1, content_chars: int = 0
) -> Iterator[Article]:
    rng = random.Random(seed)
    languages = ["en", "ar", "ru", "fr"]
    for i in range(n):
        lang = languages[i % 4]
        words = FILLER[lang].split()
        named = NEUTRAL[lang][i % len(NEUTRAL[lang])]
        if i % hit_every == 0:
            names = rng.choice(PEOPLE + PLACES)
            named = names[SCRIPT[lang]]
        cut = rng.randint(len(words) // 2, len(words))
        summary = " ".join(words[:cut]) + f" {named} " + " ".join(words[cut:])
        content = ""
        if content_chars:
            # Full text, as feeds with content:encoded give it; the name is in the summary.
            filler = FILLER[lang] + ". "
            content = (filler * (content_chars // len(filler) + 1))[:content_chars]
        yield Article(
            id=f"{tag}-{i:07d}",
            feed=f"bench-{lang}",
            url=f"https://bench.example.org/{tag}/{i}",
            title=f"{named}: {' '.join(words[:8])}",
            summary=(summary + " ") * rng.randint(1, 3),
            content=content,
            language=lang,
        )


# --- infrastructure ----------------------------------------------------------------------------


class Receiver:
    """A minimal HTTP sink on 127.0.0.1 that records when each alert arrived."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.arrivals.append((time.time(), body.decode("utf-8", "replace")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Deployment:
    bootstrap: str
    workdir: Path
    partitions: int
    rules: int
    alerts: bool = True

    def __post_init__(self) -> None:
        self.prefix = f"nwbench-{secrets.token_hex(4)}-"
        self.settings = KafkaSettings(self.bootstrap, self.prefix, self.partitions)
        self.receiver = Receiver()
        self.dir = self.workdir / self.prefix.rstrip("-")
        (self.dir / "rules").mkdir(parents=True)
        for name, text in rules_yaml(self.rules).items():
            (self.dir / "rules" / name).write_text(text, encoding="utf-8")
        target = (
            f'urls:\n  - "json://127.0.0.1:{self.receiver.port}/hook":\n      tag: default\n'
            if self.alerts
            else ""
        )
        (self.dir / "apprise.yaml").write_text(f"version: 1\n{target}", encoding="utf-8")
        publish_rules(self.dir / "rules", self.settings)
        self.matcher = Matcher(load_rules(self.dir / "rules").rules)
        self.ports: list[int] = []
        self.workers: list[subprocess.Popen[bytes]] = []

    def start_worker(self) -> None:
        port = free_port()
        n = len(self.workers)
        env = dict(os.environ, PYTHONPATH=str(REPO), NO_PROXY="127.0.0.1,localhost")
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
            env.pop(name, None)
        log = (self.dir / f"worker-{n}.log").open("ab")
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "newswatch.cli",
                "--log-level",
                "warning",
                "worker",
                "--bootstrap",
                self.bootstrap,
                "--topic-prefix",
                self.prefix,
                "--partitions",
                str(self.partitions),
                "--apprise",
                str(self.dir / "apprise.yaml"),
                "--data",
                str(self.dir / f"data-{n}"),
                "--web-port",
                str(port),
            ],
            cwd=self.dir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        self.workers.append(worker)
        self.ports.append(port)

    def metric(self, name: str) -> float:
        """The sum of a metric over the workers (-1 while none answers yet)."""
        total, answered = 0.0, False
        for port in self.ports:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                    text = r.read().decode()
            except OSError:
                continue
            answered = True
            for line in text.splitlines():
                if line.startswith(name) and not line.startswith("#"):
                    total += float(line.rsplit(" ", 1)[1])
        return total if answered else -1.0

    def produce(self, articles: Sequence[Article], rate: float | None = None) -> None:
        producer = KafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all", linger_ms=5, enable_idempotence=True
        )
        topic = self.settings.topics.articles
        started = time.monotonic()
        for i, article in enumerate(articles):
            if rate:
                delay = started + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            producer.send(topic, key=article.id.encode(), value=article.to_json().encode())
        producer.flush(timeout=120)
        producer.close(timeout=10)

    def records(self, topic: str, timeout: float = 20.0) -> list[Any]:
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None)
        try:
            tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            consumer.assign(tps)
            consumer.seek_to_beginning(*tps)
            ends = consumer.end_offsets(tps)
            out: list[Any] = []
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and any(
                consumer.position(tp) < ends[tp] for tp in tps
            ):
                for batch in consumer.poll(timeout_ms=500).values():
                    out.extend(batch)
            return out
        finally:
            consumer.close()

    def close(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        self.receiver.close()
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap)
        try:
            mine = [t for t in admin.list_topics() if t.startswith(self.prefix)]
            if mine:
                admin.delete_topics(mine, raise_errors=False)
        finally:
            admin.close()


def wait_for(predicate: Any, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


# --- measurements ------------------------------------------------------------------------------


def throughput(args: argparse.Namespace, run: int) -> dict[str, float]:
    d = Deployment(args.bootstrap, args.workdir, args.partitions, args.rules, not args.no_alerts)
    try:
        articles = list(
            make_articles(
                args.articles, hit_every=args.hit_every, tag=f"t{run}", content_chars=args.content
            )
        )
        hits = sum(len(d.matcher.match(a)) for a in articles)
        d.produce(articles)
        for _ in range(args.workers):
            d.start_worker()
        if not wait_for(lambda: d.metric("newswatch_articles_total") > 0, 120, 0.05):
            raise SystemExit(f"worker did not start: see {d.dir}/worker-*.log")
        first = time.monotonic()
        samples = []
        while True:
            done = d.metric("newswatch_articles_total")
            samples.append((time.monotonic(), done))
            if done >= len(articles):
                break
            if time.monotonic() - first > args.timeout:
                raise SystemExit(f"only {done:.0f} of {len(articles)} after {args.timeout}s")
            time.sleep(0.1)
        elapsed = time.monotonic() - first
        if not args.no_alerts:
            wait_for(lambda: len(d.receiver.arrivals) >= hits, 120, 0.2)
        alerts_done = time.monotonic() - first
        rate = len(articles) / elapsed
        print(
            f"  run {run}: {len(articles)} articles in {elapsed:.1f}s = {rate:,.0f} articles/s; "
            f"{hits} hits, {len(d.receiver.arrivals)} alerts received {alerts_done:.1f}s after the "
            "first article",
            flush=True,
        )
        return {"rate": rate, "seconds": elapsed, "hits": hits, "alerts_s": alerts_done}
    finally:
        d.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(args: argparse.Namespace, run: int) -> dict[str, float]:
    d = Deployment(args.bootstrap, args.workdir, args.partitions, args.rules)
    try:
        d.start_worker()
        warm = list(make_articles(20, hit_every=2, tag=f"w{run}", seed=9))
        d.produce(warm)
        if not wait_for(lambda: d.metric("newswatch_articles_total") >= len(warm), 120, 0.1):
            raise SystemExit(f"worker did not start: see {d.dir}/worker-0.log")
        count = int(args.rate * args.seconds)
        articles = list(make_articles(count, hit_every=args.hit_every, tag=f"l{run}", seed=run))
        expected = sum(len(d.matcher.match(a)) for a in articles) + sum(
            len(d.matcher.match(a)) for a in warm
        )
        d.produce(articles, rate=args.rate)
        wait_for(lambda: d.metric("newswatch_articles_total") >= len(warm) + count, 60, 0.2)
        wait_for(lambda: len(d.receiver.arrivals) >= expected, 60, 0.2)
        produced = {
            r.key.decode(): r.timestamp / 1000
            for r in d.records(d.settings.topics.articles)
            if r.key.decode().startswith(f"l{run}-")
        }
        lat, by_url = [], {}
        for record in d.records(d.settings.topics.hits):
            data = json.loads(record.value)
            article = data["hit"]["article"]
            if article in produced:
                lat.append(record.timestamp / 1000 - produced[article])
                by_url[data["alert"]["url"]] = produced[article]
        e2e = []
        for arrived, body in d.receiver.arrivals:
            for line in json.loads(body)["message"].splitlines():
                if line.startswith("Link: ") and line[6:] in by_url:
                    e2e.append(arrived - by_url[line[6:]])
        result = {
            "hits": len(lat),
            "p50": pct(lat, 0.50),
            "p95": pct(lat, 0.95),
            "p99": pct(lat, 0.99),
            "max": max(lat),
            "e2e_p50": pct(e2e, 0.50),
            "e2e_p95": pct(e2e, 0.95),
            "e2e_p99": pct(e2e, 0.99),
        }
        print(
            f"  run {run}: {count} articles at {args.rate:g}/s, {len(lat)} hits: produce→hit "
            f"p50 {result['p50'] * 1000:.0f} ms, p95 {result['p95'] * 1000:.0f} ms, "
            f"p99 {result['p99'] * 1000:.0f} ms (max {result['max'] * 1000:.0f}); "
            f"produce→alert received p50 {result['e2e_p50'] * 1000:.0f} ms, "
            f"p95 {result['e2e_p95'] * 1000:.0f} ms",
            flush=True,
        )
        return result
    finally:
        d.close()


def matcher_alone(args: argparse.Namespace) -> float:
    """The same articles through the matcher in this process: the ceiling for one worker."""
    workdir = args.workdir / "matcher-only"
    (workdir / "rules").mkdir(parents=True, exist_ok=True)
    for name, text in rules_yaml(args.rules).items():
        (workdir / "rules" / name).write_text(text, encoding="utf-8")
    matcher = Matcher(load_rules(workdir / "rules").rules)
    articles = list(
        make_articles(
            min(args.articles, 20000), hit_every=args.hit_every, tag="m", content_chars=args.content
        )
    )
    started = time.perf_counter()
    for article in articles:
        matcher.match(article)
    return len(articles) / (time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP"))
    parser.add_argument("--articles", type=int, default=30000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--hit-every", type=int, default=10)
    parser.add_argument(
        "--content",
        type=int,
        default=0,
        help="Add this many characters of full text to every article (throughput runs).",
    )
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument(
        "--workers", type=int, default=1, help="Workers for the throughput runs (scale-out)."
    )
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument(
        "--no-alerts",
        action="store_true",
        help="Throughput run without an Apprise target (hits still produced and recorded).",
    )
    parser.add_argument("--workdir", type=Path, default=REPO / "var" / "bench-kafka")
    parser.add_argument("--json", type=Path, default=None, help="Write the figures here too.")
    args = parser.parse_args(argv)
    if not args.bootstrap:
        parser.error("no broker: set KAFKA_BOOTSTRAP or --bootstrap (scripts/with-kafka.sh)")
    args.workdir.mkdir(parents=True, exist_ok=True)

    chars = f", {args.content} characters of full text each" if args.content else ""
    print(f"matcher alone: {matcher_alone(args):,.0f} articles/s (one core, no Kafka{chars})")
    print(
        f"throughput: {args.articles} articles backlog, {args.workers} worker(s), "
        f"{args.partitions} partitions"
    )
    tp = [throughput(args, i + 1) for i in range(args.repeat)]
    rate = statistics.median(r["rate"] for r in tp)
    summary: dict[str, Any] = {
        "articles_per_s_median": rate,
        "runs": {"throughput": tp},
        "settings": {k: str(v) for k, v in vars(args).items()},
    }
    print(f"\nMEDIAN of {args.repeat}: {rate:,.0f} articles/s sustained (goal ≥ 1,000)")
    if not args.skip_latency:
        print(f"latency: {args.rate:g} articles/s for {args.seconds:g}s, one worker")
        lt = [latency(args, i + 1) for i in range(args.repeat)]
        med = {
            k: statistics.median(r[k] for r in lt) * 1000
            for k in ("p50", "p95", "p99", "e2e_p50", "e2e_p95", "e2e_p99")
        }
        summary["latency_ms_median"] = med
        summary["runs"]["latency"] = lt
        print(
            f"\nMEDIAN of {args.repeat}: at {args.rate:g}/s produce→hit p50 {med['p50']:.0f} ms, "
            f"p95 {med['p95']:.0f} ms (goal ≤ 1,000), p99 {med['p99']:.0f} ms; produce→alert "
            f"received p50 {med['e2e_p50']:.0f} ms, p95 {med['e2e_p95']:.0f} ms"
        )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
