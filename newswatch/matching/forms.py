"""How one alias is looked for: the forms a name takes in running text, per script.

An alias becomes one or more ``NameForm``s. Each has an *anchor* — folded text the Aho-Corasick
automaton finds — and, where the name inflects, a *verifier* regex run at the anchor's position to
accept only the word forms the name really takes. Everything here is pure.

- Latin and Arabic names are matched as written (after folding); Arabic names also with their
  proclitics (handled by the matcher's boundary check).
- Cyrillic names inflect: each word of the name takes the case endings of its declension class
  (Лавров → Лаврова, Лавровым; Москва → Москве; Сирия → Сирии; Башар Асад → Башаром Асадом).
  The stem must stay at least three letters long so short words do not explode into look-alikes.
- Arabic spellings of foreign names vary (سيرجي / سيرغي, غوتيريش / غوتيريس): long names are also
  looked for by their consonant skeleton — ج غ ق ك as one letter, س ش as one, ت ط as one, long
  vowels (ا و ي) dropped — and each candidate is confirmed by a regex that allows exactly those
  alternations around the name's own letters. Short names are left out: their skeletons are
  too common.
- A word written with a capital letter must be capitalised in the text too (Путина is the
  president's genitive, путина the fishing season; Turkey is not turkey); an acronym written in
  capitals must be in capitals (США, USA).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from newswatch.matching.folding import (
    ARABIC_SCRIPT,
    fold_name,
    folded_bytes_lossy,
    is_arabic_letter,
)

__all__ = [
    "ALL_CAPS",
    "CAPITAL",
    "NO_CASE",
    "SKELETON_SPACE",
    "ArabicVariant",
    "NameForm",
    "arabic_skeleton",
    "arabic_skeleton_bytes",
    "arabic_variant",
    "english_plural",
    "name_forms",
    "russian_stem",
    "skeleton_of",
]

_NOT_WORD = r"(?![^\W_])"

# Case endings by the nominative's ending (folded, lower case). Each class lists the ending of the
# nominative itself first. Plural and rare forms are left out on purpose: they mostly produce
# other surnames (Асадов) or adjectives (лавровый).
_CONSONANT = ("", "а", "у", "ом", "ым", "ем", "е", "ы", "и", "ой", "ых", "ыми", "ым")
_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Neuter nouns in -ство (Королевство, Соединённое Королевство -> Соединённого Королевства):
    # always Russian words, unlike the foreign names in -о (Монако, Пикассо) that do not decline.
    ("ство", ("ство", "ства", "ству", "ством", "стве")),
    # Adjectives, as in two-word names (Российская Федерация, Соединённые Штаты).
    ("ий", ("ий", "ого", "ому", "им", "ом", "ая", "ой", "ую", "ии", "ия", "ию", "ием")),
    ("ый", ("ый", "ого", "ому", "ым", "ом", "ая", "ой", "ую")),
    ("ая", ("ая", "ой", "ую", "ою")),
    ("яя", ("яя", "ей", "юю", "ею")),
    ("ое", ("ое", "ого", "ому", "ым", "ом")),
    ("ые", ("ые", "ых", "ым", "ыми")),
    ("ие", ("ие", "их", "им", "ими")),
    # Nouns.
    ("ия", ("ия", "ии", "ию", "ией", "иею")),
    ("я", ("я", "и", "ю", "ей", "ею", "е")),
    ("а", ("а", "ы", "и", "е", "у", "ой", "ою")),
    ("й", ("й", "я", "ю", "ем", "е", "и")),
    ("ь", ("ь", "я", "ю", "ем", "е", "и", "ью")),
    ("ы", ("ы", "ов", "ам", "ами", "ах")),  # plural names: Нидерланды, Штаты
)
_INDECLINABLE = frozenset("оеиуюэ")
_MIN_STEM = 3


@dataclass(frozen=True, slots=True)
class NameForm:
    anchor: str
    verify: re.Pattern[str] | None = None
    arabic: bool = False  # Arabic proclitics may stand in front
    lam_variant: bool = False  # an al- name without its alef, after a lam proclitic
    cased: tuple[int, ...] = ()  # per word: NO_CASE, CAPITAL (first letter) or ALL_CAPS
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
            # Азия -> Азии, Азией: a two-letter stem is enough before -ия (a whole word).
            minimum = 2 if ending == "ия" else _MIN_STEM
            return (stem, endings) if len(stem) >= minimum else None
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


NO_CASE, CAPITAL, ALL_CAPS = 0, 1, 2


def _word_case(word: str) -> int:
    letters = [c for c in word if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return ALL_CAPS  # an acronym (USA, США) is not the word it spells (usa, сша)
    return CAPITAL if word[:1].isupper() else NO_CASE


def _cased(alias: str) -> tuple[int, ...]:
    cased = tuple(_word_case(w) for w in alias.split())
    return cased if any(cased) else ()  # nothing to check (Arabic has no capitals)


_LATIN_WORD = re.compile(r"[a-z]{3,}")
_SIBILANT = ("s", "x", "z", "ch", "sh")


def english_plural(word: str) -> str | None:
    """The regular English plural of a folded Latin word (drone → drones, embassy →
    embassies, tax → taxes), or None for a short word or one that is not plain letters.
    Irregular plurals are left to the analyst (list ``children`` as a keyword of its own)."""
    if not _LATIN_WORD.fullmatch(word):
        return None
    if word.endswith(_SIBILANT):
        return word + "es"
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def name_forms(alias: str, *, keyword: bool = False) -> list[NameForm]:
    """The forms to look for. ``keyword`` aliases are case-insensitive plain phrases; a Latin
    keyword's last word also counts in its English plural (``drone strike`` finds ``drone
    strikes``), which French and Spanish mostly share (frappe → frappes)."""
    folded = fold_name(alias)
    if not folded:
        return []
    cased = () if keyword else _cased(alias)
    words = folded.split(" ")
    forms: list[NameForm] = []
    if any(_is_cyrillic_word(w) and russian_stem(w) for w in words):
        # One form per case form of the first word, each a whole word for the automaton; a
        # longer name is confirmed by its regex (every word inflects).
        first = russian_stem(words[0]) if _is_cyrillic_word(words[0]) else None
        heads = sorted({first[0] + ending for ending in first[1]}) if first else [words[0]]
        verify = re.compile(" ".join(_word_pattern(w) for w in words)) if len(words) > 1 else None
        return [NameForm(head, verify, cased=cased, folded=folded) for head in heads]
    arabic = is_arabic_letter(folded[0])
    forms.append(NameForm(folded, arabic=arabic, cased=cased, folded=folded))
    plural = english_plural(words[-1]) if keyword else None
    if plural is not None:
        anchor = " ".join([*words[:-1], plural])
        forms.append(NameForm(anchor, cased=cased, folded=folded))
    if arabic and folded.startswith("ال") and len(folded) > 3:
        # li + al- is written with two lams: للكرملين. Look for the name without its alef.
        forms.append(NameForm(folded[1:], arabic=True, lam_variant=True, folded=folded))
    return forms


# Arabic transliteration alternations. The skeleton merges each class into one letter and drops
# long vowels and hamza; the verifier regex accepts any letter of the class in each place.
_ARABIC_CLASSES = ("جغقك", "سش", "تط")
_ARABIC_VOWELS = "اوي"
_SKELETON_STEPS = tuple((c, group[0]) for group in _ARABIC_CLASSES for c in group[1:]) + tuple(
    (c, "") for c in _ARABIC_VOWELS + "ء"
)
_CLASS_OF = {c: f"[{group}]" for group in _ARABIC_CLASSES for c in group}
_SHAPE = str.maketrans({old: new for old, new in _SKELETON_STEPS if new})  # merges, keeps vowels
_VOWEL_SLOT = f"[{_ARABIC_VOWELS}]?"
_MIN_SKELETON = 4  # consonants in the whole name
_MIN_SINGLE_WORD = 6  # letters in a one-word name


def arabic_skeleton(folded: str) -> str:
    """The consonant skeleton of folded Arabic text (spaces and other scripts unchanged).

    A few ``str.replace`` calls: C speed, where ``str.translate`` would look every character
    up in a dict."""
    for old, new in _SKELETON_STEPS:
        folded = folded.replace(old, new)
    return folded


def _skeleton_tables() -> tuple[bytes, bytes]:
    """``arabic_skeleton`` as a ``bytes.translate`` over the Arabic script codec's bytes (the
    matcher's scan text is already in them): merge each letter class, delete the long vowels."""

    def byte(letter: str) -> int:
        return folded_bytes_lossy(letter, ARABIC_SCRIPT)[0]

    merge = bytearray(range(256))
    for old, new in _SKELETON_STEPS:
        if new:
            merge[byte(old)] = byte(new)
    return bytes(merge), bytes(byte(old) for old, new in _SKELETON_STEPS if not new)


_SKELETON_MERGE, _SKELETON_DELETE = _skeleton_tables()
SKELETON_SPACE = folded_bytes_lossy(" ", ARABIC_SCRIPT)  # the codec's byte, not ASCII's


def skeleton_of(encoded: bytes) -> bytes:
    """The skeleton of folded text already in the Arabic codec's bytes (same words, same
    spaces; see ``folding.folded_bytes``)."""
    return encoded.translate(_SKELETON_MERGE, _SKELETON_DELETE)


def arabic_skeleton_bytes(folded: str) -> bytes:
    """``arabic_skeleton`` as one byte per remaining character; letters of other scripts are
    ``?``, never in a name's skeleton that is not written with them too."""
    return skeleton_of(folded_bytes_lossy(folded, ARABIC_SCRIPT))


@dataclass(frozen=True, slots=True)
class ArabicVariant:
    # Matched in full against the words where the skeleton was found: their proclitics in
    # group 1, the name as written in group 2. Compiled on first use (``find``): compiling
    # the regexes of 10,000 rules' Arabic names up front took about half of the build.
    source: str
    folded: str
    endings: str  # the letters a written variant can end with (the class of the last one)
    shapes: tuple[str, ...]  # each word of ``folded``, every letter class merged (``_SHAPE``)

    @property
    def find(self) -> re.Pattern[str]:
        return _compiled(self.source)

    def accepts(self, written: str) -> bool:
        """At most one long vowel written or left out per word: more (a vowel left out in
        one place and written in another counts as two), and a foreign name's skeleton
        becomes an Arabic word (مايكلس -> مجلس, باسكال -> بشكل, مونتاغ -> مناطق)."""
        words = written.translate(_SHAPE).split(" ")
        if len(words) != len(self.shapes):
            return False
        return all(_one_vowel_apart(w, n) for w, n in zip(words, self.shapes, strict=True))


def _one_vowel_apart(written: str, name: str) -> bool:
    """Equal, or equal once one long vowel is taken out of the longer word."""
    if len(written) == len(name):
        return written == name
    longer, shorter = (written, name) if len(written) > len(name) else (name, written)
    if len(longer) != len(shorter) + 1:
        return False
    pairs = zip(shorter, longer[:-1], strict=True)
    at = next((i for i, (a, b) in enumerate(pairs) if a != b), len(shorter))
    return longer[at] in _ARABIC_VOWELS and longer[:at] + longer[at + 1 :] == shorter


def arabic_variant(alias: str) -> ArabicVariant | None:
    """The variant form of a long Arabic name, or None when the name is too short for it."""
    folded = fold_name(alias)
    if not folded or not all(is_arabic_letter(c) or c == " " for c in folded):
        return None
    skeleton = arabic_skeleton(folded)
    words = folded.split(" ")
    if len(skeleton.replace(" ", "")) < _MIN_SKELETON:
        return None
    if len(words) == 1 and len(folded) < _MIN_SINGLE_WORD:
        return None
    if any(not arabic_skeleton(w) for w in words):
        return None  # a word made only of vowels would be invisible in the skeleton
    if folded.startswith("ال"):
        # An Arabic word with the article (العراق, القاهرة): its look-alikes are derived words
        # (العريق, القاهرية), not other spellings of a foreign name.
        return None
    pieces = []
    for word in words:
        out: list[str] = []
        for i, c in enumerate(word):
            last = i == len(word) - 1
            if c in _ARABIC_VOWELS and i > 0 and not last:
                out.append(re.escape(c) + "?")  # written by one spelling, left out by another
                continue
            if i > 0 and word[i - 1] not in _ARABIC_VOWELS and c not in _ARABIC_VOWELS:
                out.append(_VOWEL_SLOT)  # a long vowel one spelling adds between consonants
            # The first and last letters stay: a vowel added or dropped at the end makes
            # another word (بريطاني is British, not بريطانيا).
            out.append(_CLASS_OF.get(c, re.escape(c)))
        pieces.append("".join(out))
    body = " ".join(pieces)
    endings = next((group for group in _ARABIC_CLASSES if folded[-1] in group), folded[-1])
    shapes = tuple(w.translate(_SHAPE) for w in words)
    return ArabicVariant(f"([وف]?[بل]?)({body})", folded, endings, shapes)


@functools.lru_cache(maxsize=1 << 15)
def _compiled(source: str) -> re.Pattern[str]:
    # Larger than re's own cache (512), which 10,000 rules' variants would churn; bounded all
    # the same, as rule reloads bring new names.
    return re.compile(source)
