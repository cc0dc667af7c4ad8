"""What an article is compared by when stories are grouped (pure).

- **words**: the title (counted twice) and the lead (summary and the start of the content),
  folded (``matching.folding``), common words of the language dropped, light-stemmed: Arabic
  proclitics (و ف ب ل ك, ال) removed as the matcher does, other words cut to their first
  ``STEM`` letters, which takes Russian and French endings off well enough for similarity.
  Compared within one language only.
- **keys**: what stays the same across languages and scripts — the watched people, places and
  organisations the matcher finds (``person:sergey lavrov``, from any rule, whatever its
  condition), and for names no rule watches a consonant skeleton (``sk:lfrf`` for Lavrov,
  Лавров and لافروف alike): capitalised words in Latin and Cyrillic text, every word in
  Arabic text (which has no capitals; a skeleton only counts when another article shares it).
- **numbers**: the figures in the text (٤٢ and 42, 4,5 and 4.5 alike) — the same boilerplate
  with other numbers is another event.
- **time**: published, else fetched.

    >>> f = extract(article, entities=frozenset({"person:sergey lavrov"}))   # doctest: +SKIP
    >>> sorted(f.keys)[:2]                                                     # doctest: +SKIP
    ['person:sergey lavrov', 'sk:jnf']
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache

from newswatch.article import Article
from newswatch.matching.folding import fold

__all__ = ["LEAD_CHARS", "StoryFeatures", "extract", "significant", "skeleton"]

LEAD_CHARS = 1200  # title and lead decide a story; the rest of a long article adds noise
STEM = 6
TOP_WORDS = 40  # the article's strongest words kept (the rest barely move a cosine)
COMMON = 300  # wordfreq's most frequent words per language, dropped as stopwords
MIN_SKELETON = 3  # two consonants collide too often ("kr": Kerry, Karo, car…)

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARABIC_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_CAPITAL = re.compile(r"\b[A-ZÀ-ÞА-ЯЁ][\w'’-]*")


@dataclass(frozen=True, slots=True)
class StoryFeatures:
    article_id: str
    language: str
    time: float | None  # POSIX seconds
    words: tuple[tuple[str, float], ...]  # (stem, count) of title x2 and lead, strongest first
    keys: frozenset[str]  # script-independent: entities and name skeletons
    numbers: frozenset[str]
    # Its skeletons come from every word (a script without capitals): only those that are
    # names elsewhere in the stream say anything.
    uncased: bool = False


def _is_arabic(word: str) -> bool:
    return "\u0600" <= word[0] <= "\u06ff"


@cache
def _common(language: str) -> frozenset[str]:
    if not language:
        return frozenset()
    from wordfreq import top_n_list  # loads its word lists on first use

    try:
        words = top_n_list(language, COMMON)
    except LookupError:
        return frozenset()
    return frozenset(fold(w).strip() for w in words)


def _stem(word: str) -> str:
    if _is_arabic(word):
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                return word[len(prefix) :]
        return word
    return word[:STEM]


def _words(text: str, language: str) -> list[str]:
    common = _common(language)
    out = []
    for word in _WORD.findall(fold(text)):
        if len(word) < 2 or word.isdigit() or word in common:
            continue
        out.append(_stem(word))
    return out


# Consonant classes shared by Latin, Cyrillic and Arabic spellings of one name: vowels, h, w/y
# and ʿayn are dropped, p/b, v/f, g/j/zh, k/q/c, s/sh/ch merge (Lavrov = Лавров = لافروف =
# lfrf; Geneva = Женева = جنيف = jnf).
_LATIN = {
    "b": "b", "p": "b", "f": "f", "v": "f", "g": "j", "j": "j", "k": "k", "q": "k", "c": "k",
    "x": "ks", "l": "l", "m": "m", "n": "n", "r": "r", "s": "s", "z": "z", "t": "t", "d": "d",
}  # fmt: skip
_CYRILLIC = {
    "б": "b", "п": "b", "ф": "f", "в": "f", "г": "j", "ж": "j", "к": "k", "х": "", "л": "l",
    "м": "m", "н": "n", "р": "r", "с": "s", "ш": "s", "щ": "s", "ч": "s", "ц": "ts", "з": "z",
    "т": "t", "д": "d",
}  # fmt: skip
_ARABIC = {
    "ب": "b", "پ": "b", "ف": "f", "ڤ": "f", "ج": "j", "غ": "j", "گ": "j", "چ": "j", "ك": "k",
    "ق": "k", "خ": "k", "ک": "k", "ل": "l", "م": "m", "ن": "n", "ر": "r", "س": "s", "ش": "s",
    "ص": "s", "ز": "z", "ذ": "z", "ظ": "z", "ژ": "z", "ت": "t", "ث": "t", "ط": "t", "د": "d",
    "ض": "d",
}  # fmt: skip


def skeleton(word: str) -> str:
    """The consonant skeleton of a name in Latin, Cyrillic or Arabic letters ("" if none)."""
    word = word.lower()
    if _is_arabic(word):
        table = _ARABIC
    elif "\u0400" <= word[0] <= "\u04ff":
        table = _CYRILLIC
    else:
        word = unicodedata.normalize("NFKD", word)
        word = word.replace("ph", "f").replace("sh", "s").replace("ch", "s").replace("th", "t")
        word = re.sub(r"c(?=[eiy])", "s", word)
        table = _LATIN
    out: list[str] = []
    for char in word:
        mapped = table.get(char, "")
        if mapped and (not out or out[-1] != mapped):
            out.append(mapped)
    return "".join(out)


def _skeleton_keys(article: Article, language: str) -> tuple[set[str], bool]:
    text = f"{article.title}\n{article.summary}\n{article.content[:LEAD_CHARS]}"
    common = _common(language)
    keys: set[str] = set()
    arabic = any("\u0600" <= ch <= "\u06ff" for ch in text[:400])
    if arabic:
        # Both forms: the stemmer cannot tell a proclitic from a name's own first letter
        # (لافروف would lose its ل and give frf, not Lavrov's lfrf).
        candidates: list[str] = []
        for w in _WORD.findall(fold(text)):
            if w not in common:
                candidates.extend((w, _stem(w)))
    else:
        candidates = [
            w for w in (fold(m).strip() for m in _CAPITAL.findall(text)) if w not in common
        ]
    for word in candidates:
        for part in word.split():
            shape = skeleton(part)
            if len(shape) >= MIN_SKELETON:
                keys.add(f"sk:{shape}")
    return keys, arabic


def _numbers(text: str) -> frozenset[str]:
    found = set()
    for raw in _NUMBER.findall(text.translate(_DIGITS)):
        number = raw.replace(",", ".")
        if number.count(".") > 1:  # 1,000,000 or 1.000.000: a thousands separator
            number = number.replace(".", "")
        found.add(number.rstrip("0").rstrip(".") if "." in number else number.lstrip("0") or "0")
    return frozenset(found)


def article_time(article: Article) -> float | None:
    when = article.published or article.fetched
    return when.timestamp() if when is not None else None


def extract(article: Article, *, entities: frozenset[str] = frozenset()) -> StoryFeatures:
    """The features of ``article``; ``entities`` are the matcher's keys for it
    (``Matcher.entities``)."""
    language = (article.language or "").split("-")[0].lower()
    lead = f"{article.summary}\n{article.content}"[:LEAD_CHARS]
    counts = Counter(_words(article.title, language) * 2 + _words(lead, language))
    words = tuple((w, float(n)) for w, n in counts.most_common(TOP_WORDS))
    text = f"{article.title}\n{lead}"
    skeletons, uncased = _skeleton_keys(article, language)
    numbers = _numbers(text)
    keys = frozenset(entities | skeletons | {f"n:{n}" for n in significant(numbers)})
    return StoryFeatures(
        article_id=article.id,
        language=language,
        time=article_time(article),
        words=words,
        keys=keys,
        numbers=numbers,
        uncased=uncased,
    )


def significant(numbers: frozenset[str] | set[str]) -> set[str]:
    """The numbers that tell events apart: not years, not small counts ("2", "10")."""
    return {
        n
        for n in numbers
        if not (len(n) == 4 and n[:2] in ("19", "20")) and not (n.isdigit() and int(n) <= 12)
    }
