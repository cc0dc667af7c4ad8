"""parse_feed on documents written for these tests: fields, text, links, language, errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feeds.config import FeedSpec
from feeds.parse import ParsedFeed, html_to_text, normalise_language, parse_feed
from newswatch.article import make_article_id
from tests.support.feed_server import read_fixture

FETCHED = datetime(2025, 6, 13, 9, 0, tzinfo=UTC)
BASE = "https://news.example.org/feeds/main.xml"
SPEC = FeedSpec(id="test-feed", url=BASE)  # no list language: the feeds' declarations decide


def parse(
    body: bytes, content_type: str = "application/rss+xml; charset=utf-8", spec: FeedSpec = SPEC
) -> ParsedFeed:
    return parse_feed(body, spec, content_type=content_type, base_url=BASE, fetched=FETCHED)


def test_rss_arabic_and_russian_items() -> None:
    parsed = parse(read_fixture("rss_ar_ru.xml"))
    assert parsed.error is None
    first, second, third = parsed.articles

    assert first.id == make_article_id("test-feed", "nw-ar-1001", None)
    assert first.feed == "test-feed"
    assert first.url == "https://news.example.org/world/2025/06/kerry-lavrov-geneva"
    assert first.title == "كيري ولافروف يبحثان الأزمة السورية في جنيف"
    # HTML reduced to text: tags and script gone, entities decoded, blocks on their own lines.
    assert first.summary == (
        "التقى وزير الخارجية الأمريكي جون كيري نظيره الروسي سيرغي لافروف.\nحلب & أنقرة\nموسكو"
    )
    assert "track" not in first.summary
    assert first.content == ""
    assert (first.language, first.language_source) == ("ar", "feed")
    assert first.published == datetime(2025, 6, 10, 12, 30, tzinfo=UTC)  # +0300 -> UTC
    assert first.fetched == FETCHED

    # No guid: the id comes from the link; content:encoded is kept as content.
    assert second.id == make_article_id("test-feed", None, second.url)
    assert second.summary == "هدنة جديدة في حلب."
    assert second.content == "حلب\nأعلنت موسكو وواشنطن هدنة جديدة."  # nbsp, spaces collapsed
    assert "color" not in second.content

    # dc:language on the item beats the channel's <language>; relative link resolved.
    assert third.language == "ru"
    assert third.title == "Лавров провёл переговоры с Керри"
    assert third.url == "https://news.example.org/feeds/ru/2025/06/lavrov-kerry"
    assert third.published == datetime(2025, 6, 12, 7, 15, tzinfo=UTC)


def test_atom_french_with_xml_base() -> None:
    parsed = parse(read_fixture("atom_fr.xml"), "application/atom+xml")
    assert parsed.error is None
    first, second = parsed.articles
    guid = "urn:uuid:7c1d2b1e-0000-4000-8000-000000000101"
    assert first.id == make_article_id("test-feed", guid, None)
    assert first.url == "https://actu.example.fr/international/2025/06/10/lavrov-kerry-geneve"
    assert first.title == "Lavrov & Kerry à Genève"
    assert first.summary == "Les deux ministres se sont rencontrés à Genève."
    assert first.content == (
        "Premier paragraphe sur la Syrie.\nSecond paragraphe : Alep était au cœur des discussions."
    )
    assert first.language == "fr"  # xml:lang="fr-FR"
    assert first.published == datetime(2025, 6, 10, 7, 30, tzinfo=UTC)  # published, not updated

    assert second.url == "https://actu.example.fr/monde/2025/06/11/treve-alep"
    assert second.summary == "Une trêve a été annoncée à Alep."
    assert second.content == ""  # identical to the summary feedparser derived from it
    assert second.published == datetime(2025, 6, 11, 7, 45, tzinfo=UTC)  # from <updated>


def test_the_list_language_wins_then_a_declaration_in_the_text_s_script_then_detection() -> None:
    def feed(declared: str, title: str) -> bytes:
        language = f"<language>{declared}</language>" if declared else ""
        return (
            f"<rss version='2.0'><channel>{language}<item><title>{title}</title><guid>1</guid>"
            "</item></channel></rss>"
        ).encode()

    persian = "این یک وبلاگ فارسی است درباره سیاست ایران و همسایگانش"
    blog = feed("en", persian)  # a Persian blog whose feed says it is English
    listed = parse(blog, spec=FeedSpec(id="h", url=BASE, language="fa-IR")).articles[0]
    assert (listed.language, listed.language_source) == ("fa", "list")
    # Without the list's word, "en" over Arabic letters is not believed: the text decides.
    detected = parse(blog).articles[0]
    assert (detected.language, detected.language_source) == ("fa", "detected")
    english = parse(feed("", "The foreign ministers met in Geneva to discuss Syria")).articles[0]
    assert (english.language, english.language_source) == ("en", "detected")
    # A declaration in the text's script is taken as it is; too little text says nothing.
    french = parse(feed("fr", "Les ministres se sont retrouvés à Genève pour la Syrie")).articles[0]
    assert (french.language, french.language_source) == ("fr", "feed")
    short = parse(feed("", "x")).articles[0]
    assert (short.language, short.language_source) == ("", "")


def test_http_charset_is_honoured() -> None:
    body = (
        "<rss version='2.0'><channel><item><title>Лавров в Москве</title></item></channel></rss>"
    ).encode("cp1251")
    right = parse(body, "application/rss+xml; charset=windows-1251")
    assert right.articles[0].title == "Лавров в Москве"
    # The header is what decides: the same bytes declared as KOI8-R read as other letters.
    # (Without any charset feedparser guesses, and with chardet installed it guesses right.)
    wrong = parse(body, "application/rss+xml; charset=koi8-r")
    assert wrong.articles[0].title != "Лавров в Москве"


def test_xml_declaration_beats_text_xml_default_without_error() -> None:
    # text/xml without charset is us-ascii by RFC 3023; feedparser flags the override as bozo,
    # but the text is right, so it is not reported as an error.
    parsed = parse(read_fixture("rss_ar_ru.xml"), "text/xml")
    assert parsed.error is None
    assert parsed.articles[0].title.startswith("كيري")


def test_truncated_document_keeps_complete_entries_and_reports_error() -> None:
    parsed = parse(read_fixture("truncated.xml"), "application/rss+xml")
    assert [a.title for a in parsed.articles] == ["First complete item", "Second complete item"]
    assert parsed.error is not None
    assert parsed.error.startswith("SAXParseException")
    assert "cut off" in parsed.error


def test_broken_entity_keeps_every_entry() -> None:
    body = (
        b"<rss version='2.0'><channel><item><title>A &amp B</title><guid>1</guid></item>"
        b"<item><title>C</title><guid>2</guid></item></channel></rss>"
    )
    parsed = parse(body)
    assert parsed.error is not None
    assert len(parsed.articles) == 2  # the loose parser recovered both; nothing is dropped


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (read_fixture("not_a_feed.html"), "text/html; charset=utf-8", "not a feed: HTML page"),
        (b"", "application/rss+xml", "not a feed: empty body"),
        (b"  \n ", "application/rss+xml", "not a feed: empty body"),
        (
            b"<?xml version='1.0'?><config><a/></config>",
            "application/xml",
            "not a feed: no RSS, Atom or RDF root element",
        ),
        (b"just some words", "text/plain", "not a feed: SAXParseException"),
    ],
)
def test_documents_that_are_not_feeds(body: bytes, content_type: str, error: str) -> None:
    parsed = parse(body, content_type)
    assert parsed.articles == ()
    assert parsed.error is not None
    assert parsed.error.startswith(error)


def test_repeated_guid_yields_one_article() -> None:
    body = (
        b"<rss version='2.0'><channel>"
        b"<item><title>v1</title><guid>same</guid></item>"
        b"<item><title>v2</title><guid>same</guid></item></channel></rss>"
    )
    assert [a.title for a in parse(body).articles] == ["v1"]


def test_entry_without_guid_or_link_gets_a_text_id() -> None:
    body = b"<rss version='2.0'><channel><item><title>Only a title</title></item></channel></rss>"
    (article,) = parse(body).articles
    assert article.url == ""
    assert article.id == make_article_id("test-feed", None, None, "Only a title", "")


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>Two</p>", "One\nTwo"),
        ("a&amp;b &lt;c&gt; &eacute; &#1604;", "a&b <c> é ل"),
        ("x<br>y<br/>z", "x\ny\nz"),
        ("<script>var a = '<p>';</script>kept<style>.x{}</style>", "kept"),
        ("  lots \t of\n\n   space  ", "lots of\nspace"),
        ("<ul><li>a</li><li>b</li></ul>", "a\nb"),
        ("<b>bold</b> and <i>it</i>", "bold and it"),
        ("plain, no markup", "plain, no markup"),
        ("", ""),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("ar", "ar"),
        ("fr-FR", "fr"),
        ("RU", "ru"),
        ("en_GB", "en"),
        (" de ", "de"),
        ("", ""),
        (None, ""),
        ("x", ""),
        ("12", ""),
    ],
)
def test_normalise_language(tag: object, language: str) -> None:
    assert normalise_language(tag) == language
