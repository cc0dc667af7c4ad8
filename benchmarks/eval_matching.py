"""Precision and recall of watch rules on labelled multilingual news (``make eval``).

Unit of scoring: a pair (text T, entity E) where T is one scoring unit of a corpus (a seed-article
line, an ANERcorp sentence, a FactRuEval or BSNLP document, one language version of a PUD
sentence) and E one entity selected for that corpus. Gold: T names E (a gold person or place
mention of T links to E). Predicted: the rule generated for E fires on T. Precision, recall and
F1 are micro-averaged over pairs; support is the number of gold-positive pairs. Pairs where the
question has no clear answer are counted apart and left out: E named only by an adjective
(российского), or only inside the name of something else (МИД Германии, Sony Australia).

Entities: the ``--top`` most frequent watch-list entities per corpus that are named in at least
``--min-texts`` texts (PUD counts sentences, from the English side; the hand-labelled seed uses
the whole watch list). Two settings, each one YAML rule per watch-list entity, loaded by the real
loader and matched by the real ``Matcher``, all rules active at once:

- ``aliases``: canonical English name plus every alias of ``benchmarks/watchlist.py``;
- ``canonical``: the English canonical name only (``place: Syria``).

Gold corrections read by hand are in ``benchmarks/adjudication.py`` (``--raw-gold``: without).
Writes the generated rules and a report with per-entity figures and example errors under
``var/eval/`` (gitignored). Exits 0 with a "skipped" line when ``../shared/data`` is absent.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.adjudication import ADJUDICATED
from benchmarks.common import REPO, code_state, gold_norm, skip_without_data
from benchmarks.corpora import (
    PUD_LANGUAGES,
    GoldMention,
    GoldText,
    read_anercorp,
    read_bsnlp,
    read_factrueval,
    read_pud,
    read_seed,
)
from benchmarks.watchlist import WATCHLIST, WatchEntity, link_index
from newswatch.article import Article
from newswatch.matching.hits import Mention
from newswatch.matching.matcher import Matcher
from newswatch.rules.loader import load_rules

SETTINGS = ("aliases", "canonical")
READERS: dict[str, Callable[[Path], list[GoldText]]] = {
    "seed": read_seed,
    "anercorp": read_anercorp,
    "factrueval": read_factrueval,
    "bsnlp": read_bsnlp,
    "pud": read_pud,
}
# Issue 4 targets.
TARGET_ALIASES = 0.97  # precision and recall, every language
TARGET_CANONICAL_R, TARGET_CANONICAL_P = 0.90, 0.95


# --- gold ---------------------------------------------------------------------------------------


@dataclass
class TextGold:
    """What one text says about the watch list."""

    entities: dict[str, list[str]] = field(default_factory=dict)  # entity id -> gold surfaces
    weak: set[str] = field(default_factory=set)  # named only by lowercase words (adjectives)
    others: list[str] = field(default_factory=list)  # normalised names of other things (orgs…)
    neutral: dict[str, str] = field(default_factory=dict)  # entity -> why it is not scored here


Gold = dict[str, TextGold]  # text id -> gold


def link_gold(texts: Iterable[GoldText], index: dict[str, str]) -> tuple[Gold, Counter[str]]:
    """Which watch-list entities each text mentions, and how often unlinked keys occur."""
    kinds = {e.id: e.kind for e in WATCHLIST}
    gold: Gold = {}
    unlinked: Counter[str] = Counter()
    for text in texts:
        tg = TextGold()
        missing = set()
        for mention in text.mentions:
            entity = _link(mention, index) if mention.kind != "other" else None
            if entity is not None and (not mention.kind or mention.kind == kinds[entity]):
                tg.entities.setdefault(entity, []).append(mention.surface)
                continue
            tg.others.append(gold_norm(mention.surface))
            if mention.kind != "other":
                missing.add(f"{mention.key} ({mention.kind or 'propn'})")
        tg.weak = {e for e, surfaces in tg.entities.items() if not any(_named(s) for s in surfaces)}
        gold[text.id] = tg
        unlinked.update(missing)
    return gold, unlinked


# One-word Russian relational adjectives (Российских, Минских, Санкт-Петербургского).
_RU_ADJECTIVE = re.compile(r"[А-Яа-яЁё-]+(?:ск|цк)(?:ий|ая|ое|ие|ого|ому|им|ом|ой|ую|их|ими|ые|ых)")


def _named(surface: str) -> bool:
    """A name, not an adjective: российского, Минских, британской are gold mentions in
    FactRuEval and BSNLP but no watch rule is expected to fire on them. Arabic has no case:
    always a name."""
    first = next((c for c in surface if c.isalpha()), "")
    if first and first.islower():
        return False
    return _RU_ADJECTIVE.fullmatch(surface.strip()) is None


def _link(mention: GoldMention, index: dict[str, str]) -> str | None:
    if mention.key in _IDS:  # the seed labels name ids directly
        return mention.key
    # A coreference record may carry several names ("Кремль" and "Москва" for "Москвы"): the
    # one that starts like the mention as written is the one it uses.
    stem = gold_norm(mention.surface)[:4]
    ranked = sorted(mention.candidates, key=lambda c: not gold_norm(c).startswith(stem))
    for candidate in ranked:
        entity = index.get(gold_norm(candidate))
        if entity is not None:
            return entity
    return None


_IDS = frozenset(e.id for e in WATCHLIST)


def mark_embedded(texts: Sequence[GoldText], gold: Gold, entities: Iterable[str]) -> None:
    """Leave out (text, entity) when the text does not name the entity on its own but a gold
    name of something else contains one of its forms: МИД Германии, وكالة أنباء الشرق الأوسط,
    Sony Australia, New France. Whether a place rule should fire there is a matter of taste,
    so it is neither a hit nor a false alarm. The forms are the entity's watch-list names and
    its gold surfaces anywhere in the corpus, so the decision never depends on the matcher. On
    PUD the English version decides for all four (its translations carry its gold)."""
    wanted = set(entities)
    forms: dict[str, set[str]] = defaultdict(set)
    for watched in WATCHLIST:
        if watched.id in wanted:
            for name in (n for names in watched.names.values() for n in names):
                forms[_words(name)].add(watched.id)
    for text in texts:
        for entity, surfaces in gold[text.id].entities.items():
            if entity in wanted:
                for surface in surfaces:
                    forms[_words(surface)].add(entity)
    for text in texts:
        tg = gold[text.id]
        for other in tg.others:
            for gram in _ngrams(_words(other).split(), 5):
                for entity in forms.get(gram, ()):
                    if entity not in tg.entities:
                        tg.neutral.setdefault(entity, "embedded")


def _words(text: str) -> str:
    """Normalised words only: quotes and hyphens do not hide "Польша" in "Радио Польша"."""
    return " ".join(re.findall(r"\w+", gold_norm(text)))


def _ngrams(tokens: list[str], longest: int) -> Iterator[str]:
    for i in range(len(tokens)):
        for j in range(i + 1, min(len(tokens), i + longest) + 1):
            yield " ".join(tokens[i:j])


def adjudicate(gold: Gold) -> Counter[str]:
    """Apply the hand corrections of ``adjudication.py`` to the texts that were loaded."""
    applied: Counter[str] = Counter()
    for (text_id, entity), (verdict, note) in ADJUDICATED.items():
        tg = gold.get(text_id)
        if tg is None:
            continue
        tg.weak.discard(entity)
        tg.neutral.pop(entity, None)
        if verdict == "named":
            tg.entities.setdefault(entity, []).append(f"[adjudicated] {note}")
        else:
            tg.entities.pop(entity, None)
            if verdict == "embedded":
                tg.neutral[entity] = "embedded"
        applied[verdict] += 1
    return applied


def spread_pud_gold(texts: Sequence[GoldText], gold: Gold) -> None:
    """Copy the English version's "not scored" marks to the three translations."""
    english = {t.meta["sent"]: gold[t.id] for t in texts if t.language == "en"}
    for text in texts:
        source = english.get(text.meta["sent"])
        if source is not None and text.language != "en":
            for entity, why in source.neutral.items():
                gold[text.id].neutral.setdefault(entity, why)


def select_entities(
    corpus: str, texts: Sequence[GoldText], gold: Gold, top: int, minimum: int
) -> list[str]:
    """The ``top`` entities named in the most texts (ties by id), each in >= ``minimum``."""
    counted = [t for t in texts if corpus != "pud" or t.language == "en"]
    freq: Counter[str] = Counter(
        e for t in counted for e in gold[t.id].entities if e not in gold[t.id].weak
    )
    if corpus == "seed":  # hand-labelled for the whole watch list: every rule can misfire
        return [e.id for e in WATCHLIST]
    ranked = sorted((e for e, n in freq.items() if n >= minimum), key=lambda e: (-freq[e], e))
    return ranked[:top]


# --- rules ---------------------------------------------------------------------------------------


def rule_yaml(entity: WatchEntity, setting: str) -> str:
    aliases = entity.aliases if setting == "aliases" else ()
    lines = [
        f"- id: e-{entity.id}",
        f"  title: {json.dumps(entity.canonical, ensure_ascii=False)}",
        "  entities:",
        "    e:",
        f"      {entity.kind}: {json.dumps(entity.canonical, ensure_ascii=False)}",
    ]
    if aliases:
        lines.append(f"      aliases: {json.dumps(list(aliases), ensure_ascii=False)}")
    return "\n".join(lines)


def build_matcher(setting: str, out: Path) -> tuple[Matcher, float]:
    """Write the setting's rules, load them with the real loader, compile; fail loudly on any
    rule problem (a rule silently skipped would read as lost recall)."""
    path = out / "rules" / f"{setting}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n".join(rule_yaml(e, setting) for e in WATCHLIST)
    path.write_text(
        f"# generated by benchmarks/eval_matching.py ({setting})\nrules:\n{body}\n",
        encoding="utf-8",
    )
    ruleset = load_rules(path)
    if ruleset.errors:
        raise SystemExit("generated rules do not load:\n" + "\n".join(map(str, ruleset.errors)))
    started = time.perf_counter()
    matcher = Matcher(ruleset.rules)
    return matcher, time.perf_counter() - started


FiredOne = dict[str, tuple[Mention, ...]]  # entity id -> mentions found in one text
Fired = dict[str, FiredOne]  # text id -> ...


def run_matcher(matcher: Matcher, texts: Iterable[GoldText]) -> tuple[Fired, float]:
    fired: Fired = {}
    started = time.perf_counter()
    for text in texts:
        article = Article(
            id=text.id, title=text.title, content=text.content, language=text.language
        )
        fired[text.id] = {h.rule_id.removeprefix("e-"): h.mentions for h in matcher.match(article)}
    return fired, time.perf_counter() - started


# --- scoring -------------------------------------------------------------------------------------


@dataclass
class Cell:
    """Counts and error examples for one corpus x language x setting."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    # Pairs left out of P and R, by reason: "adjective" (named only by an adjective),
    # "embedded" (fired only on a name inside an organisation's or a longer name),
    # "adjudicated" (PUD translation that does not name the entity).
    neutral: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str, GoldText, str]] = field(
        default_factory=list
    )  # (FP|FN, entity, text, what)
    per_entity: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))

    def add(self, other: Cell) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        self.neutral.update(other.neutral)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


def score(texts: Iterable[GoldText], entities: Sequence[str], gold: Gold, fired: Fired) -> Cell:
    cell = Cell()
    for text in texts:
        tg, got = gold[text.id], fired[text.id]
        for entity in entities:
            outcome = _outcome(tg, entity, got.get(entity))
            if outcome in ("TP", "FP", "FN"):
                _count(cell, outcome, entity, text, tg, got)
            elif outcome:
                cell.neutral[outcome] += 1
    return cell


def _outcome(tg: TextGold, entity: str, mentions: tuple[Mention, ...] | None) -> str:
    """TP / FP / FN, a reason to leave the pair out, or "" for a true negative."""
    if entity in tg.neutral:
        return tg.neutral[entity]
    if entity in tg.weak:
        return "adjective"
    if entity in tg.entities:
        return "TP" if mentions else "FN"
    return "FP" if mentions else ""


def _count(
    cell: Cell, outcome: str, entity: str, text: GoldText, tg: TextGold, got: FiredOne
) -> None:
    counts = cell.per_entity[entity]
    if outcome == "TP":
        cell.tp += 1
        counts[0] += 1
    elif outcome == "FP":
        cell.fp += 1
        counts[1] += 1
        what = ", ".join(f"{m.surface!r} via {m.alias!r}" for m in got[entity][:3])
        cell.errors.append(("FP", entity, text, what))
    else:
        cell.fn += 1
        counts[2] += 1
        cell.errors.append(("FN", entity, text, " | ".join(dict.fromkeys(tg.entities[entity]))))


def pud_all_four(
    texts: Sequence[GoldText], entities: Sequence[str], gold: Gold, fired: Fired
) -> tuple[int, int]:
    """(pairs where the rule fires on all four versions, pairs that all four versions name)."""
    versions: dict[str, list[GoldText]] = defaultdict(list)
    for text in texts:
        versions[text.meta["sent"]].append(text)
    hits = total = 0
    for group in versions.values():
        if len(group) != len(PUD_LANGUAGES):
            continue
        for entity in entities:
            if all(_outcome(gold[t.id], entity, None) == "FN" for t in group):  # named in all four
                total += 1
                hits += all(entity in fired[t.id] for t in group)
    return hits, total


# --- reporting -----------------------------------------------------------------------------------


def snippet(text: str, needle: str, width: int = 70) -> str:
    at = text.find(needle) if needle else -1
    if at < 0:
        return text[: 2 * width].replace("\n", " ")
    start = max(0, at - width)
    return ("…" if start else "") + text[start : at + len(needle) + width].replace("\n", " ") + "…"


def examples(cell: Cell, kind: str, limit: int) -> list[str]:
    """Up to ``limit`` errors of one kind, one per entity first so one entity does not fill the
    list, in a stable order."""
    chosen: list[str] = []
    entities_seen: set[str] = set()
    pairs_seen: set[tuple[str, str]] = set()
    errors = [e for e in cell.errors if e[0] == kind]
    for first_pass in (True, False):
        for _, entity, text, what in errors:
            if (
                len(chosen) >= limit
                or (first_pass and entity in entities_seen)
                or (entity, text.id) in pairs_seen
            ):
                continue
            entities_seen.add(entity)
            pairs_seen.add((entity, text.id))
            needle = what.split("'")[1] if kind == "FP" and "'" in what else what.split(" | ")[0]
            chosen.append(f"{kind} {entity} [{text.id}] {what} :: {snippet(text.text, needle)}")
    return chosen


def missed_forms(cell: Cell, limit: int = 12) -> str:
    """The gold surface forms most often missed (what the matcher should learn next)."""
    forms: Counter[str] = Counter()
    for kind, _, _, what in cell.errors:
        if kind == "FN":
            forms.update(set(what.split(" | ")))
    return ", ".join(f"{f} ×{n}" for f, n in forms.most_common(limit))


def fmt_row(name: str, cells: dict[str, Cell]) -> str:
    parts = [f"{name:<16}"]
    for setting in SETTINGS:
        c = cells[setting]
        parts.append(f"{c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.support:5d}")
    return " | ".join(parts)


def verdict(setting: str, cell: Cell) -> str:
    if setting == "aliases":
        ok = cell.precision >= TARGET_ALIASES and cell.recall >= TARGET_ALIASES
    else:
        ok = cell.recall >= TARGET_CANONICAL_R and cell.precision >= TARGET_CANONICAL_P
    return "met" if ok else "NOT met"


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", action="append", choices=sorted(READERS), help="repeatable; default all"
    )
    parser.add_argument("--top", type=int, default=30, help="entities per corpus (default 30)")
    parser.add_argument(
        "--min-texts", type=int, default=3, help="texts an entity must be named in (default 3)"
    )
    parser.add_argument(
        "--examples", type=int, default=8, help="examples per error kind per cell in the report"
    )
    parser.add_argument(
        "--raw-gold", action="store_true", help="do not apply benchmarks/adjudication.py"
    )
    parser.add_argument("--out", type=Path, default=REPO / "var" / "eval")
    return parser.parse_args(argv)


@dataclass
class Run:
    """Everything one evaluation produced; what the summary and the report print."""

    corpora: dict[str, list[GoldText]]
    chosen: dict[str, list[str]]
    unlinked: dict[str, Counter[str]]
    corrections: Counter[str]
    load_s: float
    code: str = field(default_factory=code_state)
    cells: dict[tuple[str, str], dict[str, Cell]] = field(default_factory=lambda: defaultdict(dict))
    all_four: dict[str, tuple[int, int]] = field(default_factory=dict)
    timings: dict[str, tuple[float, float]] = field(default_factory=dict)  # compile s, match s

    @property
    def n_texts(self) -> int:
        return sum(len(t) for t in self.corpora.values())


def prepare(data: Path, args: argparse.Namespace) -> tuple[Run, Gold]:
    """Read the corpora, link their gold to the watch list, pick the entities."""
    started = time.perf_counter()
    corpora = {name: READERS[name](data) for name in (args.corpus or READERS)}
    corpora = {name: texts for name, texts in corpora.items() if texts}
    index = link_index()
    gold: Gold = {}
    unlinked: dict[str, Counter[str]] = {}
    for name, texts in corpora.items():
        linked, unlinked[name] = link_gold(texts, index)
        gold.update(linked)
    chosen = {n: select_entities(n, t, gold, args.top, args.min_texts) for n, t in corpora.items()}
    for name, texts in corpora.items():
        mark_embedded([t for t in texts if name != "pud" or t.language == "en"], gold, chosen[name])
        if name == "pud":
            spread_pud_gold(texts, gold)
    corrections = Counter[str]() if args.raw_gold else adjudicate(gold)
    return Run(corpora, chosen, unlinked, corrections, time.perf_counter() - started), gold


def evaluate(run: Run, gold: Gold, out: Path) -> None:
    """Both settings: generate and load the rules, match every text, score every cell."""
    all_texts = [t for texts in run.corpora.values() for t in texts]
    for setting in SETTINGS:
        matcher, compile_s = build_matcher(setting, out)
        fired, match_s = run_matcher(matcher, all_texts)
        run.timings[setting] = (compile_s, match_s)
        for name, texts in run.corpora.items():
            for lang in sorted({t.language for t in texts}):
                subset = [t for t in texts if t.language == lang]
                run.cells[(name, lang)][setting] = score(subset, run.chosen[name], gold, fired)
            if name == "pud":
                run.all_four[setting] = pud_all_four(texts, run.chosen[name], gold, fired)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    data = skip_without_data("eval_matching")
    run, gold = prepare(data, args)
    args.out.mkdir(parents=True, exist_ok=True)
    evaluate(run, gold, args.out)
    (args.out / "report.md").write_text(render(run, args.examples), encoding="utf-8")
    (args.out / "results.json").write_text(results_json(run), encoding="utf-8")
    print(summary(run))
    print(
        f"report: {args.out / 'report.md'} (per-entity figures, example errors); "
        f"rules: {args.out / 'rules'}"
    )
    return 0


def by_language(cells: dict[tuple[str, str], dict[str, Cell]]) -> dict[str, dict[str, Cell]]:
    totals: dict[str, dict[str, Cell]] = defaultdict(lambda: {s: Cell() for s in SETTINGS})
    for (_, lang), per_setting in cells.items():
        for setting, cell in per_setting.items():
            totals[lang][setting].add(cell)
    return totals


LANGUAGE_ORDER = ("ar", "ru", "fr", "en")


def summary(run: Run) -> str:
    head = f"{'corpus/lang':<16} | aliases: P      R     F1  supp | canonical: P R     F1  supp"
    lines = [
        f"matcher: {run.code}",
        "Pairs (text, entity): does the entity's rule fire on the text, vs gold mention.",
        head,
    ]
    lines.append("-" * len(head))
    lines += [fmt_row(f"{name}/{lang}", cells) for (name, lang), cells in sorted(run.cells.items())]
    lines.append("-" * len(head))
    totals = by_language(run.cells)
    lines += [fmt_row(f"ALL {lang}", totals[lang]) for lang in LANGUAGE_ORDER if lang in totals]
    for setting, (hits, total) in run.all_four.items():
        share = hits / max(total, 1)
        lines.append(
            f"PUD {setting}: fires on all 4 versions for {hits}/{total} = {share:.3f} "
            "of the sentence-entity pairs all four versions name"
        )
    lines.append("targets: aliases P,R >= 0.97 per language; canonical R >= 0.90 at P >= 0.95")
    for lang in (lang for lang in LANGUAGE_ORDER if lang in totals):
        a, c = totals[lang]["aliases"], totals[lang]["canonical"]
        lines.append(
            f"  {lang}: aliases {verdict('aliases', a)}, canonical {verdict('canonical', c)}"
        )
    sizes = ", ".join(f"{n} {len(e)}" for n, e in run.chosen.items())
    fixes = ", ".join(f"{k} {n}" for k, n in sorted(run.corrections.items())) or "none (--raw-gold)"
    lines.append(f"entities per corpus: {sizes}; texts {run.n_texts}; gold corrections: {fixes}")
    for setting, (compile_s, match_s) in run.timings.items():
        rate = run.n_texts / match_s
        lines.append(
            f"  {setting}: compile {compile_s * 1000:.0f} ms, match {match_s:.2f}s "
            f"({rate:.0f} texts/s); data load {run.load_s:.1f}s"
        )
    return "\n".join(lines)


def render(run: Run, limit: int) -> str:
    out = ["# Matching evaluation report", "", "```", summary(run), "```", ""]
    for name, entities in run.chosen.items():
        top = ", ".join(f"{k} ×{n}" for k, n in run.unlinked[name].most_common(15))
        out += [f"## {name}: {len(entities)} entities", ", ".join(entities)]
        out.append(f"\nMost frequent gold keys NOT on the watch list (not scored): {top}\n")
    for (name, lang), per_setting in sorted(run.cells.items()):
        for setting, cell in per_setting.items():
            out += render_cell(f"{name}/{lang} — {setting}", cell, limit)
    return "\n".join(out)


def render_cell(title: str, cell: Cell, limit: int) -> list[str]:
    left_out = ", ".join(f"{k} {n}" for k, n in sorted(cell.neutral.items())) or "none"
    worst = sorted(cell.per_entity.items(), key=lambda kv: -(kv[1][1] + kv[1][2]))[:10]
    return [
        f"## {title}: P {cell.precision:.3f} R {cell.recall:.3f} "
        f"(tp {cell.tp}, fp {cell.fp}, fn {cell.fn}; not scored: {left_out})",
        "worst entities (tp/fp/fn): "
        + ", ".join(f"{e} {c[0]}/{c[1]}/{c[2]}" for e, c in worst if c[1] + c[2]),
        f"most missed gold forms: {missed_forms(cell)}",
        "```",
        *examples(cell, "FN", limit),
        *examples(cell, "FP", limit),
        "```\n",
    ]


def results_json(run: Run) -> str:
    rows = [
        {"corpus": name, "language": lang, "setting": setting, "tp": c.tp, "fp": c.fp, "fn": c.fn,
         "precision": round(c.precision, 4), "recall": round(c.recall, 4),
         "not_scored": dict(c.neutral)}
        for (name, lang), per_setting in sorted(run.cells.items())
        for setting, c in per_setting.items()
    ]  # fmt: skip
    payload = {
        "matcher": run.code,
        "cells": rows,
        "pud_all_four": run.all_four,
        "entities": run.chosen,
    }
    return json.dumps(payload, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    sys.exit(main())
