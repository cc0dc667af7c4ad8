"""benchmarks/eval_stories.py on the project's own story fixtures (no ../shared data needed).

These tests check the evaluation's wiring and the fixtures' shape, not how well stories are
grouped: the pair counts the script reports are recomputed here from the fixture files.
"""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

import pytest

from benchmarks import eval_stories
from benchmarks.eval_stories import (
    Doc,
    conll_article,
    conll_documents,
    detokenize,
    exact_duplicates,
    shuffled,
    tfidf_per_language,
)
from newswatch.article import Article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stories"
FILES = ("desk-dev", "desk-test")
LANGUAGES = {"ar", "ru", "fr", "en"}


def rows(name: str) -> list[dict[str, Any]]:
    with (FIXTURES / f"{name}.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def expected_counts(data: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Pairs per slice and gold-positive pairs per slice, counted from the file."""
    n = len(data)
    by_lang = Counter(r["language"] for r in data)
    by_story = Counter(r["story"] for r in data)
    by_story_lang = Counter((r["story"], r["language"]) for r in data)
    same = sum(pairs(k) for k in by_lang.values())
    gold_all = sum(pairs(k) for k in by_story.values())
    gold_same = sum(pairs(k) for k in by_story_lang.values())
    return {
        "all": {"pairs": pairs(n), "gold_pairs": gold_all},
        "same-language": {"pairs": same, "gold_pairs": gold_same},
        "cross-language": {"pairs": pairs(n) - same, "gold_pairs": gold_all - gold_same},
    }


def lookalike_pairs(data: list[dict[str, Any]]) -> int:
    return sum(
        1 for a, b in combinations(data, 2) if a["topic"] == b["topic"] and a["story"] != b["story"]
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """One run of the script's main entry: JSON on stdout, the tables on stderr."""
    out = tmp_path_factory.mktemp("eval")
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, redirect_stdout(stdout), redirect_stderr(stderr):
        mp.setenv("NEWSWATCH_SHARED", str(out / "no-shared-here"))  # ECB+ and MEANTIME skip
        assert eval_stories.main(["--json", "--runs", "1", "--out", str(out)]) == 0
    return json.loads(stdout.getvalue()), stderr.getvalue()


def test_output_structure_and_skips(report: tuple[dict[str, Any], str]) -> None:
    data, tables = report
    assert set(data["datasets"]) == set(FILES)
    assert set(data["skipped"]) == {"ecbplus", "meantime"}
    assert "eval_stories: ecbplus: skipped: ../shared/data not found" in tables
    assert data["snapshot"]["rules"] > 100
    for name in FILES:
        assert name in tables
        systems = data["datasets"][name]["systems"]
        assert list(systems) == ["newswatch", "exact duplicates", "tf-idf per language"]
        for system in systems.values():
            assert set(system["slices"]) == {"all", "same-language", "cross-language"}
            assert system["ms_per_article"] >= 0 and len(system["run_seconds"]) == 1
            assert 1 <= system["predicted_stories"] <= system["articles"]


def test_scores_are_in_unit_interval(report: tuple[dict[str, Any], str]) -> None:
    data, _ = report
    for name in FILES:
        for system in data["datasets"][name]["systems"].values():
            for cell in system["slices"].values():
                for kind in ("pairwise", "bcubed"):
                    for key in ("precision", "recall", "f1"):
                        assert 0.0 <= cell[kind][key] <= 1.0, (name, kind, key)
            share = system["lookalike_merged"]["share"]
            assert share is None or 0.0 <= share <= 1.0


def test_pair_counts_match_the_fixture(report: tuple[dict[str, Any], str]) -> None:
    data, _ = report
    for name in FILES:
        fixture = rows(name)
        expected = expected_counts(fixture)
        dataset = data["datasets"][name]
        assert dataset["articles"] == len(fixture)
        assert dataset["stories"] == len({r["story"] for r in fixture})
        assert dataset["languages"] == dict(sorted(Counter(r["language"] for r in fixture).items()))
        for system in dataset["systems"].values():
            assert system["articles"] == len(fixture)
            for which, counts in expected.items():
                cell = system["slices"][which]["pairwise"]
                assert cell["pairs"] == counts["pairs"], (name, which)
                assert cell["gold_pairs"] == counts["gold_pairs"], (name, which)
                assert cell["true_pairs"] <= min(cell["gold_pairs"], cell["predicted_pairs"])
            assert system["lookalike_merged"]["pairs"] == lookalike_pairs(fixture)
        # The exact-duplicates baseline pairs exactly the articles with identical text.
        texts = Counter((r["title"], r["summary"], r["content"]) for r in fixture)
        copies = sum(pairs(k) for k in texts.values())
        duplicates = dataset["systems"]["exact duplicates"]["slices"]["all"]["pairwise"]
        assert duplicates["predicted_pairs"] == copies > 0


# --- the fixtures' shape -------------------------------------------------------------------------


def _time(row: dict[str, Any]) -> datetime:
    text = row["published"]
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("name", FILES)
def test_fixture_shape(name: str) -> None:
    data = rows(name)
    assert 70 <= len(data) <= 90
    assert len({r["id"] for r in data}) == len(data)
    fields = {"id", "title", "summary", "content", "language", "feed", "url", "published"}
    for r in data:
        assert fields | {"story", "topic"} <= set(r)
        assert r["language"] in LANGUAGES and r["title"] and (r["summary"] or r["content"])
        Article.from_dict(r)
    stories: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in data:
        stories[r["story"]].append(r)
    assert 12 <= len(stories) <= 16
    for story, members in stories.items():
        assert len({r["language"] for r in members}) >= 2, story
        assert len({r["topic"] for r in members}) == 1, story
        times = [_time(r) for r in members]
        assert (max(times) - min(times)).total_seconds() <= 36 * 3600, story
    assert sum(len({r["language"] for r in m}) >= 3 for m in stories.values()) > len(stories) / 2
    assert {r["language"] for r in data} == LANGUAGES


@pytest.mark.parametrize("name", FILES)
def test_fixture_has_lookalikes_copies_and_summaries(name: str) -> None:
    data = rows(name)
    topics: dict[str, set[str]] = defaultdict(set)
    starts: dict[str, datetime] = {}
    for r in data:
        topics[r["topic"]].add(r["story"])
        starts[r["story"]] = min(starts.get(r["story"], _time(r)), _time(r))
    gaps = []
    for stories in topics.values():
        for a, b in combinations(sorted(stories), 2):
            gaps.append(abs((starts[a] - starts[b]).total_seconds()) / 86400)
    assert sum(2 <= g <= 10 for g in gaps) >= 5
    assert all(g >= 2 for g in gaps)
    urls = [r["url"] for r in data]
    assert any("?utm_source=" in u for u in urls) and any("/amp/" in u for u in urls)
    texts = Counter((r["title"], r["summary"], r["content"]) for r in data)
    assert sum(k - 1 for k in texts.values()) >= 5  # re-published copies under new ids
    assert sum(1 for r in data if not r["content"]) >= 10  # summary-only items
    assert sum(1 for r in data if 500 <= len(r["content"]) <= 1500) >= 20


# --- pure parts ----------------------------------------------------------------------------------


def test_detokenize() -> None:
    tokens = ["``", "We", "won", "'t", "stop", ",", "''", "he", "said", "(", "Reuters", ")", "."]
    assert detokenize(tokens) == "“We won 't stop,” he said (Reuters)."
    assert detokenize(["Boeing", "'s", "$", "40", "billion", "deal", "is", "n't", "final"]) == (
        "Boeing's $40 billion deal isn't final"
    )
    assert detokenize(["l'", "appalto", "dell'", "Airbus", "è", '"', "chiuso", '"', "."]) == (
        "l'appalto dell'Airbus è \"chiuso\"."
    )


def test_conll_reading_drops_repeated_positions_and_takes_the_url(tmp_path: Path) -> None:
    conll = tmp_path / "x.conll"
    lines = [
        "#begin document (7/7ecbplus/1); part 0",
        *(
            f"7/7ecbplus/1\t0\t{i}\t{t}\t-"
            for i, t in enumerate(["http", ":", "/", "/", "a", ".", "example", "/", "x"])
        ),
        "7/7ecbplus/1\t1\t0\tQuake\t-",
        "7/7ecbplus/1\t1\t1\thits\t-",
        "7/7ecbplus/1\t1\t0\tQuake\t-",  # the export repeats sentences
        "7/7ecbplus/1\t1\t1\thits\t-",
        "7/7ecbplus/1\t2\t0\tMore\t-",
        "7/7ecbplus/1\t2\t1\t.\t-",
        "#end document",
    ]
    conll.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [(key, sentences)] = list(conll_documents(conll))
    assert key == "7/7ecbplus/1" and sentences[1] == ["Quake", "hits"]
    article = conll_article(key, sentences, "en", "ecbplus")
    assert article.url == "http://a.example/x"
    assert (article.title, article.content, article.published) == ("Quake hits", "More.", None)


def test_shuffle_is_seeded_and_spreads_stories() -> None:
    docs = [Doc(Article(id=f"{s}{i}"), s, "t") for s in "abcd" for i in range(4)]
    once, again = shuffled(docs, 3), shuffled(docs, 3)
    assert [d.article.id for d in once] == [d.article.id for d in again]
    assert sorted(d.article.id for d in once) == sorted(d.article.id for d in docs)
    assert all(x.story != y.story for x, y in pairwise(once))


def test_baselines() -> None:
    a = Article(id="a", title="Quake hits Malatya", summary="Two dead.", language="en")
    copy = Article(id="b", title="Quake  hits MALATYA", summary="Two dead.", language="en")
    other = Article(id="c", title="Rate cut in Ankara", summary="Lira steady.", language="en")
    french = Article(id="d", title="Quake hits Malatya", summary="Two dead.", language="fr")
    assert exact_duplicates([a, copy, other]) == ["a", "a", "c"]
    # Same words in another language's stream: the per-language baseline never links them.
    assert tfidf_per_language([a, copy, other, french]) == ["a", "a", "c", "d"]
