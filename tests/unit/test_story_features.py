"""Story features (newswatch.stories.features): words, keys, numbers, time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newswatch.article import Article
from newswatch.stories.features import LEAD_CHARS, STEM, extract, significant, skeleton

WHEN = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


def _art(**kw: object) -> Article:
    base: dict[str, object] = {"id": "a1", "language": "en", "published": WHEN}
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spellings", "shape"),
    [
        (("Lavrov", "Лавров", "لافروف"), "lfrf"),
        (("Geneva", "Женева", "جنيف"), "jnf"),
    ],
)
def test_skeleton_same_across_scripts(spellings: tuple[str, ...], shape: str) -> None:
    assert {skeleton(w) for w in spellings} == {shape}


def test_skeleton_distinguishes_names() -> None:
    assert skeleton("Lavrov") != skeleton("Geneva")
    assert skeleton("Moscow") != skeleton("Madrid")


def test_skeleton_merges_consonant_classes_and_repeats() -> None:
    assert skeleton("Philipp") == skeleton("Filip")  # ph = f, p = b, double letters once
    assert skeleton("Kerry") == skeleton("Keri")
    assert skeleton("123") == ""


def test_language_region_dropped_and_lowered() -> None:
    assert extract(_art(language="en-GB")).language == "en"
    assert extract(_art(language="FR")).language == "fr"
    assert extract(_art(language="")).language == ""


def test_time_published_else_fetched_else_none() -> None:
    fetched = datetime(2024, 3, 6, tzinfo=UTC)
    assert extract(_art(published=WHEN, fetched=fetched)).time == WHEN.timestamp()
    assert extract(_art(published=None, fetched=fetched)).time == fetched.timestamp()
    assert extract(_art(published=None)).time is None


def test_title_counts_twice() -> None:
    f = extract(_art(title="Volcano erupts", summary="volcano lava"))
    words = dict(f.words)
    assert words["volcan"] == 3.0  # title x2 + summary, stemmed to STEM letters
    assert words["lava"] == 1.0
    assert words["erupts"] == 2.0


def test_words_stemmed_folded_and_stopwords_dropped() -> None:
    f = extract(_art(title="The Parliament APPROVED the budget"))
    words = dict(f.words)
    assert "parlia" in words and len("parlia") == STEM
    assert "approv" in words  # case-folded
    assert "the" not in words  # among the language's common words
    assert all(len(w) <= STEM for w in words)


def test_words_strongest_first() -> None:
    f = extract(_art(title="flood", summary="rain rain rain rain"))
    counts = [n for _, n in f.words]
    assert counts == sorted(counts, reverse=True)
    assert f.words[0][0] == "rain"


def test_lead_limited_to_lead_chars() -> None:
    filler = "filler " * (LEAD_CHARS // 7 + 10)
    f = extract(_art(title="Storm", summary="", content=filler + " zanzibarian"))
    words = dict(f.words)
    assert "filler" in words
    assert "zanzib" not in words


def test_keys_entities_skeletons_and_significant_numbers() -> None:
    f = extract(
        _art(title="Sergey Lavrov meets officials in Geneva", summary="They talked 42 hours."),
        entities=frozenset({"person:sergey lavrov"}),
    )
    assert "person:sergey lavrov" in f.keys
    assert {"sk:lfrf", "sk:jnf"} <= f.keys
    assert "n:42" in f.keys
    assert not f.uncased


def test_lowercase_words_are_not_skeleton_keys_in_latin_text() -> None:
    f = extract(_art(title="Gentle rain falls over quiet fields"))
    # Only "Gentle" is capitalised: "rain"/"fields" give no skeleton key.
    assert skeleton("fields") not in {k.removeprefix("sk:") for k in f.keys}
    assert f"sk:{skeleton('Gentle')}" in f.keys


def test_short_skeletons_dropped() -> None:
    f = extract(_art(title="Kerry arrives"))  # "kr": too short to tell names apart
    assert "sk:kr" not in f.keys


def test_cyrillic_capitals_give_same_keys_as_latin() -> None:
    en = extract(_art(title="Lavrov arrives in Geneva"))
    ru = extract(_art(language="ru", title="Лавров прибыл в Женеву"))
    assert {"sk:lfrf", "sk:jnf"} <= en.keys & ru.keys


def test_arabic_text_is_uncased() -> None:
    f = extract(_art(language="ar", title="اجتماع في جنيف اليوم"))
    assert f.uncased
    assert "sk:jnf" in f.keys


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("٤٢ killed", {"42"}),  # Arabic-Indic digits
        ("42 killed", {"42"}),
        ("rate 4,5 percent", {"4.5"}),
        ("rate 4.5 percent", {"4.5"}),
        ("1,000,000 people", {"1000000"}),
        ("1.000.000 people", {"1000000"}),
        ("2.50 dollars", {"2.5"}),
        ("007 agent", {"7"}),
    ],
)
def test_numbers_normalised(text: str, expected: set[str]) -> None:
    assert extract(_art(title=text)).numbers == frozenset(expected)


def test_numbers_inside_words_ignored() -> None:
    assert extract(_art(title="F16 and G7 meet in B2B")).numbers == frozenset()


def test_significant_drops_years_and_small_counts() -> None:
    assert significant({"2024", "1999", "10", "12", "0", "13", "42", "4.5", "2100"}) == {
        "13",
        "42",
        "4.5",
        "2100",
    }


def test_year_and_small_count_not_keys() -> None:
    f = extract(_art(title="In 2024 three 3 ministers met 517 delegates"))
    assert {"2024", "3", "517"} <= f.numbers
    assert "n:517" in f.keys
    assert "n:2024" not in f.keys and "n:3" not in f.keys


def test_article_id_carried() -> None:
    assert extract(_art(id="xyz")).article_id == "xyz"


def test_arabic_name_keeps_a_first_letter_that_looks_like_a_proclitic() -> None:
    # لافروف starts with ل, which is also the proclitic "for": the skeleton must still be Lavrov's
    # (it came out as frf when built from the stemmed word), and ولافروف ("and Lavrov") too.
    plain = extract(_art(language="ar", title="لافروف يصل إلى جنيف"))
    prefixed = extract(_art(language="ar", title="التقى كيري ولافروف"))
    english = extract(_art(title="Lavrov arrives in Geneva"))
    assert "sk:lfrf" in plain.keys & prefixed.keys & english.keys
