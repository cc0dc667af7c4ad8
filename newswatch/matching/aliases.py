"""The names an entity is looked for by: the analyst's, plus generated ones.

- ``place`` entities gain their gazetteer names in the deployment's languages (``gazetteer.py``).
- ``person`` entities with a Latin canonical name gain an Arabic and a Cyrillic spelling, by
  how the name sounds in the language it comes from (``sound.py``: Trump Трамп ترامب, Schröder
  Шредер, Erdoğan Эрдоган أردوغان), and, if it is a romanized Russian name, its spellings in
  the Latin press of the configured languages (``romanize.py``: Poutine, Sergej Lawrow).
- A person's surname (the last word of each full-name spelling) counts alone — the way
  headlines and second mentions name people (``لافروف: …``, ``с Лавровым``, ``d'Erdogan``) —
  when it is distinctive (``surname_alone``): at least four letters (three in Arabic, which
  writes no short vowels: بوش) and not an everyday word of a configured language. Otherwise
  it counts only where the article also carries the full name (a Kerry who is not John Kerry;
  Brown, King, May). ``surname: alone | with-full-name | never``
  per entity overrides that; the matcher also holds back a surname two watched people share.
  Measured with ``make eval`` (docs/matching.md): surnames alone raised the English-name-only
  recall from 0.91 to 0.93–0.99 per language at unchanged precision.

Both can be switched off per entity (``gazetteer: false``, ``transliterate: false``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from newswatch.matching.demonyms import demonyms
from newswatch.matching.folding import fold_name
from newswatch.matching.gazetteer import Gazetteer, PlaceNames
from newswatch.matching.languages import (
    configured_languages,
    language_script,
    script_of,
    word_zipf,
)
from newswatch.matching.romanize import latin_spellings
from newswatch.matching.sound import name_spellings
from newswatch.rules.model import Entity, EntityKind, Surname

__all__ = ["Alias", "NameExpander", "default_expander", "leading_given_name", "surname_alone"]

MIN_SURNAME_LETTERS = 4
# Arabic writes no short vowels: its surnames are a letter shorter (بوش Bush, عون Aoun).
MIN_SURNAME_LETTERS_ARABIC = 3
# wordfreq Zipf frequency from which a surname is an everyday word of a language and so
# counts only next to the full name. Capitals guard cased scripts (``brown`` is not Brown), so
# only the most common words are held back there (Brown 5.0, King 5.2, White 5.5, May 6.0 in
# English; Путин is 5.1 in Russian, as a name, and stays alone); Arabic has no capitals, so
# its bar is lower (الأسد "the lion" 4.9).
ZIPF_EVERYDAY_CASED = 5.0
ZIPF_EVERYDAY_CYRILLIC = 5.5
ZIPF_EVERYDAY_UNCASED = 4.5


@dataclass(frozen=True, slots=True)
class Alias:
    name: str
    how: str = (
        ""  # "" for the analyst's own names; gazetteer, transliteration, romanization, demonym
    )
    needs_full: bool = False  # a surname alone: counts only next to the full name
    surname: bool = False  # the surname of a full name (alone, or only next to it)


class NameExpander:
    def __init__(self, languages: tuple[str, ...] | None = None) -> None:
        self.languages = languages or configured_languages()
        self.gazetteer = Gazetteer(self.languages)
        self._cache: dict[tuple[object, ...], tuple[Alias, ...]] = {}

    def aliases(self, entity: Entity) -> tuple[Alias, ...]:
        """Every name of ``entity``: the analyst's first, then the generated ones."""
        key = (
            entity.kind,
            entity.canonical,
            entity.names,
            entity.gazetteer,
            entity.transliterate,
            entity.surname,
            entity.demonyms,
        )
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._aliases(entity)
        return cached

    def place_names(self, entity: Entity) -> PlaceNames | None:
        if entity.kind is not EntityKind.PLACE or not entity.gazetteer or not entity.canonical:
            return None
        return self.gazetteer.names(entity.canonical)

    def _aliases(self, entity: Entity) -> tuple[Alias, ...]:
        own = [Alias(name) for name in entity.names]
        generated: list[Alias] = []
        places = self.place_names(entity)
        if places is not None:
            generated += [Alias(name, "gazetteer") for name in places.names]
        if entity.kind is EntityKind.PLACE:
            names = [*entity.names, *(a.name for a in generated)]
            generated += [Alias(s, "inflection") for n in names if (s := fleeting_stem(n))]
        if entity.kind is EntityKind.PLACE and entity.demonyms:
            # Every spelling of the place's names, the French Israël too (folded away above).
            named = [*entity.names, *sorted(self.gazetteer.own_spellings(entity.canonical or ""))]
            generated += [Alias(d, "demonym") for d in demonyms(named, self.languages)]
        if entity.kind is EntityKind.PERSON and entity.transliterate and entity.canonical:
            # A script the analyst wrote a name in needs no guess: the alias, with its variants
            # and case forms, covers that press. In the benchmark's 10,000 rules such guesses
            # made 19-27% of the Arabic and Cyrillic automata and found 4 names in 1,000 articles.
            written = {script_of(name) for name in entity.names}
            generated += self._transliterations(entity.canonical, written)
        if entity.kind is EntityKind.PERSON and entity.surname is not Surname.NEVER:
            names = [a.name for a in own + generated]
            generated += self._surnames(names, generated, entity.surname)
        known = {fold_name(a.name) for a in own}
        out = list(own)
        for alias in generated:
            folded = fold_name(alias.name)
            if folded and folded not in known:
                known.add(folded)
                out.append(alias)
        return tuple(out)

    def _transliterations(self, canonical: str, written: set[str | None]) -> list[Alias]:
        if script_of(canonical) != "Latn":
            return []
        cyrillic = self._spellings(canonical, "Cyrl")
        out = [
            Alias(n, "romanization") for n in latin_spellings(canonical, self.languages, cyrillic)
        ]
        wanted = self.gazetteer.scripts - written
        if "Arab" in wanted:
            out += [Alias(a, "transliteration") for a in self._spellings(canonical, "Arab")]
        if "Cyrl" in wanted:
            out += [Alias(c, "transliteration") for c in cyrillic]
        return out

    def _spellings(self, name: str, script: str) -> list[str]:
        """``name`` in ``script`` as that script's press writes it (``sound.py``), judged by the
        word lists of the configured languages written in it (Arabic, Russian by default)."""
        judges = tuple(lang for lang in self.languages if language_script(lang) == script)
        return name_spellings(name, script, judges)

    def _surnames(self, names: list[str], generated: list[Alias], mode: Surname) -> list[Alias]:
        how = {a.name: a.how for a in generated}
        out = []
        for name in names:
            words = name.split()
            if len(words) < 2:
                continue
            surname = words[-1]
            minimum = (
                MIN_SURNAME_LETTERS_ARABIC if script_of(surname) == "Arab" else MIN_SURNAME_LETTERS
            )
            if sum(c.isalpha() for c in surname) >= minimum:
                if mode is Surname.AUTO:
                    alone = surname_alone(surname, self.languages)
                else:
                    alone = mode is Surname.ALONE
                out.append(Alias(surname, how.get(name, ""), needs_full=not alone, surname=True))
        return out


_FLEETING = re.compile(r"[а-яё]+[бвгджзклмнпрстфхцчшщ][ео][бвгджзклмнпрстфхцчшщ]", re.IGNORECASE)
ZIPF_FLEETING = 3.0  # the genitive without the vowel must be this frequent in Russian


def fleeting_stem(name: str) -> str | None:
    """The stem a Russian place name declines on when its last vowel drops (Египет -> Египта,
    Египтом): taken only where the Russian word list has that genitive, and more often than the
    one with the vowel (Лондон keeps its о: Лондона)."""
    if " " in name or not _FLEETING.fullmatch(name):
        return None
    stem = name[:-2] + name[-1]
    dropped, kept = word_zipf(stem.lower() + "а", "ru"), word_zipf(name.lower() + "а", "ru")
    return stem if dropped >= ZIPF_FLEETING and dropped > kept else None


def surname_alone(surname: str, languages: tuple[str, ...]) -> bool:
    """Whether ``surname`` is distinctive enough to count alone: not an everyday word of a
    configured language written in its script (the thresholds above)."""
    script = script_of(surname)
    word = surname.lower()
    for language in languages:
        zipf = word_zipf(word, language)
        if script == "Arab":
            bar = ZIPF_EVERYDAY_UNCASED
        elif script == "Cyrl":
            bar = ZIPF_EVERYDAY_CYRILLIC
        else:
            bar = ZIPF_EVERYDAY_CASED
        if zipf >= bar:
            return False
    return True


# Capitalised words that stand before a surname without being a given name: titles and forms of
# address. Frequent words (President, Minister, But, When) need no entry: see below.
_TITLES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sen",
        "senator",
        "gov",
        "rep",
        "gen",
        "col",
        "lt",
        "sgt",
        "chancellor",
        "premier",
        "ayatollah",
        "sheikh",
        "emir",
        "imam",
        "rabbi",
        "sir",
        "lord",
        "lady",
        "dame",
        "m",
        "mme",
        "mlle",
        "monsieur",
        "madame",
        "herr",
        "frau",
        "президент",
        "премьер",
        "министр",
        "канцлер",
        "госсекретарь",
        "генсек",
        "глава",
        "господин",
        "г",
    }
)
_WORD_BEFORE = re.compile(r"([^\W\d_][^\W_]*(?:[-'’.][^\W\d_]+)*)\.? $")
ZIPF_FUNCTION_WORD = 4.5  # a capitalised word this frequent is a word, not a given name


def leading_given_name(
    text: str,
    start: int,
    languages: tuple[str, ...] | None = None,
    *,
    own: tuple[str, ...] = (),
) -> bool:
    """Whether the word right before ``text[start:]`` (one space between) is another person's
    given name: capitalised, not in capitals, not a title, and not an everyday word of a
    configured language (``But Obama`` and ``President Obama`` count; ``Reggie Bush`` does
    not), and not one of the person's own (``own``: their folded first letters). A
    script without capitals says nothing, so never."""
    found = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if found is None:
        return False
    word = found.group(1)
    if not word[0].isupper() or word.isupper() or len(word) < 2:
        return False
    lower = word.lower().rstrip(".")
    if lower in _TITLES or fold_name(word)[:1] in own:
        return False
    wanted = languages or configured_languages()
    return all(word_zipf(lower, language) < ZIPF_FUNCTION_WORD for language in wanted)


@cache
def default_expander() -> NameExpander:
    """One expander per process: its gazetteer and caches are shared by every Matcher."""
    return NameExpander()
