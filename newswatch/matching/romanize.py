"""Other Latin spellings of a Russian name, as each language's press writes it.

A rule names ``Vladimir Putin``; Le Monde writes ``Vladimir Poutine``, Der Spiegel ``Putin`` but
``Sergej Lawrow``, the Guardian ``Sergei Lavrov``. Each press romanizes the *Cyrillic* name by its
own convention, so the spellings are made the same way: the Latin name is spelled in Cyrillic
(``translit.cyrillic_spellings``), then romanized back by the English, French, German and Spanish
conventions (``CONVENTIONS``). Only names that *are* a romanized Russian name get this: the
English romanization of one Cyrillic spelling must give the analyst's name back (``Sergey
Lavrov`` → ``Сергей Лавров`` → ``Sergey Lavrov``), which ``John Kerry`` (``Dzhon Kerri``) and
``Gerhard Schröder`` (``Gerard Shroder``) do not. Accents are not written: matching ignores
them (``Sergueï`` is found by ``Serguei``).

    >>> latin_spellings("Vladimir Putin", ("en", "fr"))
    ['Vladimir Poutine']
"""

from __future__ import annotations

import re
import unicodedata

from newswatch.matching.translit import cyrillic_spellings

__all__ = ["CONVENTIONS", "latin_spellings", "romanize"]

_VOWELS = set("аеёиоуыэюя")
_HARD_G = "г"  # French and Spanish write гe, ги as gue, gui: Sergueï, Evgueni

_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "з": "z", "и": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ф": "f", "ъ": "",
    "ь": "", "ы": "y", "э": "e",
}  # fmt: skip

# Per convention: letters that differ from ``_COMMON``, and how е, ё, ю, я read at the start of a
# word or after a vowel (the iotated reading) — the tables of the BGN/PCGN (English), of French
# and German press usage, and of the Spanish press.
CONVENTIONS: dict[str, dict[str, str]] = {
    "en": {
        "е": "e", "ё": "yo", "ж": "zh", "й": "y", "у": "u", "х": "kh", "ц": "ts", "ч": "ch",
        "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya", "iot": "y",
    },
    "en-i": {  # the other English habit: Sergei, Yuri, Dmitri
        "е": "e", "ё": "yo", "ж": "zh", "й": "i", "у": "u", "х": "kh", "ц": "ts", "ч": "ch",
        "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya", "iot": "y",
    },
    "fr": {
        "е": "e", "ё": "io", "ж": "j", "й": "ï", "у": "ou", "х": "kh", "ц": "ts", "ч": "tch",
        "ш": "ch", "щ": "chtch", "ю": "iou", "я": "ia", "iot": "i",
    },
    "de": {
        "в": "w", "е": "e", "ё": "jo", "ж": "sch", "з": "s", "й": "j", "у": "u", "х": "ch",
        "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch", "ю": "ju", "я": "ja", "iot": "j",
    },
    "es": {
        "е": "e", "ё": "io", "ж": "zh", "й": "i", "у": "u", "х": "j", "ц": "ts", "ч": "ch",
        "ш": "sh", "щ": "sch", "ю": "iu", "я": "ia", "iot": "i",
    },
}  # fmt: skip
_LANGUAGE_CONVENTIONS = {"en": ("en", "en-i"), "fr": ("fr",), "de": ("de",), "es": ("es",)}


def romanize(cyrillic: str, convention: str) -> str:
    """One Cyrillic name in Latin letters by ``convention`` (a key of ``CONVENTIONS``)."""
    table = CONVENTIONS[convention]
    words = []
    for word in cyrillic.lower().split():
        out = []
        for i, c in enumerate(word):
            before = word[i - 1] if i else ""
            after = word[i + 1] if i + 1 < len(word) else ""
            iotated = c in "еёюя" and (not before or before in _VOWELS or before in "ьъ")
            if c == "е" and iotated and convention not in ("fr", "es"):
                piece = table["iot"] + "e"  # Yeltsin, Jelzin; French and Spanish: Eltsine
            elif c == "е" and iotated:
                piece = "e"
            elif c == "й" and before == "и" and not after:
                piece = {"en": "y", "en-i": "", "fr": "", "de": "j", "es": ""}[convention]
            elif c == "й" and (before not in _VOWELS or not before):
                piece = table["iot"]
            elif convention in ("fr", "es") and c == _HARD_G and after in "еий":
                piece = _COMMON[c] + "u"  # Sergueï, Evgueni
            elif convention in ("fr", "de") and c == "с" and before in _VOWELS and after in _VOWELS:
                piece = "ss"  # Vassili, Wassili
            else:
                piece = table.get(c, _COMMON.get(c, ""))
            out.append(piece)
        latin = "".join(out)
        if convention == "en" and latin.endswith("iy"):
            latin = latin[:-2] + "y"  # Dmitry, Yury
        if convention == "fr" and re.search(r"[^aeiou]in$", latin):
            latin += "e"  # Poutine, Prigojine, Eltsine: a final -in would be read nasal
        words.append(latin.capitalize())
    return " ".join(words)


def _loose(latin: str) -> str:
    """Spellings the same name takes in English romanizations, made equal: y i j one letter,
    x as ks, doubled letters single."""
    text = re.sub(r"[yij]", "i", latin.lower().replace("x", "ks"))
    return re.sub(r"(.)\1+", r"\1", text)


def _plain(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c) != "Mn"
    )


def latin_spellings(
    name: str, languages: tuple[str, ...], cyrillic: list[str] | None = None
) -> list[str]:
    """The other Latin spellings of ``name`` in the press of ``languages`` (en, fr, de, es), if
    it is a romanized Russian name — the English romanization of its Cyrillic spelling
    (``cyrillic``: the ones to try, default the letter tables') gives it back; otherwise
    none."""
    conventions = [c for lang in languages for c in _LANGUAGE_CONVENTIONS.get(lang, ())]
    if not conventions:
        return []
    own = _loose(name)
    written = {name.lower(), *(_plain(name).lower(),)}
    out: list[str] = []
    for spelling in cyrillic_spellings(name) if cyrillic is None else cyrillic:
        if _loose(romanize(spelling, "en")) != own:
            continue
        for convention in conventions:
            spelled = romanize(spelling, convention)
            if _plain(spelled).lower() not in written and spelled not in out:
                out.append(spelled)
        break  # one Cyrillic reading is enough: the others differ in endings only
    return out
