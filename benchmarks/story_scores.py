"""Scores of a story grouping against gold stories: pairwise and BCubed, by language relation.

Every article carries its gold story, its predicted story, its language and a topic (a gold group
of look-alike stories: the same people and places, different events). Three slices of the
article pairs are scored:

- ``all``: every unordered pair of two different articles;
- ``same-language``: the pairs whose two articles are in one language;
- ``cross-language``: the pairs whose articles are in two languages.

``languages`` adds, per language, the ``all`` scores of that language's articles alone (the
same-language figure broken down: Arabic pairs, Russian pairs, ...).

**Pairwise** (Miranda et al. 2018, "Multilingual Clustering of Streaming News", EMNLP): over the
pairs of the slice, a pair is gold-positive when both articles are in one gold story and
predicted-positive when both are in one predicted story; precision = TP / predicted-positive,
recall = TP / gold-positive.

**BCubed** (Bagga & Baldwin 1998; Amigó et al. 2009): for article *i*, precision is the share of
the articles in *i*'s predicted story that are also in its gold story, recall the share of its gold
story that is also in its predicted story; both are averaged over articles. For a slice, only the
articles in that relation to *i* count: ``all`` and ``same-language`` count *i* itself (so
``same-language`` is plain BCubed computed within each language, averaged over every article);
``cross-language`` counts only the articles in other languages, and an article whose predicted
(gold) story has none leaves the precision (recall) average.

An empty denominator (no predicted-positive pair, no article to average) gives 1.0, as in
``eval_matching``; the counts beside each figure say when it is vacuous. F1 of P = R = 0 is 0.

**Look-alike merged**: among the pairs in one topic but in different gold stories, the share the
grouping put in one story (goal: at most 5 %). None when the data has no such pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Literal

__all__ = [
    "LOOKALIKE_GOAL",
    "SLICES",
    "BCubed",
    "Labelled",
    "Pairwise",
    "Scores",
    "Slice",
    "SliceScore",
    "bcubed",
    "f1",
    "lookalike_merged",
    "pairwise",
    "score",
]

Slice = Literal["all", "same-language", "cross-language"]
SLICES: tuple[Slice, ...] = ("all", "same-language", "cross-language")
LOOKALIKE_GOAL = 0.05


@dataclass(frozen=True, slots=True)
class Labelled:
    """One article as the scorer sees it."""

    id: str
    gold: str
    predicted: str
    language: str
    topic: str


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True, slots=True)
class Pairwise:
    pairs: int  # pairs in the slice
    gold_pairs: int  # ... in one gold story
    predicted_pairs: int  # ... in one predicted story
    true_pairs: int  # ... both

    @property
    def precision(self) -> float:
        return self.true_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_pairs / self.gold_pairs if self.gold_pairs else 1.0

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


@dataclass(frozen=True, slots=True)
class BCubed:
    precision: float
    recall: float
    precision_items: int  # articles averaged for precision
    recall_items: int  # ... for recall

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


@dataclass(frozen=True, slots=True)
class SliceScore:
    pairwise: Pairwise
    bcubed: BCubed


@dataclass(frozen=True, slots=True)
class Scores:
    articles: int
    slices: dict[Slice, SliceScore]
    lookalike_pairs: int  # pairs in one topic, different gold stories
    lookalike_merged_pairs: int  # ... of those, predicted in one story
    languages: dict[str, SliceScore] = field(default_factory=dict)  # per language, within it

    @property
    def lookalike_merged(self) -> float | None:
        if not self.lookalike_pairs:
            return None
        return self.lookalike_merged_pairs / self.lookalike_pairs

    def to_json(self) -> dict[str, Any]:
        slices = {name: _slice_json(s) for name, s in self.slices.items()}
        return {
            "articles": self.articles,
            "slices": slices,
            "languages": {lang: _slice_json(s) for lang, s in self.languages.items()},
            "lookalike_merged": {
                "share": self.lookalike_merged,
                "pairs": self.lookalike_pairs,
                "merged_pairs": self.lookalike_merged_pairs,
                "goal": LOOKALIKE_GOAL,
            },
        }


def _slice_json(s: SliceScore) -> dict[str, Any]:
    p, b = s.pairwise, s.bcubed
    return {
        "pairwise": {
            "precision": p.precision, "recall": p.recall, "f1": p.f1,
            "pairs": p.pairs, "gold_pairs": p.gold_pairs,
            "predicted_pairs": p.predicted_pairs, "true_pairs": p.true_pairs,
        },
        "bcubed": {
            "precision": b.precision, "recall": b.recall, "f1": b.f1,
            "precision_items": b.precision_items, "recall_items": b.recall_items,
        },
    }  # fmt: skip


def _in_slice(a: Labelled, b: Labelled, which: Slice) -> bool:
    if which == "same-language":
        return a.language == b.language
    if which == "cross-language":
        return a.language != b.language
    return True


def pairwise(items: Sequence[Labelled], which: Slice = "all") -> Pairwise:
    """Pair counts of one slice, by listing the pairs (a few hundred thousand at most here)."""
    total = gold = predicted = true = 0
    for a, b in combinations(items, 2):
        if not _in_slice(a, b, which):
            continue
        same_gold, same_predicted = a.gold == b.gold, a.predicted == b.predicted
        total += 1
        gold += same_gold
        predicted += same_predicted
        true += same_gold and same_predicted
    return Pairwise(pairs=total, gold_pairs=gold, predicted_pairs=predicted, true_pairs=true)


def _counted(a: Labelled, b: Labelled, which: Slice) -> bool:
    """Whether BCubed counts ``b`` for ``a``: ``a`` itself except across languages."""
    if a is b:
        return which != "cross-language"
    return _in_slice(a, b, which)


def bcubed(items: Sequence[Labelled], which: Slice = "all") -> BCubed:
    """Item-averaged BCubed of one slice (see the module doc for what each slice counts)."""
    p_sum = r_sum = 0.0
    p_n = r_n = 0
    for a in items:
        counted = [b for b in items if _counted(a, b, which)]
        predicted = [b for b in counted if b.predicted == a.predicted]
        gold = [b for b in counted if b.gold == a.gold]
        shared = sum(1 for b in predicted if b.gold == a.gold)
        if predicted:
            p_sum, p_n = p_sum + shared / len(predicted), p_n + 1
        if gold:
            r_sum, r_n = r_sum + shared / len(gold), r_n + 1
    return BCubed(
        precision=p_sum / p_n if p_n else 1.0,
        recall=r_sum / r_n if r_n else 1.0,
        precision_items=p_n,
        recall_items=r_n,
    )


def lookalike_merged(items: Sequence[Labelled]) -> tuple[int, int]:
    """(pairs in one topic and different gold stories, of those predicted in one story)."""
    pairs = merged = 0
    for a, b in combinations(items, 2):
        if a.topic == b.topic and a.gold != b.gold:
            pairs += 1
            merged += a.predicted == b.predicted
    return pairs, merged


def score(items: Sequence[Labelled]) -> Scores:
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise ValueError("article ids are not unique")
    slices = {which: SliceScore(pairwise(items, which), bcubed(items, which)) for which in SLICES}
    pairs, merged = lookalike_merged(items)
    languages = {}
    for language in sorted({i.language for i in items}):
        own = [i for i in items if i.language == language]
        languages[language] = SliceScore(pairwise(own), bcubed(own))
    return Scores(len(items), slices, pairs, merged, languages)
