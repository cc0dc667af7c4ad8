import pytest

from newswatch.matching import folding
from newswatch.matching.folding import FoldedText, fold, fold_name


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Erdoğan", "erdogan"),
        ("ERDOGAN", "erdogan"),
        ("Genève", "geneve"),
        ("Straße", "strasse"),
        ("سَيرغي", "سيرغي"),  # fatha dropped
        ("لافـــروف", "لافروف"),  # tatweel dropped
        ("أنقرة", "انقره"),  # hamza-alef and ta marbuta folded
        ("إسرائيل", "اسراييل"),  # hamza on ya folds to ya
        ("مسؤول", "مسوول"),
        ("آسيا", "اسيا"),
        ("على", "علي"),  # alef maqsura folded
        ("Ёлка", "елка"),
        ("Йемен", "йемен"),  # й is kept: it is a letter of its own in Russian
        ("d’Ankara", "d ankara"),  # punctuation is a word boundary
        ("U.S.", "u s "),
        ("Нью-Йорк", "нью йорк"),
        ("سوريا، لبنان؟", "سوريا  لبنان "),
        ("پاکستان", "پاكستان"),  # Persian kaf folded, peh kept
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_fold_name_collapses_white_space() -> None:
    assert fold_name("  Sergey \n  Lavrov ") == "sergey lavrov"


@pytest.mark.parametrize(
    ("original", "needle"),
    [
        ("Die Straße: سَيرغي لافـــروف!", "لافروف"),
        ("Die Straße: سَيرغي لافـــروف!", "strasse"),
        ("ﻻ شيء في سُوريا", "سوريا"),  # a lam-alef ligature expands before the match
        ("plain text, Lavrov", "lavrov"),
        ("Sergey\nLavrov  arrived in  Ankara", "sergey lavrov"),
        ("Sergey\nLavrov  arrived in  Ankara", "ankara"),
    ],
)
def test_offsets_map_back_to_the_original(original: str, needle: str) -> None:
    folded = FoldedText.of(original)
    start = folded.text.index(needle)
    o_start, o_end = folded.original_span(start, start + len(needle))
    assert fold_name(original[o_start:o_end]) == needle
    # The span covers the whole word as written, diacritics included.
    assert not original[o_end : o_end + 1].isalpha()


def test_the_fast_fold_equals_the_table_for_every_character() -> None:
    import unicodedata

    from newswatch.matching import folding

    for low, high in folding._RANGES:
        for code in range(low, high + 1):
            char = chr(code)
            if unicodedata.category(char) == "Cs" or char == "ŉ":  # ŉ: casefold splits it first
                continue
            text = f"ä{char}Ё"
            assert fold(text) == text.translate(folding._TABLE), hex(code)


def test_offsets_are_exact_for_every_character() -> None:
    """The fast path that skips the breakpoint scan (no character vanished, none expanded)
    must agree with a character-by-character map, whatever the text holds."""
    import unicodedata

    from newswatch.matching import folding

    for low, high in folding._RANGES:
        for code in range(low, high + 1):
            char = chr(code)
            if unicodedata.category(char) == "Cs" or char == "ŉ":  # as above
                continue
            text = f"ß{char}Ё\u064e b"  # ß expands, the fatha vanishes: same length
            folded = FoldedText.of(text)
            assert folded.text == text.translate(folding._TABLE), hex(code)
            expected = [i for i, c in enumerate(text) for _ in folding._TABLE.get(ord(c), c)]
            mapped = [folded.original_index(n) for n in range(len(folded.text))]
            assert mapped == expected, hex(code)


@pytest.mark.parametrize("context", ["a{}b", "б{}д", "ا{}ب", "{}", "ا\u064e{}ـب"])
def test_the_script_codecs_fold_like_the_table(context: str) -> None:
    """Text of one script is folded by a byte codec (three C passes): in the context of each
    script, every character must fold as the table says and map back to where it was."""
    import unicodedata

    from newswatch.matching import folding

    used = 0
    for low, high in folding._RANGES:
        for code in range(low, high + 1):
            char = chr(code)
            if unicodedata.category(char) == "Cs" or char == "ŉ":
                continue
            text = context.format(char)
            used += folding._fold_by_codec(text) is not None
            folded = FoldedText.of(text)
            assert folded.text == text.translate(folding._TABLE), hex(code)
            expected = [i for i, c in enumerate(text) for _ in folding._TABLE.get(ord(c), c)]
            assert [folded.original_index(n) for n in range(len(folded.text))] == expected
    assert used >= 200  # the codec path was taken, not only the general one


def test_folded_text_folds_to_itself() -> None:
    from newswatch.matching import folding

    for code, out in folding._TABLE.items():
        assert out.translate(folding._TABLE) == out, hex(code)


def test_ascii_is_its_own_latin_encoding() -> None:
    """The matcher scans folded ASCII text (English, most French) as its own bytes with the
    Latin automaton, so the Latin codec must write every ASCII character as itself."""
    ascii_text = "\t\n\r" + "".join(chr(c) for c in range(0x20, 0x7F))
    latin = folding.folded_bytes_lossy(ascii_text, folding.LATIN_SCRIPT)
    assert latin == ascii_text.encode("ascii")
    # folded_bytes takes ASCII text as its own bytes in any codec: each must agree.
    for script in range(folding.SCRIPTS):
        assert folding.folded_bytes_lossy(ascii_text, script) == ascii_text.encode("ascii")
    folded = fold("Lavrov met Kerry in Geneva")
    assert folding.folded_bytes(folded, folding.LATIN_SCRIPT) == (
        folding.LATIN_SCRIPT,
        folded.encode("ascii"),
    )
