"""The alert text: title, body, names, snippet, tags and the JSON form (pure functions)."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from newswatch.alerts.message import ELLIPSIS, Alert, AlertError, build_alert, make_snippet
from newswatch.matching.hits import Hit
from newswatch.rules.model import Severity
from tests.alerts.builders import (
    AR_CONTENT,
    AR_TITLE,
    LAVROV_AR,
    SYRIA_AR,
    make_article,
    make_hit,
    make_rule,
    mention,
)


def test_title_and_body_carry_the_story_with_arabic_intact() -> None:
    rule, article = make_rule(), make_article()
    alert = build_alert(rule, article, make_hit(rule, article))

    assert alert.title == f"[HIGH] Lavrov on Syria: {AR_TITLE}"
    lines = alert.body.splitlines()
    assert lines[0] == AR_TITLE
    assert "Feed: rt-arabic" in lines
    assert "Link: https://arabic.example.org/news/a1" in lines
    # 14:30 at UTC+3 is 11:30 UTC.
    assert "Published: 2026-03-01T11:30:00Z" in lines
    assert "Rule: Lavrov on Syria (lavrov-syria v3, high)" in lines
    # The person is listed under its canonical name, the surface written once although it was
    # found twice; the place has no canonical name and keeps its key.
    assert f"- Sergey Lavrov: {LAVROV_AR}" in lines
    assert f"- syria: {SYRIA_AR}" in lines
    # Arabic arrives as written: same code points, same (logical) order, nothing added.
    assert LAVROV_AR in alert.body and SYRIA_AR in alert.body
    assert LAVROV_AR[::-1] not in alert.body
    bidi_controls = {"\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"}
    assert not bidi_controls & set(alert.body + alert.title)
    assert alert.key == "lavrov-syria\x1fa1" and alert.url == article.url
    assert (alert.rule_id, alert.rule_version, alert.article_id) == ("lavrov-syria", "3", "a1")
    assert alert.severity == "high"


def test_surface_forms_are_listed_as_written_and_deduplicated() -> None:
    rule = make_rule()
    content = "Лавров прибыл. ЛАВРОВ заявил. Лавров уехал. Сирия ждёт."
    article = make_article(title="Визит", content=content, language="ru")
    hit = make_hit(
        rule,
        article,
        mention(article, "lavrov", "Лавров", "content"),
        mention(article, "lavrov", "ЛАВРОВ", "content"),
        mention(article, "lavrov", "Лавров", "content", nth=1),
        mention(article, "syria", "Сирия", "content"),
    )
    body = build_alert(rule, article, hit).body
    assert "- Sergey Lavrov: Лавров, ЛАВРОВ" in body.splitlines()
    assert "- syria: Сирия" in body.splitlines()


def test_snippet_surrounds_the_first_body_mention_cut_at_word_boundaries() -> None:
    rule = make_rule()
    article = make_article()
    alert = build_alert(rule, article, make_hit(rule, article))
    snippet = alert.body.split("\n\n", 1)[1]

    assert LAVROV_AR in snippet and SYRIA_AR in snippet
    assert snippet.endswith(ELLIPSIS)  # the content goes on beyond ~200 characters
    assert len(snippet) <= 202
    inner = snippet.strip(ELLIPSIS)
    # Every word of the snippet is a whole word of the content (no word cut in half).
    assert set(inner.split()) <= set(AR_CONTENT.split())
    assert inner in " ".join(AR_CONTENT.split())


def test_snippet_falls_back_to_the_title_when_only_the_title_mentions() -> None:
    rule = make_rule()
    article = make_article()
    hit = make_hit(rule, article, mention(article, "lavrov", LAVROV_AR, "title"))
    snippet = build_alert(rule, article, hit).body.split("\n\n", 1)[1]
    assert snippet == AR_TITLE


def test_stale_offsets_fall_back_to_finding_the_surface() -> None:
    rule, article = make_rule(), make_article()
    good = mention(article, "syria", SYRIA_AR, "content")
    stale = dataclasses.replace(good, start=good.start + 5, end=good.end + 5)
    snippet = build_alert(rule, article, make_hit(rule, article, stale)).body.split("\n\n", 1)[1]
    assert SYRIA_AR in snippet


def test_optional_lines_are_left_out_and_an_untitled_article_uses_its_link() -> None:
    rule = make_rule(severity=Severity.CRITICAL)
    article = make_article(title="", feed="", published=None, content=f"خبر عن {SYRIA_AR}")
    hit = make_hit(rule, article, mention(article, "syria", SYRIA_AR, "content"))
    alert = build_alert(rule, article, hit)
    assert alert.title == f"[CRITICAL] Lavrov on Syria: {article.url}"
    assert not any(line.startswith(("Feed:", "Published:")) for line in alert.body.splitlines())


def test_title_is_one_line() -> None:
    rule = make_rule(title="Lavrov\n  on   Syria")
    article = make_article(title=f"{LAVROV_AR}\n\n يصل")
    hit = make_hit(rule, article, mention(article, "lavrov", LAVROV_AR, "title"))
    alert = build_alert(rule, article, hit)
    assert "\n" not in alert.title
    assert alert.title == f"[HIGH] Lavrov on Syria: {LAVROV_AR} يصل"


def test_tags_are_the_rules_notify_lowercased_or_the_default() -> None:
    article = make_article()
    tagged = make_rule(notify=("Desk", "email", "desk"))
    assert build_alert(tagged, article, make_hit(tagged, article)).tags == ("desk", "email")
    untagged = make_rule()
    assert build_alert(untagged, article, make_hit(untagged, article)).tags == ("default",)
    custom = build_alert(untagged, article, make_hit(untagged, article), default_tag="ops")
    assert custom.tags == ("ops",)


def test_a_hit_of_another_rule_or_article_is_refused() -> None:
    rule, article = make_rule(), make_article()
    with pytest.raises(AlertError, match="not for rule"):
        build_alert(rule, article, Hit("other-rule", "1", article.id, ()))
    with pytest.raises(AlertError, match="not for rule"):
        build_alert(rule, article, Hit(rule.id, "1", "other-article", ()))


def test_json_form_round_trips_and_keeps_arabic_readable() -> None:
    rule, article = make_rule(notify=("desk",)), make_article()
    alert = build_alert(rule, article, make_hit(rule, article))
    text = alert.to_json()
    assert LAVROV_AR in text  # not \\u-escaped
    assert Alert.from_json(text) == alert
    assert Alert.from_dict(alert.to_dict()) == alert
    assert Alert.from_json(text.encode("utf-8")) == alert


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"key": ""}, "key"),
        ({"rule_id": None}, "rule_id"),
        ({"tags": "desk"}, "tags"),
        ({"tags": ["desk", 3]}, "tags"),
        ({"url": 5}, "url"),
    ],
)
def test_json_form_is_validated(change: dict[str, object], message: str) -> None:
    rule, article = make_rule(), make_article()
    data = build_alert(rule, article, make_hit(rule, article)).to_dict() | change
    with pytest.raises(AlertError, match=message):
        Alert.from_dict(data)
    with pytest.raises(AlertError, match="not JSON"):
        Alert.from_json("{nope")


def test_make_snippet_window_and_marks() -> None:
    words = [f"w{i:03d}" for i in range(200)]
    text = " ".join(words)
    at = text.index("w100")
    snippet = make_snippet(text, at, at + 4, width=60)
    assert snippet.startswith(ELLIPSIS) and snippet.endswith(ELLIPSIS)
    assert "w100" in snippet
    assert all(part in words for part in snippet.strip(ELLIPSIS).split())
    assert len(snippet) <= 62
    # At the start of the text there is nothing cut before, so no leading mark.
    head = make_snippet(text, 0, 4, width=60)
    assert head.startswith("w000") and head.endswith(ELLIPSIS)
    # Room not usable on one side goes to the other.
    assert len(head.strip(ELLIPSIS)) >= 50
    # Whole short texts come back unmarked; line breaks become spaces.
    assert make_snippet("one\ntwo  three", 4, 7) == "one two three"
    # A mention longer than the window is kept whole.
    long_name = "x" * 300
    assert make_snippet(f"a {long_name} b", 2, 302, width=50).strip(ELLIPSIS) == long_name


def test_make_snippet_never_splits_a_letter_from_its_marks() -> None:
    # Arabic with harakat and no spaces at all: the cut must not leave a mark without its letter.
    voweled = "سَلَامٌ" * 80
    at = voweled.index("سَ", 200)
    snippet = make_snippet(voweled, at, at + 2, width=40).strip(ELLIPSIS)
    assert snippet and unicodedata.category(snippet[0]) not in ("Mn", "Mc", "Me")
    assert snippet in voweled
    after = voweled[voweled.index(snippet) + len(snippet) :]
    assert not after or unicodedata.category(after[0]) not in ("Mn", "Mc", "Me")
