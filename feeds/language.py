"""Which language an entry is in: the feed list's word, the feed's own, or the text's.

The feed list's ``language:`` wins when given: the analyst knows the feed (a Persian blog whose
feed says ``en`` is Persian). Otherwise the entry's or the feed's declaration is taken when the
text is written in that language's script; when it is not (``en`` over Arabic letters), or
nothing is declared, the language is detected from the entry's text with py3langid (BSD, a
maintained langid.py, ~0.1 ms an entry; its model loads on the first detection, ~0.7 s), among
the languages of the world's press (``PRESS_LANGUAGES``) and the deployment's: over all of its
97 languages a short headline spreads its probability too thin to be taken ("The foreign
ministers met in Geneva": English at 0.42; among these, 0.85). A detection that is not
confident, or a text too short to judge, gives no language.
Each article records which of the three decided (``Article.language_source``).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import cache
from typing import Any

from newswatch.matching.languages import configured_languages, language_script

__all__ = ["MIN_CONFIDENCE", "MIN_LETTERS", "PRESS_LANGUAGES", "choose_language", "detect_language"]

MIN_CONFIDENCE = 0.5  # py3langid's normalised probability from which a detection is taken
MIN_LETTERS = 20  # fewer letters than this say too little about a language
PRESS_LANGUAGES = (
    "ar", "az", "bg", "cs", "de", "el", "en", "es", "fa", "fr", "he", "hi", "hu", "id", "it",
    "ja", "ko", "ku", "nl", "pl", "ps", "pt", "ro", "ru", "sr", "sv", "tr", "uk", "ur", "zh",
)  # fmt: skip


def choose_language(listed: str, declared: str, text: str) -> tuple[str, str]:
    """(language, the source that decided: ``list``, ``feed``, ``detected`` or ``""``)."""
    if listed:
        return listed, "list"
    script = dominant_script(text)
    if declared and (script is None or language_script(declared) == script):
        return declared, "feed"
    detected = detect_language(text)
    if detected:
        return detected, "detected"
    return "", ""


def dominant_script(text: str) -> str | None:
    """The script most of ``text``'s letters are written in (Latn, Arab, Cyrl...), or None when
    it has too few letters to say."""
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            counts[_script(char)] += 1
    if sum(counts.values()) < MIN_LETTERS:
        return None
    return counts.most_common(1)[0][0]


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    for prefix, script in (
        ("LATIN", "Latn"),
        ("ARABIC", "Arab"),
        ("PERSIAN", "Arab"),
        ("CYRILLIC", "Cyrl"),
        ("HEBREW", "Hebr"),
        ("GREEK", "Grek"),
    ):
        if name.startswith(prefix):
            return script
    return "other"


def detect_language(text: str) -> str:
    """The language of ``text`` (ISO 639-1 where it has one), or "" when unsure."""
    if sum(c.isalpha() for c in text) < MIN_LETTERS:
        return ""
    candidates = tuple(sorted({*PRESS_LANGUAGES, *configured_languages()}))
    language, confidence = _identifier(candidates).classify(text)
    return str(language) if confidence >= MIN_CONFIDENCE else ""


@cache
def _identifier(languages: tuple[str, ...]) -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # Only the languages py3langid knows (a configured code it lacks is left out).
    identifier.set_languages([lang for lang in languages if lang in identifier.nb_classes])
    return identifier
