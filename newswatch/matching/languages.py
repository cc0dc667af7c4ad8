"""The deployment's languages and the scripts they are written in: one definition for the
name generators (gazetteer, transliteration) and the lints that ask "is this a common word
here?".

The languages come from ``NEWSWATCH_LANGUAGES`` (comma-separated ISO 639-1 codes), default
``ar,en,fr,ru``.
"""

from __future__ import annotations

import os
import unicodedata
from functools import cache

__all__ = [
    "DEFAULT_LANGUAGES",
    "configured_languages",
    "language_script",
    "languages_of_script",
    "script_of",
    "word_zipf",
]

DEFAULT_LANGUAGES = ("ar", "en", "fr", "ru")

_SCRIPT_OF_LANGUAGE = {
    **dict.fromkeys(("ar", "fa", "ur", "ps", "ckb", "ug"), "Arab"),
    **dict.fromkeys(("ru", "uk", "bg", "sr", "be", "mk", "kk", "ky", "tg", "mn"), "Cyrl"),
    **dict.fromkeys(("he", "yi"), "Hebr"),
    "el": "Grek",
    "hy": "Armn",
    "ka": "Geor",
    "zh": "Hani",
    "ja": "Jpan",
    "ko": "Hang",
}


def configured_languages() -> tuple[str, ...]:
    """The deployment's languages: ``NEWSWATCH_LANGUAGES`` (comma-separated) or the default."""
    raw = os.environ.get("NEWSWATCH_LANGUAGES", "")
    chosen = tuple(part.strip().lower() for part in raw.split(",") if part.strip())
    return chosen or DEFAULT_LANGUAGES


def language_script(language: str) -> str:
    return _SCRIPT_OF_LANGUAGE.get(language, "Latn")


def script_of(name: str) -> str | None:
    """The script of a name's letters (Arab, Cyrl, Latn, ...), or None for a mix."""
    scripts = set()
    for char in name:
        if not char.isalpha():
            continue
        letter_name = unicodedata.name(char, "")
        if letter_name.startswith(("ARABIC", "PERSIAN")):
            scripts.add("Arab")
        elif letter_name.startswith("CYRILLIC"):
            scripts.add("Cyrl")
        elif letter_name.startswith("LATIN"):
            scripts.add("Latn")
        elif letter_name.startswith("HEBREW"):
            scripts.add("Hebr")
        elif letter_name.startswith("GREEK"):
            scripts.add("Grek")
        else:
            scripts.add("other")
    return scripts.pop() if len(scripts) == 1 else None


def languages_of_script(script: str) -> tuple[str, ...]:
    """The deployment's languages written in ``script`` (``Latn`` -> ``("en", "fr")``)."""
    return tuple(lang for lang in configured_languages() if language_script(lang) == script)


@cache
def word_zipf(word: str, language: str) -> float:
    """wordfreq's Zipf frequency of ``word`` (or a phrase: its words' combined frequency) in
    ``language``; 0 for a language wordfreq has no list for. The word lists load on first use."""
    from wordfreq import zipf_frequency

    try:
        return float(zipf_frequency(word, language))
    except LookupError:
        return 0.0
