"""Rules and articles for the speed benchmark, built deterministically (seeded RNG).

Names come from the name lists under ``../shared/data/names`` when present — ANETAC English↔Arabic
pairs (persons and places), BSNLP cross-lingual entities (Russian lemmas), EveryPolitician names —
with Russian spellings of ANETAC names made by transliteration. Article text comes from the
labelled corpora (PUD and CoNLL for English, ANERcorp and PUD for Arabic, FactRuEval, BSNLP and
PUD for Russian, PUD and HIPE for French). Without ``../shared`` both fall back to synthetic
syllable words, so the benchmark always runs; its figures then say "synthetic".
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newswatch.rules.condition import Any as AnyEntity
from newswatch.rules.condition import parse_condition
from newswatch.rules.model import Entity, EntityKind, Rule

__all__ = [
    "NamePool",
    "RuleSpec",
    "load_names",
    "make_articles",
    "make_rules",
    "rule_objects",
    "rules_yaml",
    "sentence_pools",
    "to_cyrillic",
]

LANGUAGES = ("en", "ar", "ru", "fr")
_ARTICLE_CHARS = 3000  # the "~3 KB" article: title + summary + content characters


@dataclass(frozen=True, slots=True)
class Person:
    first: dict[str, str]  # script -> given name ("latin", "arabic", "cyrillic")
    last: dict[str, str]


@dataclass(frozen=True, slots=True)
class Place:
    names: dict[str, str]  # script -> name


@dataclass
class NamePool:
    persons: list[Person] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    source: str = "synthetic"


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: str
    entities: tuple[tuple[str, str, str, tuple[str, ...]], ...]  # key, kind, canonical, aliases
    match: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for _, _, canonical, aliases in self.entities for n in (canonical, *aliases))


# --- transliteration ----------------------------------------------------------------------------

_LATIN_CYRILLIC = [
    ("shch", "щ"), ("sh", "ш"), ("ch", "ч"), ("kh", "х"), ("zh", "ж"), ("ts", "ц"), ("ya", "я"),
    ("yu", "ю"), ("yo", "ё"), ("ph", "ф"), ("th", "т"), ("ee", "и"), ("oo", "у"), ("a", "а"),
    ("b", "б"), ("c", "к"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"), ("h", "х"), ("i", "и"),
    ("j", "дж"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("q", "к"),
    ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("v", "в"), ("w", "в"), ("x", "кс"), ("y", "й"),
    ("z", "з"),
]  # fmt: skip
_TRANSLIT = re.compile("|".join(re.escape(a) for a, _ in _LATIN_CYRILLIC))
_TRANSLIT_MAP = dict(_LATIN_CYRILLIC)


def to_cyrillic(name: str) -> str:
    """A plausible Russian spelling of a Latin-script name (Peterson -> Петерсон)."""
    out = _TRANSLIT.sub(lambda m: _TRANSLIT_MAP[m.group()], name.lower())
    return " ".join(w[:1].upper() + w[1:] for w in out.split())


# --- names --------------------------------------------------------------------------------------

_LATIN_WORD = re.compile(r"[A-Z][a-z]{3,11}")
_ARABIC_WORD = re.compile("[\u0621-\u064a]{3,12}")


def load_names(data: Path | None, rng: random.Random) -> NamePool:
    pool = NamePool()
    if data is not None:
        _anetac(data / "names" / "ANETAC_en_ar" / "EN-AR_Named-entities.txt", pool)
        _bsnlp(
            data
            / "names"
            / "bsnlp_crosslingual_entities"
            / "bsnlp_entities_by_crosslingual_id.tsv",
            pool,
        )
        _everypolitician(
            data / "names" / "everypolitician_popolo_samples" / "ep_other_names_flat.tsv", pool
        )
    if len(pool.persons) < 2000 or len(pool.places) < 500:
        pool = _synthetic_names(rng)
    else:
        pool.source = "names/ (ANETAC, BSNLP, EveryPolitician)"
    rng.shuffle(pool.persons)
    rng.shuffle(pool.places)
    return pool


def _anetac(path: Path, pool: NamePool) -> None:
    """Single-token pairs; persons are built by pairing two of them (first + last name)."""
    if not path.is_file():
        return
    tokens: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or not _LATIN_WORD.fullmatch(parts[1]):
            continue
        if not _ARABIC_WORD.fullmatch(parts[2]) or parts[2].startswith("و"):  # clitic leakage
            continue
        cls, latin, arabic = parts
        if cls == "PERSON":
            tokens.append((latin, arabic))
        elif cls == "LOCATION":
            pool.places.append(
                Place({"latin": latin, "arabic": arabic, "cyrillic": to_cyrillic(latin)})
            )
    for (f_lat, f_ar), (l_lat, l_ar) in zip(tokens[0::2], tokens[1::2], strict=False):
        first = {"latin": f_lat, "arabic": f_ar, "cyrillic": to_cyrillic(f_lat)}
        last = {"latin": l_lat, "arabic": l_ar, "cyrillic": to_cyrillic(l_lat)}
        pool.persons.append(Person(first, last))


def _bsnlp(path: Path, pool: NamePool) -> None:
    """Real Russian lemmas (Владимир Путин, Германия) with the English of the cross-lingual id."""
    if not path.is_file():
        return
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            lemmas = [x.strip() for x in row.get("lemmas_ru", "").split("|") if x.strip()]
            if not lemmas:
                continue
            english = row["crosslingual_id"].split("-", 1)[-1].replace("-", " ")
            if row["type"] == "PER" and " " in lemmas[0] and " " in english:
                ru_first, ru_last = lemmas[0].split(" ", 1)
                en_first, en_last = english.split(" ", 1)
                first = {"latin": en_first, "cyrillic": ru_first}
                pool.persons.append(Person(first, {"latin": en_last, "cyrillic": ru_last}))
            elif row["type"] == "LOC":
                pool.places.append(Place({"latin": english, "cyrillic": lemmas[0]}))


def _everypolitician(path: Path, pool: NamePool) -> None:
    if not path.is_file():
        return
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            name = row["name"].strip()
            if name in seen or name.count(" ") < 1:
                continue
            seen.add(name)
            first, last = name.split(" ", 1)
            pool.persons.append(
                Person(
                    {"latin": first, "cyrillic": to_cyrillic(first)},
                    {"latin": last, "cyrillic": to_cyrillic(last)},
                )
            )


_SYLLABLES = {
    "latin": [
        "ka",
        "ro",
        "min",
        "tel",
        "sa",
        "vor",
        "len",
        "di",
        "mar",
        "ko",
        "ne",
        "bru",
        "al",
        "fi",
    ],
    "arabic": [
        "كا",
        "رو",
        "مين",
        "تل",
        "سا",
        "فور",
        "لين",
        "دي",
        "مار",
        "كو",
        "ني",
        "برو",
        "عل",
        "في",
    ],
}


def _synthetic_word(rng: random.Random, parts: int) -> dict[str, str]:
    picks = [rng.randrange(len(_SYLLABLES["latin"])) for _ in range(parts)]
    latin = "".join(_SYLLABLES["latin"][i] for i in picks).capitalize()
    arabic = "".join(_SYLLABLES["arabic"][i] for i in picks)
    return {"latin": latin, "arabic": arabic, "cyrillic": to_cyrillic(latin)}


def _synthetic_names(rng: random.Random) -> NamePool:
    pool = NamePool()
    for _ in range(20000):
        pool.persons.append(Person(_synthetic_word(rng, 2), _synthetic_word(rng, 3)))
    for _ in range(4000):
        pool.places.append(Place(_synthetic_word(rng, 3)))
    return pool


# --- rules --------------------------------------------------------------------------------------


def _person_names(p: Person) -> tuple[str, tuple[str, ...]]:
    """Canonical English full name and the aliases an analyst lists: surname, other scripts."""
    full = {s: f"{p.first[s]} {p.last[s]}" for s in p.first if s in p.last}
    aliases = [p.last["latin"]] if len(p.last["latin"]) >= 5 else []
    for script in ("arabic", "cyrillic"):
        if script in full:
            aliases.append(full[script])
            if len(p.last[script]) >= 4:
                aliases.append(p.last[script])
    return full["latin"], tuple(dict.fromkeys(a for a in aliases if a != full["latin"]))


def _place_names(p: Place) -> tuple[str, tuple[str, ...]]:
    aliases = [p.names[s] for s in ("arabic", "cyrillic") if s in p.names]
    return p.names["latin"], tuple(dict.fromkeys(aliases))


def make_rules(pool: NamePool, count: int, rng: random.Random) -> list[RuleSpec]:
    """``count`` rules: 60% one person, 25% one place, 15% a person in a place ("a and b");
    places recur across rules (desks watch the same capitals), persons mostly do not."""
    hot_places = pool.places[: max(1, len(pool.places) // 10)]
    specs = []
    for index in range(count):
        roll = rng.random()
        person = pool.persons[index % len(pool.persons)]
        if roll < 0.60:
            canonical, aliases = _person_names(person)
            specs.append(RuleSpec(f"p-{index}", (("who", "person", canonical, aliases),)))
        elif roll < 0.85:
            canonical, aliases = _place_names(pool.places[index % len(pool.places)])
            specs.append(RuleSpec(f"l-{index}", (("where", "place", canonical, aliases),)))
        else:
            who, who_aliases = _person_names(person)
            where, where_aliases = _place_names(rng.choice(hot_places))
            entities = (
                ("who", "person", who, who_aliases),
                ("where", "place", where, where_aliases),
            )
            specs.append(RuleSpec(f"c-{index}", entities, "who and where"))
    return specs


def rule_objects(specs: Iterable[RuleSpec]) -> list[Rule]:
    """The ``Rule`` objects the loader would build (see ``rules_yaml``), built directly because
    the YAML loader needs ~2 ms a rule (20 s for 10,000): the benchmark times that separately."""
    rules = []
    for spec in specs:
        entities = tuple(
            Entity(key, EntityKind(kind), tuple(dict.fromkeys((canonical, *aliases))), canonical)
            for key, kind, canonical, aliases in spec.entities
        )
        condition = parse_condition(spec.match) if spec.match else AnyEntity()
        rules.append(
            Rule(id=spec.id, version="bench", title=spec.id, condition=condition, entities=entities)
        )
    return rules


def rules_yaml(specs: Iterable[RuleSpec]) -> str:
    """The same rules as one YAML file under ``rules:``."""
    out = ["rules:"]
    for spec in specs:
        out += [f"- id: {spec.id}", "  entities:"]
        for key, kind, canonical, aliases in spec.entities:
            out += [f"    {key}:", f"      {kind}: {json.dumps(canonical, ensure_ascii=False)}"]
            if aliases:
                out.append(f"      aliases: {json.dumps(list(aliases), ensure_ascii=False)}")
        if spec.match:
            out.append(f"  match: {spec.match}")
    return "\n".join(out) + "\n"


# --- articles -----------------------------------------------------------------------------------


def sentence_pools(data: Path | None, rng: random.Random) -> tuple[dict[str, list[str]], str]:
    """Sentences per language from the corpora, or synthetic ones."""
    pools: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    if data is not None:
        _pud_sentences(data, pools)
        pools["en"] += list(_conll_sentences(data / "ner" / "english_conll2003" / "eng.testb"))
        pools["ar"] += list(_anercorp_sentences(data / "ner" / "arabic_ANERcorp" / "ANERCorp.txt"))
        pools["ru"] += list(_russian_sentences(data))
        pools["fr"] += list(
            _hipe_sentences(
                data / "ner" / "french_HIPE2020_newspapers" / "HIPE-data-v1.4-test-fr.tsv"
            )
        )
    if all(len(p) >= 200 for p in pools.values()):
        return pools, "corpora (PUD, CoNLL-2003, ANERcorp, FactRuEval, BSNLP, HIPE)"
    return {lang: _synthetic_sentences(lang, rng) for lang in LANGUAGES}, "synthetic"


def _pud_sentences(data: Path, pools: dict[str, list[str]]) -> None:
    path = data / "parallel" / "PUD_parallel_ar_ru_fr_en" / "pud_aligned_en_ar_ru_fr.tsv"
    if not path.is_file():
        return
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            for lang in LANGUAGES:
                if row.get(lang):
                    pools[lang].append(row[lang].strip())


def _token_sentences(tokens: Iterable[str | None]) -> Iterator[str]:
    """Join tokens into sentences; None ends a sentence."""
    current: list[str] = []
    for token in tokens:
        if token is None:
            if len(current) > 3:
                yield re.sub(r" ([.,;:!?)])", r"\1", " ".join(current))
            current = []
        else:
            current.append(token)


def _conll_sentences(path: Path) -> Iterator[str]:
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
        yield from _token_sentences(
            None if not line.strip() or line.startswith("-DOCSTART-") else line.split(" ")[0]
            for line in lines
        )


def _anercorp_sentences(path: Path) -> Iterator[str]:
    if path.is_file():
        words = (line.rpartition(" ")[0] for line in path.read_text(encoding="utf-8").splitlines())
        yield from _token_sentences(
            w for word in words if word for w in ((word, None) if word == "." else (word,))
        )


def _hipe_sentences(path: Path) -> Iterator[str]:
    if path.is_file():
        rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:])
        tokens = (None if row[0].startswith("#") else row[0] for row in rows if row and row[0])
        yield from _token_sentences(w for t in tokens for w in ((t, None) if t == "." else (t,)))


def _russian_sentences(data: Path) -> Iterator[str]:
    root = data / "ner" / "russian_factRuEval2016"
    files = sorted(root.glob("*/book_*.txt")) + sorted(
        (data / "ner" / "multilingual_slavic_BSNLP_nord_stream" / "raw" / "ru").glob("*.txt")
    )
    for path in files:
        text = path.read_text(encoding="utf-8")
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if len(sentence) > 30:
                yield " ".join(sentence.split())


def _synthetic_sentences(lang: str, rng: random.Random) -> list[str]:
    script = "arabic" if lang == "ar" else "latin"
    out = []
    for _ in range(2000):
        words = [_synthetic_word(rng, rng.randint(1, 3))[script] for _ in range(rng.randint(8, 20))]
        if lang == "ru":
            words = [to_cyrillic(w) for w in words]
        out.append(" ".join(words).capitalize() + ".")
    return out


_SCRIPT = {"en": "latin", "fr": "latin", "ar": "arabic", "ru": "cyrillic"}


def make_articles(
    pools: dict[str, list[str]],
    specs: Sequence[RuleSpec],
    count: int,
    rng: random.Random,
    share: float = 0.3,
) -> list[str]:
    """``count`` JSON lines, languages in turn. A ``share`` of them get one to three watched
    names (in the article's script) spliced into their sentences, so the matcher has hits to
    confirm as it would on a real feed; corpus text adds its own real names."""
    by_script = _names_by_script(specs)
    lines = []
    for index in range(count):
        lang = LANGUAGES[index % len(LANGUAGES)]
        sentences = _article_sentences(pools[lang], rng)
        if rng.random() < share and by_script[_SCRIPT[lang]]:
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(len(sentences))
                sentences[at] = _splice(sentences[at], rng.choice(by_script[_SCRIPT[lang]]), rng)
        article = {
            "id": f"bench-{index}",
            "feed": f"bench-{lang}",
            "language": lang,
            "title": sentences[0][:140],
            "summary": sentences[1],
            "content": " ".join(sentences[2:]),
        }
        lines.append(json.dumps(article, ensure_ascii=False))
    return lines


def _article_sentences(pool: list[str], rng: random.Random) -> list[str]:
    sentences: list[str] = []
    size = 0
    while size < _ARTICLE_CHARS or len(sentences) < 3:
        sentence = rng.choice(pool)
        sentences.append(sentence)
        size += len(sentence) + 1
    return sentences


def _splice(sentence: str, name: str, rng: random.Random) -> str:
    words = sentence.split(" ")
    at = rng.randrange(len(words) + 1)
    return " ".join([*words[:at], name, *words[at:]])


def _names_by_script(specs: Sequence[RuleSpec]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"latin": [], "arabic": [], "cyrillic": []}
    for spec in specs:
        for name in spec.names:
            script = (
                "arabic"
                if _ARABIC_WORD.search(name)
                else "cyrillic"
                if re.search("[а-яА-Я]", name)
                else "latin"
            )
            out[script].append(name)
    return out
