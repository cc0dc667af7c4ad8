"""An alert rendered for its target: plain text, Markdown (escaped, names in bold), HTML."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from apprise import NotifyFormat
from apprise.conversion import convert_between

from newswatch.alerts.message import Alert, build_alert
from newswatch.alerts.render import render
from tests.alerts.builders import LAVROV_AR, SYRIA_AR, make_article, make_hit, make_rule


def alert_with(body: str, *names: str, title: str = "[HIGH] Watch: t") -> Alert:
    """An alert whose marks are the first occurrence of each of ``names`` in ``body``."""
    marks = []
    for name in names:
        at = body.index(name)
        marks.append((at, at + len(name)))
    return Alert("k", "r", "1", "a", title, body, ("default",), "high", marks=tuple(sorted(marks)))


def md_to_html(markdown: str) -> str:
    """What a Markdown target shows: Apprise's own CommonMark renderer (Python-Markdown)."""
    convert: Callable[..., object] = convert_between  # untyped in Apprise
    return str(convert(NotifyFormat.MARKDOWN, NotifyFormat.HTML, markdown))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html_text: str) -> _Tags:
    parser = _Tags()
    parser.feed(html_text)
    parser.close()
    return parser


def test_text_is_the_alert_as_built() -> None:
    rule, article = make_rule(), make_article()
    alert = build_alert(rule, article, make_hit(rule, article))
    assert render(alert, "text") == (alert.title, alert.body)
    assert render(alert, NotifyFormat.TEXT) == (alert.title, alert.body)


def test_markdown_bolds_the_marks_and_keeps_arabic_as_written() -> None:
    rule, article = make_rule(), make_article()
    alert = build_alert(rule, article, make_hit(rule, article))
    title, body = render(alert, NotifyFormat.MARKDOWN)
    assert title == alert.title.replace("[", "\\[").replace("]", "\\]")
    assert f"**{LAVROV_AR}**" in body and f"**{SYRIA_AR}**" in body
    assert body.count("**") == 2 * len(alert.marks)
    # Only markup was added: taking it out gives the text back, character for character.
    plain = body.replace("**", "").replace("\\", "").replace("<https://", "https://")
    assert plain.replace("news/a1>", "news/a1") == alert.body
    html_out = md_to_html(body)
    assert parsed(html_out).tags.count("strong") == len(alert.marks)
    assert f"<strong>{LAVROV_AR}</strong>" in html_out


def test_markdown_escapes_what_would_change_the_rendering() -> None:
    body = "\n".join(
        [
            "a *b* _c_ `d` [e](f) ![g](h) <i>j</i> ~~k~~ ||l|| &amp; back\\slash Lavrov",
            "# not a heading",
            "> not a quote",
            "- not a list",
            "+ not a list",
            "1. not a list",
            "2) not a list",
            "text",
            "===",
            "---",
            "   # indented",
        ]
    )
    alert = alert_with(body, "Lavrov")
    _, rendered = render(alert, "markdown")
    lines = rendered.split("\n")
    assert lines[0] == (
        "a \\*b\\* \\_c\\_ \\`d\\` \\[e\\](f) !\\[g\\](h) \\<i>j\\</i> \\~\\~k\\~\\~ "
        "\\|\\|l\\|\\| \\&amp; back\\\\slash **Lavrov**"
    )
    assert lines[1:] == [
        "\\# not a heading",
        "\\> not a quote",
        "\\- not a list",
        "\\+ not a list",
        "1\\. not a list",
        "2\\) not a list",
        "text",
        "\\===",
        "\\---",
        "   \\# indented",
    ]
    shown = md_to_html(rendered)
    tags = parsed(shown).tags
    # A real renderer shows one bold name and no other markup at all.
    assert tags.count("strong") == 1
    for tag in ("em", "code", "a", "img", "i", "h1", "h2", "blockquote", "ul", "ol", "li", "hr"):
        assert tag not in tags, (tag, shown)
    text = "".join(parsed(shown).text)
    # (Not "&amp;": CommonMark shows "\&amp;" as the five characters, but Python-Markdown turns
    # an escaped "&" back into a bare one; the exact string above is the CommonMark form.)
    for literal in ("*b*", "_c_", "`d`", "[e](f)", "<i>j</i>", "back\\slash", "# not", "1. not"):
        assert literal in text, literal


def test_markdown_links_stay_whole_and_clickable() -> None:
    url = "https://example.org/_world_/a*b?x=1&y=2"
    alert = alert_with(f"Link: {url}\nsee {url}.", title="[HIGH] t")
    _, rendered = render(alert, "markdown")
    assert rendered == f"Link: <{url}>\nsee <{url}>."
    shown = md_to_html(rendered)
    assert "<em>" not in shown
    assert len(re.findall(r'href="https://example.org/_world_/a\*b\?x=1&amp;y=2"', shown)) == 2


def test_markdown_bold_works_inside_a_word_and_for_cyrillic() -> None:
    alert = alert_with("ولافروف في دمشق; встреча с Лавровым", "لافروف", "Лавровым")
    _, rendered = render(alert, "markdown")
    assert rendered == "و**لافروف** في دمشق; встреча с **Лавровым**"
    shown = md_to_html(rendered)
    assert "<strong>لافروف</strong>" in shown and "<strong>Лавровым</strong>" in shown


def test_html_escapes_marks_and_keeps_blocks_apart() -> None:
    body = "قال <لافروف> & Co: «ok»\n\nFeed: x & y\nLink: https://x.org/?a=1&b=2"
    alert = alert_with(body, "لافروف", title="[HIGH] A & B <c>")
    title, rendered = render(alert, NotifyFormat.HTML)
    assert title == "[HIGH] A &amp; B &lt;c&gt;"
    assert rendered == (
        '<div dir="auto">قال &lt;<b>لافروف</b>&gt; &amp; Co: «ok»</div><br/>'
        '<div dir="auto">Feed: x &amp; y<br/>Link: https://x.org/?a=1&amp;b=2</div>'
    )
    # The text a reader sees is the body, unchanged.
    shown = parsed(rendered.replace("<br/>", "\n"))
    assert "".join(shown.text).replace("\n\n", "\n") == body.replace("\n\n", "\n")


def test_marks_never_split_a_grapheme() -> None:
    # A mark that (wrongly) ends before the damma or starts on a combining mark is widened.
    body = "وصل لافروفُ إلى دمشق"
    start = body.index("لافروف")
    alert = Alert("k", "r", "1", "a", "t", body, (), "high", marks=((start, start + 6),))
    assert render(alert, "html")[1] == '<div dir="auto">وصل <b>لافروفُ</b> إلى دمشق</div>'
    assert render(alert, "markdown")[1] == "وصل **لافروفُ** إلى دمشق"
    inside = Alert("k", "r", "1", "a", "t", body, (), "high", marks=((start + 6, start + 7),))
    assert render(inside, "markdown")[1] == "وصل لافرو**فُ** إلى دمشق"


def test_a_mark_with_blanks_at_its_edges_is_bold_without_them() -> None:
    alert = Alert("k", "r", "1", "a", "t", "a Лавров b", (), "high", marks=((1, 9),))
    assert render(alert, "markdown")[1] == "a **Лавров** b"
    assert render(alert, "html")[1] == '<div dir="auto">a <b>Лавров</b> b</div>'


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(alert_with("x"), "rtf")
