"""Readers for the labelled corpora under ``../shared/data``: each yields ``GoldText`` items.

A ``GoldText`` is one scoring unit (a sentence, paragraph or document) with the gold mentions of
named persons and places in it. ``GoldMention.key`` is the corpus's own identity for the entity:

- ANERcorp: the mention with Arabic letter variants folded and a leading conjunction or
  preposition removed when what is left is itself a mention form (وبريطانيا -> بريطانيا);
- FactRuEval: the coreference record's nominative name (``lastname`` for people, ``name`` for
  places), e.g. Путин, Москва;
- BSNLP: the cross-lingual id, e.g. PER-Vladimir-Putin;
- PUD: the English proper-noun span of the sentence (the other three languages are translations
  of it and inherit its mentions);
- seed: the watch-list id, from the hand labels in ``seed_gold``.

Nothing here knows the matcher; ``eval_matching`` links keys to watch-list entities.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import gold_norm
from benchmarks.seed_gold import SEED_FILE, SEED_GOLD, SEED_SHA256

__all__ = [
    "GoldMention",
    "GoldText",
    "read_anercorp",
    "read_bsnlp",
    "read_factrueval",
    "read_pud",
    "read_seed",
]


@dataclass(frozen=True, slots=True)
class GoldMention:
    key: str  # the corpus's identity for the entity (see module doc)
    kind: str  # "person" | "place" | "other" (organisations, products…) | "" (PUD: untyped)
    surface: str  # as written in the text (or the gold annotation of it)
    lemma: str = ""  # base form when the corpus gives one
    alternatives: tuple[str, ...] = ()  # further names of the same gold entity

    @property
    def candidates(self) -> tuple[str, ...]:
        """Strings that may link this mention to a watch-list entity, best first."""
        return tuple(c for c in (self.lemma, self.key, *self.alternatives) if c)


@dataclass(frozen=True, slots=True)
class GoldText:
    id: str
    corpus: str
    language: str
    title: str
    content: str
    mentions: tuple[GoldMention, ...]
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.content}" if self.title else self.content


# --- seed -------------------------------------------------------------------------------------


def read_seed(shared: Path) -> list[GoldText]:
    """The seed article, one unit per non-empty line, with the hand labels of ``seed_gold``.

    Refuses (returns []) when the file is not the one that was labelled: stale labels would
    score nonsense.
    """
    path = shared.parent / "seed" / SEED_FILE
    if not path.is_file():
        return []
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != SEED_SHA256:
        print(f"seed: {path} changed since it was labelled; seed skipped")
        return []
    lines = [line.strip() for line in raw.decode("utf-8").splitlines() if line.strip()]
    texts = []
    for index, line in enumerate(lines):
        mentions = tuple(
            GoldMention(key, kind, surface) for key, kind, surface in SEED_GOLD.get(index, ())
        )
        texts.append(GoldText(f"seed:{index}", "seed", "ar", "", line, mentions))
    return texts


# --- ANERcorp (Arabic, IOB2, sentences end at ".") --------------------------------------------

_ANER_TYPES = {"PERS": "person", "LOC": "place", "ORG": "other", "MISC": "other"}
_AR_PREFIXES = ("و", "ف", "ب", "ل", "وب", "ول", "فب", "فل", "ك", "وك")


def read_anercorp(shared: Path) -> list[GoldText]:
    path = shared / "ner" / "arabic_ANERcorp" / "ANERCorp.txt"
    if not path.is_file():
        return []
    sentences = list(_aner_sentences(path))
    known = Counter(gold_norm(" ".join(words)) for sent in sentences for _, words in sent[1])
    texts = []
    for index, (tokens, spans) in enumerate(sentences):
        mentions = tuple(
            GoldMention(
                _strip_clitic(gold_norm(" ".join(words)), known), _ANER_TYPES[tag], " ".join(words)
            )
            for tag, words in spans
            if tag in _ANER_TYPES
        )
        texts.append(GoldText(f"aner:{index}", "anercorp", "ar", "", " ".join(tokens), mentions))
    return texts


def _aner_sentences(path: Path) -> Iterator[tuple[list[str], list[tuple[str, list[str]]]]]:
    tokens: list[str] = []
    spans: list[tuple[str, list[str]]] = []
    inside: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, tag = line.strip().rpartition(" ")
        if not word:
            continue
        tokens.append(word)
        if tag.startswith("B-"):
            spans.append((tag[2:], [word]))
            inside = tag[2:]
        elif tag.startswith("I-") and inside == tag[2:]:
            spans[-1][1].append(word)
        else:
            inside = None
        if word == ".":
            yield tokens, spans
            tokens, spans, inside = [], [], None
    if tokens:
        yield tokens, spans


def _strip_clitic(key: str, known: Counter[str]) -> str:
    """بالقاهرة -> القاهرة, للولايات المتحدة -> الولايات المتحدة, وبريطانيا -> بريطانيا, but only
    when the remainder is itself an attested mention (لبنان stays لبنان)."""
    for prefix in _AR_PREFIXES:
        rest = key[len(prefix) :]
        if key.startswith(prefix) and len(rest) >= 3 and rest in known:
            return rest
    if key.startswith("لل") and "ا" + key[1:] in known:
        return "ا" + key[1:]
    return key


# --- FactRuEval-2016 (Russian, documents, coreference records) --------------------------------

_FRE_TYPES = {"Person": "person", "Location": "place", "LocOrg": "place"}
_FRE_OTHER = ("Org", "Project", "Facility")


def read_factrueval(shared: Path) -> list[GoldText]:
    root = shared / "ner" / "russian_factRuEval2016"
    texts = []
    for part in ("devset", "testset"):
        for txt in sorted((root / part).glob("book_*.txt")):
            texts.append(_fre_document(txt, part))
    return texts


def _fre_document(txt: Path, part: str) -> GoldText:
    base = txt.with_suffix("")
    objects = _fre_objects(base.with_suffix(".objects"))
    mentions = [
        GoldMention(surface, "other", surface)
        for kind, surface in objects.values()
        if kind in _FRE_OTHER
    ]
    for ids, attrs in _fre_coref(base.with_suffix(".coref")):
        kinds = [objects[i][0] for i in ids if i in objects]
        kind = next((_FRE_TYPES[k] for k in kinds if k in _FRE_TYPES), None)
        names = attrs.get("lastname") or attrs.get("name") or attrs.get("nickname")
        if kind is None or not names:
            continue
        key, first = names[0], attrs.get("firstname", [""])[0]
        lemma = f"{first} {key}" if kind == "person" and first else key
        for i in ids:
            if i in objects and objects[i][0] in _FRE_TYPES:
                mentions.append(GoldMention(key, kind, objects[i][1], lemma, tuple(names[1:])))
    content = txt.read_text(encoding="utf-8")
    return GoldText(f"fre:{part}/{base.name}", "factrueval", "ru", "", content, tuple(mentions))


def _fre_objects(path: Path) -> dict[str, tuple[str, str]]:
    """mention id -> (type, text as written)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        head, _, surface = line.partition("#")
        parts = head.split()
        if len(parts) >= 2:
            out[parts[0]] = (parts[1], surface.strip())
    return out


def _fre_coref(path: Path) -> Iterator[tuple[list[str], dict[str, list[str]]]]:
    """(mention ids, attribute -> values) per record; a record may give several names
    ("Америка" and "Соединённые Штаты")."""
    for record in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line.strip() for line in record.strip().splitlines() if line.strip()]
        if not lines:
            continue
        ids = lines[0].split()[1:]
        attrs: dict[str, list[str]] = {}
        for line in lines[1:]:
            name, _, value = line.partition(" ")
            if value.strip():
                attrs.setdefault(name, []).append(value.strip())
        yield ids, attrs


# --- BSNLP nord_stream (Slavic, documents, cross-lingual ids) ---------------------------------

_BSNLP_TYPES = {
    "PER": "person",
    "LOC": "place",
    "ORG": "other",
    "PRO": "other",
    "EVT": "other",
    "MISC": "other",
}


def read_bsnlp(shared: Path, languages: Iterable[str] = ("ru",)) -> list[GoldText]:
    root = shared / "ner" / "multilingual_slavic_BSNLP_nord_stream"
    texts = []
    for lang in languages:
        for raw in sorted((root / "raw" / lang).glob("*.txt")):
            annotated = root / "annotated" / lang / (raw.stem + ".out")
            if annotated.is_file():
                texts.append(_bsnlp_document(raw, annotated, lang))
    return texts


def _bsnlp_document(raw: Path, annotated: Path, lang: str) -> GoldText:
    lines = raw.read_text(encoding="utf-8").splitlines()
    title = lines[4].strip() if len(lines) > 4 else ""
    content = "\n".join(lines[5:]).strip()
    mentions = []
    for line in annotated.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) >= 4 and cols[2].strip() in _BSNLP_TYPES:
            surface, lemma, tag, xid = (c.strip() for c in cols[:4])
            mentions.append(GoldMention(xid, _BSNLP_TYPES[tag], surface, lemma))
    return GoldText(f"bsnlp:{lang}/{raw.stem}", "bsnlp", lang, title, content, tuple(mentions))


# --- PUD (the same sentences in en, ar, ru, fr) -----------------------------------------------

PUD_LANGUAGES = ("en", "ar", "ru", "fr")


def read_pud(shared: Path) -> list[GoldText]:
    """Four units per sentence; every language version carries the English version's mentions.

    The English proper-noun spans carry no person/place type (PUD has no NER layer): the
    watch list decides which spans are persons or places when they are linked.
    """
    root = shared / "parallel" / "PUD_parallel_ar_ru_fr_en"
    if not (root / "en_pud-ud-test.conllu").is_file():
        return []
    texts_by_lang = {
        lang: _conllu_texts(root / f"{lang}_pud-ud-test.conllu") for lang in PUD_LANGUAGES
    }
    english = _conllu_sentences(root / "en_pud-ud-test.conllu")
    out = []
    for sent_id, tokens in english.items():
        mentions = tuple(GoldMention(span, "", span) for span in _proper_spans(tokens))
        source = "news" if sent_id.startswith("n") else "wikipedia"
        for lang in PUD_LANGUAGES:
            text = texts_by_lang[lang].get(sent_id)
            if text:
                out.append(
                    GoldText(
                        f"pud:{sent_id}:{lang}",
                        "pud",
                        lang,
                        "",
                        text,
                        mentions,
                        {"sent": sent_id, "source": source},
                    )
                )
    return out


def _conllu_texts(path: Path) -> dict[str, str]:
    texts: dict[str, str] = {}
    sent_id = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# sent_id"):
            sent_id = line.split("=", 1)[1].strip()
        elif line.startswith("# text =") and sent_id:
            texts[sent_id] = line.split("=", 1)[1].strip()
    return texts


def _conllu_sentences(path: Path) -> dict[str, list[tuple[str, str]]]:
    """sent_id -> [(form, upos)] of the syntactic words (multiword token lines skipped)."""
    sentences: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# sent_id"):
            current = sentences.setdefault(line.split("=", 1)[1].strip(), [])
        elif line and not line.startswith("#"):
            cols = line.split("\t")
            if len(cols) > 3 and re.fullmatch(r"\d+", cols[0]):
                current.append((cols[1], cols[3]))
    return sentences


_HONORIFICS = frozenset(
    {"Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Sir", "Lady", "Lord"}
)


def _proper_spans(tokens: list[tuple[str, str]]) -> list[str]:
    """Runs of PROPN tokens; a capitalised adjective right before one joins it (UD tags
    "United" in "United States" ADJ); a leading honorific is dropped (Ms. Clinton)."""
    spans: list[str] = []
    run: list[str] = []
    for i, (form, upos) in enumerate(tokens):
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if upos == "PROPN" or (upos == "ADJ" and form[:1].isupper() and nxt == "PROPN"):
            run.append(form)
            continue
        spans.append(" ".join(_drop_honorific(run)))
        run = []
    spans.append(" ".join(_drop_honorific(run)))
    return [s for s in dict.fromkeys(spans) if s]


def _drop_honorific(run: list[str]) -> list[str]:
    return run[1:] if len(run) > 1 and run[0] in _HONORIFICS else run
