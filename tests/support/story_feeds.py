"""One story as six feeds carry it, and a look-alike event a week later (written for these tests).

- ``wire``: the original English report;
- ``aggregator``: the same item under a new guid, its link with ``?utm_source=…``;
- ``mobile``: the same item under a new guid at its AMP address;
- ``reprint``: the same text under a new guid and another site's link (a content copy);
- ``arabic`` and ``russian``: the story as those desks wrote it;
- ``LOOKALIKE``: Lavrov and Guterres meet again, in New York, seven days later.

Two rules watch it (``lavrov`` and ``geneva``): every copy fires both; the look-alike fires
``lavrov`` only.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from xml.sax.saxutils import escape

from newswatch.article import Article

__all__ = ["FEEDS", "LOOKALIKE", "STORY_RULES", "feed_xml", "item_article", "story_copies"]

_LINK = "https://wire.example.org/world/2026/03/09/lavrov-guterres-geneva"
_TITLE = "Lavrov and Guterres meet in Geneva on Syria ceasefire"
_BODY = (
    "Russian Foreign Minister Sergey Lavrov met UN Secretary-General Antonio Guterres in "
    "Geneva on Monday to discuss a ceasefire in northern Syria, the UN said. The two spoke for "
    "about 90 minutes at the Palais des Nations. Lavrov told reporters that Moscow backed a "
    "monitoring mission of 300 observers, while Guterres urged access for aid convoys to Idlib."
)
_MONDAY = "Mon, 09 Mar 2026 10:00:00 GMT"

#: feed id -> (language, items); an item is (guid, link, title, description, pubDate)
FEEDS: dict[str, tuple[str, list[tuple[str, str, str, str, str]]]] = {
    "wire": ("en", [("wire-1", _LINK, _TITLE, _BODY, _MONDAY)]),
    "aggregator": (
        "en",
        [("agg-77", f"{_LINK}?utm_source=rss&utm_medium=feed", _TITLE, _BODY, _MONDAY)],
    ),
    "mobile": (
        "en",
        [
            (
                "m-5",
                "https://amp.wire.example.org/world/2026/03/09/lavrov-guterres-geneva/amp",
                _TITLE,
                _BODY,
                "Mon, 09 Mar 2026 10:20:00 GMT",
            )
        ],
    ),
    "reprint": (
        "en",
        [
            (
                "rp-1",
                "https://dailyreprint.example.net/news/4411",
                _TITLE,
                _BODY,
                "Mon, 09 Mar 2026 11:00:00 GMT",
            )
        ],
    ),
    "arabic": (
        "ar",
        [
            (
                "ar-1",
                "https://arabic.example.org/news/2026/03/09/lavrov-guterres",
                "لافروف وغوتيريش يبحثان في جنيف وقف إطلاق النار في سوريا",
                "التقى وزير الخارجية الروسي سيرغي لافروف الأمين العام للأمم المتحدة أنطونيو "
                "غوتيريش في جنيف يوم الاثنين لبحث وقف إطلاق النار في شمال سوريا. وقال لافروف إن "
                "موسكو تؤيد بعثة مراقبة تضم 300 مراقب، فيما دعا غوتيريش إلى إيصال المساعدات إلى "
                "إدلب.",
                "Mon, 09 Mar 2026 12:30:00 GMT",
            )
        ],
    ),
    "russian": (
        "ru",
        [
            (
                "ru-1",
                "https://russian.example.org/politics/2026/03/09/lavrov",
                "Лавров и Гутерриш обсудили в Женеве перемирие в Сирии",
                "Министр иностранных дел России Сергей Лавров встретился в Женеве с генеральным "
                "секретарём ООН Антониу Гутерришем. Стороны обсудили прекращение огня на севере "
                "Сирии. По словам Лаврова, Москва поддерживает миссию из 300 наблюдателей, а "
                "Гутерриш призвал обеспечить доступ гуманитарных конвоев в Идлиб.",
                "Mon, 09 Mar 2026 13:10:00 GMT",
            )
        ],
    ),
}

#: the same people a week later, in another city: a story of its own
LOOKALIKE: tuple[str, str, str, str, str] = (
    "wire-2",
    "https://wire.example.org/world/2026/03/16/lavrov-guterres-new-york",
    "Lavrov meets Guterres at UN headquarters in New York",
    "Sergey Lavrov met Antonio Guterres in New York on Monday, a week after their Geneva "
    "talks, to discuss the UN budget and the Security Council agenda for April. Lavrov said "
    "Russia would present a draft resolution on Libya.",
    "Mon, 16 Mar 2026 15:00:00 GMT",
)

STORY_RULES = {
    "lavrov": "id: lavrov\ntitle: Watch Lavrov\nseverity: high\n"
    "entities:\n  e:\n    person: Sergey Lavrov\n",
    "geneva": "id: geneva\ntitle: Watch Geneva\nseverity: medium\n"
    "entities:\n  e:\n    place: Geneva\n",
}


def feed_xml(language: str, items: list[tuple[str, str, str, str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<guid>{escape(guid)}</guid><description>{escape(text)}</description>"
        f"<pubDate>{date}</pubDate></item>"
        for guid, link, title, text, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Desk</title><link>https://desk.example.org/</link><language>{language}"
        f"</language>{entries}</channel></rss>"
    ).encode()


def item_article(feed: str, language: str, item: tuple[str, str, str, str, str]) -> Article:
    """One item of ``FEEDS`` (or ``LOOKALIKE``) as the poller of ``feed`` would build it."""
    guid, link, title, text, date = item
    return Article(
        id=f"{feed}-{guid}",
        feed=feed,
        url=link,
        title=title,
        summary=text,
        language=language,
        published=parsedate_to_datetime(date),
    )


def story_copies() -> list[Article]:
    """The story's six copies, one per feed."""
    return [item_article(f, lang, item) for f, (lang, items) in FEEDS.items() for item in items]
