"""Load times of the analysts' web page (``newswatch.web``) on an archive of ``--articles``
synthetic articles (default 10,000), served by uvicorn on a real loopback socket; measured, not
asserted.

Setup, all local (a temporary state directory; no network beyond 127.0.0.1; no ../shared data):

- one feed in the feed list (never polled: the articles are handed to the monitor directly);
- ``--rules`` synthetic rules (default 50; ``benchmarks.synth``: 60% one person, 25% one place,
  15% a person in a place) written as YAML, ten to a file (``desk-1.yaml`` …);
- articles from ``bench_stories``' mix (~3,000 characters, English, French, Arabic and Russian,
  Zipf-drawn synthetic words; 60% of the draws start a story with 1–5 copies, summaries,
  rewrites and other-language variants), where a share of the stories (``--watched-share``,
  default 0.3) name every entity of one of the rules (in the article's script), so they fire;
- an embedded ``Monitor`` (archive on, console off, no Apprise config: alerts are recorded in
  the outbox and sent nowhere) fed every article through ``Monitor.handle`` in batches of 100
  (story grouping, matching, hits in the story store, the inbox, the archive), as a poller does.

Then the page (``create_app(EmbeddedDesk(monitor))``) is served with ``newswatch.web.server.serve``
(uvicorn, as ``newswatch run --web`` does) on a free 127.0.0.1 port in the monitor's own event
loop, and an ``httpx.AsyncClient`` in the same loop requests each page. One untimed round first
(its times are the "first" column: templates compiled, the lint cache filled), then up to
``--runs`` timed rounds (default 20), each requesting every page once, so a drift of the
machine's pace falls on every page alike; rounds stop early once ``--max-seconds`` are spent.

Pages: ``/`` (stories, default filters: where a rule fired), ``/?all=1``, ``/?rule=`` the rule
with the most hits, ``/article?id=`` the newest article with hits, ``/rules``, ``/feeds``,
``/alerts``, ``/silences``, ``/health``, ``/metrics``, and the POSTs ``/rules/try`` (dry run and
diff of one rule file, edited to drop one rule's aliases, over the 7-day archive) and
``/rules/check`` (the same text), with the session cookie and CSRF token a browser has.

Baselines in the same rounds: ``/health`` (the cheapest page: the client, HTTP and middleware
cost) and, for the two POSTs, the same work called directly in Python
(``EmbeddedDesk.try_rule_file`` / ``check_rule_file``), so the HTTP and template overhead shows
as a ratio. Figures: median and p90 (nearest rank) in ms, response size in bytes. ``--json``
prints one JSON object (every run) instead of the table.

    .venv/bin/python benchmarks/bench_web.py                        # 10,000 articles, 20 rounds
    .venv/bin/python benchmarks/bench_web.py --articles 1000 --runs 5 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import random
import re
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from benchmarks.bench_stories import Corpus, Story, make_mix
from benchmarks.common import code_state
from benchmarks.synth import RuleSpec, make_rules, rules_yaml
from newswatch.article import Article
from newswatch.embedded.desk import EmbeddedDesk
from newswatch.embedded.runtime import Monitor, MonitorConfig
from newswatch.web.app import create_app
from newswatch.web.security import Bind
from newswatch.web.server import serve

HOST = "127.0.0.1"
OFF_LIMITS = {18931, 18932, 19092}  # ports other processes of this project use
RULES_PER_FILE = 10
BATCH = 100  # articles per Monitor.handle call, as one poll of a busy feed
STEP_S = 20.0  # seconds between two articles' publication times
REQUEST_TIMEOUT_S = 300.0
_SCRIPTS = {"en": "latin", "fr": "latin", "ar": "arabic", "ru": "cyrillic"}
_CSRF_HEADER = re.compile(r"hx-headers='\{\"X-CSRF-Token\": \"([^\"]+)\"\}'")
_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


# --- the archive ---------------------------------------------------------------------------------


def _script(name: str) -> str:
    if re.search("[\u0600-\u06ff]", name):
        return "arabic"
    if re.search("[\u0400-\u04ff]", name):
        return "cyrillic"
    return "latin"


def watched_names(spec: RuleSpec) -> list[dict[str, str]]:
    """Each entity of a rule as script -> name (the canonical name, else the first alias of
    that script), so an article in any language can name it."""
    out = []
    for _, _, canonical, aliases in spec.entities:
        names = {"latin": canonical}
        for alias in aliases:
            names.setdefault(_script(alias), alias)
        out.append({script: names.get(script, canonical) for script in set(_SCRIPTS.values())})
    return out


class WatchedCorpus(Corpus):
    """``bench_stories``' corpus, where a share of the stories name one rule's entities."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.watched: list[list[dict[str, str]]] = []
        self.share = 0.0

    def watch(self, specs: Sequence[RuleSpec], share: float) -> None:
        self.watched = [watched_names(spec) for spec in specs]
        self.share = share

    def story(self, rng: random.Random) -> Story:
        story = super().story(rng)
        if self.watched and rng.random() < self.share:
            names = rng.choice(self.watched)
            story.names = [*names, *story.names[len(names) :]]
        return story


@dataclass
class Desk:
    """What the benchmark built: the rules, and the monitor's figures after the fill."""

    specs: list[RuleSpec]
    files: dict[str, list[RuleSpec]]  # file name -> its rules
    articles: int = 0
    fill_s: float = 0.0
    stories: int = 0
    articles_with_hits: int = 0
    hits: int = 0
    archived: int = 0
    outbox: dict[str, int] = field(default_factory=dict)


def write_setup(root: Path, specs: list[RuleSpec]) -> tuple[MonitorConfig, Desk]:
    rules_dir = root / "rules"
    rules_dir.mkdir()
    files: dict[str, list[RuleSpec]] = {}
    for start in range(0, len(specs), RULES_PER_FILE):
        name = f"desk-{start // RULES_PER_FILE + 1}.yaml"
        files[name] = specs[start : start + RULES_PER_FILE]
        (rules_dir / name).write_text(rules_yaml(files[name]), encoding="utf-8")
    feeds = root / "feeds.yaml"
    # Never fetched: the monitor's poller does not run, the articles are handed to it.
    feeds.write_text(
        "feeds:\n  - id: bench\n    url: http://127.0.0.1:9/feed.xml\n    interval: 300\n",
        encoding="utf-8",
    )
    config = MonitorConfig(
        feeds_file=feeds,
        rules_dir=rules_dir,
        state_dir=root / "state",
        apprise_config=None,
        console=False,
        archive=True,
    )
    return config, Desk(specs, files)


def make_articles(corpus: Corpus, count: int, seed: int, now: datetime) -> list[Article]:
    """The mix, its publication times moved so that the newest article is one minute old."""
    articles = make_mix(count, seed, 0.6, corpus).articles
    newest = max(a.published for a in articles if a.published is not None)
    shift = now - timedelta(minutes=1) - newest
    return [
        replace(a, feed="bench", published=a.published + shift if a.published else None)
        for a in articles
    ]


async def fill(monitor: Monitor, articles: Sequence[Article], desk: Desk) -> None:
    spec = monitor.feeds[0]
    started = time.perf_counter()
    for start in range(0, len(articles), BATCH):
        await monitor.handle(spec, articles[start : start + BATCH])
    desk.fill_s = time.perf_counter() - started
    desk.articles = len(articles)
    desk.stories = monitor.grouper.story_count
    found = monitor.stories.hits([a.id for a in articles])
    desk.articles_with_hits = len(found)
    desk.hits = sum(len(rows) for rows in found.values())
    desk.archived = monitor.archive.stats().articles if monitor.archive is not None else 0
    counts = monitor.notifier.outbox.counts()
    desk.outbox = {"pending": counts.pending, "failed": counts.failed, "sent": counts.sent}


def busiest_rule(monitor: Monitor) -> str:
    activity = monitor.stories.rule_activity(monitor.clock())
    if not activity:
        raise SystemExit("bench_web: no rule fired on the archive; raise --articles")
    return max(activity.values(), key=lambda a: (a.week, a.rule_id)).rule_id


def article_with_hits(monitor: Monitor) -> str:
    """The newest article with hits of the newest story where a rule fired."""
    store = monitor.stories
    for story_id in store.story_ids(fired_only=True, limit=1):
        ids = [row.article.id for row in store.rows(story_id)]
        found = store.hits(ids)
        for article_id in reversed(ids):
            if article_id in found:
                return article_id
    raise SystemExit("bench_web: no article with hits; raise --articles")


def edited_file(desk: Desk, rule_id: str) -> tuple[str, str]:
    """The file holding ``rule_id``, and its text with that rule's aliases dropped (articles
    that named it only by an alias stop matching: the diff has something to show)."""
    for name, specs in desk.files.items():
        if any(s.id == rule_id for s in specs):
            edited = [
                RuleSpec(s.id, tuple((k, kind, c, ()) for k, kind, c, _ in s.entities), s.match)
                if s.id == rule_id
                else s
                for s in specs
            ]
            return name, rules_yaml(edited)
    raise SystemExit(f"bench_web: rule {rule_id} is in no file")


# --- the pages -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    method: str = "GET"
    path: str = ""
    form: tuple[tuple[str, str], ...] = ()
    marker: str = ""  # text the response must hold (the work was done, not an error page)

    @property
    def url(self) -> str:
        return self.path or self.name


@dataclass
class Timing:
    """One page (or direct call) over the rounds."""

    name: str
    kind: str  # "http" or "direct"
    first_ms: float = 0.0  # the untimed warm-up request
    runs_ms: list[float] = field(default_factory=list)
    bytes: int = 0
    median_ms: float = 0.0
    p90_ms: float = 0.0
    vs_health: float = 0.0  # median over /health's median

    def finish(self, health_ms: float) -> None:
        self.median_ms = statistics.median(self.runs_ms)
        self.p90_ms = nearest_rank(self.runs_ms, 0.9)
        self.vs_health = self.median_ms / health_ms if health_ms else math.nan


def nearest_rank(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def free_port() -> int:
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            port = int(sock.getsockname()[1])
        if port not in OFF_LIMITS:
            return port
    raise RuntimeError("no free loopback port")


def csrf_token(html: str) -> str:
    found = _CSRF_HEADER.search(html) or _CSRF_INPUT.search(html)
    if found is None:
        raise RuntimeError("no CSRF token on the page (hx-headers on <body>, csrf_token input)")
    return found.group(1)


def pages(rule_id: str, article_id: str, file: str, text: str, token: str) -> list[Page]:
    posted = (("csrf_token", token), ("file", file), ("text", text), ("since", "7d"))
    return [
        Page("/", marker='class="story'),
        Page("/?all=1", marker='class="story'),
        Page(f"/?rule={rule_id}", marker=rule_id),
        Page(f"/article?id={article_id}", marker='class="explain fired'),
        Page("/rules", marker=rule_id),
        Page("/feeds", marker="bench"),
        Page("/alerts"),
        Page("/silences"),
        Page("/health", marker='"status"'),
        Page("/metrics", marker="# TYPE"),
        Page("POST /rules/try", "POST", "/rules/try", posted, 'class="diff"'),
        Page("POST /rules/check", "POST", "/rules/check", posted),
    ]


async def request(client: httpx.AsyncClient, page: Page) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    if page.method == "POST":
        response = await client.post(page.url, data=dict(page.form))
    else:
        response = await client.get(page.url)
    elapsed = (time.perf_counter() - started) * 1e3
    if response.status_code != 200 or page.marker not in response.text:
        raise RuntimeError(
            f"{page.name}: HTTP {response.status_code}, {len(response.content)} bytes"
            f"{'' if page.marker in response.text else f', no {page.marker!r}'}: "
            f"{response.text[:300]!r}"
        )
    return elapsed, response


def timed_call(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1e3


async def wait_until_served(client: httpx.AsyncClient, server: asyncio.Task[bool]) -> None:
    for _ in range(200):  # at most ~10 s
        if server.done():
            raise RuntimeError("the web server stopped before it served (see the log above)")
        try:
            await client.get("/health")
            return
        except httpx.TransportError:
            await asyncio.sleep(0.05)
    raise RuntimeError("the web server did not answer within 10 s")


@dataclass
class Measured:
    timings: list[Timing]
    rounds: int
    seconds: float
    rule: str
    article: str
    file: str


async def measure_pages(
    client: httpx.AsyncClient, monitor: Monitor, desk_info: Desk, args: argparse.Namespace
) -> Measured:
    desk = EmbeddedDesk(monitor)
    rule_id, article_id = busiest_rule(monitor), article_with_hits(monitor)
    file, text = edited_file(desk_info, rule_id)
    home = await client.get("/")
    if "nw_session" not in client.cookies:
        raise RuntimeError("the page set no nw_session cookie")
    listed = pages(rule_id, article_id, file, text, csrf_token(home.text))
    direct: dict[str, tuple[str, Callable[[], object]]] = {
        "POST /rules/try": (
            "desk.try_rule_file (direct)",
            lambda: desk.try_rule_file(file, text, "7d"),
        ),
        "POST /rules/check": (
            "desk.check_rule_file (direct)",
            lambda: desk.check_rule_file(file, text),
        ),
    }
    timings: dict[str, Timing] = {}
    for page in listed:  # the untimed round
        elapsed, response = await request(client, page)
        timings[page.name] = Timing(page.name, "http", elapsed, bytes=len(response.content))
        if page.name in direct:
            name, call = direct[page.name]
            timings[name] = Timing(name, "direct", timed_call(call))
    started = time.perf_counter()
    rounds = 0
    while rounds < args.runs and (rounds == 0 or time.perf_counter() - started < args.max_seconds):
        for page in listed:
            elapsed, response = await request(client, page)
            timings[page.name].runs_ms.append(elapsed)
            timings[page.name].bytes = len(response.content)
            if page.name in direct:
                name, call = direct[page.name]
                timings[name].runs_ms.append(timed_call(call))
        rounds += 1
    spent = time.perf_counter() - started
    health = statistics.median(timings["/health"].runs_ms)
    for timing in timings.values():
        timing.finish(health)
    return Measured(list(timings.values()), rounds, spent, rule_id, article_id, file)


async def run(args: argparse.Namespace) -> tuple[Desk, Measured]:
    corpus = WatchedCorpus(args.seed)
    specs = make_rules(corpus.pool, args.rules, random.Random(args.seed))
    corpus.watch(specs, args.watched_share)
    articles = make_articles(corpus, args.articles, args.seed, datetime.now(UTC))
    with tempfile.TemporaryDirectory(prefix="newswatch-bench-web-") as tmp:
        config, desk_info = write_setup(Path(tmp), specs)
        async with Monitor(config) as monitor:
            await fill(monitor, articles, desk_info)
            if not args.json:
                print(
                    f"  filled: {desk_info.articles:,} articles in {desk_info.fill_s:.0f} s "
                    f"({desk_info.fill_s / desk_info.articles * 1e3:.1f} ms/article), "
                    f"{desk_info.stories:,} stories, {desk_info.articles_with_hits:,} articles "
                    f"with hits",
                    flush=True,
                )
            app = create_app(EmbeddedDesk(monitor))
            stop = asyncio.Event()
            port = free_port()
            server = asyncio.create_task(serve(app, Bind(HOST, port), stop))
            try:
                async with httpx.AsyncClient(
                    base_url=f"http://{HOST}:{port}",
                    timeout=REQUEST_TIMEOUT_S,
                    trust_env=False,  # no proxy from the environment: 127.0.0.1 only
                ) as client:
                    await wait_until_served(client, server)
                    measured = await measure_pages(client, monitor, desk_info, args)
            finally:
                stop.set()
                await server
    return desk_info, measured


# --- reporting -----------------------------------------------------------------------------------


def table(measured: Measured) -> list[str]:
    lines = [
        "| page | requests | median ms | p90 ms | first ms | × /health | bytes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t in measured.timings:
        size = f"{t.bytes:,}" if t.kind == "http" else "—"
        lines.append(
            f"| {t.name} | {len(t.runs_ms)} | {t.median_ms:.2f} | {t.p90_ms:.2f} "
            f"| {t.first_ms:.2f} | {t.vs_health:.1f}× | {size} |"
        )
    return lines


def overheads(measured: Measured) -> list[str]:
    by_name = {t.name: t for t in measured.timings}
    out = []
    for page, direct in (
        ("POST /rules/try", "desk.try_rule_file (direct)"),
        ("POST /rules/check", "desk.check_rule_file (direct)"),
    ):
        http, call = by_name[page], by_name[direct]
        out.append(
            f"{page} / {direct}: {http.median_ms / call.median_ms:.2f}× "
            f"({http.median_ms - call.median_ms:+.1f} ms: HTTP, form, template)"
        )
    return out


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000, help="articles in the archive")
    parser.add_argument("--rules", type=int, default=50, help="synthetic rules (10 a file)")
    parser.add_argument("--runs", type=int, default=20, help="timed rounds (every page once)")
    parser.add_argument(
        "--max-seconds", type=float, default=600.0, help="no new round after this long"
    )
    parser.add_argument(
        "--watched-share", type=float, default=0.3, help="share of stories naming a rule"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.articles < 10 or args.rules < 1:
        parser.error("--articles must be at least 10 and --rules at least 1")
    return args


def pin() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    cpu = sorted(os.sched_getaffinity(0))[-1]
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu} of {os.cpu_count()}"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for name in ("newswatch", "feeds", "uvicorn"):
        logging.getLogger(name).setLevel(logging.ERROR)  # "sent nowhere" on every alert
    machine = f"{platform.machine()}, Python {platform.python_version()}, {pin()}"
    state = code_state()
    if not args.json:
        print(
            f"bench_web: {state}; {machine}; {args.articles:,} articles, {args.rules} rules; "
            f"up to {args.runs} rounds",
            flush=True,
        )
    desk, measured = asyncio.run(run(args))
    if args.json:
        payload: dict[str, Any] = {
            "code": state,
            "machine": machine,
            "articles": args.articles,
            "rules": args.rules,
            "runs": args.runs,
            "rounds": measured.rounds,
            "seed": args.seed,
            "setup": {k: v for k, v in asdict(desk).items() if k not in ("specs", "files")},
            "requested": {
                "rule": measured.rule,
                "article": measured.article,
                "file": measured.file,
            },
            "pages": [asdict(t) for t in measured.timings],
        }
        print(json.dumps(payload, indent=2))
    else:
        print(
            f"  {measured.rounds} rounds in {measured.seconds:.0f} s; rule {measured.rule}, "
            f"article {measured.article}, file {measured.file}"
        )
        print()
        print("\n".join(table(measured)))
        print()
        print("\n".join(overheads(measured)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
