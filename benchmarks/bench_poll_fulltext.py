"""Does full text hold up the feeds that do not need it? Two runs side by side, one process.

200 feeds on 10 local hosts (real HTTP servers on 127.0.0.1, the pollers' ``Fetcher``): 100
summary-rich feeds, and 100 summary-only feeds of 5 new entries each whose pages answer after
``--page-delay`` seconds. One ``Poller.poll_all_once`` (8 slots, as in ``run``) through the
same sink as ``run`` uses (``full_text_sink``: one page at a time per host, ``--host-delay``
apart), timed per feed from the start of the round to its entries reaching the sink:

- baseline: the summary-only feeds with ``fulltext: off`` — polling alone;
- full text: the same feeds with ``fulltext: on`` — 500 pages to fetch.

The figure is the delay of the summary-rich feeds' entries (median and 95th percentile), in
both runs: with full text it should stay near the baseline, the pages taking as long as they
take for their own feeds.

    .venv/bin/python benchmarks/bench_poll_fulltext.py [--page-delay 0.05] [--host-delay 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import code_state
from feeds.config import FeedSpec
from feeds.fetch import Fetcher, FetchLimits
from feeds.fulltext import PageFetcher, full_text_sink
from feeds.poller import Poller
from feeds.state import FeedStateStore
from newswatch.article import Article
from tests.support.feed_server import FeedServer, Route

HOSTS = 10
RICH = SHORT = 100
ENTRIES = 5
PAGE = (
    "<html><body><nav>Home World Sport</nav><article><h1>Talks in Geneva</h1>"
    + "".join(f"<p>Paragraph {i} of the article about the talks in Geneva.</p>" for i in range(8))
    + "</article><footer>All rights reserved</footer></body></html>"
).encode()


def feed(host: FeedServer, name: str, *, rich: bool) -> bytes:
    items = []
    for i in range(ENTRIES):
        link = host.url(f"/{name}/{i}.html")
        text = ("A long summary of the day's talks. " * 20) if rich else "Talks today."
        items.append(
            f"<item><title>{name} {i}</title><link>{link}</link><guid>{name}-{i}</guid>"
            f"<description>{text}</description></item>"
        )
    channel = f"<channel><title>{name}</title>{''.join(items)}</channel>"
    return f"<rss version='2.0'>{channel}</rss>".encode()


async def one_round(specs: list[FeedSpec], state_dir: Path, host_delay: float) -> dict[str, float]:
    delivered: dict[str, float] = {}
    started = time.perf_counter()

    async def sink(spec: FeedSpec, articles: Sequence[Article]) -> None:
        delivered[spec.id] = time.perf_counter() - started

    with FeedStateStore(state_dir / "feeds.sqlite3") as state:
        async with Fetcher(limits=FetchLimits(read_timeout=10)) as fetcher:
            pages = PageFetcher(fetcher, host_delay=host_delay)
            poller = Poller(specs, fetcher, state, concurrency=8)
            await poller.poll_all_once(full_text_sink(sink, pages, state))
    return delivered


def _pages(hosts: list[FeedServer]) -> int:
    return sum(1 for h in hosts for r in h.requests() if r.path.endswith(".html"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page-delay", type=float, default=0.05)
    parser.add_argument("--host-delay", type=float, default=0.2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    hosts = [FeedServer() for _ in range(HOSTS)]
    try:
        rich: list[tuple[str, str]] = []
        short: list[tuple[str, str]] = []
        for i in range(RICH + SHORT):
            host = hosts[i % HOSTS]
            name = f"{'rich' if i < RICH else 'short'}-{i}"
            host.set_route(f"/{name}.rss", Route(body=feed(host, name, rich=i < RICH)))
            for e in range(ENTRIES):
                page = Route(body=PAGE, content_type="text/html", delay=args.page_delay)
                host.set_route(f"/{name}/{e}.html", page)
            (rich if i < RICH else short).append((name, host.url(f"/{name}.rss")))
        print(f"matcher: {code_state()}")
        print(
            f"{RICH} summary-rich + {SHORT} summary-only feeds ({ENTRIES} entries each) on "
            f"{HOSTS} local hosts; pages answer after {args.page_delay:g} s, "
            f"{args.host_delay:g} s apart per host"
        )
        print(f"{'run':<10} | rich feeds delivered after: median   p95    | last feed | pages")
        results: dict[str, list[tuple[float, float, float, int]]] = {
            "baseline": [],
            "full text": [],
        }
        for _ in range(args.rounds):  # alternated, so neither run has the cold start to itself
            for label, mode in (("baseline", "off"), ("full text", "on")):
                specs = []  # interleaved, as a real list mixes them
                for (r_name, r_url), (s_name, s_url) in zip(rich, short, strict=True):
                    specs += [FeedSpec(s_name, s_url, fulltext=mode), FeedSpec(r_name, r_url)]
                before = _pages(hosts)
                with tempfile.TemporaryDirectory() as tmp:
                    delivered = asyncio.run(one_round(specs, Path(tmp), args.host_delay))
                times = sorted(delivered[name] for name, _ in rich)
                p95 = times[int(0.95 * (len(times) - 1))]
                last = max(delivered.values())
                results[label].append((statistics.median(times), p95, last, _pages(hosts) - before))
        for label, rows in results.items():
            median = statistics.median(r[0] for r in rows)
            p95 = statistics.median(r[1] for r in rows)
            last = statistics.median(r[2] for r in rows)
            pages = int(statistics.median(r[3] for r in rows))
            print(
                f"{label:<10} |                          {median:6.3f} s {p95:6.3f} s | "
                f"{last:7.2f} s | {pages}"
            )
        print(f"(medians of {args.rounds} rounds, each mode once per round, alternating)")
    finally:
        for host in hosts:
            host.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
