"""Near-duplicate detection (``newswatch.stories.neardup``) with each MinHash LSH backend, side by
side in one run: cost per article, memory per item, and precision/recall on planted duplicates.

Articles are ~3 KB, built deterministically from seeded word draws (``wordfreq``'s 20,000 most
frequent words of English, Arabic, Russian and French, drawn at their frequencies, so unrelated
articles share common 3-grams as real ones do), in 40 sources; a third of the sources open every
article with a dateline and all of them close it with the source's own footer (shared shingles
that LSH must not turn into candidates), and 5% of the articles are a source's boilerplate
statement with its figures filled in. No data set is needed.

For each backend and each index size (``--sizes``, default 10,000 and 100,000 items) a forked
child builds the index full (``add``), then times ``check`` (find + add, the call story grouping
makes: the text is shingled once) on probe articles, ``--repeat`` times (the probes removed and
the index refilled between runs); the figure is the median of the runs' means. Each add evicts
the oldest item once the index is full, so eviction is in the cost. Memory: RSS growth of the
child over the fill, per item (the child generates each text when it adds it, so the texts are
not counted; rensa's Rust heap is). Probes, each from its own original in the index:

- ``exact`` (positive): the same text under a new key;
- ``sentence`` (positive): one sentence of the body replaced by another;
- ``summary`` (positive): the title and the first two sentences (an RSS item of the article);
- ``summary-retitled`` (positive): the same with a headline of the feed's own;
- ``excerpt`` (positive, not expected to be found): a new title and two sentences from the
  middle of the article: not its lede, so only the main index could find it, at Jaccard ~0.05;
- ``statement-same`` (positive): a boilerplate statement copied with the same figures;
- ``statement-figures`` (negative): the same statement with other figures;
- ``figure-changed`` (negative): a copy of an article with one of its figures changed;
- ``unrelated`` (negative): a new article.

Precision and recall count a probe as found when ``find`` returns its original; recall is over
the positives that are a near-duplicate or a lede summary (``excerpt`` is given on its own).

    .venv/bin/python benchmarks/bench_neardup.py                  # both backends, 10k and 100k
    .venv/bin/python benchmarks/bench_neardup.py --quick          # 10k only, 2 runs
    .venv/bin/python benchmarks/bench_neardup.py --backends rensa --sizes 100000

A backend whose library is not installed is skipped with a line saying so (datasketch is in the
``bench`` extra: ``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from multiprocessing.connection import Connection
from pathlib import Path

import wordfreq

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import code_state
from newswatch.stories.neardup import (
    BACKENDS,
    DEFAULT_BACKEND,
    MAX_WORDS,
    NearDuplicates,
    available_backends,
)

SEED = 11
SOURCES = 40
LANGUAGES = ("en", "en", "en", "en", "ar", "ru", "fr", "en")  # by source, in turn
ARTICLE_CHARS = 3000
STATEMENT_SHARE = 20  # one article in 20 is a boilerplate statement
TEMPLATES = 400  # statement templates, 10 a source: ~10 statements of each in 100,000 articles
POSITIVE = ("exact", "sentence", "summary", "summary-retitled", "statement-same")
NEGATIVE = ("statement-figures", "figure-changed", "unrelated")
KINDS = (*POSITIVE, "excerpt", *NEGATIVE)


# --- the corpus ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Vocabulary:
    words: tuple[str, ...]
    cumulative: tuple[float, ...]


def vocabularies() -> dict[str, Vocabulary]:
    out: dict[str, Vocabulary] = {}
    for lang in sorted(set(LANGUAGES)):
        words = [w for w in wordfreq.top_n_list(lang, 20_000) if w.isalpha()]
        weights = [wordfreq.word_frequency(w, lang) for w in words]
        out[lang] = Vocabulary(tuple(words), tuple(accumulate(weights)))
    return out


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    sentences: tuple[str, ...]  # body, the dateline in the first, the footer not included
    footer: str

    @property
    def body(self) -> str:
        return " ".join((*self.sentences, self.footer))

    @property
    def text(self) -> str:
        return f"{self.title}. {self.body}"

    @property
    def parts(self) -> tuple[str, str]:
        return self.title, self.body


class Corpus:
    """Article ``i`` is a pure function of ``i`` (its own seeded RNG)."""

    def __init__(self, vocab: dict[str, Vocabulary]) -> None:
        self.vocab = vocab
        self.footers = [self._words(random.Random(f"footer{s}"), s, 30) for s in range(SOURCES)]
        self.statements = [
            self._statement(random.Random(f"statement{t}"), t % SOURCES) for t in range(TEMPLATES)
        ]

    def _words(self, rng: random.Random, source: int, count: int) -> str:
        v = self.vocab[LANGUAGES[source % len(LANGUAGES)]]
        return " ".join(rng.choices(v.words, cum_weights=v.cumulative, k=count))

    def sentence(self, rng: random.Random, source: int, *, figure: bool | None = None) -> str:
        words = self._words(rng, source, rng.randint(8, 28)).split()
        if figure if figure is not None else rng.random() < 0.25:
            at = rng.randrange(len(words))
            words[at] = _figure(rng)
        return " ".join(words).capitalize() + "."

    def title(self, rng: random.Random, source: int) -> str:
        return self._words(rng, source, rng.randint(6, 14)).capitalize()

    def _statement(self, rng: random.Random, source: int) -> list[str]:
        """A statement template: sentences with ``{}`` slots for its figures."""
        parts = [self.sentence(rng, source, figure=False) for _ in range(5)]
        slotted = []
        for part in parts:
            words = part.split()
            words.insert(rng.randrange(1, len(words)), "{}")
            slotted.append(" ".join(words))
        return slotted

    def source_of(self, i: int) -> int:
        return i % SOURCES

    def is_statement(self, i: int) -> bool:
        return i % STATEMENT_SHARE == 7

    def article(self, i: int, *, figures_seed: int | None = None) -> Article:
        rng = random.Random(SEED * 1_000_003 + i)
        source = self.source_of(i)
        title = self.title(rng, source)
        if self.is_statement(i):
            figures = random.Random(figures_seed if figures_seed is not None else i)
            template = self.statements[(i // STATEMENT_SHARE) % TEMPLATES]
            body = tuple(part.format(_figure(figures)) for part in template)
            return Article(title="Statement", sentences=body, footer=self.footers[source])
        sentences: list[str] = []
        length = len(title)
        while length < ARTICLE_CHARS - 250:
            sentences.append(self.sentence(rng, source))
            length += len(sentences[-1]) + 1
        if source % 3 == 0:
            sentences[0] = (
                f"{self._words(rng, source, 1).upper()} (Source {source}) - {sentences[0]}"
            )
        return Article(title, tuple(sentences), self.footers[source])

    def probe(self, kind: str, original: int, salt: int) -> tuple[str, str]:
        """The probe (title, body) of ``kind`` made from article ``original``."""
        rng = random.Random(f"{kind}{original}{salt}")
        source = self.source_of(original)
        a = self.article(original)
        middle = len(a.sentences) // 2
        if kind == "exact" or kind == "statement-same":
            return a.parts
        if kind == "sentence":
            body = list(a.sentences)
            body[middle] = self.sentence(rng, source, figure=False)
            return Article(a.title, tuple(body), a.footer).parts
        if kind == "summary":
            return a.title, " ".join(a.sentences[:2])
        if kind == "summary-retitled":
            return self.title(rng, source), " ".join(a.sentences[:2])
        if kind == "excerpt":
            return self.sentence(rng, source, figure=False), " ".join(
                a.sentences[middle : middle + 2]
            )
        if kind == "statement-figures":
            return self.article(original, figures_seed=10**9 + original * 10 + salt).parts
        if kind == "figure-changed":  # one figure as written replaced by another
            body = list(a.sentences)
            for n, sentence in enumerate(body):
                words = sentence.split()
                # A figure written once: a figure repeated elsewhere would still be there.
                at = next(
                    (k for k, w in enumerate(words) if w[0].isdigit() and a.text.count(w) == 1),
                    None,
                )
                if at is not None:
                    words[at] = "1" + words[at]
                    body[n] = " ".join(words)
                    return Article(a.title, tuple(body), a.footer).parts
            return self.article(10**9 + original).parts  # no figure at all: a new article
        raise ValueError(kind)


def _figure(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        return str(rng.randint(2, 999))
    if kind < 0.8:
        return f"{rng.randint(1, 99)}.{rng.randint(1, 9)}"
    return f"{rng.randint(1, 99)},{rng.randint(100, 999)}"


# --- one measurement -----------------------------------------------------------------------------


@dataclass
class Result:
    backend: str
    max_words: int
    titled: bool
    size: int
    probes: int
    runs: list[float] = field(default_factory=list)  # mean s per check, per run
    fill: float = 0.0  # mean s per add while filling
    rss: int = 0  # bytes grown over the fill
    shingles: int = 0  # shingle hashes held after the fill
    found: dict[str, list[int]] = field(default_factory=dict)  # kind -> [right, wrong, none]
    candidates: float = 0.0

    @property
    def per_check(self) -> float:
        return statistics.median(self.runs)


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def plan(size: int, probes: int, repeat: int) -> list[tuple[str, int]]:
    """(kind, original) for each probe: distinct originals from the part of the index that
    no run evicts (the oldest ``repeat × probes`` items go)."""
    rng = random.Random(SEED)
    safe = range(repeat * probes, size)
    statements = [i for i in safe if i % STATEMENT_SHARE == 7]
    articles = [i for i in safe if i % STATEMENT_SHARE != 7]
    rng.shuffle(statements)
    rng.shuffle(articles)
    out: list[tuple[str, int]] = []
    per_kind = probes // len(KINDS)
    for kind in KINDS:
        pool = statements if kind.startswith("statement") else articles
        for _ in range(per_kind if kind != "unrelated" else probes - per_kind * (len(KINDS) - 1)):
            out.append((kind, pool.pop() if kind != "unrelated" else -1))
    rng.shuffle(out)
    return out


Config = tuple[str, int, bool]  # backend, words shingled, title given apart


def _call(titled: bool, parts: tuple[str, str]) -> tuple[str, str]:
    """(text, title) as the call gets them: the title apart (story grouping's call) or as the
    text's first sentence (the plain-text call, the baseline)."""
    title, body = parts
    return (body, title) if titled else (f"{title}. {body}", "")


def measure(
    config: Config, size: int, probes: int, repeat: int, vocab: dict[str, Vocabulary]
) -> Result:
    backend, max_words, titled = config
    corpus = Corpus(vocab)
    result = Result(backend, max_words, titled, size, probes)
    probe_plan = plan(size, probes, repeat)
    texts = [
        _call(
            titled,
            corpus.probe(kind, original, 0)
            if original >= 0
            else corpus.article(size * 10 + n).parts,
        )
        for n, (kind, original) in enumerate(probe_plan)
    ]
    gc.collect()
    before = _rss()
    index = NearDuplicates(size, backend=backend, max_words=max_words)
    adding = 0.0
    for i in range(size):
        text, title = _call(titled, corpus.article(i).parts)
        started = time.perf_counter()
        index.add(f"a{i}", text, title=title)
        adding += time.perf_counter() - started
    result.fill = adding / size
    gc.collect()
    result.rss = _rss() - before
    result.shingles = index.stored_shingles()
    next_filler = size * 20
    for run in range(repeat):
        found: list[str | None] = []
        started = time.perf_counter()
        for n, (text, title) in enumerate(texts):
            duplicate = index.check(f"p{n}", text, title=title)
            found.append(duplicate.key if duplicate else None)
        result.runs.append((time.perf_counter() - started) / len(texts))
        if run == 0:
            result.found = _score(probe_plan, found)
            result.candidates = _candidates(index, texts[:200])
        for n in range(len(texts)):
            index.remove(f"p{n}")
        while len(index) < size:
            text, title = _call(titled, corpus.article(next_filler).parts)
            index.add(f"f{next_filler}", text, title=title)
            next_filler += 1
    return result


def _score(
    probe_plan: Sequence[tuple[str, int]], found: Sequence[str | None]
) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {kind: [0, 0, 0] for kind in KINDS}
    for (kind, original), key in zip(probe_plan, found, strict=True):
        if key is None:
            out[kind][2] += 1
        elif key == f"a{original}":
            out[kind][0] += 1
        else:
            out[kind][1] += 1
    return out


def _candidates(index: NearDuplicates, texts: Sequence[tuple[str, str]]) -> float:
    """Mean unverified LSH candidates a probe gets (both indexes): what verification costs."""
    total = 0
    for text, title in texts:
        prepared = index.prepare(text, title=title)
        found = set(index._main.query(prepared.sketch)) | set(index._lede.query(prepared.lede))
        total += len(found)
    return total / len(texts)


def _child(conn: Connection, args: tuple[Config, int, int, int, dict[str, Vocabulary]]) -> None:
    try:
        conn.send(measure(*args))
    except BaseException as exc:  # reported by the parent
        conn.send(exc)
    finally:
        conn.close()


def run_child(
    config: Config, size: int, probes: int, repeat: int, vocab: dict[str, Vocabulary]
) -> Result:
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, (config, size, probes, repeat, vocab)))
    process.start()
    child.close()
    answer = parent.recv()
    process.join()
    if isinstance(answer, BaseException):
        raise answer
    assert isinstance(answer, Result)
    return answer


# --- the report ----------------------------------------------------------------------------------


def precision_recall(found: dict[str, list[int]]) -> tuple[float, float]:
    right = sum(found[k][0] for k in POSITIVE)
    wrong = sum(found[k][1] for k in KINDS) + sum(found[k][0] for k in NEGATIVE)
    positives = sum(sum(found[k]) for k in POSITIVE)
    precision = right / (right + wrong) if right + wrong else 1.0
    return precision, right / positives if positives else 0.0


def report(results: Sequence[Result]) -> Iterator[str]:
    yield (
        "| backend | words | title | items | check (find+add) ms/article | add ms (fill) | RSS MB "
        "| bytes/item | shingles/item | candidates/probe | precision | recall | excerpt recall |"
    )
    yield "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for r in results:
        precision, recall = precision_recall(r.found)
        excerpt = r.found["excerpt"]
        spread = f"{min(r.runs) * 1e3:.3f}–{max(r.runs) * 1e3:.3f}"
        yield (
            f"| {r.backend} | {r.max_words} | {_title(r)} | {r.size:,} "
            f"| {r.per_check * 1e3:.3f} ({spread}) "
            f"| {r.fill * 1e3:.3f} "
            f"| {r.rss / 2**20:.0f} | {r.rss / r.size:,.0f} | {r.shingles / r.size:.0f} "
            f"| {r.candidates:.2f} | {precision:.3f} | {recall:.3f} "
            f"| {excerpt[0] / max(1, sum(excerpt)):.2f} |"
        )
    yield ""
    yield "Per probe kind: found its original / found another item / found none"
    yield "| backend | words | title | items | " + " | ".join(KINDS) + " |"
    yield "|---|---:|---|---:|" + "---:|" * len(KINDS)
    for r in results:
        cells = " | ".join("/".join(map(str, r.found[k])) for k in KINDS)
        yield f"| {r.backend} | {r.max_words} | {_title(r)} | {r.size:,} | {cells} |"


def _title(result: Result) -> str:
    return "apart" if result.titled else "in text"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--probes", type=int, default=1800, help="probe articles per run")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs (median)")
    parser.add_argument(
        "--also-words",
        default="1000",
        help=f"the default backend also shingling this many words (default: {MAX_WORDS}); '' none",
    )
    parser.add_argument(
        "--no-plain",
        action="store_true",
        help="skip the baseline: the default backend with the title in the text (no title= call)",
    )
    parser.add_argument("--quick", action="store_true", help="10,000 items, 900 probes, 2 runs")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.quick:
        args.sizes, args.probes, args.repeat = "10000", 900, 2
    sizes = [int(s) for s in args.sizes.split(",")]
    installed = available_backends()
    backends = []
    for name in args.backends.split(","):
        if name not in BACKENDS:
            raise SystemExit(f"unknown backend {name!r}")
        if name in installed:
            backends.append(name)
        else:
            print(f"bench_neardup: {name}: skipped: not installed (pip install -e '.[bench]')")
    configs: list[Config] = [(name, MAX_WORDS, True) for name in backends]
    if DEFAULT_BACKEND in backends:
        if not args.no_plain:
            configs.append((DEFAULT_BACKEND, MAX_WORDS, False))
        more = {int(w) for w in args.also_words.split(",") if w} - {MAX_WORDS}
        configs += [(DEFAULT_BACKEND, w, True) for w in sorted(more)]
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    vocab = vocabularies()
    print(f"bench_neardup: {code_state()}; default backend {DEFAULT_BACKEND}")
    results = []
    for size in sizes:
        # Every run evicts ``probes`` items; originals are taken from the part never evicted.
        probes = min(args.probes, size // (2 * args.repeat))
        for config in configs:
            started = time.perf_counter()
            result = run_child(config, size, probes, args.repeat, vocab)
            results.append(result)
            took = time.perf_counter() - started
            cost = result.per_check * 1e3
            name = f"{config[0]} ({config[1]} words, title {_title(result)})"
            print(f"  {name} at {size:,}: {cost:.3f} ms/article ({took:.0f} s)", flush=True)
    print()
    for line in report(results):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
