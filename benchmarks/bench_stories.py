"""Cost of story grouping (``newswatch.stories.grouping.StoryGrouper``) per article, side by side
with the cost of matching the same articles, in one run.

Articles (~3 KB, synthetic, from ``--seed``; no data set, no network) arrive in time order, one
every 20 s. A share of them (``--story-share``, default 0.6) belong to stories: an original and
one to five more articles on it within a few hours, each one of

- an exact copy under another id and URL (syndication; grouped by the near-duplicate index);
- a near copy: one sentence replaced, a new headline;
- a summary: headline and the first two sentences (an RSS item of the article);
- a rewrite: the same names and figures in new sentences, same language (the TF-IDF signal);
- another-language variant: the same names (in the language's script) and
  figures in sentences of another language (the cross-language key signal).

The rest are singletons. Words are drawn from a per-language synthetic vocabulary at Zipf
frequencies, so unrelated articles share common words as real ones do; watched names come from
``benchmarks.synth``'s synthetic name pool.

For each size (``--sizes``, default 10,000; 100,000 is opt-in: several minutes) and each of
``--runs`` runs (median reported):

- grouping: a forked child builds a fresh ``StoryGrouper`` and ``add``s every article in order
  (link, near-duplicate, inverted-index scoring, eviction: the whole path); figure: ms/article;
  memory: the child's RSS growth over the run and its peak RSS (``ru_maxrss``);
- matching (the baseline): ``Matcher.match`` over the same ``Article`` objects with
  ``--rules`` synthetic rules (``benchmarks.synth``, as in ``bench_match``), ms/article.

The ratio grouping/matching is the median grouping time over the median matching time.
``--json`` prints one JSON object (the figures and run lists) instead of the table.

    .venv/bin/python benchmarks/bench_stories.py                      # 10,000 articles, 3 runs
    .venv/bin/python benchmarks/bench_stories.py --sizes 10000,100000 --runs 1
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import platform
import random
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from multiprocessing.connection import Connection
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import code_state
from benchmarks.synth import _synthetic_names, make_rules, rule_objects
from newswatch.article import Article
from newswatch.matching.matcher import Matcher
from newswatch.stories.grouping import StoryGrouper

LANGUAGES = ("en", "en", "en", "fr", "ar", "ru")
ALPHABETS = {
    "en": "abcdefghijklmnopqrstuvwxyz",
    "fr": "abcdefghijklmnopqrstuvwxyzéèàç",
    "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "ru": "абвгдежзийклмнопрстуфхцчшщыэюя",
}
VOCABULARY = 20_000  # words per language
ARTICLE_CHARS = 3000
START = datetime(2026, 1, 1, tzinfo=UTC)
STEP_S = 20.0  # seconds between arrivals
SCRIPTS = {"en": "latin", "fr": "latin", "ar": "arabic", "ru": "cyrillic"}
KINDS = ("exact", "near", "summary", "rewrite", "other-language")


class Words:
    """A language's synthetic vocabulary, drawn at Zipf frequencies (1/rank)."""

    def __init__(self, lang: str, rng: random.Random) -> None:
        letters = ALPHABETS[lang]
        seen: set[str] = set()
        while len(seen) < VOCABULARY:
            length = min(12, max(1, int(rng.expovariate(1 / 5)) + 1))
            seen.add("".join(rng.choice(letters) for _ in range(length)))
        self.words = sorted(seen, key=lambda w: (len(w), w))
        self.cumulative = list(accumulate(1.0 / rank for rank in range(1, len(self.words) + 1)))

    def sentence(self, rng: random.Random) -> str:
        words = rng.choices(self.words, cum_weights=self.cumulative, k=rng.randint(8, 24))
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."


@dataclass
class Story:
    """What the articles on one event share: names and figures."""

    names: list[dict[str, str]]  # script -> name
    figures: list[str]


class Corpus:
    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.words = {lang: Words(lang, rng) for lang in set(LANGUAGES)}
        pool = _synthetic_names(rng)
        self.persons = [
            {script: f"{p.first[script]} {p.last[script]}" for script in p.first}
            for p in pool.persons
        ]
        self.places = [p.names for p in pool.places]
        self.pool = pool

    def story(self, rng: random.Random) -> Story:
        names = rng.sample(self.persons, 2) + rng.sample(self.places, 2)
        figures = [str(rng.randint(10, 99_999)) for _ in range(2)]
        return Story(names, figures)

    def sentences(self, lang: str, story: Story | None, rng: random.Random) -> list[str]:
        words = self.words[lang]
        out: list[str] = []
        size = 0
        while size < ARTICLE_CHARS or len(out) < 4:
            out.append(words.sentence(rng))
            size += len(out[-1]) + 1
        if story is not None:
            names = [n[SCRIPTS[lang]] for n in story.names]
            for n, name in enumerate(names * 2):  # each name twice, in the opening sentences
                out[n % 4] = _splice(out[n % 4], name, rng)
            for n, figure in enumerate(story.figures):
                out[n + 1] = _splice(out[n + 1], figure, rng)
        return out


def _splice(sentence: str, word: str, rng: random.Random) -> str:
    words = sentence[:-1].split(" ")
    at = rng.randrange(1, len(words) + 1)
    return " ".join([*words[:at], word, *words[at:]]) + "."


def _article(index: int, lang: str, sentences: Sequence[str], when: float) -> Article:
    return Article(
        id=f"a{index}",
        feed=f"feed-{index % 40}",
        url=f"https://feed-{index % 40}.example/{index}",
        title=sentences[0][:140],
        summary=sentences[1],
        content=" ".join(sentences[2:]),
        language=lang,
        published=START + timedelta(seconds=when),
    )


@dataclass
class Mix:
    articles: list[Article]
    stories: int  # planted stories with two or more articles
    singletons: int
    kinds: dict[str, int]


def make_mix(size: int, seed: int, story_share: float, corpus: Corpus) -> Mix:
    """``size`` articles in time order: planted stories (an original and 1-5 follow-ups within
    hours) and singletons."""
    rng = random.Random(seed + size)
    timed: list[tuple[float, str, list[str]]] = []
    kinds = dict.fromkeys(KINDS, 0)
    stories = singletons = 0
    span = size * STEP_S
    while len(timed) < size:
        lang = rng.choice(LANGUAGES)
        start = rng.uniform(0, span)
        if rng.random() >= story_share:
            timed.append((start, lang, corpus.sentences(lang, None, rng)))
            singletons += 1
            continue
        story = corpus.story(rng)
        original = corpus.sentences(lang, story, rng)
        timed.append((start, lang, original))
        stories += 1
        for _ in range(min(rng.randint(1, 5), size - len(timed))):
            kind = rng.choice(KINDS)
            kinds[kind] += 1
            when = start + rng.uniform(60, 6 * 3600)
            if kind == "exact":
                timed.append((when, lang, list(original)))
            elif kind == "near":
                copy = list(original)
                copy[0] = corpus.words[lang].sentence(rng)
                copy[rng.randrange(2, len(copy))] = corpus.words[lang].sentence(rng)
                timed.append((when, lang, copy))
            elif kind == "summary":
                timed.append((when, lang, original[:3]))
            elif kind == "rewrite":
                timed.append((when, lang, corpus.sentences(lang, story, rng)))
            else:
                other = rng.choice([x for x in set(LANGUAGES) if x != lang])
                timed.append((when, other, corpus.sentences(other, story, rng)))
    timed = timed[:size]
    timed.sort(key=lambda item: item[0])
    articles = [_article(i, lang, s, when) for i, (when, lang, s) in enumerate(timed)]
    return Mix(articles, stories, singletons, kinds)


# --- measuring -----------------------------------------------------------------------------------


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def group_all(articles: Sequence[Article]) -> tuple[float, int, dict[str, int]]:
    """(seconds, stories, articles by signal) of one grouper fed every article in order."""
    grouper = StoryGrouper()
    signals: dict[str, int] = {}
    gc.collect()
    started = time.perf_counter()
    for article in articles:
        signal = grouper.add(article).signal
        signals[signal] = signals.get(signal, 0) + 1
    elapsed = time.perf_counter() - started
    return elapsed, grouper.story_count, signals


def _group_child(conn: Connection, articles: Sequence[Article]) -> None:
    try:
        gc.collect()
        before = _rss()
        elapsed, stories, signals = group_all(articles)
        growth = _rss() - before
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
        conn.send((elapsed, stories, signals, growth, peak))
    except BaseException as exc:  # reported by the parent
        conn.send(exc)
    finally:
        conn.close()


def group_in_child(articles: Sequence[Article]) -> tuple[float, int, dict[str, int], int, int]:
    """One grouping run in a forked child: a fresh heap, so the RSS growth is the grouper's."""
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork: in-process, memory unknown
        elapsed, stories, signals = group_all(articles)
        return elapsed, stories, signals, -1, -1
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_group_child, args=(child, articles))
    process.start()
    child.close()
    answer = parent.recv()
    process.join()
    if isinstance(answer, BaseException):
        raise answer
    assert isinstance(answer, tuple)
    return answer


def match_all(matcher: Matcher, articles: Sequence[Article]) -> tuple[float, int]:
    """(seconds, hits) of ``Matcher.match`` over every article."""
    gc.collect()
    hits = 0
    started = time.perf_counter()
    for article in articles:
        hits += len(matcher.match(article))
    return time.perf_counter() - started, hits


@dataclass
class Point:
    """Figures for one size."""

    articles: int
    planted_stories: int
    singletons: int
    kinds: dict[str, int]
    stories: int = 0  # stories in the grouper's window at the end (signal "new": all made)
    signals: dict[str, int] = field(default_factory=dict)
    group_ms: float = 0.0  # per article, median of the runs
    match_ms: float = 0.0
    ratio: float = 0.0  # grouping / matching
    rss_growth_mb: float = 0.0
    peak_rss_mb: float = 0.0
    hits_per_article: float = 0.0
    runs: dict[str, list[float]] = field(default_factory=dict)


def measure(size: int, args: argparse.Namespace, corpus: Corpus, matcher: Matcher) -> Point:
    mix = make_mix(size, args.seed, args.story_share, corpus)
    articles = mix.articles
    point = Point(len(articles), mix.stories, mix.singletons, mix.kinds)
    point.runs = {"group_ms": [], "match_ms": []}
    growth: list[int] = []
    peaks: list[int] = []
    for _ in range(args.runs):
        # Interleaved, so a drift of the machine's pace falls on both alike.
        elapsed, point.stories, point.signals, grown, peak = group_in_child(articles)
        point.runs["group_ms"].append(elapsed / len(articles) * 1e3)
        growth.append(grown)
        peaks.append(peak)
        elapsed, hits = match_all(matcher, articles)
        point.runs["match_ms"].append(elapsed / len(articles) * 1e3)
        point.hits_per_article = hits / len(articles)
    point.group_ms = statistics.median(point.runs["group_ms"])
    point.match_ms = statistics.median(point.runs["match_ms"])
    point.ratio = point.group_ms / point.match_ms if point.match_ms else float("nan")
    point.rss_growth_mb = statistics.median(growth) / 2**20
    point.peak_rss_mb = max(peaks) / 2**20
    return point


# --- reporting -----------------------------------------------------------------------------------


def table(points: Sequence[Point]) -> list[str]:
    lines = [
        "| articles | planted stories + singletons | stories in window | grouping ms/article "
        "| matching ms/article | grouping/matching | RSS growth MB | peak RSS MB | signals |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for p in points:
        g, m = p.runs["group_ms"], p.runs["match_ms"]
        signals = ", ".join(f"{k} {v}" for k, v in sorted(p.signals.items(), key=lambda kv: -kv[1]))
        lines.append(
            f"| {p.articles:,} | {p.planted_stories:,} + {p.singletons:,} | {p.stories:,} "
            f"| {p.group_ms:.3f} ({min(g):.3f}–{max(g):.3f}) "
            f"| {p.match_ms:.3f} ({min(m):.3f}–{max(m):.3f}) | {p.ratio:.1f}x "
            f"| {p.rss_growth_mb:.0f} | {p.peak_rss_mb:.0f} | {signals} |"
        )
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="10000", help="comma-separated article counts (100000: minutes)"
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs per size (median)")
    parser.add_argument("--rules", type=int, default=1000, help="rules of the matching baseline")
    parser.add_argument("--story-share", type=float, default=0.6, help="share of story starts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if not sizes or min(sizes) < 1:
        raise SystemExit("--sizes: positive article counts")
    pinned = "not pinned"
    if hasattr(os, "sched_setaffinity"):
        cpu = sorted(os.sched_getaffinity(0))[-1]
        os.sched_setaffinity(0, {cpu})
        pinned = f"pinned to CPU {cpu} of {os.cpu_count()}"
    corpus = Corpus(args.seed)
    rules = rule_objects(make_rules(corpus.pool, args.rules, random.Random(args.seed)))
    matcher = Matcher(rules)
    state = code_state()
    machine = f"{platform.machine()}, Python {platform.python_version()}, {pinned}"
    if not args.json:
        print(f"bench_stories: {state}; {machine}; {args.rules} rules; median of {args.runs}")
    points = []
    for size in sizes:
        started = time.perf_counter()
        points.append(measure(size, args, corpus, matcher))
        if not args.json:
            p = points[-1]
            print(
                f"  {size:,} articles: grouping {p.group_ms:.3f} ms/article, matching "
                f"{p.match_ms:.3f} ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    if args.json:
        payload = {
            "code": state,
            "machine": machine,
            "rules": args.rules,
            "runs": args.runs,
            "seed": args.seed,
            "points": [asdict(p) for p in points],
        }
        print(json.dumps(payload, indent=2))
    else:
        print()
        print("\n".join(table(points)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
