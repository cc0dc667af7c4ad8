"""The names an entity is looked for by: the analyst's, plus generated ones.

- ``place`` entities gain their gazetteer names in the deployment's languages (``gazetteer.py``).
- ``person`` entities with a Latin canonical name gain an Arabic and a Cyrillic spelling
  (``translit.py``).
- A person's surname alone counts only where the article also carries the person's full name
  (any of its full-name spellings), unless the analyst lists the surname as an alias: surnames
  are where look-alikes live (a Kerry who is not John Kerry).

Both can be switched off per entity (``gazetteer: false``, ``transliterate: false``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from newswatch.matching.folding import fold_name
from newswatch.matching.gazetteer import Gazetteer, PlaceNames
from newswatch.matching.languages import configured_languages, script_of
from newswatch.matching.translit import cyrillic_spellings, to_arabic
from newswatch.rules.model import Entity, EntityKind

__all__ = ["Alias", "NameExpander", "default_expander"]

MIN_SURNAME_LETTERS = 4


@dataclass(frozen=True, slots=True)
class Alias:
    name: str
    how: str = ""  # "" for the analyst's own names; "gazetteer" or "transliteration"
    needs_full: bool = False  # a surname alone: counts only next to the full name


class NameExpander:
    def __init__(self, languages: tuple[str, ...] | None = None) -> None:
        self.languages = languages or configured_languages()
        self.gazetteer = Gazetteer(self.languages)
        self._cache: dict[tuple[object, ...], tuple[Alias, ...]] = {}

    def aliases(self, entity: Entity) -> tuple[Alias, ...]:
        """Every name of ``entity``: the analyst's first, then the generated ones."""
        key = (entity.kind, entity.canonical, entity.names, entity.gazetteer, entity.transliterate)
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
        if entity.kind is EntityKind.PERSON and entity.transliterate and entity.canonical:
            # A script the analyst wrote a name in needs no guess: the alias, with its variants
            # and case forms, covers that press. In the benchmark's 10,000 rules such guesses
            # made 19-27% of the Arabic and Cyrillic automata and found 4 names in 1,000 articles.
            written = {script_of(name) for name in entity.names}
            generated += self._transliterations(entity.canonical, written)
        if entity.kind is EntityKind.PERSON:
            generated += self._surnames([a.name for a in own + generated], generated)
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
        out = []
        wanted = self.gazetteer.scripts - written
        if "Arab" in wanted and (arabic := to_arabic(canonical)):
            out.append(Alias(arabic, "transliteration"))
        if "Cyrl" in wanted:
            out += [Alias(c, "transliteration") for c in cyrillic_spellings(canonical)]
        return out

    def _surnames(self, names: list[str], generated: list[Alias]) -> list[Alias]:
        how = {a.name: a.how for a in generated}
        out = []
        for name in names:
            words = name.split()
            if len(words) < 2:
                continue
            surname = words[-1]
            if sum(c.isalpha() for c in surname) >= MIN_SURNAME_LETTERS:
                out.append(Alias(surname, how.get(name, ""), needs_full=True))
        return out


@cache
def default_expander() -> NameExpander:
    """One expander per process: its gazetteer and caches are shared by every Matcher."""
    return NameExpander()
