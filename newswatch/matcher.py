"""Match articles against compiled rules: one Aho-Corasick pass for every name of every rule.

Pipeline for one article: fold title, summary and content (``textnorm``), scan the three with one
automaton (overlapping matches), keep the candidates that stand on word boundaries (with Arabic
proclitics allowed in front of Arabic names), group them by rule and entity, then evaluate each
candidate rule's condition. Only rules with at least one name found are evaluated, so the cost
grows with the names found, not with the number of rules.
"""

from __future__ import annotations

import fnmatch
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import add

import ahocorasick_rs

from newswatch.article import Article
from newswatch.expand import NameExpander, default_expander
from newswatch.hits import Hit, Mention
from newswatch.names import (
    ALL_CAPS,
    CAPITAL,
    ArabicVariant,
    NameForm,
    arabic_skeleton,
    arabic_variant,
    name_forms,
)
from newswatch.rules.model import EntityKind, Rule
from newswatch.textnorm import FoldedText, is_arabic_letter, is_word_char

__all__ = ["Matcher", "primary_language"]

# Arabic proclitics that may stand before a name: an optional conjunction (wa, fa) then an
# optional preposition (bi, li). "ka" is left out: with names it is rare and mostly noise.
_ARABIC_PREFIXES = frozenset(c + p for c in ("", "و", "ف") for p in ("", "ب", "ل"))
# An al- name looked for without its alef (li + al- is written "لل") needs a lam before it.
_LAM_PREFIXES = frozenset(c + "ل" for c in ("", "و", "ف"))
_FIELD_SEP = "\n"
_ARABIC = re.compile("[\u0620-\u064a]")


@dataclass(frozen=True, slots=True)
class _Target:
    rule: int  # index into Matcher.rules
    entity: str
    alias: str
    how: str = ""  # set for generated names: gazetteer | transliteration
    needs_full: bool = False  # a surname alone: kept only next to the full name


@dataclass(frozen=True, slots=True)
class _Pattern:
    form: NameForm
    targets: tuple[_Target, ...]


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A name found in the haystack, before it is mapped back to its field."""

    start: int  # where the word starts, proclitics included
    name_start: int  # where the name itself starts
    end: int
    how: str
    cased: tuple[int, ...]
    targets: tuple[_Target, ...]


def _automaton(patterns: list[str]) -> ahocorasick_rs.AhoCorasick | None:
    if not patterns:
        return None
    return ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.Standard)


def primary_language(tag: str) -> str:
    return tag.strip().lower().replace("_", "-").split("-", 1)[0]


class Matcher:
    """Rules compiled into one automaton. Immutable once built; safe to share between tasks."""

    def __init__(self, rules: Iterable[Rule], *, expander: NameExpander | None = None) -> None:
        """``expander`` adds gazetteer names and transliterations (default: the process-wide
        one for the configured languages); ``NO_EXPANSION`` matches the analyst's names only."""
        self.rules: tuple[Rule, ...] = tuple(r for r in rules if r.enabled)
        expand = expander or default_expander()
        by_form: dict[NameForm, list[_Target]] = defaultdict(list)
        for index, rule in enumerate(self.rules):
            for entity in rule.entities:
                keyword = entity.kind is EntityKind.KEYWORDS
                for alias in expand.aliases(entity):
                    target = _Target(index, entity.key, alias.name, alias.how, alias.needs_full)
                    for form in name_forms(alias.name, keyword=keyword):
                        by_form[form].append(target)
        self._patterns: tuple[_Pattern, ...] = tuple(
            _Pattern(form, tuple(dict.fromkeys(targets))) for form, targets in by_form.items()
        )
        self._automaton = _automaton([p.form.anchor for p in self._patterns])
        by_variant: dict[ArabicVariant, list[_Target]] = defaultdict(list)
        for pattern in self._patterns:
            if pattern.form.arabic and not pattern.form.lam_variant:
                variant = arabic_variant(pattern.form.folded)
                if variant is not None:
                    by_variant[variant].extend(pattern.targets)
        self._variants = tuple(
            (variant, tuple(dict.fromkeys(targets))) for variant, targets in by_variant.items()
        )
        self._variant_automaton = _automaton([v.skeleton for v, _ in self._variants])
        self._rule_entities = tuple(tuple(e.key for e in r.entities) for r in self.rules)

    @property
    def pattern_count(self) -> int:
        return len(self._patterns)

    def match(self, article: Article) -> list[Hit]:
        """Every rule that fires on ``article``, in rule order."""
        found = self._scan(article)
        hits: list[Hit] = []
        language = primary_language(article.language) if article.language else ""
        for index in sorted(found):
            rule = self.rules[index]
            if not _applies(rule, article.feed, language):
                continue
            mentions = _with_full_names(found[index])
            present = frozenset(m.entity for m in mentions)
            if not rule.condition.evaluate(present, self._rule_entities[index]):
                continue
            hits.append(Hit(rule.id, rule.version, article.id, _dedupe(mentions)))
        return hits

    def _scan(self, article: Article) -> dict[int, list[tuple[Mention, bool]]]:
        if self._automaton is None:
            return {}
        fields: list[tuple[str, FoldedText, int]] = []
        parts: list[str] = []
        offset = 0
        for name, value in article.text_fields:
            if not value:
                continue
            folded = FoldedText.of(value)
            fields.append((name, folded, offset))
            parts.append(folded.text)
            offset += len(folded.text) + len(_FIELD_SEP)
        if not parts:
            return {}
        haystack = _FIELD_SEP.join(parts)
        candidates = self._exact_candidates(haystack)
        if self._variant_automaton is not None and _ARABIC.search(haystack):
            candidates.extend(self._variant_candidates(haystack))
        starts = [base for _, _, base in fields]
        found: dict[int, list[tuple[Mention, bool]]] = defaultdict(list)
        for candidate in candidates:
            field_index = _field_of(starts, candidate.start)
            name, folded, base = fields[field_index]
            o_start, o_end = folded.original_span(candidate.start - base, candidate.end - base)
            if candidate.cased:
                o_name = folded.original_index(candidate.name_start - base)
                if not _case_agrees(folded.original[o_name:o_end], candidate.cased):
                    continue
            surface = folded.original[o_start:o_end]
            for target in candidate.targets:
                how = target.how or candidate.how
                mention = Mention(target.entity, target.alias, surface, name, o_start, o_end, how)
                found[target.rule].append((mention, target.needs_full))
        return found

    def _exact_candidates(self, haystack: str) -> list[_Candidate]:
        assert self._automaton is not None
        out: list[_Candidate] = []
        for index, start, end in self._automaton.find_matches_as_indexes(
            haystack, overlapping=True
        ):
            pattern = self._patterns[index]
            form = pattern.form
            if start and not form.arabic and is_word_char(haystack[start - 1]):
                continue  # inside a word: rejected before the costlier checks
            if form.verify is not None:
                verified = form.verify.match(haystack, start)
                if verified is None:
                    continue
                end = verified.end()
            verdict = _boundary(haystack, start, end, form)
            if verdict is None:
                continue
            how, word_start = verdict  # a prefix match starts at its proclitic: وموسكو
            if how == "exact" and form.verify is not None and haystack[start:end] != form.folded:
                how = "inflection"
            out.append(_Candidate(word_start, start, end, how, form.cased, pattern.targets))
        return out

    def _variant_candidates(self, haystack: str) -> list[_Candidate]:
        """Arabic spelling variants: found on the consonant skeleton, confirmed on the text."""
        assert self._variant_automaton is not None
        skeleton = arabic_skeleton(haystack)
        hits = self._variant_automaton.find_matches_as_indexes(skeleton, overlapping=True)
        if not hits:
            return []
        # The skeleton deletes letters inside words only, so the n-th word of the skeleton is
        # the n-th word of the text: map through word starts instead of character by character.
        h_starts = _word_starts(haystack)
        s_starts = _word_starts(skeleton)
        out: list[_Candidate] = []
        for index, s_start, s_end in hits:
            variant, targets = self._variants[index]
            first = bisect_right(s_starts, s_start) - 1
            last = bisect_right(s_starts, s_end - 1) - 1
            word_start = h_starts[first]
            while word_start < len(haystack) and not is_word_char(haystack[word_start]):
                word_start += 1  # opening quotes and brackets are not part of the word
            last_word = h_starts[last]
            for prefix in _ARABIC_PREFIXES:
                if not haystack.startswith(prefix, word_start):
                    continue
                name_start = word_start + len(prefix)
                verified = variant.verify.match(haystack, name_start)
                if verified is None or verified.end() <= last_word:
                    continue
                written = haystack[name_start : verified.end()]
                if not variant.accepts(written):
                    break
                how = "variant" if written != variant.folded else ("prefix" if prefix else "exact")
                out.append(_Candidate(word_start, name_start, verified.end(), how, (), targets))
                break
        return out


def _word_starts(text: str) -> list[int]:
    """Where each space- or newline-separated word of ``text`` starts (C-level iterators)."""
    lengths = map(len, text.replace(_FIELD_SEP, " ").split(" "))
    return list(accumulate(map(add, lengths, repeat(1)), initial=0))


def _field_of(starts: Sequence[int], position: int) -> int:
    index = 0
    for i, base in enumerate(starts):
        if base <= position:
            index = i
    return index


def _case_agrees(surface: str, cased: tuple[int, ...]) -> bool:
    """Words capitalised in the alias are capitalised in the text (Путина, not путина), and
    acronyms are in capitals (США, not сша)."""
    words = surface.split()
    if len(words) != len(cased):
        return True  # a name folded into another word count (ß, ligatures): do not guess
    for word, case in zip(words, cased, strict=True):
        if case == ALL_CAPS and any(c.islower() for c in word):
            return False
        if case == CAPITAL and word[0].isalpha() and not word[0].isupper():
            return False
    return True


def _boundary(text: str, start: int, end: int, pattern: NameForm) -> tuple[str, int] | None:
    """How the candidate stands in the text ("exact" or "prefix") and where its word starts,
    or None to reject it."""
    if end < len(text) and is_word_char(text[end]):
        return None  # a suffix attached: Ankaragucu is not Ankara, سوريالية is not سوريا
    if start == 0 or not is_word_char(text[start - 1]):
        return None if pattern.lam_variant else ("exact", start)
    if not pattern.arabic:
        return None
    word_start = start
    while word_start > 0 and is_arabic_letter(text[word_start - 1]):
        word_start -= 1
    if word_start > 0 and is_word_char(text[word_start - 1]):
        return None  # Arabic letters glued to something else (digits, Latin)
    prefix = text[word_start:start]
    allowed = _LAM_PREFIXES if pattern.lam_variant else _ARABIC_PREFIXES
    return ("prefix", word_start) if prefix in allowed else None


def _applies(rule: Rule, feed: str, language: str) -> bool:
    # An article of unknown language is not filtered out: missing an alert is worse.
    if rule.languages and language and language not in rule.languages:
        return False
    return not rule.feeds or any(fnmatch.fnmatchcase(feed, glob) for glob in rule.feeds)


def _with_full_names(found: list[tuple[Mention, bool]]) -> list[Mention]:
    """Drop surname-only mentions of an entity whose full name the article does not carry."""
    complete = {m.entity for m, needs_full in found if not needs_full}
    return [m for m, needs_full in found if not needs_full or m.entity in complete]


def _dedupe(mentions: list[Mention]) -> tuple[Mention, ...]:
    """Drop a mention that lies inside a longer mention of the same entity (Lavrov inside
    Sergey Lavrov) and repeated targets at one place; keep text order."""
    mentions.sort(key=lambda m: (m.field, m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for m in mentions:
        if any(
            k.entity == m.entity and k.field == m.field and k.start <= m.start and m.end <= k.end
            for k in kept[-8:]
        ):
            continue
        kept.append(m)
    order = {"title": 0, "summary": 1, "content": 2}
    kept.sort(key=lambda m: (order.get(m.field, 3), m.start))
    return tuple(kept)
