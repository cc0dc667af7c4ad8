"""Story grouping (newswatch.stories.grouping.StoryGrouper), no rules snapshot: pure logic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newswatch.article import Article
from newswatch.stories.grouping import Assignment, StoryGrouper, StoryParams

T0 = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
LINK = "https://wire.example.org/world/2026/03/09/lavrov-guterres-geneva"
TITLE = "Lavrov and Guterres meet in Geneva on Syria ceasefire"
BODY = (
    "Russian Foreign Minister Sergey Lavrov met UN Secretary-General Antonio Guterres in "
    "Geneva on Monday to discuss a ceasefire in northern Syria, the UN said. The two spoke for "
    "about 90 minutes at the Palais des Nations. Lavrov told reporters that Moscow backed a "
    "monitoring mission of 300 observers, while Guterres urged access for aid convoys to Idlib."
)
RU_TITLE = "Лавров и Гутерриш обсудили в Женеве перемирие в Сирии"
RU_BODY = (
    "Министр иностранных дел России Сергей Лавров встретился в Женеве с генеральным "
    "секретарём ООН Антониу Гутерришем. Стороны обсудили прекращение огня на севере "
    "Сирии. По словам Лаврова, Москва поддерживает миссию из 300 наблюдателей, а "
    "Гутерриш призвал обеспечить доступ гуманитарных конвоев в Идлиб."
)
AR_TITLE = "لافروف وغوتيريش يبحثان في جنيف وقف إطلاق النار في سوريا"
AR_BODY = (
    "التقى وزير الخارجية الروسي سيرغي لافروف الأمين العام للأمم المتحدة أنطونيو "
    "غوتيريش في جنيف يوم الاثنين لبحث وقف إطلاق النار في شمال سوريا. وقال لافروف إن "
    "موسكو تؤيد بعثة مراقبة تضم 300 مراقب، فيما دعا غوتيريش إلى إيصال المساعدات إلى "
    "إدلب."
)
# The same event retold in other words (not a near-duplicate of BODY).
RETOLD_TITLE = "Guterres and Lavrov hold Geneva talks on a Syria ceasefire"
RETOLD_BODY = (
    "UN chief Antonio Guterres and Russia's top diplomat Sergey Lavrov discussed a ceasefire "
    "for northern Syria during talks in Geneva. Lavrov said Moscow supported sending 300 "
    "monitors; Guterres asked that aid convoys be allowed into Idlib."
)
UNRELATED_TITLE = "Heavy snowfall closes mountain passes across the Alps"
UNRELATED_BODY = (
    "Rail and road links through the Alps were shut after a metre of fresh snow fell "
    "overnight, with avalanche warnings raised to the highest level in several valleys. "
    "Ski resorts told visitors to stay indoors while ploughs cleared the roads."
)


def art(
    article_id: str,
    *,
    url: str = "",
    title: str = TITLE,
    body: str = BODY,
    language: str = "en",
    at: datetime = T0,
) -> Article:
    return Article(
        id=article_id,
        feed="feed",
        url=url,
        title=title,
        summary=body,
        language=language,
        published=at,
    )


def seeded(params: StoryParams | None = None) -> tuple[StoryGrouper, Assignment]:
    grouper = StoryGrouper(params)
    return grouper, grouper.add(art("wire-1", url=LINK))


def test_first_article_founds_a_story_named_after_it() -> None:
    grouper, first = seeded()
    assert first.new_story and first.story_id == "wire-1" and first.via is None
    assert grouper.story_of("wire-1") == "wire-1"
    assert len(grouper) == 1 and grouper.story_count == 1


def test_same_article_id_again_keeps_its_story() -> None:
    grouper, _ = seeded()
    again = grouper.add(art("wire-1", url=LINK, title="edited title", body="edited"))
    assert again.signal == "known" and again.story_id == "wire-1"
    assert len(grouper) == 1


def test_new_guid_same_link_with_trackers_joins_by_link() -> None:
    grouper, _ = seeded()
    got = grouper.add(
        art(
            "agg-77",
            url=f"{LINK}?utm_source=rss&utm_medium=feed#top",
            title="Completely different headline",
            body="Nothing in common with the original text at all.",
        )
    )
    assert got.signal == "link" and got.story_id == "wire-1" and got.via == "wire-1"
    assert not got.new_story


def test_amp_mobile_address_joins_by_link() -> None:
    grouper, _ = seeded()
    amp = "https://amp.wire.example.org/world/2026/03/09/lavrov-guterres-geneva/amp"
    got = grouper.add(art("m-5", url=amp, title="x", body="y"))
    assert got.signal == "link" and got.story_id == "wire-1"


def test_near_duplicate_copy_at_another_site_joins() -> None:
    grouper, _ = seeded()
    copy = grouper.add(
        art(
            "rp-1",
            url="https://dailyreprint.example.net/news/4411",
            body=BODY + " Reporting by Staff.",
            at=T0 + timedelta(hours=1),
        )
    )
    assert copy.signal == "duplicate" and copy.story_id == "wire-1" and copy.via == "wire-1"
    assert copy.score > 0.8


def test_unrelated_article_starts_a_new_story() -> None:
    grouper, _ = seeded()
    other = grouper.add(
        art(
            "alps-1",
            url="https://wire.example.org/alps",
            title=UNRELATED_TITLE,
            body=UNRELATED_BODY,
        )
    )
    assert other.new_story and other.story_id == "alps-1"
    assert grouper.story_count == 2
    assert grouper.story_of("wire-1") != grouper.story_of("alps-1")


def test_same_event_retold_joins_by_text() -> None:
    grouper, _ = seeded()
    got = grouper.add(
        art(
            "other-1",
            url="https://other.example.com/geneva",
            title=RETOLD_TITLE,
            body=RETOLD_BODY,
            at=T0 + timedelta(hours=2),
        )
    )
    assert got.signal == "text" and got.story_id == "wire-1"
    evidence = dict(got.evidence)
    assert float(evidence["cosine"]) >= float(evidence["bar"])


def test_russian_report_joins_by_shared_name_keys() -> None:
    grouper, _ = seeded()
    ru = grouper.add(
        art(
            "ru-1",
            url="https://russian.example.org/politics/lavrov",
            title=RU_TITLE,
            body=RU_BODY,
            language="ru",
            at=T0 + timedelta(hours=3),
        )
    )
    assert ru.signal == "entities" and ru.story_id == "wire-1"
    keys = dict(ru.evidence)["keys"].split(", ")
    assert {"sk:lfrf", "sk:jnf", "n:300"} <= set(keys)


def test_arabic_report_joins_by_shared_name_keys() -> None:
    grouper, _ = seeded()
    ar = grouper.add(
        art(
            "ar-1",
            url="https://arabic.example.org/news/lavrov",
            title=AR_TITLE,
            body=AR_BODY,
            language="ar",
            at=T0 + timedelta(hours=2),
        )
    )
    assert ar.signal == "entities" and ar.story_id == "wire-1"
    assert "sk:jnf" in dict(ar.evidence)["keys"]


def test_unrelated_other_language_article_does_not_join() -> None:
    grouper, _ = seeded()
    ru = grouper.add(
        art(
            "ru-snow",
            url="https://russian.example.org/snow",
            title="Снегопад закрыл перевалы в Альпах",
            body="Железные и автомобильные дороги через Альпы закрыты после ночного снегопада.",
            language="ru",
        )
    )
    assert ru.new_story and ru.story_id == "ru-snow"


def test_retold_event_far_apart_in_time_does_not_join() -> None:
    # The same words that join two hours later (test above) found a new story five days later:
    # the nearest article is beyond max_gap_hours (96 h by default).
    grouper, _ = seeded()
    late = grouper.add(
        art(
            "other-late",
            url="https://other.example.com/geneva-again",
            title=RETOLD_TITLE,
            body=RETOLD_BODY,
            at=T0 + timedelta(days=5),
        )
    )
    assert late.new_story and late.story_id == "other-late"


def test_gap_penalty_raises_the_bar_after_grace() -> None:
    near = StoryGrouper(StoryParams(gap_penalty=0.0))
    near.add(art("wire-1", url=LINK))
    far = StoryGrouper(StoryParams(gap_penalty=5.0))  # absurd penalty: a day late never joins
    far.add(art("wire-1", url=LINK))
    late = art(
        "late",
        url="https://other.example.com/geneva",
        title=RETOLD_TITLE,
        body=RETOLD_BODY,
        at=T0 + timedelta(hours=60),
    )
    assert near.add(late).story_id == "wire-1"
    assert far.add(late).new_story


def test_lookalike_other_city_a_week_later_is_a_new_story() -> None:
    grouper, _ = seeded()
    look = grouper.add(
        art(
            "wire-2",
            url="https://wire.example.org/world/2026/03/16/lavrov-guterres-new-york",
            title="Lavrov meets Guterres at UN headquarters in New York",
            body=(
                "Sergey Lavrov met Antonio Guterres in New York on Monday, a week after their "
                "Geneva talks, to discuss the UN budget and the Security Council agenda for "
                "April. Lavrov said Russia would present a draft resolution on Libya."
            ),
            at=T0 + timedelta(days=7, hours=5),
        )
    )
    assert look.new_story and look.story_id == "wire-2"


def test_grouping_off_every_article_is_its_own_story() -> None:
    grouper, first = seeded(StoryParams(grouping=False))
    assert first.new_story
    same_link = grouper.add(art("agg-77", url=f"{LINK}?utm_source=rss"))
    dup = grouper.add(art("rp-1", url="https://dailyreprint.example.net/news/4411"))
    assert same_link.new_story and same_link.story_id == "agg-77"
    assert dup.new_story and dup.story_id == "rp-1"
    assert grouper.story_count == 3
    # An id seen before is still recognised.
    assert grouper.add(art("wire-1", url=LINK)).signal == "known"


def test_same_order_same_stories() -> None:
    articles = [
        art("wire-1", url=LINK),
        art("alps-1", title=UNRELATED_TITLE, body=UNRELATED_BODY),
        art("agg-77", url=f"{LINK}?utm_source=rss", title="x", body="y"),
        art("ru-1", title=RU_TITLE, body=RU_BODY, language="ru", at=T0 + timedelta(hours=1)),
    ]
    a, b = StoryGrouper(), StoryGrouper()
    assert [a.add(x) for x in articles] == [b.add(x) for x in articles]
    assert list(a.members()) == [
        ("wire-1", "wire-1"),
        ("alps-1", "alps-1"),
        ("agg-77", "wire-1"),
        ("ru-1", "wire-1"),
    ]


def test_window_evicts_by_age() -> None:
    grouper, _ = seeded(StoryParams(window_days=1.0))
    grouper.add(
        art("alps-1", title=UNRELATED_TITLE, body=UNRELATED_BODY, at=T0 + timedelta(days=2))
    )
    assert grouper.story_of("wire-1") is None
    assert len(grouper) == 1 and grouper.story_count == 1
    # The link is forgotten with it: the same page now founds a story.
    again = grouper.add(art("agg-77", url=LINK, at=T0 + timedelta(days=2)))
    assert again.signal != "link"


def test_window_bounded_by_count() -> None:
    grouper = StoryGrouper(StoryParams(max_articles=2))
    for i in range(5):
        grouper.add(art(f"a{i}", url=f"https://x.example/{i}", title=f"t{i}", body=f"b{i}"))
    assert len(grouper) == 2
    assert [a for a, _ in grouper.members()] == ["a3", "a4"]


def test_restore_rebuilds_without_deciding() -> None:
    grouper = StoryGrouper()
    # Restored as recorded, even into a story the grouper would not have chosen.
    grouper.restore(art("wire-1", url=LINK), Assignment("wire-1", "story-x", "text"))
    assert grouper.story_of("wire-1") == "story-x"
    grouper.restore(art("wire-1", url=LINK), Assignment("wire-1", "story-y"))  # no-op
    assert grouper.story_of("wire-1") == "story-x"
    got = grouper.add(art("agg-77", url=f"{LINK}?utm_source=rss", title="x", body="y"))
    assert got.signal == "link" and got.story_id == "story-x"


def test_assignment_dict_round_trip() -> None:
    a = Assignment("a", "s", "entities", 0.123456, "s", (("keys", "sk:lfrf"), ("bar", "0.25")))
    back = Assignment.from_dict(a.to_dict())
    assert back.article_id == "a" and back.story_id == "s" and back.signal == "entities"
    assert back.via == "s" and dict(back.evidence) == dict(a.evidence)
    assert back.score == round(a.score, 4)
    assert Assignment.from_dict({"id": "b", "story": "b"}).new_story
