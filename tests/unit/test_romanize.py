"""Latin spellings of Russian names by each press's convention (matching/romanize.py)."""

import pytest

from newswatch.article import Article
from newswatch.matching.aliases import NameExpander
from newswatch.matching.matcher import Matcher
from newswatch.matching.romanize import latin_spellings, romanize
from newswatch.rules.condition import Any
from newswatch.rules.model import Entity, EntityKind, Rule

ALL = ("en", "fr", "de", "es")


@pytest.mark.parametrize(
    ("cyrillic", "convention", "latin"),
    [
        ("Сергей Лавров", "fr", "Sergueï Lavrov"),
        ("Сергей Лавров", "de", "Sergej Lawrow"),
        ("Сергей Лавров", "en-i", "Sergei Lavrov"),
        ("Владимир Путин", "fr", "Vladimir Poutine"),
        ("Евгений Пригожин", "fr", "Evgueni Prigojine"),
        ("Борис Ельцин", "de", "Boris Jelzin"),
        ("Борис Ельцин", "en", "Boris Yeltsin"),
        ("Дмитрий Медведев", "en", "Dmitry Medvedev"),
        ("Мария Захарова", "de", "Marija Sacharowa"),
        ("Василий Небензя", "fr", "Vassili Nebenzia"),
    ],
)
def test_each_convention_spells_the_cyrillic_name_as_its_press_does(
    cyrillic: str, convention: str, latin: str
) -> None:
    assert romanize(cyrillic, convention) == latin


def test_a_russian_name_gets_the_spellings_of_the_configured_presses_only() -> None:
    assert latin_spellings("Vladimir Putin", ("en", "fr")) == ["Vladimir Poutine"]
    assert "Sergej Lawrow" in latin_spellings("Sergey Lavrov", ALL)
    assert "Sergei Lavrov" in latin_spellings("Sergey Lavrov", ("en",))
    assert latin_spellings("Sergey Lavrov", ("ar", "ru")) == []


@pytest.mark.parametrize("name", ["John Kerry", "Gerhard Schroder", "Barack Obama"])
def test_names_that_are_not_romanized_russian_get_none(name: str) -> None:
    assert latin_spellings(name, ALL) == []


def _fires(canonical: str, text: str, languages: tuple[str, ...]) -> bool:
    entity = Entity("e", EntityKind.PERSON, (canonical,), canonical)
    rule = Rule(id="r", version="v", title="r", condition=Any(), entities=(entity,))
    matcher = Matcher([rule], expander=NameExpander(languages))
    return bool(matcher.match(Article(id="a", content=text)))


@pytest.mark.parametrize(
    ("canonical", "text", "languages"),
    [
        (
            "Vladimir Putin",
            "Vladimir Poutine reçoit Recep Tayyip Erdogan",
            ("ar", "en", "fr", "ru"),
        ),
        ("Sergey Lavrov", "Sergei Lavrov said on Monday", ("ar", "en", "fr", "ru")),
        ("Sergey Lavrov", "Außenminister Sergej Lawrow sagte", ("de", "en")),
        ("Yevgeny Prigozhin", "la mort d'Evgueni Prigojine", ("en", "fr")),
    ],
)
def test_the_rule_fires_on_the_press_spelling(
    canonical: str, text: str, languages: tuple[str, ...]
) -> None:
    assert _fires(canonical, text, languages)
    # Not without the convention of that press (the full name and the surname differ).
    assert not _fires(canonical, text, ("ar", "ru")) or "Lavrov" in text
