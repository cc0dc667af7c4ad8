"""Speed of the whole ``newswatch match`` path at 10 / 1,000 / 10,000 rules (``make bench``).

For each rule count, side by side in one run, on the same articles (JSON lines, ~3 KB each, in
English, Arabic, Russian and French) and the same names:

- newswatch: ``newswatch.matching.batch.match_lines`` — JSON parse -> Article -> Matcher.match ->
  result dict, what ``newswatch match`` does per line;
- floor: JSON parse, the three text fields joined and ``str.casefold()``-ed, one bare
  ``ahocorasick_rs`` scan (overlapping) over the casefolded names: no folding, no boundaries,
  no conditions — what no matcher built on this automaton can beat;
- naive: JSON parse, then one ``re.compile(r"\\b(?:alias1|alias2|...)\\b", re.I)`` per rule
  searched in turn (conditions ignored); on a subset of the articles when that is slow.

Each timing is the median of ``--repeat`` rounds; a round times every rule count once, newswatch
and floor, so the drift of a shared machine's pace stays out of the ratios between counts
(naive: one run). Also: compile time (building ``Matcher``), memory of a built matcher (RSS
growth in a forked child, which sees the Rust automaton; ``--tracemalloc`` adds the tracemalloc
peak, Python objects only), the YAML loader's cost per rule, the rate per language, how the
names behind the hits were found, and a cProfile of the newswatch path at the smallest and
largest rule counts. The process is pinned to one CPU.
Results: stdout and ``var/bench/``: ``latest.json``, ``latest.md``, ``profile.txt`` (largest
count), ``profile-<smallest>.txt`` (the fixed cost per article) and ``hits.txt``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import multiprocessing
import os
import pstats
import random
import re
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import ahocorasick_rs

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import REPO, code_state, shared_data
from benchmarks.synth import (
    LANGUAGES,
    RuleSpec,
    load_names,
    make_articles,
    make_rules,
    rule_objects,
    rules_yaml,
    sentence_pools,
)
from newswatch.jsonlines import BadLine
from newswatch.matching.batch import match_lines
from newswatch.matching.matcher import Matcher
from newswatch.rules.loader import parse_rules_text
from newswatch.rules.model import Rule

# Issue 4 goals.
GOAL_RATE = 3000.0  # articles/s per core at 10,000 rules
GOAL_FLOOR_RATIO = 4.0  # newswatch time / floor time
GOAL_SCALING = 2.0  # time at 10,000 rules / time at 10 rules
NAIVE_SEARCH_BUDGET = 60_000  # rule-regex searches per naive measurement (~100 µs each)


@dataclass
class Point:
    """Figures for one rule count."""

    rules: int
    names: int
    compile_s: float = 0.0
    newswatch_s: float = 0.0
    floor_s: float = 0.0
    naive_s: float = 0.0
    naive_articles: int = 0
    naive_compile_s: float = 0.0
    rss_mb: float = 0.0
    tracemalloc_mb: float = 0.0
    hit_share: float = 0.0  # articles on which at least one rule fires
    hits_per_article: float = 0.0
    runs: dict[str, list[float]] = field(default_factory=dict)


# --- the three ways to match ---------------------------------------------------------------------


def run_newswatch(matcher: Matcher, lines: Sequence[str]) -> tuple[int, int]:
    """(articles with a hit, hits) — consuming every result like ``newswatch match`` does."""
    with_hit = hits = 0
    for result in match_lines(matcher, lines):
        if isinstance(result, BadLine):
            raise SystemExit(f"benchmark article is not valid: {result}")
        hits += len(result["rules"])
        with_hit += bool(result["rules"])
    return with_hit, hits


def _text(line: str) -> str:
    data = json.loads(line)
    return "\n".join(data.get(k) or "" for k in ("title", "summary", "content"))


def floor_automaton(specs: Sequence[RuleSpec]) -> ahocorasick_rs.AhoCorasick:
    patterns = sorted({n.casefold() for spec in specs for n in spec.names})
    return ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.Standard)


def run_floor(automaton: ahocorasick_rs.AhoCorasick, lines: Sequence[str]) -> int:
    found = 0
    for line in lines:
        found += len(automaton.find_matches_as_indexes(_text(line).casefold(), overlapping=True))
    return found


def naive_regexes(specs: Sequence[RuleSpec]) -> list[re.Pattern[str]]:
    return [
        re.compile(r"\b(?:" + "|".join(re.escape(n) for n in spec.names) + r")\b", re.IGNORECASE)
        for spec in specs
    ]


def run_naive(regexes: Sequence[re.Pattern[str]], lines: Sequence[str]) -> int:
    fired = 0
    for line in lines:
        text = _text(line)
        fired += sum(1 for rx in regexes if rx.search(text))
    return fired


# --- measuring -----------------------------------------------------------------------------------


def median_time(repeat: int, action: Callable[[], object]) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), runs


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _build_child(rules: list[Rule], traced: bool, conn: Connection) -> None:
    """In a forked child: build once, report (seconds, RSS growth, tracemalloc peak or -1)."""
    gc.collect()
    before = _rss_bytes()
    started = time.perf_counter()
    matcher = Matcher(rules)
    elapsed = time.perf_counter() - started
    rss = _rss_bytes() - before
    peak = -1
    if traced:
        del matcher
        gc.collect()
        tracemalloc.start()
        Matcher(rules)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    conn.send((elapsed, rss, peak))
    conn.close()


def build_in_child(rules: list[Rule], traced: bool) -> tuple[float, float, float]:
    """(build seconds, RSS growth MB, tracemalloc peak MB or nan) of one Matcher build in a
    forked child, so that memory freed by earlier builds here does not hide the growth."""
    nan = float("nan")
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return nan, nan, nan
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_build_child, args=(rules, traced, child))
    process.start()
    elapsed, rss, peak = parent.recv()
    process.join(timeout=600)
    return elapsed, rss / 2**20, (peak / 2**20 if peak >= 0 else nan)


def compile_matcher(rules: list[Rule], point: Point, args: argparse.Namespace) -> Matcher:
    """Build the matcher used for the runs and time it; one more build in a child gives memory
    and a second time sample. Further samples only while a build takes under 5 s (a 10,000-rule
    build can take tens of seconds, and the whole benchmark must stay within minutes)."""
    started = time.perf_counter()
    matcher = Matcher(rules)
    samples = [time.perf_counter() - started]
    child_s, point.rss_mb, point.tracemalloc_mb = build_in_child(rules, args.tracemalloc)
    samples.append(child_s)
    while len(samples) < args.repeat and max(samples) < 5.0:
        started = time.perf_counter()
        Matcher(rules)
        samples.append(time.perf_counter() - started)
    point.compile_s, point.runs["compile"] = statistics.median(samples), samples
    return matcher


@dataclass
class Subject:
    """One rule count, ready to time: its figures so far, its matcher and its floor."""

    point: Point
    matcher: Matcher
    floor: ahocorasick_rs.AhoCorasick


def prepare(
    specs: Sequence[RuleSpec], rules: list[Rule], lines: Sequence[str], args: argparse.Namespace
) -> Subject:
    """Compile (timed, with memory) and the naive baseline; the newswatch and floor runs come
    later, interleaved with the other rule counts (``time_interleaved``)."""
    point = Point(len(rules), sum(len(s.names) for s in specs))
    matcher = compile_matcher(rules, point, args)
    with_hit, hits = run_newswatch(matcher, lines)  # also warms the lazily compiled regexes
    point.hit_share, point.hits_per_article = with_hit / len(lines), hits / len(lines)
    started = time.perf_counter()
    regexes = naive_regexes(specs)
    point.naive_compile_s = time.perf_counter() - started
    point.naive_articles = max(10, min(len(lines), NAIVE_SEARCH_BUDGET // max(len(rules), 1)))
    subset = lines[: point.naive_articles]
    point.naive_s, point.runs["naive"] = median_time(1, lambda: run_naive(regexes, subset))
    return Subject(point, matcher, floor_automaton(specs))


def time_interleaved(subjects: Sequence[Subject], lines: Sequence[str], repeat: int) -> None:
    """``repeat`` rounds, each timing every rule count's newswatch run and floor run once. The
    pace of this shared machine drifts over minutes; timing the counts one after another
    would put that drift into the ratios between them, round by round it cancels out."""
    for subject in subjects:
        subject.point.runs["newswatch"], subject.point.runs["floor"] = [], []
    for _ in range(repeat):
        for subject in subjects:
            for kind in ("newswatch", "floor"):
                gc.collect()
                started = time.perf_counter()
                if kind == "newswatch":
                    run_newswatch(subject.matcher, lines)
                else:
                    run_floor(subject.floor, lines)
                subject.point.runs[kind].append(time.perf_counter() - started)
    for subject in subjects:
        subject.point.newswatch_s = statistics.median(subject.point.runs["newswatch"])
        subject.point.floor_s = statistics.median(subject.point.runs["floor"])


def paired_scaling(points: Sequence[Point], n_articles: int) -> list[str]:
    """The largest count's time over the smallest's, round by round (same minute), for
    newswatch and for the floor, and the time an article the extra rules add. The floor's own
    ratio is what the automaton's growth alone costs: cache misses in a bigger trie."""
    lines = []
    for kind in ("newswatch", "floor"):
        pairs = list(zip(points[0].runs[kind], points[-1].runs[kind], strict=True))
        ratios = sorted(large / small for small, large in pairs)
        added = statistics.median((large - small) / n_articles * 1e6 for small, large in pairs)
        lines.append(
            f"{kind:<9} {points[-1].rules} rules vs {points[0].rules}, round by round: median "
            f"{statistics.median(ratios):.2f}x (rounds {ratios[0]:.2f}x-{ratios[-1]:.2f}x), "
            f"{added:+.0f} us an article"
        )
    return lines


def yaml_cost(specs: Sequence[RuleSpec], rules: Sequence[Rule]) -> float:
    """Seconds per rule of the real YAML loader, and a check that it builds the same rules the
    benchmark builds directly (a mismatch would make every figure here meaningless)."""
    started = time.perf_counter()
    loaded, problems = parse_rules_text(rules_yaml(specs), "bench.yaml")
    elapsed = time.perf_counter() - started
    if problems or [(r.id, r.entities, r.condition) for r in loaded] != [
        (r.id, r.entities, r.condition) for r in rules
    ]:
        raise SystemExit(f"YAML rules differ from the benchmark's rules: {problems[:3]}")
    return elapsed / max(len(specs), 1)


def language_rates(matcher: Matcher, lines: Sequence[str]) -> str:
    """One run per language: Arabic articles pay for the variant automaton, Russian ones for
    inflection checks, so the mix of a feed changes the rate."""
    rates = []
    for index, lang in enumerate(LANGUAGES):
        subset = lines[index :: len(LANGUAGES)]  # make_articles takes the languages in turn
        started = time.perf_counter()
        run_newswatch(matcher, subset)
        rates.append(f"{lang} {len(subset) / (time.perf_counter() - started):.0f}")
    return ", ".join(rates)


def hit_kinds(matcher: Matcher, lines: Sequence[str], out: Path, top: int = 8) -> str:
    """How the names behind the hits were found (exact, prefix, variant…), and the commonest
    found-as-written forms that differ from the alias: at this scale they are the false alarms
    a large rule set produces (a name's variant that is an everyday word). Full list: ``out``."""
    kinds: Counter[str] = Counter()
    pairs: Counter[tuple[str, str, str]] = Counter()
    for result in match_lines(matcher, lines):
        if isinstance(result, BadLine):
            continue
        for hit in result["hits"]:
            for mention in hit["mentions"]:
                kinds[mention["how"]] += 1
                if mention["how"] not in ("exact", "prefix"):
                    pairs[(mention["how"], mention["alias"], mention["surface"])] += 1
    listing = [
        f"{n:6d}  {how}: {alias!r} found as {surface!r}"
        for (how, alias, surface), n in pairs.most_common()
    ]
    out.write_text("\n".join(listing) + "\n", encoding="utf-8")
    summary = ", ".join(f"{k} {n}" for k, n in kinds.most_common())
    return "\n".join([summary or "no hits", *listing[:top]])


def profile(matcher: Matcher, lines: Sequence[str], out: Path, top: int = 14) -> str:
    profiler = cProfile.Profile()
    profiler.runcall(run_newswatch, matcher, lines)
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats("tottime")
    stats.print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    out.write_text(buffer.getvalue(), encoding="utf-8")
    return _profile_summary(stats, top)


def _profile_summary(stats: pstats.Stats, top: int) -> str:
    """The functions that cost most of their own time, as a short table."""
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in entries.values()) or 1.0
    rows = sorted(entries.items(), key=lambda kv: -kv[1][2])[:top]
    lines = [f"{'own s':>7} {'share':>6} {'cum s':>7} {'calls':>9}  function"]
    for (filename, line, name), (_, calls, own, cum, _) in rows:
        lines.append(
            f"{own:7.3f} {own / total:6.1%} {cum:7.3f} {calls:9d}  "
            f"{Path(filename).name}:{line}({name})"
        )
    return "\n".join(lines)


# --- reporting -----------------------------------------------------------------------------------


_COLUMNS = (
    f"{'rules':>6} {'names':>6} | {'newswatch/s':>11} {'floor/s':>9} {'naive/s':>9} (naive on) "
    f"| {'nw/floor':>8} | {'compile s':>9} {'RSS MB':>7} {'tm MB':>6} | {'hit share':>9}"
)


def table(points: Sequence[Point], n_articles: int) -> str:
    """Rates are articles per second over all articles (naive: over the subset shown)."""
    lines = [_COLUMNS, "-" * len(_COLUMNS)]
    for p in points:
        naive = p.naive_articles / p.naive_s
        memory = f"{p.compile_s:9.3f} {p.rss_mb:7.1f} {p.tracemalloc_mb:6.1f}"
        lines.append(
            f"{p.rules:6d} {p.names:6d} | {n_articles / p.newswatch_s:11.0f} "
            f"{n_articles / p.floor_s:9.0f} {naive:9.0f} ({p.naive_articles:>5} art) "
            f"| {p.newswatch_s / p.floor_s:8.2f} | {memory} | {p.hit_share:9.2f}"
        )
    return "\n".join(lines)


def goals(points: Sequence[Point], n_articles: int) -> list[str]:
    small, large = points[0], points[-1]
    rate = n_articles / large.newswatch_s
    ratio = large.newswatch_s / large.floor_s
    scaling = large.newswatch_s / small.newswatch_s
    checks = [
        (f">= {GOAL_RATE:.0f} articles/s at {large.rules} rules", f"{rate:.0f}", rate >= GOAL_RATE),
        (f"newswatch/floor <= {GOAL_FLOOR_RATIO:.0f}x", f"{ratio:.2f}x", ratio <= GOAL_FLOOR_RATIO),
        (
            f"{large.rules} rules <= {GOAL_SCALING:.0f}x the time of {small.rules}",
            f"{scaling:.2f}x",
            scaling <= GOAL_SCALING,
        ),
    ]
    return [f"goal {what}: {got} ({'met' if ok else 'NOT met'})" for what, got, ok in checks]


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="1,500 articles, 1 repeat, smaller samples"
    )
    parser.add_argument("--articles", type=int, help="articles (default 5,000; --quick 1,500)")
    parser.add_argument(
        "--repeat", type=int, help="runs per timing, median reported (default 3; --quick 1)"
    )
    parser.add_argument("--rules", default="10,1000,10000", help="comma-separated rule counts")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--cpu", type=int, help="CPU to pin to (default: the last one allowed)")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true", help="also a traced build per count")
    parser.add_argument("--out", type=Path, default=REPO / "var" / "bench")
    args = parser.parse_args(argv)
    args.articles = args.articles or (1500 if args.quick else 5000)
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.rule_counts = sorted(int(x) for x in args.rules.split(","))
    return args


def pin(cpu: int | None) -> str:
    """One core: the figures are per core, and a second core would hide GC and allocator cost."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    chosen = cpu if cpu is not None else max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {chosen})
    return f"pinned to CPU {chosen} of {os.cpu_count()}"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    load_at_start = os.getloadavg()[0]  # other work on the machine moves every figure
    pinned = pin(args.cpu)
    data = shared_data()
    if data is None:
        print(
            "bench_match: ../shared/data not found (NEWSWATCH_SHARED unset): "
            "synthetic names and articles"
        )
    rng = random.Random(args.seed)
    pool = load_names(data, rng)
    specs = make_rules(pool, args.rule_counts[-1], rng)
    rules = rule_objects(specs)
    sample = 200 if args.quick else 500
    per_rule_yaml = yaml_cost(specs[:sample], rules[:sample])
    pools, text_source = sentence_pools(data, rng)
    lines = make_articles(pools, specs, args.articles, rng)
    setup_s = time.perf_counter() - started

    subjects = [prepare(specs[:k], rules[:k], lines, args) for k in args.rule_counts]
    time_interleaved(subjects, lines, args.repeat)
    points = [subject.point for subject in subjects]
    matchers = {subject.point.rules: subject.matcher for subject in subjects}
    args.out.mkdir(parents=True, exist_ok=True)
    matcher = matchers[args.rule_counts[-1]]
    subset = lines[: min(len(lines), 400 if args.quick else 1000)]
    how_text = hit_kinds(matcher, subset, args.out / "hits.txt")
    by_language = language_rates(matcher, lines)
    profile_text = ""
    if not args.no_profile:
        smallest = matchers[args.rule_counts[0]]
        profile(smallest, subset, args.out / f"profile-{args.rule_counts[0]}.txt")
        profile_text = profile(matcher, subset, args.out / "profile.txt")

    mean_chars = statistics.mean(len(_text(line)) for line in lines)
    header = [
        f"articles: {len(lines)} (mean {mean_chars:.0f} chars; en/ar/ru/fr in turn; "
        f"text: {text_source})",
        f"names: {pool.source}; rules: {len(rules)} (60% person, 25% place, 15% person-and-place)",
        f"matcher: {code_state()}",
        f"machine: {pinned}; median of {args.repeat} round(s), each timing every rule count once; "
        "naive: 1 run on the articles shown; "
        f"load average {load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end",
        f"YAML loader: {per_rule_yaml * 1000:.2f} ms/rule (on {sample} rules) -> "
        f"{per_rule_yaml * len(rules):.1f} s for {len(rules)} rules; setup {setup_s:.1f}s",
    ]
    verdicts = goals(points, len(lines))
    scaling = paired_scaling(points, len(lines))
    report = "\n".join([*header, "", table(points, len(lines)), "", *verdicts, *scaling])
    print(report)
    print(f"\narticles/s by language at {len(rules)} rules (one run): {by_language}")
    print(f"\nhits at {len(rules)} rules on {len(subset)} articles, by how the name was found:")
    print(how_text)
    if profile_text:
        print(
            f"\nprofile (newswatch path, {len(rules)} rules, top own time; "
            f"full: {args.out / 'profile.txt'}):"
        )
        print(profile_text)
    write_outputs(args, points, verdicts, scaling, report, profile_text, len(lines))
    print(f"\ntotal {time.perf_counter() - started:.0f}s; results in {args.out}")
    return 0


def write_outputs(
    args: argparse.Namespace,
    points: Sequence[Point],
    verdicts: list[str],
    scaling: list[str],
    report: str,
    prof: str,
    n: int,
) -> None:
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {
        "articles": n,
        "repeat": args.repeat,
        "points": [
            asdict(p) | {"newswatch_per_s": n / p.newswatch_s, "floor_per_s": n / p.floor_s}
            for p in points
        ],
        "goals": verdicts,
        "scaling": scaling,
    }
    (args.out / "latest.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    (args.out / "latest.md").write_text(
        f"```\n{report}\n```\n\n```\n{prof}\n```\n", encoding="utf-8"
    )


if __name__ == "__main__":
    sys.exit(main())
