"""`newswatch explain`: names found where, entities missing, the condition step by step."""

from __future__ import annotations

import json
from dataclasses import replace

from newswatch.rules.condition import parse_condition
from newswatch.rules.loader import parse_rules_text
from newswatch.workflow.explain import explain_rule, trace
from tests.support.feed_server import FeedServer
from tests.workflow.conftest import (
    DAMASCUS,
    SYRIA_TALKS,
    Workspace,
    lines,
    other_article,
    seed_article,
)


def setup_rules(ws: Workspace) -> None:
    ws.rule("syria.yaml", SYRIA_TALKS)
    ws.rule("damascus.yaml", DAMASCUS)


def test_an_archived_article_by_id(ws: Workspace) -> None:
    setup_rules(ws)
    ws.archive([seed_article()])
    result = ws.cli("explain", "seed-0001", "--rules", str(ws.rules), "--state", str(ws.state))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("article seed-0001: واشنطن تعلن تقدم مباحثاتها مع موسكو بشأن سوريا")
    assert "rule syria-talks (Russia–US talks on Syria) FIRES" in out
    # Where each name was found, with the offsets into the original field and how.
    assert "'Sergey Lavrov' in content [59:72] (exact)" in out
    assert "'سيرجي لافروف' in content [289:301] (exact)" in out
    assert "'بسوريا' in content [766:772] (prefix, as 'سوريا')" in out
    assert "sport (sport): looked for football, كرة القدم" in out
    condition = out[out.index("rule syria-talks") :].split("  condition:\n", 1)[1]
    assert lines(condition)[:7] == [
        "    (lavrov or kerry) and syria and not sport = true",
        "      lavrov or kerry = true",
        "        lavrov = true",
        "        kerry = true",
        "      syria = true",
        "      not sport = true",
        "        sport = false",
    ]
    assert "rule damascus (Damascus) does not fire" in out
    assert "does not fire: none of its names is in the article" in out


def test_the_offsets_shown_slice_the_article() -> None:
    (rule,), _ = parse_rules_text(SYRIA_TALKS, "r.yaml")
    article = seed_article()
    explained = explain_rule(rule, article)
    mentions = [m for e in explained.entities for m in e.mentions]
    assert mentions and all(
        getattr(article, m.field)[m.start : m.end] == m.surface for m in mentions
    )


def test_names_found_but_the_condition_false() -> None:
    (rule,), _ = parse_rules_text(SYRIA_TALKS, "r.yaml")
    article = other_article("x", "Lavrov and Kerry talk football in Syria")
    explained = explain_rule(rule, article)
    assert not explained.fired
    assert explained.reason == "does not fire: names were found but the condition is false"
    assert [(s.expression, s.value) for s in explained.steps][-2:] == [
        ("not sport", False),
        ("sport", True),
    ]


def test_language_filter_and_disabled_rule_are_named_as_the_reason() -> None:
    (rule,), _ = parse_rules_text(SYRIA_TALKS + "languages: [en]\n", "r.yaml")
    explained = explain_rule(rule, seed_article())
    assert not explained.fired
    assert "language 'ar' is not in the rule's languages [en]" in explained.reason
    assert explained.entities[0].found  # the names are still shown
    (off,), _ = parse_rules_text(SYRIA_TALKS + "status: disabled\n", "r.yaml")
    assert "the rule is disabled" in explain_rule(off, seed_article()).reason


def test_any_and_all_say_which_entities_they_saw() -> None:
    steps = trace(parse_condition("all or any"), frozenset({"a"}), ("a", "b"))
    assert [(s.depth, s.expression, s.value) for s in steps] == [
        (0, "all or any", True),
        (1, "all (missing: b)", False),
        (1, "any (found: a)", True),
    ]


def test_a_json_file_and_one_rule(ws: Workspace) -> None:
    setup_rules(ws)
    path = ws.root / "article.json"
    path.write_text(seed_article().to_json(), encoding="utf-8")
    result = ws.cli(
        "explain", str(path), "--rules", str(ws.rules), "--rule", "damascus", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.stdout)
    assert item["article"]["id"] == "seed-0001"
    (rule,) = item["rules"]
    assert rule["rule"] == "damascus" and rule["fired"] is False
    assert rule["entities"][0]["found"] is False
    assert rule["condition"] == [{"depth": 0, "expression": "any (found: none)", "value": False}]


def test_a_url_is_fetched_once_when_not_archived(ws: Workspace, feed_server: FeedServer) -> None:
    setup_rules(ws)
    page = (
        "<html><head><title>Talks in Damascus</title></head>"
        "<body><p>Lavrov arrived in Damascus and Syria</p></body></html>"
    )
    url = feed_server.route("/story.html", page, content_type="text/html; charset=utf-8")
    result = ws.cli("explain", url, "--rules", str(ws.rules), "--state", str(ws.state))
    assert result.exit_code == 0, result.output
    assert "article " in result.stdout and ": Talks in Damascus (" in result.stdout
    assert "rule damascus (Damascus) FIRES" in result.stdout
    assert "'Damascus' in title" in result.stdout
    assert len(feed_server.requests("/story.html")) == 1


def test_a_url_in_the_archive_is_not_fetched(ws: Workspace, feed_server: FeedServer) -> None:
    setup_rules(ws)
    url = feed_server.route("/story.html", "<html><title>Other</title></html>")
    ws.archive([replace(other_article("known", "Damascus today"), url=url)])
    result = ws.cli(
        "explain", url, "--rules", str(ws.rules), "--rule", "damascus", "--state", str(ws.state)
    )
    assert result.exit_code == 0, result.output
    assert "article known: Damascus today" in result.stdout
    assert feed_server.requests("/story.html") == []


def test_text_given_on_the_command_line(ws: Workspace) -> None:
    setup_rules(ws)
    result = ws.cli(
        "explain", "--text", "سيرغي لافروف في دمشق", "--language", "ar", "--rules", str(ws.rules)
    )
    assert result.exit_code == 0
    assert "rule damascus (Damascus) FIRES" in result.stdout
    assert "rule syria-talks (Russia–US talks on Syria) does not fire" in result.stdout
    assert "syria = false" in result.stdout


def test_errors_exit_1_or_2(ws: Workspace) -> None:
    setup_rules(ws)
    ws.archive([seed_article()])
    state = ("--rules", str(ws.rules), "--state", str(ws.state))
    unknown = ws.cli("explain", "nope", *state)
    assert unknown.exit_code == 1
    assert "'nope' is no file, no URL and no article id in the archive" in unknown.output
    no_rule = ws.cli("explain", "seed-0001", "--rule", "nope", *state)
    assert no_rule.exit_code == 1 and "no rule 'nope'" in no_rule.output
    assert "(known: damascus, syria-talks)" in no_rule.output
    bad = ws.root / "bad.json"
    bad.write_text('{"title": "no id"}\n', encoding="utf-8")
    not_article = ws.cli("explain", str(bad), *state)
    assert not_article.exit_code == 1 and "not an article" in not_article.output
    neither = ws.cli("explain", *state)
    assert neither.exit_code == 2 and "give ARTICLE or --text" in neither.output
    broken_rules = ws.rule("broken.yaml", "id: b\nentities: [\n")
    broken = ws.cli("explain", "seed-0001", *state)
    assert broken.exit_code == 1 and f"{broken_rules}:" in broken.output
