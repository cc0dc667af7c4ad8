"""The page's highlights (newswatch.web.highlight): text cut at the matcher's own offsets."""

from __future__ import annotations

import pytest

from newswatch.matching.hits import Mention
from newswatch.web.highlight import Segment, excerpt, field_spans, segments

SHADDA = "\u0651"


def joined(pieces: tuple[Segment, ...]) -> str:
    return "".join(p.text for p in pieces)


def marked(pieces: tuple[Segment, ...]) -> list[tuple[str, str]]:
    return [(p.text, p.mark) for p in pieces if p.mark]


def test_one_span_is_marked_and_the_rest_stays_plain() -> None:
    text = "التقى لافروف بكيري في جنيف"
    at = text.index("لافروف")
    pieces = segments(text, [(at, at + len("لافروف"), "lavrov")])
    assert pieces == (
        Segment("التقى "),
        Segment("لافروف", "lavrov"),
        Segment(" بكيري في جنيف"),
    )
    assert joined(pieces) == text


def test_no_spans_is_one_plain_piece_and_empty_text_is_nothing() -> None:
    assert segments("Lavrov", []) == (Segment("Lavrov"),)
    assert segments("", [(0, 3, "x")]) == ()


def test_span_at_the_very_start_and_end() -> None:
    text = "Lavrov and Kerry"
    pieces = segments(text, [(0, 6, "lavrov"), (11, 16, "kerry")])
    assert pieces == (Segment("Lavrov", "lavrov"), Segment(" and "), Segment("Kerry", "kerry"))


def test_overlapping_spans_merge_with_both_entities() -> None:
    text = "Sergey Lavrov said"
    # "Sergey Lavrov" for one entity, "Lavrov" for another: one mark covering both.
    pieces = segments(text, [(7, 13, "surname"), (0, 13, "lavrov")])
    assert marked(pieces) == [("Sergey Lavrov", "lavrov surname")]
    assert joined(pieces) == text


def test_overlapping_spans_of_one_entity_name_it_once() -> None:
    text = "Sergey Lavrov said"
    pieces = segments(text, [(0, 10, "lavrov"), (5, 13, "lavrov")])
    assert marked(pieces) == [("Sergey Lavrov", "lavrov")]


def test_touching_spans_merge_and_separate_spans_do_not() -> None:
    text = "abcdef ghi"
    touching = segments(text, [(0, 3, "x"), (3, 6, "y")])
    assert marked(touching) == [("abcdef", "x y")]
    apart = segments(text, [(0, 3, "x"), (7, 10, "y")])
    assert marked(apart) == [("abc", "x"), ("ghi", "y")]


def test_spans_are_taken_in_text_order_whatever_order_they_come_in() -> None:
    text = "Kerry met Lavrov"
    pieces = segments(text, [(10, 16, "lavrov"), (0, 5, "kerry")])
    assert [p.mark for p in pieces] == ["kerry", "", "lavrov"]


@pytest.mark.parametrize(
    "span",
    [(-1, 3, "x"), (2, 99, "x"), (5, 5, "x"), (6, 4, "x"), (100, 105, "x")],
    ids=["negative-start", "end-past-text", "empty", "reversed", "beyond"],
)
def test_spans_outside_the_text_are_ignored(span: tuple[int, int, str]) -> None:
    text = "Lavrov met Kerry"
    pieces = segments(text, [span, (11, 16, "kerry")])
    assert marked(pieces) == [("Kerry", "kerry")]
    assert joined(pieces) == text


def test_a_combining_mark_after_the_span_end_is_taken_in() -> None:
    # The shadda sits on the letter that ends the span: the mark must not start the next piece.
    text = "قال لافرو" + SHADDA + "ف اليوم"
    at = text.index("لافرو")
    pieces = segments(text, [(at, at + len("لافرو"), "lavrov")])
    assert marked(pieces) == [("لافرو" + SHADDA, "lavrov")]
    assert joined(pieces) == text
    for piece in pieces:
        assert not piece.text.startswith(SHADDA)


def test_a_span_starting_on_a_combining_mark_takes_the_letter_before() -> None:
    text = "ab" + SHADDA + "cd"
    pieces = segments(text, [(2, 4, "x")])  # starts on the shadda that belongs to "b"
    assert marked(pieces) == [("b" + SHADDA + "c", "x")]
    assert joined(pieces) == text


def test_field_spans_keep_only_that_field() -> None:
    mentions = [
        Mention("lavrov", "لافروف", "لافروف", "title", 3, 9),
        Mention("kerry", "Kerry", "Kerry", "content", 0, 5),
        Mention("syria", "سوريا", "سوريا", "title", 12, 17, how="folded"),
    ]
    assert field_spans(mentions, "title") == [(3, 9, "lavrov"), (12, 17, "syria")]
    assert field_spans(mentions, "content") == [(0, 5, "kerry")]
    assert field_spans(mentions, "summary") == []


# --- excerpt -----------------------------------------------------------------------------


def test_short_text_is_shown_whole_without_ellipsis() -> None:
    text = "Lavrov met Kerry"
    pieces = excerpt(text, [(0, 6, "lavrov")], width=100)
    assert pieces == segments(text, [(0, 6, "lavrov")])
    assert "…" not in joined(pieces)


def test_long_text_is_cut_around_the_first_span_with_ellipses() -> None:
    before = "word " * 100
    text = before + "Lavrov met Kerry" + " more" * 100
    at = len(before)
    pieces = excerpt(text, [(at, at + 6, "lavrov"), (at + 11, at + 16, "kerry")], width=60)
    shown = joined(pieces)
    assert shown.startswith("… ") and shown.endswith(" …")
    assert pieces[0] == Segment("… ") and pieces[-1] == Segment(" …")
    inner = shown.removeprefix("… ").removesuffix(" …")
    assert inner in text  # a contiguous slice of the original, not rewritten
    assert not inner[0].isspace() and not inner[-1].isspace()  # cut at word boundaries
    assert len(inner) <= 60 + 40
    assert marked(pieces) == [("Lavrov", "lavrov"), ("Kerry", "kerry")]


def test_excerpt_marks_sit_at_shifted_offsets() -> None:
    before = "x" * 10 + " " + "word " * 80
    text = before + "Лавров" + " tail" * 80
    at = len(before)
    pieces = excerpt(text, [(at, at + 6, "lavrov")], width=50)
    # Walk the pieces: the marked one is exactly where the original span was.
    inner_start = text.index(joined(pieces[1:-1]))
    offset = inner_start
    for piece in pieces[1:-1]:
        if piece.mark:
            assert text[offset : offset + len(piece.text)] == "Лавров"
            assert offset == at
        offset += len(piece.text)


def test_excerpt_at_the_start_has_no_leading_ellipsis() -> None:
    text = "Lavrov " + "word " * 200
    pieces = excerpt(text, [(0, 6, "lavrov")], width=40)
    assert pieces[0] == Segment("Lavrov", "lavrov")
    assert pieces[-1] == Segment(" …")


def test_excerpt_at_the_end_has_no_trailing_ellipsis() -> None:
    text = "word " * 200 + "Lavrov"
    at = len(text) - 6
    pieces = excerpt(text, [(at, at + 6, "lavrov")], width=40)
    assert pieces[0] == Segment("… ")
    assert pieces[-1] == Segment("Lavrov", "lavrov")


def test_excerpt_keeps_a_combining_mark_with_its_span() -> None:
    before = "كلمة " * 100
    text = before + "لافرو" + SHADDA + "ف" + " كلمة" * 100
    at = len(before)
    pieces = excerpt(text, [(at, at + len("لافرو"), "lavrov")], width=60)
    assert marked(pieces) == [("لافرو" + SHADDA, "lavrov")]
    assert all(not p.text.startswith(SHADDA) for p in pieces)


def test_excerpt_drops_spans_that_fall_outside_the_cut() -> None:
    before = "word " * 100
    text = before + "Lavrov" + " more" * 200 + " Kerry"
    at = len(before)
    kerry = len(text) - 5
    pieces = excerpt(text, [(at, at + 6, "lavrov"), (kerry, kerry + 5, "kerry")], width=60)
    assert marked(pieces) == [("Lavrov", "lavrov")]


def test_excerpt_without_spans_starts_at_the_beginning() -> None:
    text = "word " * 200
    pieces = excerpt(text, [], width=40)
    assert pieces[0].text.startswith("word") and pieces[-1] == Segment(" …")
    assert all(not p.mark for p in pieces)
