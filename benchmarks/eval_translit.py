"""Names into Arabic and Cyrillic on data the generators were not tuned on (``make eval``).

Two lists of real name pairs from ``../shared/data/names`` (evaluation only; skipped cleanly
when absent), neither read while the spelling rules were written:

- ANETAC: English–Arabic person names as Arabic news writes them (one word each);
- BSNLP cross-lingual entities: people of the 2018–2019 European news, with the English name in
  the entity id (``PER-Theresa-May``) and the Russian lemmas the annotators wrote.

For each name, the letter tables alone (``translit.py``, what newswatch generated before) and
the spellings by sound (``sound.py``, now) are compared with the gold spellings after folding
(``fold_name``: case, ё, hamza and alef forms, ta marbuta). Arabic is also scored as the matcher
sees it: the gold spelling is within the variant tolerance of the generated one (one long vowel
written or left out per word, ج/غ/ق/ك, س/ش, ت/ط alike; ``forms.arabic_variant``).

    .venv/bin/python benchmarks/eval_translit.py [--sample 3000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import code_state, skip_without_data
from newswatch.matching.folding import fold_name
from newswatch.matching.forms import arabic_variant
from newswatch.matching.sound import name_spellings
from newswatch.matching.translit import cyrillic_spellings, to_arabic


def _anetac(data: Path, sample: int, seed: int) -> list[tuple[str, str]]:
    path = data / "names" / "ANETAC_en_ar" / "EN-AR_Named-entities.txt"
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) == 3 and parts[0] == "PERSON" and parts[1].isalpha():
            pairs.append((parts[1], parts[2]))
    random.Random(seed).shuffle(pairs)
    return pairs[:sample]


def _bsnlp(data: Path) -> list[tuple[str, set[str]]]:
    path = data / "names" / "bsnlp_crosslingual_entities" / "bsnlp_entities_by_crosslingual_id.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    column = header.index("lemmas_ru")
    out = []
    for line in lines[1:]:
        cells = line.split("\t")
        if len(cells) <= column or cells[1] != "PER" or not cells[0].startswith("PER-"):
            continue
        english = cells[0].removeprefix("PER-").replace("-", " ")
        if len(english.split()) < 2 or not english.replace(" ", "").isascii():
            continue  # full names with an ASCII English form only (the id is the English name)
        gold = {fold_name(x.strip()) for x in cells[column].split("|") if len(x.split()) >= 2}
        if gold:
            out.append((english, gold))
    return out


def _arabic_close(generated: str, gold: str) -> bool:
    variant = arabic_variant(generated)
    folded_gold = fold_name(gold)
    if fold_name(generated) == folded_gold:
        return True
    if variant is None:
        return False
    found = variant.find.fullmatch(folded_gold)
    return found is not None and variant.accepts(found.group(2))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=3000, help="ANETAC pairs (default 3000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data = skip_without_data("eval_translit")
    if data is None:
        return 0
    print(f"matcher: {code_state()}")
    started = time.perf_counter()
    arabic = _anetac(data, args.sample, args.seed)
    exact = {"letters": 0, "sound": 0}
    close = {"letters": 0, "sound": 0}
    for english, gold in arabic:
        made = {"letters": [to_arabic(english) or ""], "sound": name_spellings(english, "Arab")}
        for how, spellings in made.items():
            exact[how] += any(fold_name(s) == fold_name(gold) for s in spellings if s)
            close[how] += any(_arabic_close(s, gold) for s in spellings if s)
    russian = _bsnlp(data)
    cyrillic = {"letters": 0, "sound": 0}
    for english, lemmas in russian:
        made = {"letters": cyrillic_spellings(english), "sound": name_spellings(english, "Cyrl")}
        for how, spellings in made.items():
            cyrillic[how] += any(fold_name(s) in lemmas for s in spellings)
    n_ar, n_ru = len(arabic), len(russian)
    print(f"{'set':34} | {'letters':>8} | {'sound':>8}")
    print("-" * 58)
    for label, counts, n in (
        (f"ANETAC en->ar, exact ({n_ar} words)", exact, n_ar),
        (f"ANETAC en->ar, as matched ({n_ar})", close, n_ar),
        (f"BSNLP en->ru full names ({n_ru})", cyrillic, n_ru),
    ):
        print(f"{label:34} | {counts['letters'] / n:8.3f} | {counts['sound'] / n:8.3f}")
    print(f"took {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
