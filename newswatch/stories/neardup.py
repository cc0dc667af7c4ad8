"""Near-duplicate articles: MinHash LSH over word shingles, every candidate verified exactly.

An item is its text (the caller's title + summary + content) folded with
``newswatch.matching.folding.fold``, split into words (the first ``MAX_WORDS``), and cut into
word 3-shingles. Two LSH indexes give candidates cheaply:

- the **main** index, a MinHash of every shingle: finds pairs of high Jaccard similarity (a copy,
  a copy with a sentence changed, a wire story with its headline rewritten);
- the **lede** index, a MinHash of the first ``LEDE_SHINGLES`` shingles only (the body's
  first ``BODY_LEDE_SHINGLES`` when the caller gives the title apart, as story grouping does):
  finds an RSS summary (title + the first sentences) of a long article, whose Jaccard
  similarity with the article is low (40 shingles of 300) but whose lede is the article's lede,
  under its headline or the feed's own. A summary that is *not* the article's opening (two
  sentences from the middle) is not found (measured in ``benchmarks/bench_neardup.py``): that
  is left to story grouping's text similarity.

Every candidate is then verified on the stored shingles: exact Jaccard and containment (the
smaller set's share in the larger; with the title apart, also its body's share, so that a new
headline does not hide a copied lede), and the numbers rule: a duplicate's numbers are a subset of
the other's (an added sentence may add a figure and a summary may drop some, but a changed
figure — a new toll, another date, the next quarter's statement — makes another item).

Memory: each item keeps one ``array('I')`` of 32-bit shingle hashes (at most ``MAX_WORDS`` − 2:
≤ 1.2 KB), its numbers as one string, and its bands in the two LSH indexes (rensa: ~4 KB): about
6.1 KB an item as measured, 580 MB for the default 100,000 items; ``capacity`` bounds the count
and the oldest item is evicted first. The hashes are rensa's FxHash of the shingle strings
(datasketch backend: Python's string hash, salted per process; the index is never persisted),
and verification is exact up to 32-bit collisions (≈ 2e-5 spurious shared shingles a pair).

The MinHash LSH library is behind ``Backend``/``LshIndex`` (hash, sketch, insert, query,
remove). rensa (Rust, MIT, one wheel, no dependencies) is the default and the runtime
dependency; datasketch (MIT; pulls numpy and scipy) is an optional backend, used only where
installed (the ``bench`` extra): 3-4x slower an article and 4x the memory in the benchmark. Both
remove keys, which eviction needs.

Pure: no I/O.
"""

from __future__ import annotations

import importlib.util
import re
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from newswatch.matching.folding import fold

__all__ = [
    "BACKENDS",
    "CONTAINMENT_MIN",
    "DEFAULT_BACKEND",
    "DEFAULT_CAPACITY",
    "JACCARD_MIN",
    "LEDE_SHINGLES",
    "MAX_WORDS",
    "MIN_CONTAINED",
    "SHINGLE_SIZE",
    "Backend",
    "DatasketchBackend",
    "Duplicate",
    "DuplicateKind",
    "LshIndex",
    "NearDuplicates",
    "Prepared",
    "RensaBackend",
    "available_backends",
    "containment",
    "jaccard",
    "numbers",
    "shingles",
    "words",
]

# --- thresholds ----------------------------------------------------------------------------------

# Word 3-grams: one word (a name, a figure) changed alters 3 shingles, and unrelated articles
# share almost none (common 3-grams like "one of the" are a few per article).
SHINGLE_SIZE = 3
# Words of an item that are shingled, from its start (title, lede, then the body): ~2 KB of text,
# 60% of a 3 KB article. A copy, a copy with an edit and a summary all show in the first 300
# words; shingling them all would cost 1.7x the time and memory (benchmarks/bench_neardup.py).
# The numbers rule reads the whole text.
MAX_WORDS = 300
# Characters of text folded for each word still wanted (a word and its space average ~6-7
# characters in the scripts of the feeds): a shorter piece than that is folded again if need be.
_CHARS_PER_WORD = 7
# Verified Jaccard for a near-duplicate: a copy with one sentence of 25 changed is ~0.9, a
# republished wire story with a new headline and a trimmed paragraph ~0.7; two different reports
# of one event, sharing quotes, stay below ~0.3.
JACCARD_MIN = 0.6
# Verified containment (share of the smaller item's shingles found in the larger): an RSS item
# of the article (its title, its first two sentences) is 1.0, and 0.67-0.86 (5th-90th
# percentile, benchmarks/bench_neardup.py) under a headline of the feed's own; an item with one
# of its two sentences new is ~0.5.
CONTAINMENT_MIN = 0.7
# A smaller item needs this many shingles to be a duplicate by containment (a title-only or
# one-line item is contained in many articles, so it is only ever a duplicate by Jaccard).
MIN_CONTAINED = 8
# Shingles of the lede sketch: title + the first two sentences of an article, so that a feed's
# title + summary item has the lede of the full article (Jaccard ~1 with the same title, ~0.5
# with a rewritten one).
LEDE_SHINGLES = 40
# Shingles of the lede sketch when the title is given apart: the body's first sentence or so, so
# that a feed's summary of two short sentences (~18 shingles) is Jaccard ~0.9 with the article's
# lede (of 40 it was ~0.45, a candidate with p = 0.85: 1 in 8 missed, measured).
BODY_LEDE_SHINGLES = 20
# Main MinHash: 128 permutations in 32 bands of 4 rows. A pair of Jaccard 0.6 is a candidate
# with p = 0.99, 0.5 with 0.87, 0.1 with 0.003 (a feed's shared footer, ~0.05: 2e-4).
NUM_PERM = 128
BANDS = 32
# Lede MinHash: 60 permutations in 20 bands of 3 rows: lede Jaccard 0.5 is a candidate with
# p = 0.93, 0.8 with ~1; a shared dateline (3 of 40 shingles) with 1e-3.
LEDE_PERM = 60
LEDE_BANDS = 20
# Items an index holds by default: the stories window at 100,000 articles.
DEFAULT_CAPACITY = 100_000
SEED = 1

DuplicateKind = Literal["exact", "near", "contained"]
_RANK: dict[str, int] = {"exact": 2, "near": 1, "contained": 0}

# --- text ---------------------------------------------------------------------------------------

# Arabic-Indic (٠-٩) and Persian (۰-۹) digits as ASCII; the Arabic decimal and thousands
# separators (٫ ٬) as ASCII ones.
_EASTERN = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹"
_AS_ASCII = {c: str(i % 10) for i, c in enumerate(_EASTERN)} | {"٫": ".", "٬": ","}
_WORD = re.compile(r"[^\W_]+")
# Bytes of UTF-8 text: digits and ASCII separators kept, everything else a space (a character
# outside ASCII is all bytes >= 0x80 in UTF-8, so no digit is ever made of part of one).
_NUMBER_BYTES = bytes(b if b in b"0123456789.," else 0x20 for b in range(256))
_ALNUM_OR_SPACE = bytes(b for b in range(128) if chr(b).isalnum() or chr(b) == " ")


def _ascii_digits(text: str) -> str:
    """``text`` with Eastern digits and separators as ASCII (a C search for each; ``translate``
    would cost ~0.2 µs a character outside ASCII)."""
    for char, ascii in _AS_ASCII.items():
        if char in text:
            text = text.replace(char, ascii)
    return text


def words(text: str, *, limit: int = MAX_WORDS) -> list[str]:
    """The first ``limit`` words of ``text`` folded (case, accents, Arabic letter forms, ё): runs
    of letters and digits (Latin, Cyrillic, Arabic, any script), Arabic-Indic and Persian digits
    as ASCII ones."""
    found: list[str] = []
    start = 0
    while start < len(text) and len(found) < limit:
        # Folded a piece at a time, each cut at a space (fold keeps a space a space, so no word
        # is cut in two): the rest of a long text is never folded.
        end = start + (limit - len(found)) * _CHARS_PER_WORD
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else len(text)
        found += _words(text[start:end])
        start = end
    return found[:limit]


def _words(text: str) -> list[str]:
    folded = fold(text)
    # fold makes every space, punctuation mark and symbol a space: split() leaves letters and
    # digits only, unless the text holds a control or format character or a spacing mark.
    if folded.isascii():
        if folded.encode("ascii").translate(None, _ALNUM_OR_SPACE):
            return _WORD.findall(folded)
        return folded.split()
    folded = _ascii_digits(folded)
    found = folded.split()
    if not "".join(found).isalnum():
        found = _WORD.findall(folded)
    return found


def _shingle_list(tokens: Sequence[str], size: int = SHINGLE_SIZE) -> list[str]:
    """The word ``size``-grams of ``tokens`` in order, each as one string; a text of fewer
    words than ``size`` is one shingle of all its words (none for no words)."""
    if len(tokens) <= size:
        return [" ".join(tokens)] if tokens else []
    if size == 3:  # the usual case, without the generic zip's slicing
        return list(map(" ".join, zip(tokens, tokens[1:], tokens[2:], strict=False)))
    return list(map(" ".join, zip(*(tokens[i:] for i in range(size)), strict=False)))


def shingles(text: str, *, size: int = SHINGLE_SIZE) -> frozenset[str]:
    """The set of word ``size``-shingles of ``text`` (see ``words``)."""
    return frozenset(_shingle_list(words(text), size))


def numbers(text: str) -> frozenset[str]:
    """The numbers of ``text`` as written: runs of digits and the separators ``.`` ``,`` between
    them, with digits as ASCII and every separator as ``.``: ``4.5``, ``4,5`` and ``٤٫٥`` are one
    number, ``1,000`` and ``1.000`` too (``1000`` is another: it is written otherwise)."""
    if not text.isascii():
        text = _ascii_digits(text)
    runs = text.encode("utf-8", "surrogatepass").translate(_NUMBER_BYTES).replace(b",", b".")
    # A separator beside a space ends a sentence or a clause, not a number: dropped in C first.
    runs = runs.replace(b". ", b" ").replace(b" .", b" ")
    found = {run.strip(b".") for run in runs.split()}
    found.discard(b"")
    return frozenset(run.decode("ascii") for run in found)


def _low_halves(wide: Sequence[int]) -> array[int]:
    """64-bit hashes as 32-bit ones (their low halves on this machine): C loops only."""
    return array("I", array("Q", wide).tobytes())[::2]


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """Exact Jaccard similarity of two sets (0 for two empty ones)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def containment(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """The share of the smaller set found in the larger (0 if either is empty)."""
    small = min(len(a), len(b))
    return len(a & b) / small if small else 0.0


def _numbers_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    return a <= b or b <= a


# --- the MinHash LSH engine ----------------------------------------------------------------------


class LshIndex(Protocol):
    """A MinHash LSH index of integer keys."""

    def sketch(self, shingles: list[str]) -> object:
        """The MinHash of a list of shingles (duplicates allowed)."""
        ...

    def insert(self, key: int, sketch: object) -> None: ...

    def query(self, sketch: object) -> Iterable[int]:
        """Keys sharing at least one band with ``sketch`` (candidates, unverified)."""
        ...

    def remove(self, key: int) -> None: ...


class Backend(Protocol):
    """A MinHash LSH library: the only part of near-duplicate detection that depends on one."""

    name: str

    def hashes(self, shingles: list[str]) -> array[int]:
        """One 32-bit hash a shingle, in order: what the index stores and verifies on."""
        ...

    def index(self, num_perm: int, bands: int) -> LshIndex: ...


class RensaBackend:
    """rensa (Rust, MIT, no dependencies): ``RMinHash`` + ``RMinHashLSH``. Shingles are hashed
    in Rust (FxHash, the same in every process); a 3 KB article's sketch takes ~8 µs;
    ``RMinHashLSH.remove`` drops a key from every band."""

    name = "rensa"

    def __init__(self) -> None:
        import rensa

        self._rensa: Any = rensa

    def hashes(self, shingles: list[str]) -> array[int]:
        wide: list[int] = self._rensa.RMinHash.hash_token_sets([shingles])[0]
        return _low_halves(wide)

    def index(self, num_perm: int, bands: int) -> LshIndex:
        return _RensaIndex(self._rensa, num_perm, bands)


class _RensaIndex:
    def __init__(self, rensa: Any, num_perm: int, bands: int) -> None:
        self._minhash: Any = rensa.RMinHash
        self._perm = num_perm
        # The threshold serves only rensa's own is_similar (unused here): the bands decide.
        self._lsh: Any = rensa.RMinHashLSH(0.5, num_perm, bands)

    def sketch(self, shingles: list[str]) -> object:
        minhash = self._minhash(self._perm, SEED)
        minhash.update(shingles)
        return minhash

    def insert(self, key: int, sketch: object) -> None:
        self._lsh.insert(key, sketch)

    def query(self, sketch: object) -> Iterable[int]:
        found: Iterable[int] = self._lsh.query(sketch)
        return found

    def remove(self, key: int) -> None:
        self._lsh.remove(key)


class DatasketchBackend:
    """datasketch (MIT; numpy and scipy): ``MinHash`` + ``MinHashLSH``, fed Python's string hash
    of each shingle (its default SHA-1 a shingle would cost ~0.5 ms an article) and permutations
    made once; ``MinHashLSH.remove`` deletes a key's bands. Optional: used where installed."""

    name = "datasketch"

    def __init__(self) -> None:
        import datasketch

        self._datasketch: Any = datasketch

    def hashes(self, shingles: list[str]) -> array[int]:
        return _low_halves(_signed(shingles))

    def index(self, num_perm: int, bands: int) -> LshIndex:
        return _DatasketchIndex(self._datasketch, num_perm, bands)


def _signed(shingles: list[str]) -> array[int]:
    """Python's (signed, salted) string hashes read as unsigned 64-bit integers."""
    return array("Q", array("q", map(hash, shingles)).tobytes())


class _DatasketchIndex:
    def __init__(self, datasketch: Any, num_perm: int, bands: int) -> None:
        self._minhash: Any = datasketch.MinHash
        self._perm = num_perm
        self._permutations = datasketch.MinHash(num_perm, seed=SEED, scheme="affine32").permutations
        self._lsh: Any = datasketch.MinHashLSH(num_perm=num_perm, params=(bands, num_perm // bands))

    def sketch(self, shingles: list[str]) -> object:
        minhash = self._minhash(
            self._perm,
            seed=SEED,
            hashfunc=int,
            permutations=self._permutations,
            scheme="affine32",
        )
        minhash.update_batch(_low_halves(_signed(shingles)))
        return minhash

    def insert(self, key: int, sketch: object) -> None:
        self._lsh.insert(key, sketch, check_duplication=False)

    def query(self, sketch: object) -> Iterable[int]:
        found: Iterable[int] = self._lsh.query(sketch)
        return found

    def remove(self, key: int) -> None:
        self._lsh.remove(key)


BACKENDS: dict[str, Callable[[], Backend]] = {
    "rensa": RensaBackend,
    "datasketch": DatasketchBackend,
}
DEFAULT_BACKEND = "rensa"


def available_backends() -> tuple[str, ...]:
    """The backends whose library is installed, the default first."""
    return tuple(name for name in BACKENDS if importlib.util.find_spec(name) is not None)


# --- the index -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Duplicate:
    """The existing item ``key`` a text duplicates: ``kind`` ``exact`` (same shingles),
    ``near`` (Jaccard ≥ ``JACCARD_MIN``) or ``contained`` (containment ≥ ``CONTAINMENT_MIN``),
    with both exact similarities."""

    key: str
    jaccard: float
    containment: float
    kind: DuplicateKind


@dataclass(frozen=True, slots=True)
class Prepared:
    """A text made ready for ``find`` and ``add`` (so an article is shingled once): its
    shingles' hashes (in order, a repeated shingle repeated), numbers, and the two sketches
    (``None`` for a text without words)."""

    hashes: array[int]
    numbers: frozenset[str]
    sketch: object | None
    lede: object | None
    body: int = 0  # index of the first shingle with no word of the title


@dataclass(frozen=True, slots=True)
class _Item:
    serial: int
    hashes: array[int]
    numbers: str  # space-separated: one string, not a set of ~10 (1.3 KB an item)
    body: int


class NearDuplicates:
    """The recent items (at most ``capacity``; the oldest is evicted first) and the near-
    duplicates of a new text among them. ``check(key, text)`` is the usual call: find, then add.

    Not thread-safe (one grouping worker owns it)."""

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        *,
        backend: str = DEFAULT_BACKEND,
        max_words: int = MAX_WORDS,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; known: {', '.join(BACKENDS)}")
        self.capacity = capacity
        self.backend = backend
        self.max_words = max_words
        self._engine = BACKENDS[backend]()
        self._main = self._engine.index(NUM_PERM, BANDS)
        self._lede = self._engine.index(LEDE_PERM, LEDE_BANDS)
        self._items: OrderedDict[str, _Item] = OrderedDict()
        self._keys: dict[int, str] = {}
        self._serial = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def prepare(self, text: str, *, title: str = "") -> Prepared:
        """``text`` shingled once for ``find`` and ``add``. With ``title``, the item is the
        title followed by ``text``, and its body (the shingles after the title's words) is known:
        its lede sketch is the body's, and containment is also checked without the title, so
        that a feed's item of the article under a headline of its own is found."""
        head = words(title, limit=self.max_words) if title else []
        tokens = head + words(text, limit=self.max_words - len(head))
        ordered = _shingle_list(tokens)
        figures = numbers(f"{title}\n{text}" if title else text)
        if not ordered:
            return Prepared(array("I"), figures, None, None)
        body = len(head) if len(ordered) - len(head) >= MIN_CONTAINED else 0
        return Prepared(
            self._engine.hashes(ordered),
            figures,
            self._main.sketch(ordered),
            self._lede.sketch(
                ordered[body : body + BODY_LEDE_SHINGLES] if body else ordered[:LEDE_SHINGLES]
            ),
            body,
        )

    def find(self, text: str | Prepared, *, title: str = "") -> Duplicate | None:
        """The best stored near-duplicate of ``text`` (under ``title``, see ``prepare``): exact
        before near before contained, then the higher similarity, then the older item; None if
        there is none."""
        prepared = self.prepare(text, title=title) if isinstance(text, str) else text
        if prepared.sketch is None or prepared.lede is None or not self._items:
            return None
        candidates = set(self._main.query(prepared.sketch))
        candidates.update(self._lede.query(prepared.lede))
        if not candidates:
            return None
        query = frozenset(prepared.hashes)
        best: tuple[int, float, int] | None = None
        found: Duplicate | None = None
        for serial in candidates:
            key = self._keys.get(serial)
            if key is None:
                continue
            duplicate = _verify(key, prepared, query, self._items[key])
            if duplicate is None:
                continue
            score = duplicate.jaccard if duplicate.kind != "contained" else duplicate.containment
            rank = (_RANK[duplicate.kind], score, -serial)
            if best is None or rank > best:
                best, found = rank, duplicate
        return found

    def add(self, key: str, text: str | Prepared, *, title: str = "") -> None:
        """Store ``text`` (under ``title``, see ``prepare``) as item ``key`` (replacing an item
        of that key), evicting the oldest item when the index is full."""
        prepared = self.prepare(text, title=title) if isinstance(text, str) else text
        if key in self._items:
            self.remove(key)
        while len(self._items) >= self.capacity:
            self.remove(next(iter(self._items)))
        self._serial += 1
        serial = self._serial
        self._items[key] = _Item(serial, prepared.hashes, " ".join(prepared.numbers), prepared.body)
        self._keys[serial] = key
        if prepared.sketch is not None and prepared.lede is not None:
            self._main.insert(serial, prepared.sketch)
            self._lede.insert(serial, prepared.lede)

    def check(self, key: str, text: str, *, title: str = "") -> Duplicate | None:
        """``find`` then ``add``, shingling the text once: the item is stored either way."""
        prepared = self.prepare(text, title=title)
        found = self.find(prepared)
        self.add(key, prepared)
        return found

    def remove(self, key: str) -> bool:
        """Forget item ``key``; False if it is not stored."""
        item = self._items.pop(key, None)
        if item is None:
            return False
        del self._keys[item.serial]
        if item.hashes:
            self._main.remove(item.serial)
            self._lede.remove(item.serial)
        return True

    def stored_shingles(self) -> int:
        """Shingle hashes held (4 bytes each): the part of the memory that grows with text."""
        return sum(len(item.hashes) for item in self._items.values())


def _verify(key: str, prepared: Prepared, query: frozenset[int], item: _Item) -> Duplicate | None:
    """The exact check of one candidate, or None when it is not a duplicate."""
    if not _numbers_agree(prepared.numbers, frozenset(item.numbers.split())):
        return None
    stored = frozenset(item.hashes)  # stored in order, repeats and all: the set is made here
    shared = len(query & stored)
    if not shared:
        return None
    similarity = shared / (len(query) + len(stored) - shared)
    small = min(len(query), len(stored))
    contained = shared / small
    # The smaller item's body alone (its title left out) in the larger: a feed's own headline
    # over the article's lede.
    if len(query) <= len(stored):
        smaller_body, larger = frozenset(prepared.hashes[prepared.body :]), stored
    else:
        smaller_body, larger = frozenset(item.hashes[item.body :]), query
    if len(smaller_body) < small:
        contained = max(contained, len(smaller_body & larger) / len(smaller_body))
    if shared == len(query) == len(stored):
        kind: DuplicateKind = "exact"
    elif similarity >= JACCARD_MIN:
        kind = "near"
    elif contained >= CONTAINMENT_MIN and small >= MIN_CONTAINED:
        kind = "contained"
    else:
        return None
    return Duplicate(key, round(similarity, 4), round(contained, 4), kind)
