"""Smoke tests of the benchmark scripts' pure parts (no ../shared data needed)."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from benchmarks import bench_match, eval_matching, eval_surnames, eval_translit
from benchmarks.adjudication import ADJUDICATED
from benchmarks.common import gold_norm, romanize_ru, slug
from benchmarks.corpora import GoldMention, GoldText, _proper_spans, _strip_clitic
from benchmarks.seed_gold import SEED_GOLD
from benchmarks.synth import (
    NamePool,
    _synthetic_names,
    make_articles,
    make_rules,
    rule_objects,
    rules_yaml,
    to_cyrillic,
)
from benchmarks.watchlist import WATCHLIST, by_id, link_index
from newswatch.matching.hits import Mention
from newswatch.rules.loader import parse_rules_text


def test_gold_norm_folds_what_does_not_distinguish_names() -> None:
    assert gold_norm("إسرائيل") == gold_norm("اسرائيل")
    assert gold_norm("القاهرة\u200f") == gold_norm("القاهره")
    assert gold_norm("Шрёдер") == gold_norm("шредер")
    assert gold_norm("Erdoğan") == "erdogan"
    assert gold_norm("Йемен") != gold_norm("Иемен")  # й is a letter, not и + accent


def test_romanize_and_slug() -> None:
    assert romanize_ru("Лужков") == "Luzhkov"
    assert slug("Gerhard Schröder") == "gerhard-schroder"
    assert slug("Москва") == "moskva"


def test_watchlist_ids_unique_and_gold_keys_unambiguous() -> None:
    ids = [e.id for e in WATCHLIST]
    assert len(ids) == len(set(ids))
    index = link_index()
    owners: dict[str, set[str]] = {}
    for entity in WATCHLIST:
        for key in entity.link_keys():
            owners.setdefault(key, set()).add(entity.id)
    assert all(len(v) == 1 for v in owners.values()), "a gold key links to two entities"
    assert index[gold_norm("GPE-Brussles")] == "brussels"
    assert index[gold_norm("Лавров")] == "sergey-lavrov"


def test_seed_labels_and_adjudications_name_watchlist_entities() -> None:
    known = by_id()
    assert {key for line in SEED_GOLD.values() for key, _, _ in line} <= set(known)
    assert {entity for _, entity in ADJUDICATED} <= set(known)
    assert {verdict for verdict, _ in ADJUDICATED.values()} <= {"named", "not-named", "embedded"}


@pytest.mark.parametrize("setting", eval_matching.SETTINGS)
def test_generated_rules_load_with_the_real_loader(setting: str) -> None:
    text = "rules:\n" + "\n".join(eval_matching.rule_yaml(e, setting) for e in WATCHLIST)
    rules, problems = parse_rules_text(text, "generated.yaml")
    assert not problems
    assert len(rules) == len(WATCHLIST)
    syria = next(r for r in rules if r.id == "e-syria")
    expected = 1 if setting == "canonical" else 1 + len(by_id()["syria"].aliases)
    assert len(syria.entities[0].names) == expected


def test_the_surname_evaluation_compares_the_two_modes(tmp_path: Path) -> None:
    from newswatch.article import Article

    text = Article(id="a", title="Lavrov: the settlement is blocked")
    auto = eval_surnames.matcher_for("auto", tmp_path)
    full = eval_surnames.matcher_for("with-full-name", tmp_path)
    assert [h.rule_id for h in auto.match(text)] == ["e-sergey-lavrov"]
    assert full.match(text) == []


def test_clitic_stripping_only_to_attested_forms() -> None:
    counter = Counter({"بريطانيا": 3, "الولايات المتحدة": 2, "القاهره": 1})
    assert _strip_clitic("وبريطانيا", counter) == "بريطانيا"
    assert _strip_clitic("للولايات المتحدة", counter) == "الولايات المتحدة"
    assert _strip_clitic("بالقاهره", counter) == "القاهره"
    assert _strip_clitic("لبنان", counter) == "لبنان"


def test_proper_spans_join_adjective_and_drop_honorific() -> None:
    tokens = [("the", "DET"), ("United", "ADJ"), ("States", "PROPN"), ("and", "CCONJ")]
    tokens += [("Ms.", "PROPN"), ("Clinton", "PROPN")]
    assert _proper_spans(tokens) == ["United States", "Clinton"]


def _text(text_id: str, *mentions: GoldMention) -> GoldText:
    return GoldText(text_id, "toy", "ru", "", "text", mentions)


def test_scoring_outcomes() -> None:
    texts = [
        _text("t1", GoldMention("Россия", "place", "России", "Россия")),
        _text("t2", GoldMention("Россия", "place", "российского", "Россия")),
        _text("t3", GoldMention("МИД России", "other", "МИД России")),
        _text("t4"),
    ]
    gold, _ = eval_matching.link_gold(texts, link_index())
    eval_matching.mark_embedded(texts, gold, ["russia"])
    found: tuple[Mention, ...] = (Mention("e", "Россия", "России", "content", 0, 6),)
    fired = {t.id: {"russia": found} for t in texts}  # the rule fires everywhere
    cell = eval_matching.score(texts, ["russia"], gold, fired)
    assert (cell.tp, cell.fp, cell.fn) == (1, 1, 0)  # t1 hit, t4 false alarm
    assert cell.neutral == {"adjective": 1, "embedded": 1}


def test_eval_skips_without_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSWATCH_SHARED", str(tmp_path / "absent"))
    with pytest.raises(SystemExit) as exit_info:
        eval_matching.main(["--out", str(tmp_path / "out")])
    assert exit_info.value.code == 0
    assert "skipped: ../shared/data not found" in capsys.readouterr().out


def test_synthetic_rules_match_their_yaml_and_articles_are_3kb() -> None:
    rng = random.Random(1)
    pool: NamePool = _synthetic_names(rng)
    specs = make_rules(pool, 50, rng)
    again = make_rules(_synthetic_names(random.Random(1)), 50, random.Random(1))
    assert [s.names for s in again] == [s.names for s in make_rules(pool, 50, random.Random(1))]
    loaded, problems = parse_rules_text(rules_yaml(specs), "bench.yaml")
    assert not problems
    direct = rule_objects(specs)
    assert [(r.id, r.entities, r.condition) for r in loaded] == [
        (r.id, r.entities, r.condition) for r in direct
    ]
    pools = {
        lang: ["Word one two three four five six seven."] * 5 for lang in ("en", "ar", "ru", "fr")
    }
    lines = make_articles(pools, specs, 8, rng)
    sizes = [sum(len(json.loads(x)[k]) for k in ("title", "summary", "content")) for x in lines]
    assert all(2800 < size < 4000 for size in sizes)
    assert to_cyrillic("Peterson") == "Петерсон"


def test_bench_runs_end_to_end_on_synthetic_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSWATCH_SHARED", str(tmp_path / "absent"))
    monkeypatch.setattr(bench_match, "pin", lambda cpu: "not pinned (test)")
    args = ["--rules", "5,20", "--articles", "12", "--repeat", "1", "--out", str(tmp_path)]
    assert bench_match.main(args) == 0
    out = capsys.readouterr().out
    assert "synthetic names and articles" in out
    assert "goal newswatch/floor" in out
    payload = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    assert [p["rules"] for p in payload["points"]] == [5, 20]


def test_translit_eval_skips_without_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSWATCH_SHARED", str(tmp_path / "absent"))
    monkeypatch.setattr("sys.argv", ["eval_translit.py"])
    with pytest.raises(SystemExit) as exit_info:
        eval_translit.main()
    assert exit_info.value.code == 0
    assert "eval_translit: skipped: ../shared/data not found" in capsys.readouterr().out


def test_translit_eval_accepts_a_variant_the_matcher_accepts() -> None:
    assert eval_translit._arabic_close("سيرغي لافروف", "سيرجي لافروف")  # غ / ج
    assert not eval_translit._arabic_close("مونتاغ", "مناطق")  # a vowel moved: another word


def test_surname_only_pairs_are_the_one_word_mentions_of_people() -> None:
    texts = [
        _text("t1", GoldMention("Лавров", "person", "Лавровым", "Лавров")),
        _text("t2", GoldMention("Сергей Лавров", "person", "Сергей Лавров", "Сергей Лавров")),
    ]
    gold, _ = eval_matching.link_gold(texts, link_index())
    found: tuple[Mention, ...] = (Mention("e", "Лавров", "Лавровым", "content", 0, 8),)
    fired = {"t1": {"sergey-lavrov": found}, "t2": {}}
    assert eval_surnames.surname_only(texts, ["sergey-lavrov"], gold, fired) == (1, 1)
