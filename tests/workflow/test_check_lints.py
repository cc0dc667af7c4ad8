"""`rules check`: the new lints, suggestions on every problem, --format json, exit codes."""

from __future__ import annotations

import json

from newswatch.workflow.check import check_rules
from newswatch.workflow.lint import MAX_SUBSET_ENTITIES
from tests.workflow.conftest import SYRIA_TALKS, Workspace, lines


def test_a_clean_rule_passes_with_no_output_and_exit_0(ws: Workspace) -> None:
    ws.rule("syria.yaml", SYRIA_TALKS)
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "1 rule(s) loaded from 1 file(s); 0 error(s)" in result.stderr


def test_a_condition_that_can_never_fire_is_an_error_with_a_suggestion(ws: Workspace) -> None:
    path = ws.rule(
        "never.yaml", "id: never\nentities:\n  sport:\n    keywords: [football]\nmatch: not sport\n"
    )
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 1
    (line,) = lines(result.stdout)
    assert line.startswith(f"{path}:5:8: match `not sport` can never fire")
    assert "[never]; suggestion:" in line and "`y and not x`" in line


def test_a_condition_that_always_holds_and_an_entity_without_effect_are_warnings(
    ws: Workspace,
) -> None:
    path = ws.rule(
        "r.yaml",
        "rules:\n"
        "  - id: always\n    entities:\n      a: {place: Syria}\n      b: {place: Iraq}\n"
        "    match: a or not a or b\n"
        "  - id: redundant\n    entities:\n      a: {place: Syria}\n      b: {place: Iraq}\n"
        "    match: a or (a and b)\n",
    )
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 0, result.output  # warnings only
    out = lines(result.stdout)
    assert any(
        ln.startswith(f"{path}:6:12: warning: match `a or not a or b` holds whatever is found")
        for ln in out
    )
    assert any(
        ln.startswith(f"{path}:10:7: warning: entity 'b' never changes whether match")
        and "[redundant]" in ln
        and "`a or (a and b)` is just `a`" in ln
        for ln in out
    )
    # An ordinary rule gets none of these.
    assert not any("[always]" in ln and "never changes" in ln for ln in out)


def test_an_entity_defined_but_not_used_by_match_is_flagged_at_its_key(ws: Workspace) -> None:
    path = ws.rule(
        "r.yaml",
        "id: unused\nentities:\n  lavrov: {person: Sergey Lavrov}\n"
        "  kerry: {person: John Kerry}\nmatch: lavrov\n",
    )
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 0
    (line,) = lines(result.stdout)
    assert line.startswith(f"{path}:4:3: warning: entity 'kerry' is defined but match does not")
    assert "`lavrov or kerry`" in line


def test_any_and_all_use_every_entity(ws: Workspace) -> None:
    ws.rule(
        "r.yaml",
        "id: both\nentities:\n  lavrov: {person: Sergey Lavrov}\n"
        "  kerry: {person: John Kerry}\nmatch: all\n",
    )
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 0 and result.stdout == ""


def test_common_words_are_flagged_only_where_they_can_fire_the_rule_alone(ws: Workspace) -> None:
    path = ws.rule(
        "r.yaml",
        "rules:\n"
        "  - id: loose\n    entities:\n"
        "      who: {person: Karim Lahham, aliases: [كريم]}\n"  # "generous": fires alone
        "      what: {keywords: [new]}\n"
        "      city: {place: Nice, aliases: [nice]}\n"
        "  - id: guarded\n    entities:\n"
        "      who: {person: Karim Lahham, aliases: [كريم]}\n"
        "      syria: {place: Syria}\n"
        "    match: who and syria\n",
    )
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 0
    out = lines(result.stdout)
    loose = [ln for ln in out if "[loose]" in ln]
    assert any(f"{path}:4:45:" in ln and "'كريم' may fire on ordinary text" in ln for ln in loose)
    assert any("'new' may fire on ordinary text" in ln and "Zipf" in ln for ln in loose)
    assert any("'nice'" in ln and "write it capitalised (Nice)" in ln for ln in loose)
    assert not [ln for ln in out if "[guarded]" in ln and "ordinary text" in ln]


def test_schema_errors_carry_a_suggestion(ws: Workspace) -> None:
    path = ws.rule(
        "r.yaml",
        "id: typo\nentities:\n  lavrov:\n    person: Sergey Lavrov\n    alias: [Lavrov]\n"
        "match: lavorv\n",
    )
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 1
    (line,) = lines(result.stdout)
    assert line.startswith(f"{path}:5:5: entities.lavrov.alias: unknown key [typo]")
    assert "did you mean 'aliases'?" in line


def test_an_undefined_entity_gets_a_did_you_mean(ws: Workspace) -> None:
    ws.rule("r.yaml", "id: typo\nentities:\n  lavrov: {person: Sergey Lavrov}\nmatch: lavorv\n")
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 1
    assert "is not defined under entities" in result.stdout
    assert "suggestion: did you mean 'lavrov'?" in result.stdout


def test_a_failing_example_suggests_the_explain_command(ws: Workspace) -> None:
    ws.rule(
        "r.yaml",
        "id: ex\nentities:\n  syria: {place: Syria}\n"
        "examples:\n  - text: Weather in Paris\n    expect: match\n",
    )
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 1
    assert "example expects match but the rule does not fire" in result.stdout
    assert "newswatch explain --rules" in result.stdout and "--rule ex --text" in result.stdout


def test_json_format_gives_code_level_and_suggestion(ws: Workspace) -> None:
    path = ws.rule(
        "r.yaml",
        "id: never\nentities:\n  sport:\n    keywords: [football]\n  x: {place: Iraq}\n"
        "match: not sport and not x\n",
    )
    result = ws.cli("rules", "check", "--format", "json", str(ws.rules))
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["rules"] == ["never"]
    (problem,) = [p for p in payload["problems"] if p["code"] == "never-fires"]
    assert problem == {
        "file": str(path),
        "line": 6,
        "col": 8,
        "level": "error",
        "rule": "never",
        "message": "match `not sport and not x` can never fire: no combination of found "
        "entities satisfies it",
        "code": "never-fires",
        "suggestion": problem["suggestion"],
    }
    assert problem["suggestion"].startswith("a rule fires only when")


def test_many_entities_skip_the_subset_analysis_with_a_note(ws: Workspace) -> None:
    count = MAX_SUBSET_ENTITIES + 1
    entities = "".join(f"  e{i}: {{keywords: [word{i}x]}}\n" for i in range(count))
    ws.rule("r.yaml", f"id: big\nentities:\n{entities}")
    result = check_rules(ws.rules)
    notes = [p for p in result.problems if p.level == "note"]
    assert len(notes) == 1 and notes[0].code == "condition-not-analysed"
    assert f"{count} entities" in notes[0].message
    assert result.errors == ()


def test_the_shipped_rules_have_no_problem_at_all() -> None:
    result = check_rules("rules")
    assert result.problems == ()


def test_an_unnamed_entity_that_fires_the_rule_alone_gets_the_and_suggestion(
    ws: Workspace,
) -> None:
    path = ws.rule(
        "r.yaml",
        "id: kerry\nentities:\n  kerry: {person: John Kerry}\n"
        "  sport: {keywords: [basketball]}\nmatch: not sport\n",
    )
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 0  # it does fire (on kerry without sport): a warning, no error
    (line,) = lines(result.stdout)
    assert line.startswith(f"{path}:3:3: warning: entity 'kerry' is not named in match, yet")
    assert line.endswith("suggestion: name it in match, e.g. `kerry and not sport`")
