"""Surnames alone, measured (``make eval``): what counting a distinctive surname without the rest
of the name gains, and what it costs, side by side in one run.

1. **Recall and precision** on the labelled corpora of ``eval_matching`` (same texts, gold and
   entities), English canonical names only, twice: people with the default ``surname: auto``
   (a distinctive surname counts alone) and with ``surname: with-full-name`` (the surname counts
   only where the article also names the person in full: the behaviour before).
2. **Look-alikes on unseen news** (ECB+ validation and MEANTIME: news with no person labels,
   not read when the rule was designed): the rule firings ``auto`` adds over
   ``with-full-name``, by person and surname, and a seeded sample of them to read — a Reggie
   Bush firing the George W. Bush rule is the kind of error to look for.

Reads ``../shared/data``; exits 0 with a "skipped" line when it is absent.
"""

from __future__ import annotations

import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import code_state, skip_without_data
from benchmarks.corpora import GoldText
from benchmarks.eval_matching import (
    LANGUAGE_ORDER,
    Cell,
    Fired,
    Gold,
    parse_args,
    prepare,
    rule_yaml,
    run_matcher,
    score,
)
from benchmarks.eval_stories import ECBPLUS, MEANTIME, read_ecbplus, read_meantime
from benchmarks.watchlist import WATCHLIST
from newswatch.article import Article
from newswatch.matching.matcher import Matcher
from newswatch.rules.loader import load_rules

MODES = ("auto", "with-full-name")
SAMPLE = 20


def matcher_for(mode: str, directory: Path) -> Matcher:
    rules = []
    for entity in WATCHLIST:
        text = rule_yaml(entity, "canonical")
        if entity.kind == "person" and mode != "auto":
            text += f"\n      surname: {mode}"
        rules.append(text)
    path = directory / f"{mode}.yaml"
    path.write_text("rules:\n" + "\n".join(rules) + "\n", encoding="utf-8")
    loaded = load_rules(path)
    if loaded.errors:
        raise SystemExit("generated rules do not load:\n" + "\n".join(map(str, loaded.errors)))
    return Matcher(loaded.rules)


PEOPLE = {e.id for e in WATCHLIST if e.kind == "person"}


def surname_only(
    texts: list[GoldText], entities: list[str], gold: Gold, fired: Fired
) -> tuple[int, int]:
    """(found, pairs) over the text-person pairs whose every gold mention is one word — the
    person named by surname only (لافروف, Лавровым, Trump), the case ``auto`` is for."""
    found = pairs = 0
    for text in texts:
        tg = gold[text.id]
        for entity in entities:
            surfaces = tg.entities.get(entity)
            if entity not in PEOPLE or not surfaces or entity in tg.neutral or entity in tg.weak:
                continue
            if all(len(s.split()) == 1 for s in surfaces):
                pairs += 1
                found += bool(fired[text.id].get(entity))
    return found, pairs


def unseen_news(data: Path) -> list[Article]:
    articles = []
    if (data / ECBPLUS).is_file():
        articles += [d.article for d in read_ecbplus(data / ECBPLUS)]
    if (data / MEANTIME).is_dir():
        articles += [d.article for d in read_meantime(data / MEANTIME)]
    return articles


def main() -> int:
    data = skip_without_data("eval_surnames")
    run, gold = prepare(data, parse_args([]))
    texts = [t for corpus in run.corpora.values() for t in corpus]
    with tempfile.TemporaryDirectory() as tmp:
        matchers = {mode: matcher_for(mode, Path(tmp)) for mode in MODES}
    print(f"matcher: {code_state()}")
    print("1. English canonical names only; people with surname: auto vs with-full-name")
    print(
        f"{'lang':<5} | auto: P      R     supp | with-full-name: P  R     | recall gained "
        "| surname-only pairs: R (auto)  supp"
    )
    totals: dict[str, dict[str, Cell]] = {}
    alone: dict[str, list[int]] = {}  # lang -> [found, pairs] named by a surname only (auto)
    for mode, matcher in matchers.items():
        fired, _ = run_matcher(matcher, texts)
        for name, corpus in run.corpora.items():
            for lang in {t.language for t in corpus}:
                subset = [t for t in corpus if t.language == lang]
                cell = score(subset, run.chosen[name], gold, fired)
                totals.setdefault(lang, {m: Cell() for m in MODES})[mode].add(cell)
                if mode == "auto":
                    found, pairs = surname_only(subset, run.chosen[name], gold, fired)
                    counts = alone.setdefault(lang, [0, 0])
                    counts[0], counts[1] = counts[0] + found, counts[1] + pairs
    for lang in LANGUAGE_ORDER:
        if lang not in totals:
            continue
        a, f = totals[lang]["auto"], totals[lang]["with-full-name"]
        found, pairs = alone.get(lang, [0, 0])
        only = f"{found / pairs:.3f}" if pairs else "  -  "
        print(
            f"{lang:<5} | {a.precision:.3f}  {a.recall:.3f}  {a.support:>4} | "
            f"{f.precision:.3f}  {f.recall:.3f}       | {a.recall - f.recall:+.3f}        "
            f"| {only}                        {pairs:>4}"
        )
    articles = unseen_news(data)
    if not articles:
        print("2. skipped: no ECB+ or MEANTIME under ../shared/data/stories")
        return 0
    gained: list[tuple[str, str, str, str]] = []
    for article in articles:
        before = {h.rule_id for h in matchers["with-full-name"].match(article)}
        for hit in matchers["auto"].match(article):
            if hit.rule_id not in before:
                surfaces = ", ".join(sorted({m.surface for m in hit.mentions}))
                gained.append((hit.rule_id, surfaces, article.language, article.title[:90]))
    firing = sum(1 for a in articles if matchers["auto"].match(a))
    print(
        f"2. unseen news (ECB+ validation, MEANTIME): {len(articles)} articles, {firing} fire "
        f"some rule with auto; firings added by surnames alone: {len(gained)}"
    )
    for (rule, surfaces), n in Counter((g[0], g[1]) for g in gained).most_common(12):
        print(f"   {n:>4}  {rule:<32} {surfaces}")
    print(f"   a sample of {min(SAMPLE, len(gained))} to read (is it the watched person?):")
    for rule, surfaces, language, title in random.Random(7).sample(
        gained, min(SAMPLE, len(gained))
    ):
        print(f"   - {rule} [{language}] {surfaces}: {title}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
