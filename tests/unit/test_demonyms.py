"""Demonyms of places, opt-in per entity (matching/demonyms.py, ``demonyms: true``)."""

import pytest

from newswatch.article import Article
from newswatch.matching.aliases import NameExpander
from newswatch.matching.demonyms import demonyms
from newswatch.matching.matcher import Matcher
from newswatch.rules.condition import Any
from newswatch.rules.loader import parse_rules_text
from newswatch.rules.model import Entity, EntityKind, Rule

LANGUAGES = ("ar", "en", "fr", "ru")


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("Israel", "Израиль", "إسرائيل"), {"Israeli", "Israelis", "израильский", "إسرائيلي"}),
        (("Syria", "Syrie", "Сирия"), {"Syrian", "syrien", "syrienne", "сирийский"}),
        (("Turkey", "Турция"), {"Turkish", "турецкий", "турецкая"}),
        (("Germany",), {"German", "Germans"}),
        (("Russie",), {"russe", "russes"}),
    ],
)
def test_attested_demonyms_in_each_language(names: tuple[str, ...], expected: set[str]) -> None:
    assert expected <= set(demonyms(names, LANGUAGES))


def test_a_place_s_own_name_or_an_unrelated_word_is_not_its_demonym() -> None:
    assert "Japan" not in demonyms(("Japan", "Japon"), LANGUAGES)  # Japon + -an
    assert "cube" not in demonyms(("Cuba",), LANGUAGES)  # Cuba + -e is a word
    assert "Francis" not in demonyms(("France",), LANGUAGES)  # a first name, not a demonym
    assert demonyms(("Israel",), ("en",)) == ["Israeli", "Israelis"]  # only configured languages


def _fires(text: str, *, on: bool) -> bool:
    entity = Entity("e", EntityKind.PLACE, ("Israel",), "Israel", demonyms=on)
    rule = Rule(id="r", version="v", title="r", condition=Any(), entities=(entity,))
    return bool(
        Matcher([rule], expander=NameExpander(LANGUAGES)).match(Article(id="a", content=text))
    )


@pytest.mark.parametrize(
    "text",
    [
        "The Israeli cabinet met on Sunday",
        "Le gouvernement israélien a annoncé",
        "Израильская армия сообщила",
        "أعلن الجيش الإسرائيلي",
    ],
)
def test_a_rule_with_demonyms_fires_on_them_and_one_without_does_not(text: str) -> None:
    assert _fires(text, on=True)
    assert not _fires(text, on=False)


def test_demonyms_is_for_places_only() -> None:
    text = "id: r\ntitle: r\nentities:\n  e:\n    person: John Kerry\n    demonyms: true\n"
    rules, problems = parse_rules_text(text, "r.yaml")
    assert not rules
    assert any("demonyms: is for a place" in p.message and p.line == 5 for p in problems)
