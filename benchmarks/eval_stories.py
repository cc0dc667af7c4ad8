"""Story grouping against gold stories (issue 12, item 7; ``make eval``'s story part).

Each dataset is one stream of articles with a gold story and a gold topic per article (a topic
groups look-alike stories: the same people and places, different events). The stream goes
through ``newswatch.stories.batch.group_articles`` in order, as a feed would deliver it, and
the assignments are scored by ``benchmarks/story_scores.py``: pairwise and BCubed precision,
recall and F1 over all, same-language and cross-language article pairs, and the share of
look-alike pairs (same topic, different gold story) put in one story (goal <= 5 %).

Datasets:

- ``desk-dev``, ``desk-test``: the project's own labelled stories in ar/ru/fr/en
  (``tests/fixtures/stories/``, written for the project; see its README). Dev is for tuning,
  test is held out; they are reported separately. Stream order: published time.
- ``ecbplus``: ECB+ validation split (English; story = sub-topic such as ``12/12ecb`` vs
  ``12/12ecbplus``, topic = the topic number). No dates.
- ``meantime``: MEANTIME in en/es/it/nl (story = the article, whose four language versions
  share a ``doc_key``; topic = the sub-corpus). Translations, so the cross-language part is an
  easy upper bound. No dates.

ECB+ and MEANTIME come from ``../shared/data/stories`` (``NEWSWATCH_SHARED`` overrides) and are
skipped with a message when absent; their documents are rebuilt from the CoNLL tokens (title =
first sentence, content = the rest) and streamed in a seeded shuffle in which no two
neighbours share a story where that can be avoided.

Two reference baselines run on the same streams: ``exact duplicates`` (same normalised text,
same story) and ``tf-idf per language`` (cosine of title + lead, greedy single link to the most
similar earlier article of the same language when it reaches a fixed threshold; document
frequencies from the whole stream, which a real stream would not have).

The grouper gets a ``RuleSnapshot`` of one rule per entity of ``benchmarks/watchlist.py``
(the rules ``eval_matching`` generates for its ``aliases`` setting), loaded by the real loader.
Time per article is the median of ``--runs`` runs of the whole stream.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import REPO, code_state, shared_data
from benchmarks.eval_matching import rule_yaml
from benchmarks.story_scores import LOOKALIKE_GOAL, SLICES, Labelled, Scores, SliceScore, score
from benchmarks.watchlist import WATCHLIST
from newswatch.article import Article
from newswatch.matching.snapshot import RuleSnapshot
from newswatch.rules.loader import load_rules
from newswatch.stories.batch import group_articles

SCRIPT = "eval_stories"
FIXTURES = REPO / "tests" / "fixtures" / "stories"
DATASETS = ("desk-dev", "desk-test", "ecbplus", "meantime")
ECBPLUS = Path("stories/ecbplus-val/dataset.conll")
MEANTIME = Path("stories/meantime-4lang/MEANTIME-prep/output_data")
MEANTIME_LANGUAGES = ("en", "es", "it", "nl")
FIXTURE_FIELDS = ("id", "title", "summary", "content", "language", "feed", "url", "published")
# tf-idf baseline: chosen on desk-dev only (best all-pairs F1 among 0.1 ... 0.6), then fixed.
TFIDF_THRESHOLD = 0.4
TFIDF_LEAD_CHARS = 400


@dataclass(frozen=True, slots=True)
class Doc:
    article: Article
    story: str
    topic: str


@dataclass
class Dataset:
    name: str
    docs: list[Doc]
    order: str  # how the stream is ordered

    @property
    def languages(self) -> Counter[str]:
        return Counter(d.article.language for d in self.docs)


# --- reading -------------------------------------------------------------------------------------


def read_fixture(path: Path) -> list[Doc]:
    """One labelled article per line, in published-time order (ties by id)."""
    docs = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            missing = [k for k in (*FIXTURE_FIELDS, "story", "topic") if k not in row]
            if missing:
                raise SystemExit(f"{path}:{number}: missing {', '.join(missing)}")
            docs.append(Doc(Article.from_dict(row), str(row["story"]), str(row["topic"])))
    return sorted(
        docs, key=lambda d: (d.article.published is None, d.article.published, d.article.id)
    )


Sentence = list[str]


def conll_documents(path: Path) -> Iterator[tuple[str, list[Sentence]]]:
    """(doc_key, sentences) from a CoNLL export: ``doc_key  sent_id  token_id  token  coref``.

    A (sentence, token) position seen twice in one document is kept once: part of the ECB+
    export repeats every sentence of a document (topics 12 and 35)."""
    tokens: dict[str, dict[tuple[int, int], str]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.rstrip("\n").split("\t")
            if line.startswith("#") or len(parts) < 4:
                continue
            tokens.setdefault(parts[0], {}).setdefault((int(parts[1]), int(parts[2])), parts[3])
    for key, positions in tokens.items():
        sentences: dict[int, Sentence] = defaultdict(list)
        for (sent, _), token in sorted(positions.items()):
            sentences[sent].append(token)
        yield key, [sentences[s] for s in sorted(sentences)]


_NO_SPACE_BEFORE = frozenset(",.;:!?)]}%»”’…") | {"''", "...", "n't", "'s", "'re", "'ve", "'ll",
                                                   "'d", "'m", "’s"}  # fmt: skip
_NO_SPACE_AFTER = frozenset("([{$«“‘#") | {"``"}
_QUOTES = {"``": "“", "''": "”"}
_TOGGLING = frozenset({'"', "'"})
_ELIDED = re.compile(r"\w+['’]")  # l' dell' un' d


def detokenize(tokens: Sequence[str]) -> str:
    """Tokens back to running text: no space before closing punctuation and clitics (``'s``,
    ``n't``), none after opening brackets, elided articles (``l'``, ``dell'``) or an opening
    quote; a plain ``"`` or ``'`` alternates between opening and closing."""
    out: list[str] = []
    glue_next = False
    open_quote = {q: False for q in _TOGGLING}
    for token in tokens:
        glue = glue_next or not out
        glue_next = False
        if token in _TOGGLING:
            if open_quote[token]:
                glue = True
            else:
                glue_next = True
            open_quote[token] = not open_quote[token]
        elif token in _NO_SPACE_BEFORE or token.lower() in _NO_SPACE_BEFORE:
            glue = True
        if token in _NO_SPACE_AFTER or _ELIDED.fullmatch(token):
            glue_next = True
        out.append(("" if glue else " ") + _QUOTES.get(token, token))
    return "".join(out).strip()


def _is_url(tokens: Sentence) -> bool:
    return "".join(tokens).lower().startswith(("http://", "https://", "www."))


def conll_article(key: str, sentences: list[Sentence], language: str, corpus: str) -> Article:
    """Title = first sentence, content = the rest. A first "sentence" that is the page's URL
    (every ECB+ ``ecbplus`` document starts so) is the article's url, not its title."""
    url = ""
    if sentences and _is_url(sentences[0]):
        url, sentences = "".join(sentences[0]), sentences[1:]
    texts = [detokenize(s) for s in sentences]
    return Article(
        id=key if corpus == "ecbplus" else f"{language}/{key}",
        feed=corpus,
        url=url,
        title=texts[0] if texts else "",
        content=" ".join(texts[1:]),
        language=language,
    )


def read_ecbplus(path: Path) -> list[Doc]:
    docs = []
    for key, sentences in conll_documents(path):
        topic, subtopic, _ = key.split("/")
        article = conll_article(key, sentences, "en", "ecbplus")
        docs.append(Doc(article, f"{topic}/{subtopic}", topic))
    return docs


def read_meantime(root: Path) -> list[Doc]:
    docs = []
    for language in MEANTIME_LANGUAGES:
        for key, sentences in conll_documents(root / language / "meantime.conll"):
            corpus = key.split("/")[0]
            docs.append(Doc(conll_article(key, sentences, language, "meantime"), key, corpus))
    return docs


def shuffled(docs: Sequence[Doc], seed: int) -> list[Doc]:
    """A seeded shuffle, then each document that follows one of its own story swapped with the
    next later document of another story, so a story's documents do not come in a run."""
    order = list(docs)
    random.Random(seed).shuffle(order)
    for i in range(1, len(order)):
        if order[i].story != order[i - 1].story:
            continue
        for j in range(i + 1, len(order)):
            if order[j].story != order[i - 1].story:
                order[i], order[j] = order[j], order[i]
                break
    return order


def load_datasets(
    names: Sequence[str], fixtures: Path, seed: int
) -> tuple[list[Dataset], dict[str, str]]:
    """The datasets asked for, and why each missing one was skipped."""
    loaded: list[Dataset] = []
    skipped: dict[str, str] = {}
    data = shared_data()
    for name in names:
        if name.startswith("desk-"):
            path = fixtures / f"{name}.jsonl"
            if not path.is_file():
                skipped[name] = f"{path} not found"
                continue
            loaded.append(Dataset(name, read_fixture(path), "published time"))
            continue
        if data is None:
            skipped[name] = "../shared/data not found (set NEWSWATCH_SHARED to override)"
            continue
        source = data / (ECBPLUS if name == "ecbplus" else MEANTIME)
        if not source.exists():
            skipped[name] = f"{source} not found"
            continue
        docs = read_ecbplus(source) if name == "ecbplus" else read_meantime(source)
        loaded.append(Dataset(name, shuffled(docs, seed), f"seeded shuffle (seed {seed})"))
    return loaded, skipped


# --- systems -------------------------------------------------------------------------------------

Grouping = Callable[[Sequence[Article]], list[str]]  # articles -> predicted story per article


def newswatch_grouping(snapshot: RuleSnapshot | None) -> Grouping:
    def run(articles: Sequence[Article]) -> list[str]:
        assignments = group_articles(articles, snapshot=snapshot)
        if [a.article_id for a in assignments] != [a.id for a in articles]:
            raise SystemExit("group_articles: assignments do not follow the input articles")
        return [a.story_id for a in assignments]

    return run


_SPACES = re.compile(r"\s+")


def normalized_text(article: Article) -> str:
    text = "\n".join((article.title, article.summary, article.content))
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def exact_duplicates(articles: Sequence[Article]) -> list[str]:
    """Same normalised title + summary + content: the story of the first such article."""
    first: dict[str, str] = {}
    return [first.setdefault(normalized_text(a), a.id) for a in articles]


_WORD = re.compile(r"\w{2,}")


def lead_terms(article: Article) -> list[str]:
    """Words of the title and the lead (the summary, else the start of the content)."""
    lead = article.summary or article.content[:TFIDF_LEAD_CHARS]
    text = unicodedata.normalize("NFKC", f"{article.title}\n{lead}").casefold()
    return _WORD.findall(text)


def tfidf_per_language(
    articles: Sequence[Article], threshold: float = TFIDF_THRESHOLD
) -> list[str]:
    """Greedy single link: an article joins the story of the most similar earlier article of
    its language if their tf-idf cosine reaches ``threshold``, else starts a story."""
    terms = [lead_terms(a) for a in articles]
    df: dict[str, Counter[str]] = defaultdict(Counter)
    size: Counter[str] = Counter()
    for article, words in zip(articles, terms, strict=True):
        df[article.language].update(set(words))
        size[article.language] += 1
    vectors = []
    for article, words in zip(articles, terms, strict=True):
        lang_df, n = df[article.language], size[article.language]
        weights = {
            t: c * (math.log((1 + n) / (1 + lang_df[t])) + 1) for t, c in Counter(words).items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({t: w / norm for t, w in weights.items()})
    stories: list[str] = []
    seen: dict[str, list[int]] = defaultdict(list)  # language -> earlier article indexes
    for i, article in enumerate(articles):
        best, best_j = 0.0, -1
        for j in seen[article.language]:
            small, large = sorted((vectors[i], vectors[j]), key=len)
            cosine = sum(w * large.get(t, 0.0) for t, w in small.items())
            if cosine > best:
                best, best_j = cosine, j
        stories.append(stories[best_j] if best_j >= 0 and best >= threshold else article.id)
        seen[article.language].append(i)
    return stories


# --- running and scoring -------------------------------------------------------------------------


@dataclass
class SystemResult:
    scores: Scores
    seconds: list[float]  # one per run
    stories: int  # predicted stories
    stable: bool  # every run gave the same grouping

    @property
    def ms_per_article(self) -> float:
        return 1000 * statistics.median(self.seconds) / max(self.scores.articles, 1)


@dataclass
class DatasetResult:
    dataset: Dataset
    systems: dict[str, SystemResult] = field(default_factory=dict)


def run_system(grouping: Grouping, dataset: Dataset, runs: int) -> SystemResult:
    articles = [d.article for d in dataset.docs]
    outputs: list[list[str]] = []
    seconds: list[float] = []
    for _ in range(max(runs, 1)):
        started = time.perf_counter()
        outputs.append(grouping(articles))
        seconds.append(time.perf_counter() - started)
    predicted = outputs[0]
    items = [
        Labelled(d.article.id, d.story, p, d.article.language, d.topic)
        for d, p in zip(dataset.docs, predicted, strict=True)
    ]
    return SystemResult(
        scores=score(items),
        seconds=seconds,
        stories=len(set(predicted)),
        stable=all(o == predicted for o in outputs),
    )


def build_snapshot(out: Path) -> tuple[RuleSnapshot, float, int]:
    """One rule per watch-list entity (canonical name and aliases), written and loaded by the
    real loader; fails loudly when a rule does not load."""
    path = out / "watchlist-rules.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n".join(rule_yaml(e, "aliases") for e in WATCHLIST)
    path.write_text(f"# generated by benchmarks/{SCRIPT}.py\nrules:\n{body}\n", encoding="utf-8")
    started = time.perf_counter()
    ruleset = load_rules(path)
    if ruleset.errors:
        raise SystemExit("generated rules do not load:\n" + "\n".join(map(str, ruleset.errors)))
    snapshot = RuleSnapshot.of(ruleset.rules)
    return snapshot, time.perf_counter() - started, len(ruleset.rules)


SYSTEM_NAMES = ("newswatch", "exact duplicates", "tf-idf per language")


def evaluate(
    datasets: Sequence[Dataset], snapshot: RuleSnapshot | None, runs: int
) -> list[DatasetResult]:
    systems: dict[str, Grouping] = {
        "newswatch": newswatch_grouping(snapshot),
        "exact duplicates": exact_duplicates,
        "tf-idf per language": tfidf_per_language,
    }
    results = []
    for dataset in datasets:
        result = DatasetResult(dataset)
        for name, grouping in systems.items():
            result.systems[name] = run_system(grouping, dataset, runs)
        results.append(result)
    return results


# --- output --------------------------------------------------------------------------------------


def _fig(value: float, vacuous: bool) -> str:
    return "    -" if vacuous else f"{value:5.3f}"


def describe(dataset: Dataset) -> str:
    docs = dataset.docs
    stories = {d.story for d in docs}
    topics: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        topics[d.topic].add(d.story)
    lookalike = sum(1 for s in topics.values() if len(s) > 1)
    langs = ", ".join(f"{lang} {n}" for lang, n in sorted(dataset.languages.items()))
    return (
        f"{dataset.name}: {len(docs)} articles, {len(stories)} stories, {lookalike} topics with "
        f"look-alike stories; {langs}; stream order: {dataset.order}"
    )


HEADER = (
    f"{'':24}{'pairwise':<18}| {'BCubed':<18}|\n"
    f"{'':24}{'P':>5} {'R':>5} {'F1':>5} | {'P':>5} {'R':>5} {'F1':>5} |"
    f" {'pairs':>7} {'same-story':>10}"
)


def slice_row(label: str, s: SliceScore) -> str:
    p, b = s.pairwise, s.bcubed
    no_pred, no_gold = not p.predicted_pairs, not p.gold_pairs
    no_p_items, no_r_items = not b.precision_items, not b.recall_items
    return (
        f"{label:<24}{_fig(p.precision, no_pred)} {_fig(p.recall, no_gold)}"
        f" {_fig(p.f1, no_pred or no_gold)} |"
        f" {_fig(b.precision, no_p_items)} {_fig(b.recall, no_r_items)}"
        f" {_fig(b.f1, no_p_items or no_r_items)} |"
        f" {p.pairs:7d} {p.gold_pairs:10d}"
    )


def system_rows(name: str, result: SystemResult) -> list[str]:
    rows = [f"{name} ({result.stories} stories predicted)"]
    scores = result.scores
    for which in SLICES:
        rows.append(slice_row(f"  {which}", scores.slices[which]))
        if which == "same-language" and len(scores.languages) > 1:
            rows += [slice_row(f"    {lang}", s) for lang, s in scores.languages.items()]
    merged = scores.lookalike_merged
    share = "    -" if merged is None else f"{merged:5.3f}"
    verdict = "" if merged is None else (": met" if merged <= LOOKALIKE_GOAL else ": NOT met")
    body = f"{share}  (goal <= {LOOKALIKE_GOAL:.2f}{verdict})"
    rows.append(f"  {'look-alike merged':<22}{body:<37}| {scores.lookalike_pairs:7d}")
    unstable = "" if result.stable else "; runs gave DIFFERENT groupings (first run scored)"
    runs = len(result.seconds)
    rows.append(f"  time: {result.ms_per_article:.3f} ms/article (median of {runs}){unstable}")
    return rows


def render(results: Sequence[DatasetResult], skipped: dict[str, str], notes: Sequence[str]) -> str:
    lines = list(notes)
    for name, why in skipped.items():
        lines.append(f"{SCRIPT}: {name}: skipped: {why}")
    for result in results:
        lines += ["", describe(result.dataset), HEADER]
        for name, system in result.systems.items():
            lines += system_rows(name, system)
    lines += [
        "",
        "pairs: article pairs in the slice (look-alike: same topic, different gold story);"
        " same-story: pairs in one gold story; '-': vacuous (no predicted or no gold pair/article"
        " in the slice; 1.0 in --json, with the counts)",
    ]
    return "\n".join(lines)


def results_json(
    results: Sequence[DatasetResult], skipped: dict[str, str], meta: dict[str, Any]
) -> dict[str, Any]:
    datasets: dict[str, Any] = {}
    for result in results:
        ds = result.dataset
        datasets[ds.name] = {
            "articles": len(ds.docs),
            "stories": len({d.story for d in ds.docs}),
            "topics": len({d.topic for d in ds.docs}),
            "languages": dict(sorted(ds.languages.items())),
            "order": ds.order,
            "systems": {
                name: {
                    **system.scores.to_json(),
                    "predicted_stories": system.stories,
                    "ms_per_article": system.ms_per_article,
                    "run_seconds": system.seconds,
                    "stable": system.stable,
                }
                for name, system in result.systems.items()
            },
        }
    return {**meta, "datasets": datasets, "skipped": skipped}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dataset", action="append", choices=DATASETS, help="repeatable; default all"
    )
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="desk-*.jsonl directory")
    parser.add_argument("--seed", type=int, default=12, help="stream shuffle of ECB+/MEANTIME")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per system (median)")
    parser.add_argument(
        "--no-snapshot", action="store_true", help="group without the watch-list rule snapshot"
    )
    parser.add_argument("--out", type=Path, default=REPO / "var" / "eval" / "stories")
    parser.add_argument(
        "--json", action="store_true", help="print JSON on stdout (the tables go to stderr)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    datasets, skipped = load_datasets(args.dataset or DATASETS, args.fixtures, args.seed)
    meta: dict[str, Any] = {"grouper": code_state(), "seed": args.seed, "runs": args.runs}
    notes = [f"grouper: {meta['grouper']}"]
    snapshot = None
    if args.no_snapshot:
        notes.append("snapshot: none (--no-snapshot)")
        meta["snapshot"] = None
    else:
        snapshot, build_s, n_rules = build_snapshot(args.out)
        notes.append(f"snapshot: {n_rules} watch-list rules, built in {build_s * 1000:.0f} ms")
        meta["snapshot"] = {"rules": n_rules, "build_seconds": build_s}
    results = evaluate(datasets, snapshot, args.runs)
    table = render(results, skipped, notes)
    if args.json:
        print(table, file=sys.stderr)
        print(json.dumps(results_json(results, skipped, meta), ensure_ascii=False, indent=1))
    else:
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
