"""Helpers shared by the benchmark scripts: where the data is, gold-side name keys, romanisation.

The gold side deliberately does NOT use ``newswatch.matching.folding``: the matcher's folding
is what is being measured, so the keys that decide "these two gold mentions are the same
entity" come from this small, independent normaliser.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

__all__ = [
    "REPO",
    "code_state",
    "gold_norm",
    "romanize_ru",
    "shared_data",
    "skip_without_data",
    "slug",
]

REPO = Path(__file__).resolve().parents[1]

_ARABIC_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": ""})
_SPACES = re.compile(r"\s+")


def shared_data() -> Path | None:
    """``$NEWSWATCH_SHARED/data`` if set, else ``<repo>/../shared/data``; None when absent."""
    root = os.environ.get("NEWSWATCH_SHARED")
    base = Path(root) if root else REPO.parent / "shared"
    data = base / "data"
    return data if data.is_dir() else None


def skip_without_data(script: str) -> Path:
    """The data directory, or exit 0 with the agreed "skipped" line (CI without ../shared)."""
    data = shared_data()
    if data is None:
        print(f"{script}: skipped: ../shared/data not found (set NEWSWATCH_SHARED to override)")
        sys.exit(0)
    return data


def code_state() -> str:
    """Which matcher was measured: the commit, and a hash of the ``newswatch`` package as it is
    on disk (figures taken while someone edits the matcher must say so)."""
    digest = hashlib.sha256()
    package = REPO / "newswatch"
    for path in sorted(
        p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = " + uncommitted changes" if _git("status", "--porcelain", "--", "newswatch") else ""
    except (OSError, subprocess.CalledProcessError):
        head, dirty = "unknown commit", ""
    return f"{head}{dirty}; newswatch/ sha256 {digest.hexdigest()[:12]}"


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=REPO, capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout.strip()


def gold_norm(text: str) -> str:
    """Key for grouping gold mentions: case, Latin accents, Arabic letter variants and harakat,
    bidi marks, ё and runs of white space do not distinguish two mentions of one entity."""
    text = text.translate(_ARABIC_MAP).replace("ё", "е").replace("Ё", "Е")
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        category = unicodedata.category(ch)
        if category == "Cf" or (category == "Mn" and not _keeps_mark(out, ch)):
            continue  # harakat, accents, bidi marks (ANERcorp has RLM glued to words)
        out.append(ch)
    folded = unicodedata.normalize("NFC", "".join(out)).casefold()
    return _SPACES.sub(" ", folded).strip()


def _keeps_mark(previous: list[str], mark: str) -> bool:
    # й = и + breve: the breve is a letter in Russian, not an accent.
    return mark == "\u0306" and bool(previous) and previous[-1] in "иИ"


def slug(text: str) -> str:
    """Rule-id safe form: lowercase ASCII letters, digits and '-'."""
    ascii_text = unicodedata.normalize("NFKD", romanize_ru(text)).encode("ascii", "ignore")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.decode().lower()).strip("-")
    return cleaned or "x"


# BGN/PCGN-style romanisation, simplified (no diacritics): what an English-writing analyst
# would type for a Russian name nobody gave them an English spelling of.
_RU_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


def romanize_ru(text: str) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        latin = _RU_LATIN.get(low)
        if latin is None:
            out.append(ch)
        elif ch != low:
            out.append(latin.capitalize())
        else:
            out.append(latin)
    return "".join(out)
