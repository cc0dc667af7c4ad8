"""How one alias is looked for: the forms a name takes in running text, per script.

An alias becomes one or more ``NameForm``s. Each has an *anchor* — folded text the Aho-Corasick
automaton finds — and, where the name inflects, a *verifier* regex run at the anchor's position to
accept only the word forms the name really takes. Everything here is pure.

- Latin and Arabic names are matched as written (after folding); Arabic names also with their
  proclitics (handled by the matcher's boundary check).
- Cyrillic names inflect: each word of the name takes the case endings of its declension class
  (Лавров → Лаврова, Лавровым; Москва → Москве; Сирия → Сирии; Башар Асад → Башаром Асадом).
  The stem must stay at least three letters long so short words do not explode into look-alikes.
- A word written with a capital letter must be capitalised in the text too (Путина is the
  president's genitive, путина the fishing season; Turkey is not turkey).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newswatch.textnorm import fold_name, is_arabic_letter

__all__ = ["NameForm", "name_forms", "russian_stem"]

_NOT_WORD = r"(?![^\W_])"

# Case endings by the nominative's ending (folded, lower case). Each class lists the ending of the
# nominative itself first. Plural and rare forms are left out on purpose: they mostly produce
# other surnames (Асадов) or adjectives (лавровый).
_CONSONANT = ("", "а", "у", "ом", "ым", "ем", "е", "ы", "и", "ой", "ых", "ыми", "ым")
_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ий", ("ий", "ого", "ому", "им", "ом", "ая", "ой", "ую", "ии", "ия", "ию", "ием")),
    ("ый", ("ый", "ого", "ому", "ым", "ом", "ая", "ой", "ую")),
    ("ия", ("ия", "ии", "ию", "ией", "иею")),
    ("я", ("я", "и", "ю", "ей", "ею", "е")),
    ("а", ("а", "ы", "и", "е", "у", "ой", "ою")),
    ("й", ("й", "я", "ю", "ем", "е", "и")),
    ("ь", ("ь", "я", "ю", "ем", "е", "и", "ью")),
)
_INDECLINABLE = frozenset("оеиуюэы")
_MIN_STEM = 3


@dataclass(frozen=True, slots=True)
class NameForm:
    anchor: str
    verify: re.Pattern[str] | None = None
    arabic: bool = False  # Arabic proclitics may stand in front
    lam_variant: bool = False  # an al- name without its alef, after a lam proclitic
    cased: tuple[bool, ...] = ()  # per word: must start with a capital letter in the text
    folded: str = ""  # the whole folded alias, to tell an exact match from an inflected one


def _is_cyrillic_word(word: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in word) and all(
        "\u0400" <= c <= "\u04ff" or c in "-'" for c in word
    )


def russian_stem(word: str) -> tuple[str, tuple[str, ...]] | None:
    """The stem and the endings a folded Cyrillic word takes, or None if it does not inflect."""
    for ending, endings in _ENDINGS:
        if word.endswith(ending):
            stem = word[: len(word) - len(ending)]
            return (stem, endings) if len(stem) >= _MIN_STEM else None
    if word[-1] in _INDECLINABLE or len(word) < _MIN_STEM or not word[-1].isalpha():
        return None
    return word, _CONSONANT


def _word_pattern(word: str) -> str:
    stemmed = russian_stem(word) if _is_cyrillic_word(word) else None
    if stemmed is None:
        return re.escape(word) + _NOT_WORD
    stem, endings = stemmed
    alternatives = "|".join(re.escape(e) for e in sorted(set(endings), key=len, reverse=True))
    return f"{re.escape(stem)}(?:{alternatives}){_NOT_WORD}"


def _cased(alias: str) -> tuple[bool, ...]:
    words = alias.split()
    return tuple(w[0].isupper() for w in words)


def name_forms(alias: str, *, keyword: bool = False) -> list[NameForm]:
    """The forms to look for. ``keyword`` aliases are case-insensitive plain phrases."""
    folded = fold_name(alias)
    if not folded:
        return []
    cased = () if keyword else _cased(alias)
    words = folded.split(" ")
    forms: list[NameForm] = []
    if any(_is_cyrillic_word(w) and russian_stem(w) for w in words):
        first = russian_stem(words[0]) if _is_cyrillic_word(words[0]) else None
        anchor = first[0] if first else words[0]
        verify = re.compile(" ".join(_word_pattern(w) for w in words))
        forms.append(NameForm(anchor, verify, cased=cased, folded=folded))
        return forms
    arabic = is_arabic_letter(folded[0])
    forms.append(NameForm(folded, arabic=arabic, cased=cased, folded=folded))
    if arabic and folded.startswith("ال") and len(folded) > 3:
        # li + al- is written with two lams: للكرملين. Look for the name without its alef.
        forms.append(NameForm(folded[1:], arabic=True, lam_variant=True, folded=folded))
    return forms
