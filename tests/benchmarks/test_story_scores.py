"""The story scorer on cases small enough to count by hand (benchmarks/story_scores.py)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from benchmarks.story_scores import (
    Labelled,
    bcubed,
    f1,
    lookalike_merged,
    pairwise,
    score,
)


def _items(*rows: tuple[str, str, str, str, str]) -> list[Labelled]:
    return [
        Labelled(id=i, gold=g, predicted=p, language=lang, topic=t) for i, g, p, lang, t in rows
    ]


# a, b, c are one gold story X (en, fr, en); d is story Y (en) in the same topic T; e stands
# alone. The grouping merged a, b and d, and left c and e apart.
FIVE = _items(
    ("a", "X", "1", "en", "T"),
    ("b", "X", "1", "fr", "T"),
    ("c", "X", "2", "en", "T"),
    ("d", "Y", "1", "en", "T"),
    ("e", "Z", "3", "ru", "U"),
)


def close(value: float, expected: Fraction | float) -> bool:
    return value == pytest.approx(float(expected), abs=1e-12)


def test_pairwise_all_pairs() -> None:
    # 10 pairs; gold-positive ab ac bc; predicted-positive ab ad bd; both: ab.
    p = pairwise(FIVE, "all")
    assert (p.pairs, p.gold_pairs, p.predicted_pairs, p.true_pairs) == (10, 3, 3, 1)
    assert close(p.precision, Fraction(1, 3)) and close(p.recall, Fraction(1, 3))
    assert close(p.f1, Fraction(1, 3))


def test_pairwise_same_and_cross_language() -> None:
    # Same language: ac ad cd (en); gold ac, predicted ad, none both.
    same = pairwise(FIVE, "same-language")
    assert (same.pairs, same.gold_pairs, same.predicted_pairs, same.true_pairs) == (3, 1, 1, 0)
    assert same.precision == 0.0 and same.recall == 0.0 and same.f1 == 0.0
    # Cross language: ab ae bc bd be ce de; gold ab bc, predicted ab bd, both ab.
    cross = pairwise(FIVE, "cross-language")
    assert (cross.pairs, cross.gold_pairs, cross.predicted_pairs, cross.true_pairs) == (7, 2, 2, 1)
    assert close(cross.precision, 0.5) and close(cross.recall, 0.5)


def test_bcubed_all() -> None:
    # Precision: a 2/3, b 2/3, c 1, d 1/3, e 1 -> 11/15; recall: a 2/3, b 2/3, c 1/3, d 1,
    # e 1 -> 11/15.
    b = bcubed(FIVE, "all")
    assert close(b.precision, Fraction(11, 15)) and close(b.recall, Fraction(11, 15))
    assert close(b.f1, Fraction(11, 15))
    assert (b.precision_items, b.recall_items) == (5, 5)


def test_bcubed_same_language_is_bcubed_within_each_language() -> None:
    # en: a (X,1) c (X,2) d (Y,1). Precision a 1/2, c 1, d 1/2, b 1, e 1 -> 4/5;
    # recall a 1/2, c 1/2, d 1, b 1, e 1 -> 4/5.
    b = bcubed(FIVE, "same-language")
    assert close(b.precision, Fraction(4, 5)) and close(b.recall, Fraction(4, 5))


def test_bcubed_cross_language_counts_only_other_languages() -> None:
    # Precision: a's predicted story has b in another language (gold X): 1; b has a and d: 1/2;
    # d has b (not Y): 0; c and e have none in another language: left out -> 1.5 / 3.
    # Recall: a's gold story has b in another language, predicted with a: 1; b has a, c: 1/2;
    # c has b, not predicted with c: 0; d and e left out -> 1.5 / 3.
    b = bcubed(FIVE, "cross-language")
    assert close(b.precision, 0.5) and close(b.recall, 0.5)
    assert (b.precision_items, b.recall_items) == (3, 3)


def test_per_language_scores_each_language_alone() -> None:
    languages = score(FIVE).languages
    assert sorted(languages) == ["en", "fr", "ru"]
    # en alone: a (X,1) c (X,2) d (Y,1): the same counts as the same-language slice.
    en = languages["en"].pairwise
    assert (en.pairs, en.gold_pairs, en.predicted_pairs, en.true_pairs) == (3, 1, 1, 0)
    assert close(languages["en"].bcubed.precision, Fraction(2, 3))  # a 1/2, c 1, d 1/2
    # fr and ru have one article each: no pair, BCubed of the lone article is 1.
    assert languages["fr"].pairwise.pairs == 0 and languages["ru"].bcubed.recall == 1.0
    assert score(FIVE).to_json()["languages"]["en"]["pairwise"]["pairs"] == 3


def test_lookalike_merged() -> None:
    # Topic T, different gold stories: ad bd cd; predicted together: ad bd.
    assert lookalike_merged(FIVE) == (3, 2)
    scores = score(FIVE)
    assert scores.lookalike_merged is not None and close(scores.lookalike_merged, Fraction(2, 3))


def test_every_article_alone() -> None:
    items = _items(
        ("a", "X", "1", "en", "T"), ("b", "X", "2", "en", "T"), ("c", "X", "3", "fr", "T")
    )
    scores = score(items)
    all_ = scores.slices["all"]
    assert all_.pairwise.predicted_pairs == 0
    assert all_.pairwise.precision == 1.0 and all_.pairwise.recall == 0.0 and all_.pairwise.f1 == 0
    assert all_.bcubed.precision == 1.0 and close(all_.bcubed.recall, Fraction(1, 3))
    same = scores.slices["same-language"].bcubed
    assert close(same.recall, Fraction(2, 3))  # (1/2 + 1/2 + 1) / 3
    cross = scores.slices["cross-language"].bcubed
    assert cross.precision_items == 0 and cross.precision == 1.0  # vacuous: counts say so
    assert cross.recall_items == 3 and cross.recall == 0.0
    assert scores.lookalike_pairs == 0 and scores.lookalike_merged is None


def test_everything_in_one_story() -> None:
    items = _items(
        ("a", "A", "s", "en", "T"),
        ("b", "A", "s", "fr", "T"),
        ("c", "B", "s", "en", "T"),
        ("d", "B", "s", "fr", "T"),
    )
    scores = score(items)
    p = scores.slices["all"].pairwise
    assert (p.pairs, p.gold_pairs, p.predicted_pairs, p.true_pairs) == (6, 2, 6, 2)
    assert close(p.precision, Fraction(1, 3)) and p.recall == 1.0
    b = scores.slices["all"].bcubed
    assert close(b.precision, 0.5) and b.recall == 1.0 and close(b.f1, Fraction(2, 3))
    assert (scores.lookalike_pairs, scores.lookalike_merged_pairs) == (4, 4)
    assert scores.lookalike_merged == 1.0


def test_slices_partition_the_pairs() -> None:
    s = score(FIVE).slices
    for field in ("pairs", "gold_pairs", "predicted_pairs", "true_pairs"):
        whole = getattr(s["all"].pairwise, field)
        assert whole == getattr(s["same-language"].pairwise, field) + getattr(
            s["cross-language"].pairwise, field
        )


def test_f1_and_duplicate_ids() -> None:
    assert f1(0.0, 0.0) == 0.0
    assert close(f1(0.5, 1.0), Fraction(2, 3))
    with pytest.raises(ValueError, match="not unique"):
        score(_items(("a", "X", "1", "en", "T"), ("a", "X", "1", "en", "T")))


def test_json_form() -> None:
    data = score(FIVE).to_json()
    assert data["articles"] == 5
    assert set(data["slices"]) == {"all", "same-language", "cross-language"}
    assert data["slices"]["all"]["pairwise"]["true_pairs"] == 1
    assert data["lookalike_merged"]["pairs"] == 3
