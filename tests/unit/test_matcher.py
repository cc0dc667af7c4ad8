"""The pure matcher, language by language: what must fire and what must not."""

import typing
from pathlib import Path

import pytest

from newswatch.article import Article
from newswatch.matching.hits import Mention
from newswatch.matching.matcher import Matcher, _dedupe
from newswatch.rules.condition import Any, parse_condition
from newswatch.rules.model import Entity, EntityKind, Rule, Status

SEED = Path(__file__).parents[1] / "fixtures" / "seed" / "000_fe08c59a11eb98b9.txt"


def rule(rule_id: str, *names: str, match: str | None = None, **extra: typing.Any) -> Rule:
    entities = (Entity("e", EntityKind.PLACE, names, names[0]),)
    extra_entities: tuple[Entity, ...] = tuple(extra.pop("entities", ()))
    return Rule(
        id=rule_id,
        version="v1",
        title=rule_id,
        condition=parse_condition(match) if match else Any(),
        entities=entities + extra_entities,
        **extra,
    )


def fires(r: Rule, text: str, **article: typing.Any) -> bool:
    return bool(Matcher([r]).match(Article(id="a", content=text, **article)))


SYRIA = rule("syria", "سوريا")
MOSCOW = rule("moscow", "موسكو")
ANKARA = rule("ankara", "أنقرة", "Ankara")
MALI = rule("mali", "مالي")
KREMLIN = rule("kremlin", "الكرملين")


@pytest.mark.parametrize(
    ("r", "text"),
    [
        (SYRIA, "الأزمة في سوريا اليوم"),
        (SYRIA, "فترات تهدئة في حلب بسوريا"),  # bi-
        (SYRIA, "وسوريا"),  # wa-
        (SYRIA, "فبسوريا"),  # fa- + bi-
        (SYRIA, "ولسوريا"),  # wa- + li-
        (SYRIA, "سُورِيَا"),  # diacritics
        (SYRIA, "ســوريا"),  # tatweel
        (MOSCOW, "وموسكو وواشنطن"),
        (ANKARA, "شكره لأنقرة لسماحها"),  # li- + hamza form
        (ANKARA, "انقرة"),  # written without hamza
        (ANKARA, "vu d'Ankara"),  # French elision
        (ANKARA, "vu d’Ankara"),  # curly apostrophe
        (ANKARA, "Ankara's response"),
        (ANKARA, "ANKARA —"),
        (KREMLIN, "في الكرملين"),
        (KREMLIN, "بالكرملين"),
        (KREMLIN, "للكرملين"),  # li + al- written with two lams
        (KREMLIN, "وللكرملين"),
        (rule("erdogan", "Erdogan"), "President Erdoğan said"),
        (rule("lavrov", "Sergey Lavrov"), "Sergey\nLavrov arrived"),
    ],
)
def test_fires(r: Rule, text: str) -> None:
    assert fires(r, text)


@pytest.mark.parametrize(
    ("r", "text"),
    [
        (SYRIA, "مدرسة سوريالية في الفن"),  # suffix attached
        (SYRIA, "كسوريا"),  # ka- is not among the proclitics
        (SYRIA, "مسوريا"),  # another letter attached
        (MALI, "الوضع المالي للشركة"),  # al- added to a name that lacks it
        (MALI, "بالمالي"),
        (KREMLIN, "لكرملين"),  # the lam form needs its lam prefix
        (ANKARA, "Ankaragucu won"),
        (ANKARA, "Ankaras"),
        (rule("iran", "Iran"), "Iranian oil"),
        (rule("lavrov", "Lavrov"), "xLavrov"),
    ],
)
def test_does_not_fire(r: Rule, text: str) -> None:
    assert not fires(r, text)


def test_offsets_and_surface_refer_to_the_original_text() -> None:
    text = "قال إن سُورِيَا مهمة، وشكر لأنقرة"
    article = Article(id="a", content=text)
    matcher = Matcher([SYRIA, ANKARA])
    hits = {h.rule_id: h for h in matcher.match(article)}
    syria = hits["syria"].mentions[0]
    assert text[syria.start : syria.end] == syria.surface == "سُورِيَا"
    assert syria.how == "exact" and syria.alias == "سوريا" and syria.field == "content"
    ankara = hits["ankara"].mentions[0]
    assert text[ankara.start : ankara.end] == ankara.surface == "لأنقرة"
    assert ankara.how == "prefix"


def test_each_field_has_its_own_offsets() -> None:
    article = Article(id="a", title="Ankara talks", summary="", content="Talks in Ankara.")
    (hit,) = Matcher([ANKARA]).match(article)
    where = {(m.field, m.start, m.end) for m in hit.mentions}
    assert where == {("title", 0, 6), ("content", 9, 15)}


def test_a_name_never_spans_two_fields() -> None:
    r = rule("lavrov", "Sergey Lavrov")
    assert not Matcher([r]).match(Article(id="a", title="Sergey", content="Lavrov"))


def test_nested_aliases_of_one_entity_count_once() -> None:
    r = rule("lavrov", "Sergey Lavrov", "Lavrov")
    (hit,) = Matcher([r]).match(Article(id="a", content="Sergey Lavrov met Lavrov's aide"))
    assert [m.surface for m in hit.mentions] == ["Sergey Lavrov", "Lavrov"]


def test_condition_and_not() -> None:
    sport = Entity("sport", EntityKind.KEYWORDS, ("football", "كرة القدم"))
    r = rule("syria", "سوريا", "Syria", match="e and not sport", entities=(sport,))
    assert fires(r, "Syria talks")
    assert not fires(r, "Syria football match")
    assert not fires(r, "مباراة كرة القدم في سوريا")


def test_a_rule_fires_only_when_a_name_is_found() -> None:
    sport = Entity("sport", EntityKind.KEYWORDS, ("football",))
    r = rule("x", "Syria", match="not sport", entities=(sport,))
    assert not fires(r, "nothing relevant here")


def test_language_and_feed_filters() -> None:
    r = rule("syria", "Syria", "سوريا", languages=("ar",), feeds=("aljazeera-*",))
    matcher = Matcher([r])

    def go(language: str, feed: str) -> bool:
        return bool(matcher.match(Article(id="a", content="سوريا", language=language, feed=feed)))

    assert go("ar", "aljazeera-ar")
    assert go("ar-SA", "aljazeera-ar")
    assert go("", "aljazeera-ar")  # unknown language is not filtered out
    assert not go("en", "aljazeera-ar")
    assert not go("ar", "bbc-ar")


def test_disabled_rules_never_fire() -> None:
    r = rule("syria", "Syria", status=Status.DISABLED)
    assert not fires(r, "Syria")


def test_hits_carry_rule_version_and_article_id() -> None:
    (hit,) = Matcher([SYRIA]).match(Article(id="art-1", content="سوريا"))
    assert (hit.rule_id, hit.rule_version, hit.article_id) == ("syria", "v1", "art-1")


def test_the_seed_article() -> None:
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    article = Article(id="seed", title=title, content=body, language="ar")
    rules = [
        rule("kerry", "جون كيري"),
        rule("lavrov", "سيرغي لافروف", "سيرجي لافروف"),
        rule("syria", "سوريا"),
        rule("moscow", "موسكو"),
        rule("geneva", "جنيف"),
        rule("aleppo", "حلب"),
        rule("ankara", "أنقرة"),
        rule("damascus", "دمشق"),
    ]
    hits = {h.rule_id: h for h in Matcher(rules).match(article)}
    assert sorted(hits) == ["aleppo", "ankara", "geneva", "kerry", "lavrov", "moscow", "syria"]
    lavrov = {m.surface for m in hits["lavrov"].mentions}
    assert lavrov == {"سيرجي لافروف", "سيرغي لافروف"}
    geneva = {m.surface for m in hits["geneva"].mentions}
    assert geneva == {"جنيف", "بجنيف"}
    for hit in hits.values():
        for m in hit.mentions:
            assert getattr(article, m.field)[m.start : m.end] == m.surface


LAVROV_RU = rule("lavrov", "Лавров")
MOSCOW_RU = rule("moscow", "Москва")
SYRIA_RU = rule("syria", "Сирия")
ASSAD_RU = rule("assad", "Башар Асад")
PUTIN_RU = rule("putin", "Путин")
ZELENSKY_RU = rule("zelensky", "Зеленский")


@pytest.mark.parametrize(
    ("r", "text"),
    [
        (LAVROV_RU, "Сергей Лавров заявил"),
        (LAVROV_RU, "встреча с Лавровым"),
        (LAVROV_RU, "позиция Лаврова"),
        (LAVROV_RU, "Лаврову передали"),
        (LAVROV_RU, "о Лаврове"),
        (MOSCOW_RU, "в Москве"),
        (MOSCOW_RU, "из Москвы"),
        (MOSCOW_RU, "в Москву"),
        (MOSCOW_RU, "под Москвой"),
        (SYRIA_RU, "в Сирии"),
        (SYRIA_RU, "Сирию"),
        (SYRIA_RU, "с Сирией"),
        (ASSAD_RU, "с Башаром Асадом"),
        (ASSAD_RU, "Башара Асада"),
        (PUTIN_RU, "Путина"),
        (PUTIN_RU, "ПУТИН"),
        (ZELENSKY_RU, "Зеленского"),
        (ZELENSKY_RU, "с Зеленским"),
        (rule("geneva", "Женева"), "в Женеве"),
    ],
)
def test_russian_inflected_forms_fire(r: Rule, text: str) -> None:
    (hit,) = Matcher([r]).match(Article(id="a", content=text))
    assert hit.mentions[0].how in {"exact", "inflection"}


def test_inflection_is_reported() -> None:
    (hit,) = Matcher([LAVROV_RU]).match(Article(id="a", content="встреча с Лавровым"))
    (m,) = hit.mentions
    assert (m.surface, m.how, m.alias) == ("Лавровым", "inflection", "Лавров")


@pytest.mark.parametrize(
    ("r", "text"),
    [
        (SYRIA_RU, "Сирин"),  # shares letters, not the name
        (LAVROV_RU, "лавровый лист"),
        (LAVROV_RU, "Лавровый"),
        (LAVROV_RU, "Лавровски"),
        (PUTIN_RU, "началась путина"),  # the fishing season, lower case
        (ASSAD_RU, "Асадом"),  # one word of a two-word name is not the name
        (rule("turkey", "Turkey"), "roast turkey for dinner"),
    ],
)
def test_look_alikes_do_not_fire(r: Rule, text: str) -> None:
    assert not fires(r, text)


def test_keywords_are_not_case_sensitive() -> None:
    sport = Entity("e", EntityKind.KEYWORDS, ("Football",))
    r = Rule(id="k", version="v", title="k", condition=Any(), entities=(sport,))
    assert fires(r, "a football match")


@pytest.mark.parametrize(
    ("alias", "text", "surface"),
    [
        ("سيرغي لافروف", "قال سيرجي لافروف", "سيرجي لافروف"),  # ج / غ
        ("سيرجي لافروف", "وسيرغي لافروف", "وسيرغي لافروف"),  # with a proclitic
        ("غوتيريش", "الأمين العام غوتيريس", "غوتيريس"),  # س / ش
        ("غوتيريس", "وقال جوتيريش", "جوتيريش"),  # ج / غ and س / ش
        ("لافروف", "لافرُوف", "لافرُوف"),
        ("جون كيري", "جون كيرى", "جون كيرى"),
        ("نتنياهو", "نتانياهو", "نتانياهو"),  # a long vowel one spelling omits
        ("هيرتزل", "ثيودور هرتزل", "هرتزل"),  # ... or the other
        ("باشتون", "كاثرين باستن", "باستن"),  # س / ش and a long vowel left out
    ],
)
def test_arabic_transliteration_variants(alias: str, text: str, surface: str) -> None:
    (hit,) = Matcher([rule("x", alias)]).match(Article(id="a", content=text))
    (m,) = hit.mentions
    assert m.surface == surface
    assert text[m.start : m.end] == surface
    assert m.how in {"variant", "exact", "prefix"}


def test_variant_is_reported_as_such() -> None:
    (hit,) = Matcher([rule("x", "غوتيريش")]).match(Article(id="a", content="غوتيريس"))
    assert hit.mentions[0].how == "variant"


def test_variants_map_back_to_their_field_and_offsets() -> None:
    """The skeleton scan runs on all fields at once, one byte per character; characters it
    does not know (é, Cyrillic, Arabic-Indic digits) must not shift the offsets."""
    article = Article(
        id="a",
        title="Café — وصل غوتيريس",
        summary="Жан ١٢٣ «غوتيريس»",
        content="قال الأمين العام جوتيريش، ثم بجوتيريش",
    )
    (hit,) = Matcher([rule("x", "غوتيريش")]).match(article)
    found = {(m.field, m.surface, m.how) for m in hit.mentions}
    assert found == {
        ("title", "غوتيريس", "variant"),
        ("summary", "غوتيريس", "variant"),
        ("content", "جوتيريش", "variant"),
        ("content", "بجوتيريش", "variant"),
    }
    for m in hit.mentions:
        assert getattr(article, m.field)[m.start : m.end] == m.surface


@pytest.mark.parametrize(
    ("alias", "text"),
    [
        ("موسكو", "موسكا"),  # short names get no variants
        ("غوتيريش", "غوتيريشي"),  # a suffix is still a suffix
        ("غوتيريش", "كغوتيريش"),  # ka- is not a proclitic
        ("سيرغي لافروف", "سيرغي لافروفسكي"),
        ("الكرملين", "لكرملين"),
        # Derived Arabic words are not spelling variants (found by the ANERcorp evaluation):
        ("بريطانيا", "تصريح بريطاني"),  # British, not Britain
        ("العراق", "معمل كافنديش العريق"),  # "venerable"
        ("العراق", "والعرق يتصبب منها"),  # "sweat"
        ("القاهرة", "صحيفة الأهرام القاهرية"),  # Cairene
        ("بريطانيا", "بمنطقة بروتان"),  # Bretagne
        # Two long vowels left out turn a foreign name into an Arabic word (found by the bench):
        ("مايكلس", "قال مجلس الأمن"),  # Michaels / council
        ("باسكال", "بشكل كبير"),  # Pascal / "in a form"
        # A long vowel left out in one place and written in another (found by the bench at
        # 10,000 rules, where each fired on hundreds of articles):
        ("مونتاغ", "في مناطق عدة"),  # Montag / "regions"
        ("ماركيز", "مراكز الاقتراع"),  # Marquez / "centres"
        ("ميدارد", "ريال مدريد"),  # Médard / Madrid
        ("بلاكوول", "واكتفى بالقول"),  # Blackwell / "by saying"
        ("مارشال", "مراسل الوكالة"),  # Marshall / "correspondent"
    ],
)
def test_arabic_variants_keep_their_boundaries(alias: str, text: str) -> None:
    assert not fires(rule("x", alias), text)


def test_acronyms_match_only_in_capitals() -> None:
    usa = rule("usa", "США")
    assert fires(usa, "визит в США")
    assert not fires(usa, "сша")
    uk = rule("uk", "UK")
    assert fires(uk, "the UK said")
    assert not fires(uk, "Uk said")


@pytest.mark.parametrize(
    ("alias", "text"),
    [
        ("Нидерланды", "в Нидерландах"),
        ("Нидерланды", "из Нидерландов"),
        ("Соединенные Штаты", "Соединённых Штатов"),
        ("Российская Федерация", "Российской Федерации"),
        ("Российская Федерация", "с Российской Федерацией"),
    ],
)
def test_russian_plural_and_adjective_names_inflect(alias: str, text: str) -> None:
    assert fires(rule("x", alias), text)


def test_names_sharing_a_stem_are_each_checked() -> None:
    # Both anchor on the stem "ангел": each name's own endings decide.
    merkel = Matcher([rule("a", "Ангела Меркел"), rule("b", "Ангела Меркель")])
    assert [h.rule_id for h in merkel.match(Article(id="x", content="с Ангелой Меркель"))] == ["b"]
    shoigu = Matcher([rule("lavrov", "Сергей Лавров"), rule("shoigu", "Сергей Шойгу")])
    found = shoigu.match(Article(id="x", content="Сергея Лаврова и Сергея Шойгу"))
    assert sorted(h.rule_id for h in found) == ["lavrov", "shoigu"]


def test_a_keyword_and_a_cased_name_with_the_same_letters_keep_their_own_case_rules() -> None:
    turkey = rule("turkey", "Turkey")
    food = Rule(
        id="food",
        version="v",
        title="food",
        condition=Any(),
        entities=(Entity("k", EntityKind.KEYWORDS, ("turkey",)),),
    )
    found = Matcher([turkey, food]).match(Article(id="x", content="roast turkey"))
    assert [h.rule_id for h in found] == ["food"]


def test_mixed_scripts_find_what_each_script_finds_alone() -> None:
    """Text of one script is scanned as one byte a character in that script's codec, ASCII
    text by the ASCII names' own automaton; text mixing scripts (here Cyrillic, Arabic and
    Latin with ł) takes the general scan. All must find the same names at the same offsets."""
    lavrov = rule("lavrov", "Сергей Лавров", "سيرغي لافروف", "Wałęsa", "Lavrov")
    parts = [
        "Сергея Лаврова в Женеве",
        "وقال سيرجي لافروف",
        "Lech Wałęsa's visit, Lavrov",
        "Minister Lavrov's plane",
    ]
    alone = []
    for part in parts:
        (hit,) = Matcher([lavrov]).match(Article(id="a", content=part))
        alone.append({(m.surface, m.how) for m in hit.mentions})
    mixed = " | ".join(parts)
    (hit,) = Matcher([lavrov]).match(Article(id="a", content=mixed))
    assert {(m.surface, m.how) for m in hit.mentions} == set().union(*alone)
    assert all(mixed[m.start : m.end] == m.surface for m in hit.mentions)
    assert len(alone[0]) == len(alone[1]) == len(alone[3]) == 1 and len(alone[2]) == 2


def test_the_analysts_alias_wins_over_a_generated_name_at_one_place() -> None:
    """Which name the scan reports first must not decide what a hit shows."""
    generated = Mention("who", "Салом", "Саломе", "content", 4, 10, "transliteration")
    variant = Mention("who", "Саломея", "Саломе", "content", 4, 10, "variant")
    other = Mention("where", "Саломе", "Саломе", "content", 4, 10, "gazetteer")
    for order in ([generated, variant, other], [other, generated, variant]):
        assert set(_dedupe(list(order))) == {variant, other}


def _keywords(*names: str) -> Rule:
    return Rule(
        id="kw",
        version="v1",
        title="kw",
        condition=Any(),
        entities=(Entity("e", EntityKind.KEYWORDS, names, ""),),
    )


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("drone", "Two drones were shot down."),
        ("drone strike", "After the drone strikes on Sunday"),
        ("embassy", "Embassies closed in the capital"),
        ("tax", "New taxes on fuel"),
        ("frappe", "des frappes aériennes"),
        ("drone", "A drone was seen."),
    ],
)
def test_latin_keywords_count_in_their_english_plural(keyword: str, text: str) -> None:
    (hit,) = Matcher([_keywords(keyword)]).match(Article(id="a", content=text))
    (mention,) = hit.mentions
    assert text[mention.start : mention.end].lower().startswith(keyword.split()[0][:4])


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("drone", "The droned on for hours."),  # not a plural
        ("drone", "dronesque shapes"),
        ("embassy", "embassys"),  # not the plural this spelling takes
        ("Syria", "Syrias"),  # a place, not a keyword: no plural
    ],
)
def test_only_the_plural_counts_and_only_for_keywords(keyword: str, text: str) -> None:
    r = _keywords(keyword) if keyword != "Syria" else rule("syria", "Syria")
    assert Matcher([r]).match(Article(id="a", content=text)) == []
