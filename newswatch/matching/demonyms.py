"""What a place's people and things are called: Israeli, israélien, израильский, إسرائيلي.

A rule on Israel that should also fire on "the Israeli cabinet" sets ``demonyms: true`` on the
place (off by default: "Turkish" is also a language, "russe" a word of many things). Each of the
place's names is turned into the adjectives its language derives from it — suffix rules per
language (English -i -an -ian -ese -ish, French -ien -ais -ois -ain, Russian -ский -ийский
-ецкий, the Arabic nisba -ي) — and only those the language's word list attests (wordfreq) are
kept, with their feminine and plural forms where the list has them. Irregular ones (French,
allemand, немецкий, американский) are not derived: the analyst lists them as aliases.

    >>> demonyms(("Israel", "Израиль"), ("en", "ru"))[:3]
    ['Israeli', 'Israelis', 'израильский']
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from newswatch.matching.folding import fold_name
from newswatch.matching.languages import language_script, script_of, word_zipf

__all__ = ["MIN_DEMONYM_ZIPF", "demonyms"]

MIN_DEMONYM_ZIPF = 3.0  # the base adjective must be this frequent in the language's list
MIN_FORM_ZIPF = 1.5  # its other forms (feminine, plural) must at least be attested

_ENGLISH = ("i", "n", "an", "ian", "ese", "ish")
_FRENCH = (("ien", "ienne", "iens", "iennes"), ("ais", "aise", "aises"),
           ("ois", "oise", "oises"), ("ain", "aine", "ains", "aines"))  # fmt: skip
_RUSSIAN = ("ский", "ийский", "йский", "ьский", "ецкий", "анский", "овский", "узский")
_RUSSIAN_FORMS = ("ий", "ая", "ое", "ие")
_ARABIC_FORMS = ("ي", "ية", "يون", "يين")
# With the article too: الجيش الإسرائيلي. Place names take no al- (it is not a proclitic the
# matcher adds), but their adjectives mostly do.
_ARTICLE = "ال"


def _english(name: str) -> list[str]:
    if " " in name:
        return []
    name = name[:1].upper() + name[1:]  # the gazetteer's spellings are in lower case
    stems = {name, name.rstrip("aeiouy"), name.removesuffix("ey"), name.removesuffix("on")}
    out = []
    for stem in (s for s in stems if len(s) >= 3):
        out += [stem + suffix for suffix in _ENGLISH]
        if name.endswith("y") and stem != name:
            out.append(stem)  # Germany -> German
    return out


def _french(name: str) -> list[list[str]]:
    if " " in name:
        return []
    base = name.lower().replace("ë", "é")
    stems = {base, base.rstrip("aeiouy"), base.removesuffix("ie"), base.removesuffix("e")}
    families = [
        [stem + s for s in family] for stem in stems if len(stem) >= 3 for family in _FRENCH
    ]
    if base.endswith("ie"):
        families.append([base[:-2] + "e", base[:-2] + "es"])  # Russie russe, Serbie serbe
    return families


def _russian(name: str) -> list[str]:
    if " " in name:
        return []
    word = name.lower()
    stems = {word, word.removesuffix("ия"), word.removesuffix("ция"), word.rstrip("аяьй")}
    return [
        stem + suffix
        for stem in stems
        if len(stem) >= 3
        for suffix in _RUSSIAN
        if suffix != "анский" or stem.endswith("к")  # Мексика мексиканский; not Куба кубанский
    ]


def _arabic(name: str) -> list[str]:
    if " " in name:
        return []
    word = name.removeprefix("ال")
    stems = {word, word.rstrip("اةى"), word.removesuffix("ية"), word.removesuffix("يا")}
    return [stem for stem in stems if len(stem) >= 3]


def demonyms(names: Iterable[str], languages: tuple[str, ...]) -> list[str]:
    """The attested demonyms of a place named ``names`` in the ``languages`` (en, fr, ru, ar).
    A word that is one of the place's names is not its demonym (French Japon + -an is the
    English name Japan; Syrie is Syri + -e)."""
    listed = tuple(names)
    own = frozenset(fold_name(n) for n in listed)
    out: dict[str, None] = {}
    for name in listed:
        script = script_of(name)
        for language in (lang for lang in languages if language_script(lang) == script):
            out.update(dict.fromkeys(_of(name, language, own)))
    return list(out)


@cache
def _of(name: str, language: str, own: frozenset[str]) -> tuple[str, ...]:
    return tuple(d for d in _derived(name, language, own) if fold_name(d) not in own)


def _derived(name: str, language: str, own: frozenset[str]) -> tuple[str, ...]:
    """The demonym family the list attests best: scored by its most frequent form (أوكراني
    2.5, أوكرانية 3.3), each form kept if attested at all."""

    def zipf(word: str) -> float:
        return -1.0 if fold_name(word) in own else word_zipf(word, language)

    if language == "en":
        families = [[w, w + "s"] for w in _english(name)]
    elif language == "fr":
        families = _french(name)
    elif language == "ru":
        families = [[w[:-2] + e for e in _RUSSIAN_FORMS] for w in _russian(name)]
    elif language == "ar":
        families = [[stem + e for e in _ARABIC_FORMS] for stem in _arabic(name)]
    else:
        return ()
    # English by the adjective alone: its plural may be another word (Franci + s, Francis).
    scored = [
        (zipf(family[0]) if language == "en" else max(map(zipf, family)), i)
        for i, family in enumerate(families)
    ]
    if not scored or max(scored)[0] < MIN_DEMONYM_ZIPF:
        return ()
    family = families[max(scored)[1]]
    kept = [f for f in family if zipf(f) >= MIN_FORM_ZIPF]
    if language == "ar":
        kept += [_ARTICLE + f for f in kept]
    return tuple(kept)
