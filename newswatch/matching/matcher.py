"""Match articles against compiled rules: one Aho-Corasick pass for every name of every rule.

Pipeline for one article: fold title, summary and content (``folding``: every character that is
not a letter or digit becomes a space) and join them with a space at each end; scan that with
one automaton whose patterns are the names with a space on each side, so the automaton itself
only reports whole words and the Python loop sees real candidates only. Arabic names are entered
once per allowed proclitic (" وبسوريا " is " " + "وب" + "سوريا" + " "); Russian names once per
case form of their first word (a longer name is then confirmed by its regex). Text of one
script is scanned as one byte per character in that script's codec (``folding.folded_bytes``;
ASCII text is its own Latin bytes) by a byte automaton of the same patterns; Arabic ones are
stored reversed and Arabic text scanned backwards. Arabic text also gets a consonant-skeleton
scan for spelling variants. Found names are grouped by rule and entity, then each candidate rule's
condition is evaluated. Only rules with at least one name found are evaluated, so the cost grows
with the names found, not with the number of rules.
"""

from __future__ import annotations

import fnmatch
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick_rs

from newswatch.article import Article
from newswatch.matching.aliases import Alias, NameExpander, default_expander, leading_given_name
from newswatch.matching.folding import (
    ARABIC_SCRIPT,
    SCRIPTS,
    FoldedText,
    codec_of,
    fold_name,
    folded_bytes,
    folded_bytes_lossy,
)
from newswatch.matching.forms import (
    ALL_CAPS,
    CAPITAL,
    SKELETON_SPACE,
    ArabicVariant,
    NameForm,
    arabic_skeleton_bytes,
    arabic_variant,
    name_forms,
    skeleton_of,
)
from newswatch.matching.hits import Hit, Mention
from newswatch.rules.condition import Any
from newswatch.rules.model import Entity, EntityKind, Rule

__all__ = ["Matcher", "primary_language"]

# Arabic proclitics that may stand before a name: an optional conjunction (wa, fa) then an
# optional preposition (bi, li). "ka" is left out: with names it is rare and mostly noise.
_ARABIC_PREFIXES = frozenset(c + p for c in ("", "و", "ف") for p in ("", "ب", "ل"))
# An al- name looked for without its alef (li + al- is written "لل") needs a lam before it.
_LAM_PREFIXES = frozenset(c + "ل" for c in ("", "و", "ف"))
# Fields are joined with a line break between spaces: a name never spans two fields (no pattern
# holds a line break) and a field's first word still has a space before it.
_FIELD_SEP = " \n "


@dataclass(frozen=True, slots=True)
class _Target:
    rule: int  # index into Matcher.rules
    entity: str
    alias: str
    how: str = ""  # set for generated names: gazetteer | transliteration
    needs_full: bool = False  # a surname alone: kept only next to the full name
    surname: bool = False  # a surname that counts alone, unless another given name leads it
    given: tuple[str, ...] = ()  # how the entity's own given names begin (folded, 3 letters)


# Where a name was found: (surface as written, field, start, end in the field's original
# text, how). A plain tuple: one is made per name found, most never become a Mention.
_Place = tuple[str, str, int, int, str]


@dataclass(frozen=True, slots=True)
class _Pattern:
    form: NameForm
    targets: tuple[_Target, ...]


@dataclass(frozen=True, slots=True)
class _Entry:
    """One automaton pattern: a name form behind one proclitic (or none)."""

    pattern: _Pattern
    prefix: int  # length of the proclitic written before the name
    how: str  # exact | prefix (inflecting forms decide after their regex)


# A name found in the haystack, before it is mapped back to its field: where the word starts
# (proclitics included), where the name starts, where it ends, how it was found, the alias's
# capitals to check, and the targets. A plain tuple: one is made per name found.
_Candidate = tuple[int, int, int, str, tuple[int, ...], tuple[_Target, ...]]


# One script's automaton over byte patterns, and its entry groups by pattern index.
_ByteScan = tuple[ahocorasick_rs.BytesAhoCorasick, tuple[tuple[_Entry, ...], ...]]


def _automaton(patterns: list[str]) -> ahocorasick_rs.AhoCorasick | None:
    if not patterns:
        return None
    return ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.Standard)


def _given_names(aliases: tuple[Alias, ...]) -> tuple[str, ...]:
    """The first letter of the first word of each full-name spelling: a given name
    spelt another way (Хайко for the generated Хейко) is still the person's own."""
    return tuple(
        sorted({fold_name(a.name.split()[0])[:1] for a in aliases if len(a.name.split()) > 1})
    )


def _shared_surnames(expanded: Iterable[tuple[int, Entity, tuple[Alias, ...]]]) -> set[str]:
    """Folded surnames that stand for more than one person among the rules (George and Laura
    Bush; the same person watched by two rules is one person)."""
    people: dict[str, set[str]] = defaultdict(set)
    for _, entity, aliases in expanded:
        if entity.kind is not EntityKind.PERSON:
            continue
        who = fold_name(entity.canonical or (entity.names[0] if entity.names else ""))
        for alias in aliases:
            if alias.surname:
                people[fold_name(alias.name)].add(who)
    return {surname for surname, who in people.items() if len(who) > 1}


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
        expanded = [
            (index, entity, expand.aliases(entity))
            for index, rule in enumerate(self.rules)
            for entity in rule.entities
        ]
        shared = _shared_surnames(expanded)
        for index, entity, aliases in expanded:
            keyword = entity.kind is EntityKind.KEYWORDS
            given = _given_names(aliases)
            for alias in aliases:
                # A surname two watched people share counts only next to either's full name.
                needs_full = alias.needs_full or (alias.surname and fold_name(alias.name) in shared)
                target = _Target(
                    index,
                    entity.key,
                    alias.name,
                    alias.how,
                    needs_full,
                    alias.surname,
                    given if alias.surname else (),
                )
                for form in name_forms(alias.name, keyword=keyword):
                    by_form[form].append(target)
        self._patterns: tuple[_Pattern, ...] = tuple(
            _Pattern(form, tuple(dict.fromkeys(targets))) for form, targets in by_form.items()
        )
        # Several forms may share a pattern text (Сергей Лавров and Сергей Шойгу both start
        # " серге"; Turkey the place and turkey the keyword): each is checked on its own.
        entries: dict[str, list[_Entry]] = defaultdict(list)
        for pattern in self._patterns:
            for text, entry in _entries(pattern):
                entries[text].append(entry)
        self._entries = tuple(tuple(group) for group in entries.values())
        self._automaton = _automaton(list(entries))
        # The same patterns once more per script, as bytes: a text of one script is scanned
        # one byte a character (see folding.folded_bytes). A pattern that a script's codec
        # cannot write cannot occur in a text that codec wrote, so leaving it out is safe.
        # Arabic patterns are stored reversed, and Arabic text is scanned backwards: the
        # proclitics in front of a name then branch off at the end of a shared path instead
        # of copying the name nine times: a smaller automaton, whose states miss the cache
        # less often (at 10,000 rules the scans are bound by those misses).
        by_script: list[_ByteScan | None] = []
        for script in range(SCRIPTS):
            texts: list[bytes] = []
            groups: list[tuple[_Entry, ...]] = []
            for text, group in zip(entries, self._entries, strict=True):
                encoded = folded_bytes(text, script)
                if encoded is not None:
                    texts.append(encoded[1][::-1] if script == ARABIC_SCRIPT else encoded[1])
                    groups.append(group)
            by_script.append(
                (ahocorasick_rs.BytesAhoCorasick(texts), tuple(groups)) if texts else None
            )
        self._by_script = tuple(by_script)
        by_variant: dict[ArabicVariant, list[_Target]] = defaultdict(list)
        for pattern in self._patterns:
            if pattern.form.arabic and not pattern.form.lam_variant:
                variant = arabic_variant(pattern.form.folded)
                if variant is not None:
                    by_variant[variant].extend(pattern.targets)
        self._variants = tuple(
            (variant, tuple(dict.fromkeys(targets))) for variant, targets in by_variant.items()
        )
        # Per skeleton pattern: how many words it spans, and the variants it stands for by the
        # letter their written form ends with — a skeleton drops a final vowel, the variant
        # does not, and most words the skeleton finds end otherwise.
        variant_texts: dict[bytes, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for index, (variant, _) in enumerate(self._variants):
            for prefix in _ARABIC_PREFIXES:
                # Reversed, like the Arabic exact patterns (see above).
                skeleton = arabic_skeleton_bytes(f" {prefix}{variant.folded} ")[::-1]
                by_ending = variant_texts[skeleton]
                for letter in variant.endings:
                    if index not in by_ending[letter]:
                        by_ending[letter].append(index)
        self._variant_index = tuple(
            (text.count(SKELETON_SPACE) - 1, {letter: tuple(n) for letter, n in by_ending.items()})
            for text, by_ending in variant_texts.items()
        )
        self._variant_automaton = (
            ahocorasick_rs.BytesAhoCorasick(list(variant_texts)) if variant_texts else None
        )
        self._rule_entities = tuple(tuple(e.key for e in r.entities) for r in self.rules)
        # One name per watched person, place or organisation, the same in every rule and every
        # script (its ref, else its canonical or first name, folded): what story grouping
        # compares across languages. Keywords are not names and are left out.
        self._global_names = tuple(
            {
                e.key: f"{e.kind.value}:{fold_name(e.ref or e.canonical or e.names[0])}"
                for e in r.entities
                if e.kind is not EntityKind.KEYWORDS and (e.ref or e.canonical or e.names)
            }
            for r in self.rules
        )
        # Per rule, what match() can skip: most rules are one entity with no condition, no
        # language or feed filter and no surname-only names.
        self._filtered = tuple(bool(r.languages or r.feeds) for r in self.rules)
        self._any = tuple(isinstance(r.condition, Any) for r in self.rules)
        self._surname_rules = frozenset(
            t.rule for p in self._patterns for t in p.targets if t.needs_full or t.surname
        )

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
            if self._filtered[index] and not _applies(rule, article.feed, language):
                continue
            names = found[index]
            if index in self._surname_rules:
                names = _with_full_names(_not_after_a_given_name(names, article))
            if self._any[index]:  # "any of its entities": every name found is one
                if not names:
                    continue
            else:
                present = frozenset(target.entity for target, _ in names)
                if not rule.condition.evaluate(present, self._rule_entities[index]):
                    continue
            # Mentions are built for the rules that fire only: most rules a name reaches
            # do not (their condition wants a second entity).
            mentions = [
                Mention(target.entity, target.alias, surface, field, start, end, target.how or how)
                for target, (surface, field, start, end, how) in names
            ]
            hits.append(Hit(rule.id, rule.version, article.id, _dedupe(mentions)))
        return hits

    def entities(self, article: Article) -> frozenset[str]:
        """Every watched person, place and organisation named in ``article``, whatever the
        rules' conditions say, as script-independent keys (``person:sergey lavrov``)."""
        found = self._scan(article)
        keys: set[str] = set()
        for index, names in found.items():
            if index in self._surname_rules:
                names = _with_full_names(_not_after_a_given_name(names, article))
            table = self._global_names[index]
            keys.update(table[t.entity] for t, _ in names if t.entity in table)
        return frozenset(keys)

    def _scan(self, article: Article) -> dict[int, list[tuple[_Target, _Place]]]:
        """The names found, by rule index: each target with where it was found."""
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
        scan = f" {haystack} "  # folding made every non-word character a space
        script = codec_of(haystack)
        encoded = folded_bytes(scan, script)
        candidates = self._exact_candidates(haystack, scan, encoded)
        if self._variant_automaton is not None and script == ARABIC_SCRIPT:
            arabic = encoded[1] if encoded else folded_bytes_lossy(scan, ARABIC_SCRIPT)
            candidates.extend(self._variant_candidates(scan, arabic))
        starts = [base for _, _, base in fields]
        found: dict[int, list[tuple[_Target, _Place]]] = defaultdict(list)
        for start, name_start, end, how, cased, targets in candidates:
            name, folded, base = fields[bisect_right(starts, start) - 1]
            o_start, o_end = folded.original_span(start - base, end - base)
            if cased:
                o_name = folded.original_index(name_start - base)
                if not _case_agrees(folded.original[o_name:o_end], cased):
                    continue
            place = (folded.original[o_start:o_end], name, o_start, o_end, how)
            for target in targets:
                found[target.rule].append((target, place))
        return found

    def _exact_candidates(
        self, haystack: str, scan: str, encoded: tuple[int, bytes] | None
    ) -> list[_Candidate]:
        """Whole words the automaton found; scan offset ``s`` is haystack offset ``s`` of the
        word (the scan copy has one extra space in front). ``encoded``: ``scan`` as bytes of
        its script, or None if it mixes scripts."""
        assert self._automaton is not None
        out: list[_Candidate] = []
        if encoded is None:
            groups = self._entries
            found = self._automaton.find_matches_as_indexes(scan, overlapping=True)
        else:
            script, data = encoded
            if (by_script := self._by_script[script]) is None:
                return out
            automaton, groups = by_script
            if script == ARABIC_SCRIPT:
                found = _find_backwards(automaton, data)
            else:
                found = automaton.find_matches_as_indexes(data, overlapping=True)
        for index, start, _ in found:
            for entry in groups[index]:
                form = entry.pattern.form
                name_start = start + entry.prefix
                how = entry.how
                if form.verify is None:
                    end = name_start + len(form.anchor)
                else:
                    verified = form.verify.match(haystack, name_start)
                    if verified is None:
                        continue
                    end = verified.end()
                    if haystack[name_start:end] != form.folded:
                        how = "inflection"
                targets = entry.pattern.targets
                out.append((start, name_start, end, how, form.cased, targets))
        return out

    def _variant_candidates(self, scan: str, encoded: bytes) -> list[_Candidate]:
        """Arabic spelling variants: found on the consonant skeleton, confirmed on the words.
        ``encoded``: ``scan`` in the Arabic codec's bytes.

        Spellings as the alias writes them are left to the exact pass, which finds them too."""
        assert self._variant_automaton is not None
        skeleton = skeleton_of(encoded)
        hits = _find_backwards(self._variant_automaton, skeleton)
        if not hits:
            return []
        # The skeleton deletes letters inside words only, so the n-th word of the skeleton is
        # the n-th word of the scan copy.
        words = scan.split(" ")
        out: list[_Candidate] = []
        counted = spaces = 0  # spaces in skeleton[:counted]: hits come roughly in text order
        for index, s_start, _ in hits:
            if s_start + 1 < counted:
                counted = spaces = 0
            spaces += skeleton.count(SKELETON_SPACE, counted, s_start + 1)
            counted = s_start + 1
            first = spaces  # the word after the hit's space
            count, by_ending = self._variant_index[index]
            written = " ".join(words[first : first + count])
            start = -1
            for number in by_ending.get(written[-1:], ()):
                variant, targets = self._variants[number]
                found = variant.find.fullmatch(written)
                if found is None or found.group(2) == variant.folded:
                    continue
                if not variant.accepts(found.group(2)):
                    continue
                if start < 0:  # scan offset of the word, minus the scan's leading space
                    start = sum(map(len, words[:first])) + first - 1
                name_start = start + found.end(1)
                end = start + len(written)
                out.append((start, name_start, end, "variant", (), targets))
        return out


def _find_backwards(
    automaton: ahocorasick_rs.BytesAhoCorasick, data: bytes
) -> list[tuple[int, int, int]]:
    """The matches of an automaton of reversed patterns (Arabic, see ``Matcher``), found in
    ``data`` read backwards, as (pattern, start, end) in ``data`` itself, in text order."""
    size = len(data)
    found = automaton.find_matches_as_indexes(data[::-1], overlapping=True)
    return [(index, size - end, size - start) for index, start, end in reversed(found)]


def _entries(pattern: _Pattern) -> list[tuple[str, _Entry]]:
    """The automaton patterns of one name form, each with a space on either side where the
    automaton can check the word boundary itself."""
    form = pattern.form
    anchor = form.anchor
    if not form.arabic:
        # A Russian case form (Лаврова for Лавров) is an inflection; a longer name's regex
        # decides that itself.
        how = "inflection" if form.verify is None and anchor != form.folded else "exact"
        return [(f" {anchor} ", _Entry(pattern, 0, how))]
    prefixes = _LAM_PREFIXES if form.lam_variant else _ARABIC_PREFIXES
    return [
        (f" {p}{anchor} ", _Entry(pattern, len(p), "prefix" if p else "exact"))
        for p in sorted(prefixes)
    ]


def _case_agrees(surface: str, cased: tuple[int, ...]) -> bool:
    """Words capitalised in the alias are capitalised in the text (Путина, not путина), and
    acronyms are in capitals (США, not сша)."""
    if ALL_CAPS not in cased and surface.istitle():
        return True  # every word capitalised: the common case, in C
    words = surface.split()
    if len(words) != len(cased):
        return True  # a name folded into another word count (ß, ligatures): do not guess
    for word, case in zip(words, cased, strict=True):
        if case == ALL_CAPS and any(c.islower() for c in word):
            return False
        if case == CAPITAL and word[0].isalpha() and not word[0].isupper():
            return False
    return True


def _applies(rule: Rule, feed: str, language: str) -> bool:
    # An article of unknown language is not filtered out: missing an alert is worse.
    if rule.languages and language and language not in rule.languages:
        return False
    return not rule.feeds or any(fnmatch.fnmatchcase(feed, glob) for glob in rule.feeds)


_FIELD_ORDER = {"title": 0, "summary": 1, "content": 2}


def _not_after_a_given_name(
    found: list[tuple[_Target, _Place]], article: Article
) -> list[tuple[_Target, _Place]]:
    """Drop a surname counting alone where another given name leads it: Reggie Bush is not
    George W. Bush, Реджи Буш not Джордж Буш (``aliases.leading_given_name``). Where the
    article's first such mention is led so, its later lone "Bush" is Reggie too, and is
    dropped as well; a lone one first ("La femme de Trump, Melania Trump") stays."""
    lone = [(t, p) for t, p in found if t.surname and not t.needs_full]
    if not lone:
        return found
    led: set[tuple[str, str, int]] = set()
    first: dict[str, tuple[int, int, bool]] = {}
    for target, (_, field, start, _, _) in lone:
        is_led = leading_given_name(getattr(article, field), start, own=target.given)
        if is_led:
            led.add((target.entity, field, start))
        where = (_FIELD_ORDER.get(field, 3), start, is_led)
        if target.entity not in first or where < first[target.entity]:
            first[target.entity] = where
    if not led:
        return found
    other = {entity for entity, (_, _, is_led) in first.items() if is_led}
    kept = []
    for target, place in found:
        if target.surname and not target.needs_full:
            _, field, start, _, _ = place
            if target.entity in other or (target.entity, field, start) in led:
                continue
        kept.append((target, place))
    return kept


def _with_full_names(found: list[tuple[_Target, _Place]]) -> list[tuple[_Target, _Place]]:
    """Drop surname-only mentions of an entity whose full name the article does not carry."""
    if not any(target.needs_full for target, _ in found):
        return found
    complete = {target.entity for target, _ in found if not target.needs_full}
    return [(t, p) for t, p in found if not t.needs_full or t.entity in complete]


_HOW_RANK = {"exact": 0, "prefix": 1, "inflection": 2, "variant": 3}  # gazetteer, translit: 4


def _dedupe(mentions: list[Mention]) -> tuple[Mention, ...]:
    """Drop a mention that lies inside a longer mention of the same entity (Lavrov inside
    Sergey Lavrov) and repeated targets at one place; keep text order. Of two names of one
    entity found at the same place, the analyst's alias (as written, then its proclitic,
    inflected and variant forms) is kept over a gazetteer name or transliteration, whatever
    order the scan found them in."""
    if len(mentions) == 1:
        return (mentions[0],)
    mentions.sort(key=lambda m: (m.field, m.start, m.start - m.end, _HOW_RANK.get(m.how, 4)))
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
