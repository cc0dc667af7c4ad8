"""First names as each configured language writes them: a name that is one is not a place.

GeoNames gives Saint Petersburg the nickname ``Питер`` — which is also how Russian writes Peter
(``Питера Сигала``, the director); Jerusalem ``ציון`` — also the first name Zion. A place name
that is a first name fires on people, so the gazetteer drops it (``gazetteer.py``).

The lists are Faker's person-name data (MIT), per locale of the configured languages, plus the
most frequent English, French, German and Spanish first names spelled the way the Arabic and
Russian press writes them (``sound.py``: Peter Питер بيتر), since foreign first names are where
the look-alikes come from in those scripts.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import cache

from newswatch.matching.folding import fold_name
from newswatch.matching.languages import language_script
from newswatch.matching.sound import name_spellings

__all__ = ["FOREIGN_FIRST_NAMES", "first_names"]

_LOCALES = {
    "ar": ("ar_AA", "ar_SA"),
    "de": ("de_DE",),
    "en": ("en_US", "en_GB"),
    "es": ("es_ES",),
    "fa": ("fa_IR",),
    "fr": ("fr_FR",),
    "he": ("he_IL",),
    "ru": ("ru_RU",),
    "tr": ("tr_TR",),
    "uk": ("uk_UA",),
}
_SPELLED_FROM = ("en", "fr", "de", "es")  # Latin-script first names the press transliterates
FOREIGN_FIRST_NAMES = 200  # per language, the most frequent (Faker's weights, else its order)
_ATTRIBUTES = ("first_names", "first_names_male", "first_names_female")


def _locale_names(locale: str) -> list[str]:
    """A Faker locale's first names, most frequent first where Faker weighs them."""
    try:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    except (ImportError, AttributeError):
        return []
    out: dict[str, float] = {}
    for attribute in _ATTRIBUTES:
        names = getattr(provider, attribute, None) or ()
        weighted = names.items() if isinstance(names, dict) else ((n, 0.0) for n in names)
        for name, weight in weighted:
            out[name] = max(out.get(name, 0.0), float(weight))
    return sorted(out, key=lambda n: -out[n])


def _native(languages: Iterable[str]) -> set[str]:
    return {
        name for lang in languages for loc in _LOCALES.get(lang, ()) for name in _locale_names(loc)
    }


@cache
def first_names(languages: tuple[str, ...]) -> frozenset[str]:
    """Folded first names written as ``languages``' press writes them (any of their scripts)."""
    names = _native(languages)
    scripts = {language_script(lang) for lang in languages} & {"Arab", "Cyrl"}
    for language in _SPELLED_FROM:
        foreign = [
            n for loc in _LOCALES[language] for n in _locale_names(loc)[:FOREIGN_FIRST_NAMES]
        ]
        for script in scripts:
            judges = tuple(lang for lang in languages if language_script(lang) == script)
            for name in dict.fromkeys(foreign):
                names.update(name_spellings(name, script, judges))
    return frozenset(folded for name in names if (folded := fold_name(name)))
