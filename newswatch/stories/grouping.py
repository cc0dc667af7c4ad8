"""Story grouping: each article joins the story it reports on, or founds a new one (pure).

An article is tried, in order, against

1. **the same page**: an article already seen with the same ``link_key`` (trackers, AMP and
   mobile forms removed) → that article's story, signal ``link``;
2. **the same text**: a near-duplicate (``neardup``: MinHash + LSH, verified by Jaccard or
   containment, numbers equal) → its story, signal ``duplicate``;
3. **the same event**: the stories that share its strongest words or keys (an inverted index;
   only recent postings are read, so the cost does not grow with the window), each scored:
   - same language: the cosine of the article's TF-IDF vector with the story's centroid in
     that language (signal ``text``);
   - across languages: the share of the article's or the story's script-independent keys
     (watched entities, name skeletons) that the other has, IDF-weighted (signal
     ``entities``), with at least ``min_shared_keys`` keys in common.

   The bar rises with the time between the article and the story's nearest article
   (``gap_penalty`` a day after the first ``grace_hours``), and when both state figures but
   share none (another rate decision, another death toll): so the same people and places a
   few days apart make a new story unless the text says it is the same event.

The story id is the id of the article that founded it, so every worker and every replay that
sees the same articles in the same order names the same story. The window is bounded by count
(``max_articles``) and by age (``window_days`` behind the newest article): memory is bounded.

Every decision is an ``Assignment`` saying which story, via which article or signal, with
which score and the evidence (shared words, keys, numbers, the time gap).
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from newswatch.article import Article
from newswatch.links import link_key
from newswatch.matching.snapshot import RuleSnapshot
from newswatch.stories.features import StoryFeatures, extract, significant
from newswatch.stories.neardup import NearDuplicates, Prepared

__all__ = ["Assignment", "StoryGrouper", "StoryParams"]

_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class StoryParams:
    """Thresholds (tuned on ``tests/fixtures/stories/desk-dev.jsonl`` and ECB+; see
    docs/stories.md for the evaluation)."""

    grouping: bool = True  # False: every article is a story of its own (alerts per article)
    window_days: float = 7.0
    max_articles: int = 100_000
    text_threshold: float = 0.29  # cosine, same language
    keys_threshold: float = 0.25  # weighted key overlap, across languages
    min_shared_keys: int = 3
    grace_hours: float = 18.0
    gap_penalty: float = 0.20  # added to a threshold per day beyond the grace
    max_gap_hours: float = 96.0  # never join a story whose nearest article is further away
    numbers_penalty: float = 0.10
    candidates: int = 40
    posting_tail: int = 300
    query_words: int = 15
    query_keys: int = 24
    centroid_terms: int = 80
    story_keys: int = 120
    keys_same_language: bool = False  # within one language the text decides


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one article went: ``story_id``; ``via`` the article or story it was linked to
    (None: it founded the story); ``signal`` why (``new``, ``link``, ``duplicate``, ``text``,
    ``entities``, ``known`` for an article already grouped); ``score`` how strongly;
    ``evidence`` what was shared."""

    article_id: str
    story_id: str
    signal: str = "new"
    score: float = 0.0
    via: str | None = None
    evidence: tuple[tuple[str, str], ...] = ()

    @property
    def new_story(self) -> bool:
        return self.signal == "new"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.article_id,
            "story": self.story_id,
            "signal": self.signal,
            "score": round(self.score, 4),
            "via": self.via,
            "evidence": dict(self.evidence),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assignment:
        evidence = data.get("evidence") or {}
        return cls(
            article_id=str(data["id"]),
            story_id=str(data["story"]),
            signal=str(data.get("signal", "new")),
            score=float(data.get("score", 0.0)),
            via=data.get("via"),
            evidence=tuple((str(k), str(v)) for k, v in evidence.items()),
        )


@dataclass
class _Story:
    id: str
    first: float | None
    last: float | None
    size: int = 0
    live: int = 0
    centroids: dict[str, dict[str, float]] = field(default_factory=dict)
    keys: Counter[str] = field(default_factory=Counter)
    numbers: set[str] = field(default_factory=set)

    def near(self, when: float | None) -> float | None:
        """Hours from ``when`` to the story's span (0 inside it); None if a time is unknown."""
        if when is None or self.first is None or self.last is None:
            return None
        if self.first <= when <= self.last:
            return 0.0
        return min(abs(when - self.first), abs(when - self.last)) / _HOUR


@dataclass(frozen=True, slots=True)
class _Member:
    article_id: str
    story_id: str
    time: float | None
    terms: tuple[str, ...]  # its words and keys, to take them out of the counts on eviction
    link: str
    uncased: bool


class StoryGrouper:
    """The stream's stories. ``add`` one article at a time, in arrival order."""

    def __init__(
        self,
        params: StoryParams | None = None,
        *,
        snapshot: RuleSnapshot | None = None,
    ) -> None:
        self.params = params or StoryParams()
        self.snapshot = snapshot
        self._stories: dict[str, _Story] = {}
        self._members: dict[str, _Member] = {}
        self._order: deque[str] = deque()
        self._links: dict[str, str] = {}
        self._df: Counter[str] = Counter()
        self._postings: dict[str, list[str]] = {}
        self._dups = NearDuplicates(capacity=self.params.max_articles)
        self._last_shingled: tuple[str, Prepared] | None = None
        self._newest: float | None = None
        # Name skeletons seen capitalised (Latin, Cyrillic) in the window: what an Arabic word's
        # skeleton must be to count as a name.
        self._names: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._members)

    @property
    def story_count(self) -> int:
        return len(self._stories)

    def story_of(self, article_id: str) -> str | None:
        member = self._members.get(article_id)
        return member.story_id if member else None

    # --- adding --------------------------------------------------------------------------

    def features(self, article: Article) -> StoryFeatures:
        entities = (
            self.snapshot.matcher.entities(article) if self.snapshot is not None else frozenset()
        )
        features = extract(article, entities=entities)
        if features.uncased:
            names = self._names
            keys = frozenset(k for k in features.keys if not k.startswith("sk:") or k in names)
            features = replace(features, keys=keys)
        return features

    def add(self, article: Article) -> Assignment:
        """Group ``article``; an article already in the window keeps its story."""
        known = self._members.get(article.id)
        if known is not None:
            return Assignment(article.id, known.story_id, "known", 1.0, known.story_id)
        features = self.features(article)
        if not self.params.grouping:
            assignment = Assignment(article.id, article.id)
        else:
            assignment = self._decide(article, features)
        self._record(article, features, assignment.story_id)
        return assignment

    def restore(self, article: Article, assignment: Assignment) -> None:
        """Put an article back as it was grouped before (a restart), without deciding again."""
        if article.id not in self._members:
            self._record(article, self.features(article), assignment.story_id)

    def _shingled(self, article: Article) -> Prepared:
        """The article ready for the near-duplicate index, made once for its find and its add."""
        last = self._last_shingled
        if last is None or last[0] != article.id:
            body = f"{article.summary}\n{article.content}"
            last = (article.id, self._dups.prepare(body, title=article.title))
            self._last_shingled = last
        return last[1]

    def _decide(self, article: Article, features: StoryFeatures) -> Assignment:
        link = link_key(article.url)
        same_page = self._links.get(link) if link else None
        if same_page is not None and same_page in self._members:
            story = self._members[same_page].story_id
            return Assignment(article.id, story, "link", 1.0, same_page, (("link", link),))
        dup = self._dups.find(self._shingled(article))
        if dup is not None and dup.key in self._members:
            story = self._members[dup.key].story_id
            evidence = (
                ("jaccard", f"{dup.jaccard:.2f}"),
                ("containment", f"{dup.containment:.2f}"),
                ("kind", dup.kind),
            )
            return Assignment(
                article.id, story, "duplicate", max(dup.jaccard, dup.containment), dup.key, evidence
            )
        best = self._best_story(features)
        if best is None:
            return Assignment(article.id, article.id)
        return best

    def _idf(self, term: str) -> float:
        # A term never seen weighs as one seen once: otherwise, early in a stream, every new
        # word would outweigh everything shared.
        # Floored, so that it stays positive while the window holds a handful of articles.
        df = max(self._df.get(term, 0), 1)
        return max(math.log((len(self._members) + 1.0) / (df + 0.5)), 0.05)

    def _vector(self, features: StoryFeatures) -> dict[str, float]:
        prefix = f"w:{features.language}:"
        vector = {
            prefix + word: (1.0 + math.log(count)) * self._idf(prefix + word)
            for word, count in features.words
        }
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {term: v / norm for term, v in vector.items() if v > 0}

    def _candidates(self, vector: dict[str, float], features: StoryFeatures) -> list[str]:
        params = self.params
        words = sorted(vector, key=vector.__getitem__, reverse=True)[: params.query_words]
        keys = sorted(features.keys, key=self._idf, reverse=True)[: params.query_keys]
        counts: Counter[str] = Counter()
        for term in (*words, *keys):
            posting = self._postings.get(term)
            if posting:
                counts.update(set(posting[-params.posting_tail :]))
        return [story for story, _ in counts.most_common(params.candidates)]

    def _best_story(self, features: StoryFeatures) -> Assignment | None:
        vector = self._vector(features)
        best: tuple[float, Assignment] | None = None
        for story_id in self._candidates(vector, features):
            story = self._stories.get(story_id)
            if story is None:
                continue
            scored = self._score(features, vector, story)
            if scored is not None and (best is None or scored[0] > best[0]):
                best = scored
        return best[1] if best else None

    def _bar(self, base: float, gap: float | None, conflict: bool) -> float:
        params = self.params
        late = max(0.0, (gap or 0.0) - params.grace_hours) / 24.0
        return base + params.gap_penalty * late + (params.numbers_penalty if conflict else 0.0)

    def _score(
        self, features: StoryFeatures, vector: dict[str, float], story: _Story
    ) -> tuple[float, Assignment] | None:
        params = self.params
        gap = story.near(features.time)
        if gap is not None and gap > params.max_gap_hours:
            return None
        conflict = _numbers_conflict(features.numbers, story.numbers)
        evidence: list[tuple[str, str]] = []
        if gap is not None:
            evidence.append(("gap_hours", f"{gap:.1f}"))
        if conflict:
            evidence.append(("numbers", "differ"))
        centroid = story.centroids.get(features.language)
        if centroid:
            cosine, shared = _cosine(vector, centroid)
            bar = self._bar(params.text_threshold, gap, conflict)
            if cosine >= bar:
                words = ", ".join(t.split(":", 2)[2] for t in shared[:8])
                return cosine - bar, Assignment(
                    features.article_id,
                    story.id,
                    "text",
                    cosine,
                    story.id,
                    (
                        ("cosine", f"{cosine:.2f}"),
                        ("bar", f"{bar:.2f}"),
                        ("words", words),
                        *evidence,
                    ),
                )
            if not params.keys_same_language:
                return None
        overlap, common = self._key_overlap(features.keys, story.keys)
        bar = self._bar(params.keys_threshold, gap, conflict)
        if len(common) >= params.min_shared_keys and overlap >= bar:
            return overlap - bar, Assignment(
                features.article_id,
                story.id,
                "entities",
                overlap,
                story.id,
                (
                    ("overlap", f"{overlap:.2f}"),
                    ("bar", f"{bar:.2f}"),
                    ("keys", ", ".join(sorted(common)[:12])),
                    *evidence,
                ),
            )
        return None

    def _key_overlap(
        self, keys: frozenset[str], story_keys: Counter[str]
    ) -> tuple[float, list[str]]:
        if not keys or not story_keys:
            return 0.0, []
        common = [k for k in keys if k in story_keys]
        if not common:
            return 0.0, []
        idf = self._idf
        shared = sum(idf(k) for k in common)
        mine = sum(idf(k) for k in keys)
        theirs = sum(idf(k) for k in story_keys)
        return shared / max(min(mine, theirs), 1e-9), common

    # --- bookkeeping ---------------------------------------------------------------------

    def _record(self, article: Article, features: StoryFeatures, story_id: str) -> None:
        params = self.params
        vector = self._vector(features)
        story = self._stories.get(story_id)
        if story is None:
            story = _Story(story_id, features.time, features.time)
            self._stories[story_id] = story
        story.size += 1
        story.live += 1
        if features.time is not None:
            story.first = features.time if story.first is None else min(story.first, features.time)
            story.last = features.time if story.last is None else max(story.last, features.time)
        centroid = story.centroids.setdefault(features.language, {})
        for term, weight in vector.items():
            centroid[term] = centroid.get(term, 0.0) + weight
        if len(centroid) > params.centroid_terms:
            keep = sorted(centroid.items(), key=lambda kv: kv[1], reverse=True)
            story.centroids[features.language] = dict(keep[: params.centroid_terms])
        story.keys.update(features.keys)
        if not features.uncased:
            self._names.update(k for k in features.keys if k.startswith("sk:"))
        if len(story.keys) > params.story_keys:
            story.keys = Counter(dict(story.keys.most_common(params.story_keys)))
        story.numbers.update(features.numbers)
        terms = (*vector, *features.keys)
        self._df.update(terms)
        for term in terms:
            posting = self._postings.setdefault(term, [])
            if not posting or posting[-1] != story_id:
                posting.append(story_id)
            if len(posting) > 2 * params.posting_tail:
                del posting[: -params.posting_tail]
        link = link_key(article.url)
        if link:
            self._links.setdefault(link, article.id)
        self._dups.add(article.id, self._shingled(article))
        self._last_shingled = None
        self._members[article.id] = _Member(
            article.id, story_id, features.time, terms, link, features.uncased
        )
        self._order.append(article.id)
        if features.time is not None and (self._newest is None or features.time > self._newest):
            self._newest = features.time
        self._evict()

    def _evict(self) -> None:
        params = self.params
        horizon = None if self._newest is None else self._newest - params.window_days * 86400
        while self._order:
            oldest = self._members.get(self._order[0])
            too_many = len(self._members) > params.max_articles
            too_old = (
                oldest is not None
                and horizon is not None
                and oldest.time is not None
                and oldest.time < horizon
            )
            if oldest is not None and not (too_many or too_old):
                return
            self._order.popleft()
            if oldest is not None:
                self._forget(oldest)

    def _forget(self, member: _Member) -> None:
        del self._members[member.article_id]
        if not member.uncased:
            self._names.subtract(t for t in member.terms if t.startswith("sk:"))
            for term in member.terms:
                if term.startswith("sk:") and self._names[term] <= 0:
                    del self._names[term]
        self._df.subtract(member.terms)
        for term in member.terms:
            if self._df[term] <= 0:
                del self._df[term]
                self._postings.pop(term, None)
        if member.link and self._links.get(member.link) == member.article_id:
            del self._links[member.link]
        self._dups.remove(member.article_id)
        story = self._stories.get(member.story_id)
        if story is not None:
            story.live -= 1
            if story.live <= 0:
                del self._stories[member.story_id]

    def members(self) -> Iterable[tuple[str, str]]:
        """(article id, story id) of every article in the window, oldest first."""
        for article_id in self._order:
            member = self._members.get(article_id)
            if member is not None:
                yield article_id, member.story_id


def _cosine(vector: dict[str, float], centroid: dict[str, float]) -> tuple[float, list[str]]:
    norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
    shared = [t for t in vector if t in centroid]
    dot = sum(vector[t] * centroid[t] for t in shared)
    shared.sort(key=lambda t: vector[t] * centroid[t], reverse=True)
    return dot / norm, shared


def _numbers_conflict(mine: frozenset[str], theirs: set[str]) -> bool:
    a, b = significant(mine), significant(theirs)
    return len(a) >= 2 and len(b) >= 2 and not (a & b)
