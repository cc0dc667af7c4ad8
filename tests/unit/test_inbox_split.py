"""Splitting long messages to a service's limit (newswatch.inbox.split): nothing lost, no
grapheme cut, counters that fit."""

from __future__ import annotations

import re
import unicodedata

import apprise
import pytest
from apprise.plugins import N_MGR

from newswatch.inbox.split import (
    COUNTER,
    SERVICE_LIMITS,
    body_limit,
    split_message,
    split_spans,
)

_COUNTER_LINE = re.compile(r"\n\((\d+)/(\d+)\)\Z")


def bodies(parts: list[str]) -> list[str]:
    """The parts without their counters, checking each counter says k/n."""
    if len(parts) == 1:
        assert not _COUNTER_LINE.search(parts[0])
        return parts
    out = []
    for k, part in enumerate(parts, 1):
        match = _COUNTER_LINE.search(part)
        assert match is not None, part[-20:]
        assert (int(match[1]), int(match[2])) == (k, len(parts))
        out.append(part[: match.start()])
    return out


def reassemble(text: str, limit: int, parts: list[str], *, counter: bool = True) -> str:
    """Rebuild ``text`` from the parts and the spans, checking the documented contract: the
    spans cover the text, and only a line break at a cut is left out."""
    spans = split_spans(text, limit, counter=counter)
    texts = bodies(parts) if counter else parts
    assert [text[a:b] for a, b in spans] == texts
    out = []
    position = 0
    for a, b in spans:
        assert text[position:a] in ("", "\n", "\r\n")
        out.append(text[position:a])
        out.append(text[a:b])
        position = b
    assert position == len(text)
    return "".join(out)


def starts_a_grapheme(part: str) -> bool:
    first = part[0]
    return unicodedata.category(first) not in ("Mn", "Mc", "Me") and first not in "\u200c\u200d"


def ends_a_grapheme(body: str) -> bool:
    return body[-1] not in "\u200c\u200d"


# A digest of Arabic headlines fully vowelled (harakat: fatha, kasra, damma, sukun, shadda,
# tanwin), the hardest case for a naive cut: every other code point is a combining mark.
_AR_LINES = [
    "• اِجْتَمَعَ وَزِيرُ الخَارِجِيَّةِ الرُّوسِيُّ سِيرْغِي لَافْرُوف بِالأَمِينِ العَامِّ "
    "لِلأُمَمِ المُتَّحِدَةِ فِي جِنِيف — RT Arabic، الجزيرة، ١٢:٤٥",
    "• بَحَثَ الطَّرَفَانِ وَقْفَ إِطْلَاقِ النَّارِ فِي شَمَالِ سُورِيَا وَإِيصَالَ "
    "المُسَاعَدَاتِ الإِنْسَانِيَّةِ إِلَى إِدْلِب — https://example.org/ar/2026/03/09/x",
    "• قَالَ لَافْرُوف إِنَّ مُوسْكُو تُؤَيِّدُ بَعْثَةَ مُرَاقَبَةٍ تَضُمُّ ثَلَاثَمِائَةِ مُرَاقِبٍ",
]


def arabic_digest(size: int) -> str:
    lines = ["ملخص الأخبار — ٩ مارس ٢٠٢٦", ""]
    n = 0
    while sum(len(line) + 1 for line in lines) < size:
        lines.append(f"{n + 1}. {_AR_LINES[n % len(_AR_LINES)]}")
        if n % 7 == 6:
            lines.append("")  # a blank line between groups
        n += 1
    return "\n".join(lines)[:size]


def test_a_text_that_fits_is_one_part_without_a_counter() -> None:
    assert split_message("short", 5) == ["short"]
    assert split_message("", 10) == [""]
    assert split_spans("short", 5) == [(0, 5)]


def test_telegram_arabic_digest_with_harakat() -> None:
    text = arabic_digest(20_000)
    assert len(text) == 20_000
    marks = sum(unicodedata.category(c) == "Mn" for c in text)
    assert marks > 4_000  # really vowelled
    limit = body_limit(N_MGR["tgram"])
    assert limit == 4096
    parts = split_message(text, limit)
    assert 5 <= len(parts) <= 7
    assert all(len(part) <= 4096 for part in parts)
    assert all(len(part) > 3000 for part in parts[:-1])  # cuts fill the parts
    assert all(starts_a_grapheme(p) and ends_a_grapheme(p) for p in bodies(parts))
    assert reassemble(text, limit, parts) == text
    # Cut at line breaks: every part but the last ends a whole line of the digest.
    lines = set(text.split("\n"))
    assert all(body.rsplit("\n", 1)[-1] in lines for body in bodies(parts))


def test_discord_2000_characters_at_word_boundaries() -> None:
    limit = body_limit(N_MGR["discord"])
    assert limit == 2000
    words = "Лавров и Гутерриш обсудили в Женеве перемирие — Le Monde, TASS, Reuters. "
    text = words * 100  # one long line: word boundaries only
    parts = split_message(text, limit)
    assert len(parts) == 4
    assert all(len(part) <= 2000 for part in parts)
    # Whitespace stays at the end of the part before the cut, so nothing is lost at all.
    assert "".join(bodies(parts)) == text
    assert all(body.endswith(" ") for body in bodies(parts)[:-1])
    assert all(not body.startswith(" ") for body in bodies(parts))


def test_a_single_5000_character_word_is_cut_between_graphemes() -> None:
    word = "بَ" * 2500  # beh + fatha, 2,500 graphemes with no space
    parts = split_message(word, 2000, counter=False)
    assert [len(p) for p in parts] == [2000, 2000, 1000]
    assert "".join(parts) == word
    assert all(starts_a_grapheme(p) for p in parts)
    latin = "x" * 5000
    parts = split_message(latin, 2000)
    assert [len(p) for p in parts] == [2000, 2000, len("x" * 1012 + "\n(3/3)")]
    assert "".join(bodies(parts)) == latin


def test_a_cut_never_splits_an_odd_grapheme_boundary() -> None:
    # An accent on the last letter in reach: the cut moves before "e" + U+0301.
    text = "abcde\u0301fgh"
    assert split_message(text, 5, counter=False) == ["abcd", "e\u0301fgh"]
    # A Persian ZWNJ word ("می‌خواهم"): no cut right after the ZWNJ nor before it.
    persian = "می\u200cخواهم"
    for limit in range(3, len(persian)):
        for part in split_message(persian, limit, counter=False):
            assert not part.startswith("\u200c") and not part.endswith("\u200c")
    # A ZWJ family emoji stays whole.
    family = "ab👨\u200d👩\u200d👧cd"
    parts = split_message(family, 5, counter=False)
    assert "👨\u200d👩\u200d👧" in parts
    assert "".join(parts) == family


def test_a_line_break_at_the_cut_is_consumed_and_crlf_is_not_cut() -> None:
    assert split_message("aaaa\nbbbb", 5, counter=False) == ["aaaa", "bbbb"]
    assert split_spans("aaaa\nbbbb", 5, counter=False) == [(0, 4), (5, 9)]
    assert split_message("aaaa\r\nbbbb", 5, counter=False) == ["aaaa", "bbbb"]
    assert split_spans("aaaa\r\nbbbb", 5, counter=False) == [(0, 4), (6, 10)]
    # Only one break is consumed, the last in reach: a blank line before the cut stays at the
    # end of the part before it.
    text = "aaaa\n\nbbbb"
    parts = split_message(text, 5, counter=False)
    assert parts == ["aaaa\n", "bbbb"]
    assert reassemble(text, 5, parts, counter=False) == text
    # A full window followed by its line break: the break is consumed, the part is full.
    assert split_message("aaaaa\nbbbbb", 5, counter=False) == ["aaaaa", "bbbbb"]


def test_line_breaks_win_over_spaces_and_spaces_over_graphemes() -> None:
    text = "one two\nthree four five"
    assert split_message(text, 12, counter=False) == ["one two", "three four ", "five"]
    # A no-break space is not a place to cut.
    assert split_message("aa\u00a0bb cc", 6, counter=False) == ["aa\u00a0bb ", "cc"]


def test_counters_fit_and_grow_to_two_digits() -> None:
    text = " ".join(f"w{n:02d}" for n in range(60))  # 239 characters
    parts = split_message(text, 20)
    assert len(parts) >= 10
    assert all(len(part) <= 20 for part in parts)
    assert parts[0].endswith(f"\n(1/{len(parts)})")
    assert parts[-1].endswith(f"\n({len(parts)}/{len(parts)})")
    assert "".join(bodies(parts)) == text
    assert COUNTER.format(k=2, n=5) == "\n(2/5)"
    # Without spaces the parts are full: room for "\n(25/25)" (8) leaves 12 of 20.
    parts = split_message("x" * 300, 20)
    assert [len(part) for part in parts] == [19] * 9 + [20] * 16
    assert parts[9] == "x" * 12 + "\n(10/25)"


def test_without_counter_the_parts_join_back_exactly_when_no_break_was_cut() -> None:
    text = "word " * 1000
    parts = split_message(text, 333, counter=False)
    assert all(len(part) <= 333 for part in parts)
    assert "".join(parts) == text
    assert not any(_COUNTER_LINE.search(part) for part in parts)


@pytest.mark.parametrize("size", [4097, 8192, 12_289])
def test_reassembly_around_the_telegram_limit(size: int) -> None:
    text = arabic_digest(size)
    for counter in (True, False):
        parts = split_message(text, 4096, counter=counter)
        assert len(parts) >= 2
        assert all(len(part) <= 4096 for part in parts)
        assert reassemble(text, 4096, parts, counter=counter) == text


def test_a_limit_too_small_raises() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        split_message("abc", 0)
    # "\n(1/1)" takes 6 characters: a limit of 6 leaves no room for text.
    with pytest.raises(ValueError, match="limit too small"):
        split_message("abcdefgh", 6)
    assert split_message("abcdefgh", 7) == [f"{c}\n({k}/8)" for k, c in enumerate("abcdefgh", 1)]
    # One grapheme wider than the room: "e" with five marks in parts of 4.
    with pytest.raises(ValueError, match="grapheme at index 1 is 6 characters"):
        split_message("ae\u0301\u0302\u0303\u0304\u0305b", 4, counter=False)


def test_service_limits_are_apprises_own() -> None:
    for schema, expected in SERVICE_LIMITS.items():
        assert body_limit(N_MGR[schema]) == expected, schema
    assert SERVICE_LIMITS["tgram"] == 4096
    assert SERVICE_LIMITS["discord"] == 2000
    assert SERVICE_LIMITS["pover"] == 1024
    # An instance answers too; Matrix sizes its limit per instance.
    telegram = apprise.Apprise.instantiate(
        "tgram://123456789:abcdefghijklmnopqrstuvwxyzABCDEFGHI/12345"
    )
    assert body_limit(telegram) == 4096
    matrix = apprise.Apprise.instantiate("matrix://user:pass@matrix.example.org/#desk")
    assert isinstance(body_limit(matrix), int)
    mail = apprise.Apprise.instantiate("mailto://user:pass@example.org")
    assert body_limit(mail) is None
    assert body_limit(object()) is None
