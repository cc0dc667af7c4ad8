"""Text folding for matching, with a way back to offsets in the original text.

Names and article text go through the same ``fold``: case and Latin accents removed
(Erdoğan = erdogan), Arabic diacritics and tatweel dropped, alef/hamza forms, ta marbuta and
alef maqsura folded, Persian/Urdu letter forms mapped to Arabic ones, Cyrillic ё = е, and every
white space, punctuation mark and symbol a plain space (so word boundaries are spaces).

Folding is defined by one table (``_TABLE``, character -> folded text) and computed at C speed
(see ``fold``). Most characters fold to exactly one character; the few that vanish (diacritics)
or expand (ß → ss) are found with one regex scan and kept as breakpoints, so an offset in the
folded text maps back to the original with a bisect instead of a per-character Python loop.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

__all__ = [
    "ARABIC_SCRIPT",
    "LATIN_SCRIPT",
    "SCRIPTS",
    "FoldedText",
    "codec_of",
    "fold",
    "fold_name",
    "folded_bytes",
    "folded_bytes_lossy",
    "is_arabic_letter",
    "is_word_char",
]

# Arabic letters folded to one form: alef with hamza/madda/wasla -> bare alef, ta marbuta -> ha,
# alef maqsura -> ya; Persian/Urdu kaf/yeh/heh forms -> Arabic ones (feeds in Urdu and Farsi
# write the same names with them).
_ARABIC_FOLDS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ة": "ه",
    "ى": "ي",
    "ی": "ي",
    "ې": "ي",
    "ک": "ك",
    "ۀ": "ه",
    "ہ": "ه",
    "ۃ": "ه",
}
_APOSTROPHES = "\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032"
_DROP = {
    0x0640,  # tatweel (kashida): pure stretching
    0x200C,  # zero-width non-joiner
    0x200D,  # zero-width joiner
    0x200E,  # left-to-right mark
    0x200F,  # right-to-left mark
    0x00AD,  # soft hyphen
    0xFEFF,  # zero-width no-break space
}
# Ranges whose characters may fold to something else; the rest of Unicode passes unchanged.
_RANGES = ((0x0000, 0x2FFF), (0xFB00, 0xFEFF), (0xFF00, 0xFFEF))


def _is_cyrillic(ch: str) -> bool:
    return 0x0400 <= ord(ch) <= 0x052F


def _fold_char(ch: str) -> str:
    code = ord(ch)
    if code in _DROP:
        return ""
    if ch.isspace():
        return " "
    if ch in _APOSTROPHES or unicodedata.category(ch)[0] in "PS" or ch == "_":
        # Punctuation and symbols separate words and are never part of a name: as spaces,
        # the folded text is also the matcher's scan text (d'Ankara -> d ankara, U.S. -> u s).
        return " "
    if _is_cyrillic(ch):
        # Only ё/Ё fold; stripping marks would also turn й into и.
        low = ch.lower()
        return "е" if low == "ё" else low
    decomposed = unicodedata.normalize("NFKD", ch)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    folded = kept.casefold()
    folded = "".join(_ARABIC_FOLDS.get(c, c) for c in folded)
    return folded


def _build_table() -> tuple[dict[int, str], re.Pattern[str]]:
    table: dict[int, str] = {}
    irregular: list[str] = []
    for lo, hi in _RANGES:
        for code in range(lo, hi + 1):
            ch = chr(code)
            if unicodedata.category(ch) == "Cs":
                continue
            out = _fold_char(ch)
            # Folded text folds to itself (ﳳ -> tatweel, which vanishes): then no replacement
            # can undo or redo another, whatever their order.
            while (again := "".join(_fold_char(c) for c in out)) != out:
                out = again
            if out != ch:
                table[code] = out
            if len(out) != 1:
                irregular.append(ch)
    body = "".join(re.escape(c) for c in irregular)
    return table, re.compile(f"[{body}]")


_TABLE, _IRREGULAR = _build_table()


def _build_fast_path() -> tuple[dict[str, str], dict[str, str]]:
    """The table split for speed: ``str.translate`` looks every character up in a dict, which
    costs ~0.2 µs a character outside ASCII (0.6 ms for 3 KB of Arabic). ``str.casefold`` does
    most of the work in C; what is left is a few ``str.replace`` calls for the characters that
    occur. ``before`` holds the characters casefold would take elsewhere (ᾀ -> αι), replaced
    first; ``after`` the lower-case characters the table still changes."""
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for code, out in _TABLE.items():
        char = chr(code)
        folded = char.casefold()
        if folded == char:
            after[char] = out
        elif "".join(_TABLE.get(ord(c), c) for c in folded) != out:
            before[char] = out
    return before, after


_BEFORE, _AFTER = _build_fast_path()
# Frequent punctuation is replaced unconditionally (a C search each); the regex below then only
# finds the rarer characters, so it allocates little.
_FREQUENT = tuple(c for c in ".,;:!?()'\"-/«»،؛؟“”‘’–—" if c in _AFTER)
_BEFORE_RE = re.compile("[" + "".join(re.escape(c) for c in _BEFORE) + "]")
# What casefold makes of a ``_BEFORE`` character always holds one of these (ᾀ -> ἀι, ŉ -> ʼn):
# the one scan of the casefolded text also looks for them, and only a text that has one pays
# for a scan of the original for ``_BEFORE`` characters.
_TRACES = frozenset(c for b in _BEFORE for c in b.casefold() if not c.isascii())
assert all(any(c in _TRACES for c in b.casefold()) for b in _BEFORE)
assert not _TRACES & set(_FREQUENT)
_AFTER_RE = re.compile(
    "[" + "".join(re.escape(c) for c in sorted((set(_AFTER) | _TRACES) - set(_FREQUENT))) + "]"
)
# Characters that fold to nothing (diacritics, tatweel, format marks): all but one are their
# own casefold, so the scan above sees them; the one that is not (ͅ) is a ``_BEFORE`` character.
_VANISHING = frozenset(chr(code) for code, out in _TABLE.items() if not out)


@dataclass(frozen=True, slots=True)
class _ScriptCodec:
    """The table for the text of one script, as three C passes: encode to one byte per
    character, ``bytes.translate`` (fold and delete), decode. A text with a character
    outside the codec's 256 fails to encode and is folded the general way."""

    encode_map: object  # codecs.EncodingMap
    fold: bytes
    delete: bytes
    decode: str
    folded_map: object  # folded text -> the same bytes (the matcher scans those)


def _script_codec(extra: str) -> _ScriptCodec:
    """Printable ASCII, tab and line breaks at their own code (so folded ASCII text is its
    own encoding: ``str.encode("ascii")`` gives the same bytes), plus as many of ``extra``
    as the other codes hold, in order (characters that expand, like ß -> ss, are left out)."""
    inputs = list("\0\t\n\r" + _chars((0x20, 0x7E)))  # \0 at code 0, or no C map is built
    chars: list[str | None] = [None] * 256
    for c in inputs:
        chars[ord(c)] = c
    free = [b for b, c in enumerate(chars) if c is None]
    placed = set(inputs)
    for c in dict.fromkeys(extra):
        out = _TABLE.get(ord(c), c)
        if len(out) > 1 or c in inputs:
            continue
        if c in placed:  # already there as what another character folds to
            inputs.append(c)
            continue
        new = [c] if out in placed or out in ("", c) else [c, out]
        if len(free) < len(new):
            continue
        codes, free = free[: len(new)], free[len(new) :]
        inputs.append(c)
        for code, char in zip(codes, new, strict=True):
            chars[code] = char
            placed.add(char)
    byte = {c: b for b, c in enumerate(chars) if c is not None}
    fold = bytearray(range(256))
    delete = bytearray()
    for c in inputs:
        out = _TABLE.get(ord(c), c)
        if out:
            fold[byte[c]] = byte[out]
        else:
            delete.append(byte[c])
    # Output-only characters are never encoded from text, and unused codes never written:
    # give both a private-use code point (in the BMP, so that charmap_build makes a C map,
    # not a dict).
    encoding = [c if c in inputs else chr(0xE000 + b) for b, c in enumerate(chars)]
    decode = "".join("\ufffe" if c is None else c for c in chars)  # \ufffe: undefined
    encode_map = codecs.charmap_build("".join(encoding))
    assert not isinstance(encode_map, dict)  # a dict would work, at dict speed
    folded = [chr(0xE000 + b) if c is None else c for b, c in enumerate(chars)]
    folded_map = codecs.charmap_build("".join(folded))
    assert not isinstance(folded_map, dict)
    return _ScriptCodec(encode_map, bytes(fold), bytes(delete), decode, folded_map)


def _chars(*ranges: tuple[int, int]) -> str:
    return "".join(chr(c) for lo, hi in ranges for c in range(lo, hi + 1))


# Punctuation of news text in any script: folded to spaces, it takes no code of its own.
_PUNCTUATION = "\u00a0\u00ad«»’‘“”„‐‑‒–—―−…•·°€£©®§¿¡‹›″′№\u200b\u2009\u202f"
_CODECS = (
    # Latin-1 letters, then the Latin Extended-A letters of names (Erdoğan, Šefčovič, Wałęsa).
    _script_codec(
        _chars((0x00C0, 0x00FF))
        + _PUNCTUATION
        + "ĆćČčĐđĘęĞğİıŁłŃńŐőŘřŚśŞşŠšŢţŤťŮůŰűŹźŻżŽžĀāĒēĪīŌōŪūĂăĄąĖėŒœ"
        + _chars((0x00A0, 0x00BF), (0x0100, 0x017F))
    ),
    _script_codec(_chars((0x0400, 0x045F)) + "Ґґ\u0301" + _PUNCTUATION + _chars((0x00A0, 0x00BF))),
    _script_codec(
        _chars((0x060C, 0x0670), (0x200C, 0x200F))
        + "پچژکگیۀہۃې"
        + _PUNCTUATION
        + _chars((0x00A0, 0x00BF))
    ),
)


SCRIPTS = len(_CODECS)  # script numbers for ``folded_bytes``: Latin, Cyrillic, Arabic
LATIN_SCRIPT = 0
ARABIC_SCRIPT = 2
_SCRIPT_LEADS = ((ARABIC_SCRIPT, b"\xd8", b"\xd9"), (1, b"\xd0", b"\xd1"))  # UTF-8 leads


def codec_of(text: str) -> int:
    """The script codec that fits ``text`` if any does: Arabic if it has Arabic letters, else
    Cyrillic if it has Cyrillic ones, else Latin (ASCII included). Found by the UTF-8 lead
    bytes (memchr), ~2 µs for 3 KB where a regex takes ~15. (``languages.script_of`` is
    another thing: the Unicode script of a name.)"""
    if text.isascii():
        return LATIN_SCRIPT
    utf8 = text.encode("utf-8", "surrogatepass")
    return next((n for n, a, b in _SCRIPT_LEADS if a in utf8 or b in utf8), LATIN_SCRIPT)


def folded_bytes(folded: str, script: int | None = None) -> tuple[int, bytes] | None:
    """Folded text as one byte per character in the codec of its script (``script``, or
    ``codec_of``), or None when it mixes scripts. Offsets are unchanged, and a byte scan does
    half the work of one over two-byte UTF-8 (Arabic, Cyrillic). Every codec writes ASCII as
    itself, so ASCII text (English, most French) is its own bytes."""
    if script is None:
        script = codec_of(folded)
    if folded.isascii():
        return script, folded.encode("ascii")
    try:
        encoded: bytes = codecs.charmap_encode(folded, "strict", _CODECS[script].folded_map)[0]  # type: ignore[arg-type]
    except UnicodeEncodeError:
        return None
    return script, encoded


def folded_bytes_lossy(folded: str, script: int) -> bytes:
    """``folded_bytes`` in ``script`` whatever the text: other characters become ``?`` (one
    byte each, so offsets still hold)."""
    encoded: bytes = codecs.charmap_encode(folded, "replace", _CODECS[script].folded_map)[0]  # type: ignore[arg-type]
    return encoded


def _fold_by_codec(text: str) -> tuple[str, bool] | None:
    """``_fold`` for a text one script codec covers, else None."""
    for codec in _CODECS:
        try:
            encoded: bytes = codecs.charmap_encode(text, "strict", codec.encode_map)[0]  # type: ignore[arg-type]
        except UnicodeEncodeError:
            continue
        folded = encoded.translate(codec.fold, codec.delete)
        return codecs.charmap_decode(folded, "strict", codec.decode)[0], len(folded) != len(encoded)
    return None


def fold(text: str) -> str:
    """The folded form of ``text`` (no offset map); equal to ``text.translate(_TABLE)``."""
    return _fold(text)[0]


def _fold(text: str) -> tuple[str, bool]:
    """``fold`` and whether a character that folds to nothing may be in ``text`` (if not,
    and the length is unchanged, every character folded to exactly one)."""
    if text.isascii():
        return text.translate(_TABLE), False  # CPython's ASCII fast path; no ASCII vanishes
    by_codec = _fold_by_codec(text)
    if by_codec is not None:
        return by_codec
    folded = text.casefold()
    for char in _FREQUENT:
        if char in folded:
            folded = folded.replace(char, _AFTER[char])
    rare = set(_AFTER_RE.findall(folded))
    if rare & _TRACES:
        return _fold_before(text), True
    for char in rare:
        folded = folded.replace(char, _AFTER[char])
    return folded, not rare.isdisjoint(_VANISHING)


def _fold_before(text: str) -> str:
    """The slow road, for text holding a character casefold would take elsewhere."""
    for char in set(_BEFORE_RE.findall(text)):
        text = text.replace(char, _BEFORE[char])
    text = text.casefold()
    for char in _FREQUENT:
        if char in text:
            text = text.replace(char, _AFTER[char])
    for char in set(_AFTER_RE.findall(text)):
        if char in _AFTER:  # not a bare trace (ι)
            text = text.replace(char, _AFTER[char])
    return text


def fold_name(name: str) -> str:
    """A name or alias as a pattern: folded, white space runs collapsed, trimmed. (Article
    text keeps its runs: a name written across a double space or a comma is not the name.)"""
    return " ".join(fold(name).split())


def is_arabic_letter(ch: str) -> bool:
    return "\u0620" <= ch <= "\u064a" or "\u066e" <= ch <= "\u06d3"


def is_word_char(ch: str) -> bool:
    return ch.isalnum()


@dataclass(frozen=True, slots=True)
class FoldedText:
    """A folded text and the breakpoints that map its offsets back to the original."""

    original: str
    text: str
    # For each original character that did not fold to exactly one character:
    # its folded position, its original position and its folded length.
    _norm_pos: tuple[int, ...]
    _orig_pos: tuple[int, ...]
    _out_len: tuple[int, ...]

    @classmethod
    def of(cls, original: str) -> FoldedText:
        folded, vanishing = _fold(original)
        if len(folded) == len(original) and not vanishing:
            return cls(original, folded, (), (), ())
        # Breakpoints: characters that fold to nothing or to several characters.
        changes = [(m.start(), len(_TABLE[ord(m.group())])) for m in _IRREGULAR.finditer(original)]
        norm_pos: list[int] = []
        orig_pos: list[int] = []
        out_len: list[int] = []
        delta = 0
        for p, length in changes:
            norm_pos.append(p + delta)
            orig_pos.append(p)
            out_len.append(length)
            delta += length - 1
        return cls(original, folded, tuple(norm_pos), tuple(orig_pos), tuple(out_len))

    def original_index(self, n: int) -> int:
        """Original index of the character that produced folded character ``n``."""
        i = bisect_right(self._norm_pos, n) - 1
        if i < 0:
            return n
        q, p, length = self._norm_pos[i], self._orig_pos[i], self._out_len[i]
        if n < q + length:
            return p
        return n - (q + length) + p + 1

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map the folded span ``[start, end)`` to the original text.

        The end is extended over characters that folded away right after the match (a
        diacritic on the last letter belongs to the word as written).
        """
        if not self._norm_pos:  # every character folded to exactly one: nothing to map
            return start, end
        o_start = self.original_index(start)
        o_end = self.original_index(end - 1) + 1 if end > start else o_start
        while o_end < len(self.original) and _TABLE.get(ord(self.original[o_end])) == "":
            o_end += 1
        return o_start, o_end
