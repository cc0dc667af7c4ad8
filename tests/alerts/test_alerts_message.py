"""The alert text: title, body, names, passages, marks, tags and the JSON form (pure functions)."""

from __future__ import annotations

import dataclasses
import json
import unicodedata

import pytest

from newswatch.alerts.message import (
    ELLIPSIS,
    Alert,
    AlertError,
    build_alert,
    build_story_alert,
    make_snippet,
)
from newswatch.matching.hits import Hit, Mention
from newswatch.rules.condition import Any as AnyEntity
from newswatch.rules.model import Entity, EntityKind, Rule, Severity
from tests.alerts.builders import (
    AR_CONTENT,
    AR_SUMMARY,
    AR_TITLE,
    LAVROV_AR,
    SYRIA_AR,
    make_article,
    make_hit,
    make_rule,
    mention,
)

BIDI_CONTROLS = {"\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"}
BIDI_CONTROLS |= {"\u2066", "\u2067", "\u2068", "\u2069", "\u061c"}


def blocks(body: str) -> list[str]:
    """The body's blocks: passages of the article, then the details."""
    return body.split("\n\n")


def marked(alert: Alert) -> list[str]:
    return [alert.body[start:end] for start, end in alert.marks]


def test_title_and_body_carry_the_story_with_arabic_intact() -> None:
    rule, article = make_rule(), make_article()
    alert = build_alert(rule, article, make_hit(rule, article))

    assert alert.title == f"[HIGH] Lavrov on Syria: {AR_TITLE}"
    lines = alert.body.splitlines()
    # The headline is the title's; the body starts with the summary and does not repeat it.
    assert AR_TITLE not in alert.body
    assert lines[0] == AR_SUMMARY
    assert "Feed: rt-arabic" in lines
    assert "Language: ar" in lines
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
    assert not BIDI_CONTROLS & set(alert.body + alert.title)
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
    # The summary ("وكالات") names no one, so the content's passage follows it.
    summary, snippet, _details = blocks(alert.body)
    assert summary == AR_SUMMARY

    assert LAVROV_AR in snippet and SYRIA_AR in snippet
    assert snippet.endswith(ELLIPSIS)  # the content goes on beyond ~200 characters
    assert len(snippet) <= 202
    inner = snippet.strip(ELLIPSIS)
    # Every word of the snippet is a whole word of the content (no word cut in half).
    assert set(inner.split()) <= set(AR_CONTENT.split())
    assert inner in " ".join(AR_CONTENT.split())


def test_a_name_only_in_the_title_adds_no_passage_and_the_summary_stays() -> None:
    rule = make_rule()
    article = make_article()
    hit = make_hit(rule, article, mention(article, "lavrov", LAVROV_AR, "title"))
    alert = build_alert(rule, article, hit)
    summary, details = blocks(alert.body)  # no passage: the title is never one
    assert summary == AR_SUMMARY
    assert details.startswith("Feed: rt-arabic\n")
    assert (alert.title + "\n" + alert.body).count(AR_TITLE) == 1
    # Only the "Names found" line holds the name, and it is marked there.
    assert marked(alert) == [LAVROV_AR]
    assert alert.body.count(LAVROV_AR) == 1


def test_stale_offsets_fall_back_to_finding_the_surface() -> None:
    rule, article = make_rule(), make_article()
    good = mention(article, "syria", SYRIA_AR, "content")
    stale = dataclasses.replace(good, start=good.start + 5, end=good.end + 5)
    alert = build_alert(rule, article, make_hit(rule, article, stale))
    snippet = blocks(alert.body)[1]
    assert SYRIA_AR in snippet
    # The mark is where the name really is, not 5 characters off.
    assert marked(alert)[0] == SYRIA_AR


def test_optional_lines_are_left_out_and_an_untitled_article_uses_its_link() -> None:
    rule = make_rule(severity=Severity.CRITICAL)
    article = make_article(title="", feed="", published=None, content=f"خبر عن {SYRIA_AR}")
    hit = make_hit(rule, article, mention(article, "syria", SYRIA_AR, "content"))
    alert = build_alert(rule, article, hit)
    assert alert.title == f"[CRITICAL] Lavrov on Syria: {article.url}"
    assert not any(line.startswith(("Feed:", "Published:")) for line in alert.body.splitlines())
    no_language = build_alert(rule, dataclasses.replace(article, language=""), hit)
    assert "Language:" not in no_language.body
    assert "Language: ar" in alert.body.splitlines()


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


# --- the layout: headline once, summary kept, names marked ------------------------------------

LE_MONDE_TITLE = "Poutine prisonnier d'Assad en Syrie"
LE_MONDE_SUMMARY = (
    "En sauvant le régime syrien en 2015, le président russe s'est lié à Bachar Al-Assad ; "
    "la chute d'Alep le place face à un choix qu'il voulait éviter."
)


def putin_rule() -> Rule:
    return Rule(
        id="putin-syria",
        version="2",
        title="Putin in Syria",
        condition=AnyEntity(),
        entities=(
            Entity("putin", EntityKind.PERSON, ("Poutine", "Путин"), canonical="Vladimir Putin"),
            Entity("syria", EntityKind.PLACE, ("Syrie",), canonical="Syria"),
        ),
        severity=Severity.HIGH,
    )


def le_monde(**changes: object) -> tuple[Rule, Alert]:
    rule = putin_rule()
    values: dict[str, object] = {
        "feed": "lemonde-international",
        "url": "https://www.lemonde.fr/international/article/2026/03/01/poutine_1.html",
        "title": LE_MONDE_TITLE,
        "summary": LE_MONDE_SUMMARY,
        "content": "",
        "language": "fr",
    }
    values.update(changes)
    article = make_article("lemonde-1", **values)
    hit = make_hit(
        rule,
        article,
        mention(article, "putin", "Poutine", "title"),
        mention(article, "syria", "Syrie", "title"),
    )
    return rule, build_alert(rule, article, hit)


def test_le_monde_headline_is_printed_once_and_its_summary_is_kept() -> None:
    _, alert = le_monde()
    assert alert.title == f"[HIGH] Putin in Syria: {LE_MONDE_TITLE}"
    # Once in title and body together (it was three times: title, first line, snippet).
    assert (alert.title + "\n" + alert.body).count(LE_MONDE_TITLE) == 1
    summary, details = blocks(alert.body)
    assert summary == LE_MONDE_SUMMARY  # short enough to be whole, without "…"
    lines = details.splitlines()
    assert lines[:3] == [
        "Feed: lemonde-international",
        "Language: fr",
        "Link: https://www.lemonde.fr/international/article/2026/03/01/poutine_1.html",
    ]
    assert "Rule: Putin in Syria (putin-syria v2, high)" in lines
    assert lines[-3:] == ["Names found:", "- Vladimir Putin: Poutine", "- Syria: Syrie"]
    # The names are in the title only, so the marks are those of the "Names found" list.
    assert marked(alert) == ["Poutine", "Syrie"]
    assert alert.marks[0][0] > len(summary)


def test_a_summary_that_repeats_the_headline_gives_way_to_the_content() -> None:
    content = "Le Kremlin a défendu dimanche son engagement militaire. " * 3
    _, alert = le_monde(summary=f"  {LE_MONDE_TITLE}\n", content=content)
    assert (alert.title + alert.body).count(LE_MONDE_TITLE) == 1
    assert blocks(alert.body)[0] == content.strip()


def test_a_long_summary_is_cut_at_a_word_near_300_characters() -> None:
    words = [f"mot{i:03d}" for i in range(100)]
    _, alert = le_monde(summary=" ".join(words))
    lead = blocks(alert.body)[0]
    assert lead.endswith(ELLIPSIS) and 270 <= len(lead) <= 301
    assert lead.strip(ELLIPSIS).split() == words[: len(lead.strip(ELLIPSIS).split())]


def test_without_a_summary_the_content_leads_and_a_later_name_gets_its_passage() -> None:
    rule = make_rule()
    filler = " ".join(["كلام"] * 120)  # ~600 characters before Syria is named
    content = f"قال {LAVROV_AR} إن {filler} في {SYRIA_AR} اليوم {filler}"
    article = make_article(summary="", content=content)
    hit = make_hit(
        rule,
        article,
        mention(article, "lavrov", LAVROV_AR, "content"),
        mention(article, "syria", SYRIA_AR, "content"),
    )
    alert = build_alert(rule, article, hit)
    lead, passage, _details = blocks(alert.body)
    assert lead.startswith(f"قال {LAVROV_AR} إن") and lead.endswith(ELLIPSIS)
    assert SYRIA_AR not in lead
    assert passage.startswith(ELLIPSIS) and SYRIA_AR in passage
    # Each name is marked where it is shown: Lavrov in the lead, Syria in the passage, then
    # both in the list.
    assert marked(alert) == [LAVROV_AR, SYRIA_AR, LAVROV_AR, SYRIA_AR]
    lavrov_at, syria_at = alert.marks[0][0], alert.marks[1][0]
    assert lavrov_at < len(lead) < syria_at < len(lead) + 2 + len(passage)


def test_arabic_summary_is_copied_exactly_and_the_name_is_marked_at_its_span() -> None:
    rule = make_rule()
    summary = "استقبل الأسد في دمشق ولافروف وصل أمس لبحث الوضع في سوريا"
    article = make_article(summary=summary)
    found = Mention("lavrov", "لافروف", "ولافروف", "summary", 21, 28)
    assert summary[found.start : found.end] == "ولافروف"  # the matcher's own offsets
    alert = build_alert(rule, article, make_hit(rule, article, found))

    first_line = alert.body.split("\n", 1)[0]
    assert first_line.encode("utf-8") == summary.encode("utf-8")  # byte for byte
    assert alert.marks[0] == (21, 28)
    assert alert.body[21:28] == "ولافروف"
    assert not BIDI_CONTROLS & set(alert.body)
    # The summary names the minister, so no passage of the content is added.
    assert len(blocks(alert.body)) == 2


def test_a_mark_takes_in_the_harakat_of_its_last_letter() -> None:
    rule = make_rule()
    summary = "وصل لافروفُ إلى دمشق"  # a damma on the last letter
    article = make_article(summary=summary)
    start = summary.index("لافروف")
    hit = make_hit(
        rule, article, Mention("lavrov", "لافروف", "لافروف", "summary", start, start + 6)
    )
    alert = build_alert(rule, article, hit)
    assert marked(alert)[0] == "لافروفُ"
    assert alert.body.startswith(summary)


def test_russian_article_marks_the_name_in_the_summary_and_the_place_in_a_passage() -> None:
    rule = make_rule()
    summary = "Министр иностранных дел Сергей Лавров прилетел в Дамаск."
    content = (
        "Глава российского МИД проведёт переговоры о ситуации в Сирии с президентом "
        "и представителями ООН; визит продлится два дня."
    )
    article = make_article(
        feed="tass-ru", title="Визит в Дамаск", summary=summary, content=content, language="ru"
    )
    hit = make_hit(
        rule,
        article,
        mention(article, "lavrov", "Лавров", "summary"),
        mention(article, "syria", "Сирии", "content"),
    )
    alert = build_alert(rule, article, hit)
    lead, passage, details = blocks(alert.body)
    assert lead == summary
    assert passage == content  # short: whole, no "…"
    assert "Language: ru" in details.splitlines()
    assert marked(alert) == ["Лавров", "Сирии", "Лавров", "Сирии"]
    assert alert.marks[0] == (summary.index("Лавров"), summary.index("Лавров") + 6)
    assert alert.marks[1][0] == len(lead) + 2 + content.index("Сирии")


def test_line_breaks_in_a_passage_become_spaces_and_marks_follow() -> None:
    rule = make_rule()
    summary = "Первая строка.\n\n   Сергей   Лавров\tприбыл."
    article = make_article(summary=summary, language="ru")
    hit = make_hit(rule, article, mention(article, "lavrov", "Лавров", "summary"))
    alert = build_alert(rule, article, hit)
    assert blocks(alert.body)[0] == "Первая строка. Сергей Лавров прибыл."
    assert marked(alert)[0] == "Лавров"


def test_story_alert_marks_a_name_two_rules_found_once() -> None:
    first, second = make_rule(), make_rule("lavrov-only", title="Lavrov")
    article = make_article()
    alert = build_story_alert(
        [(first, make_hit(first, article)), (second, make_hit(second, article))],
        article,
        key="k",
    )
    assert marked(alert).count(LAVROV_AR) == 2  # the passage and the list, not four
    assert blocks(alert.body)[0] == AR_SUMMARY
    assert AR_TITLE not in alert.body


def test_marks_round_trip_through_json_and_old_json_has_none() -> None:
    rule, article = make_rule(), make_article()
    alert = build_alert(rule, article, make_hit(rule, article))
    assert alert.marks
    data = json.loads(alert.to_json())
    assert data["marks"] == [list(span) for span in alert.marks]
    assert Alert.from_json(alert.to_json()).marks == alert.marks
    del data["marks"]  # an alert stored before marks existed
    assert Alert.from_dict(data).marks == ()
    assert Alert.from_dict(data | {"marks": None}).marks == ()


@pytest.mark.parametrize(
    "marks",
    [
        "0,3",
        [[1]],
        [[1, 2, 3]],
        [[0, "3"]],
        [[True, 3]],
        [[3, 3]],
        [[5, 2]],
        [[-1, 2]],
        [[0, 10_000]],
        [[0, 5], [3, 8]],
        [[6, 8], [0, 2]],
    ],
)
def test_malformed_marks_are_refused(marks: object) -> None:
    rule, article = make_rule(), make_article()
    data = build_alert(rule, article, make_hit(rule, article)).to_dict() | {"marks": marks}
    with pytest.raises(AlertError, match="marks"):
        Alert.from_dict(data)


def test_an_alert_cannot_be_made_with_marks_outside_its_body() -> None:
    alert = build_alert(make_rule(), make_article(), make_hit(make_rule(), make_article()))
    with pytest.raises(AlertError, match="within the body"):
        dataclasses.replace(alert, body="short", marks=((0, 6),))
    assert dataclasses.replace(alert, body="short", marks=((0, 5),)).marks == ((0, 5),)
