from pathlib import Path

import pytest

from newswatch.rules.loader import load_rules, parse_rules_text
from newswatch.rules.model import EntityKind, Severity, Status
from newswatch.workflow.check import check_rules

GOOD = """\
id: syria-talks
title: Russia–US talks on Syria
severity: high
languages: [ar, EN]
entities:
  lavrov:
    person: Sergey Lavrov
    aliases: [Lavrov, سيرغي لافروف]
  syria:
    place: Syria
  sport:
    keywords: [football, كرة القدم]
match: lavrov and syria and not sport
notify: [desk-mena]
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_rule_compiles() -> None:
    rules, problems = parse_rules_text(GOOD, "good.yaml")
    assert problems == []
    (rule,) = rules
    assert rule.id == "syria-talks" and rule.severity is Severity.HIGH
    assert rule.status is Status.ACTIVE and rule.languages == ("ar", "en")
    assert rule.notify == ("desk-mena",)
    lavrov = rule.entity("lavrov")
    assert lavrov.kind is EntityKind.PERSON
    assert lavrov.names == ("Sergey Lavrov", "Lavrov", "سيرغي لافروف")
    assert rule.entity("sport").names == ("football", "كرة القدم")
    assert str(rule.condition) == "lavrov and syria and not sport"
    assert len(rule.version) == 12


def test_the_version_changes_with_the_rule_and_only_then() -> None:
    (a,), _ = parse_rules_text(GOOD, "a.yaml")
    (b,), _ = parse_rules_text("# a comment\n" + GOOD, "b.yaml")
    (c,), _ = parse_rules_text(GOOD.replace("[Lavrov,", "[Lavrov, Лавров,"), "c.yaml")
    assert a.version == b.version
    assert a.version != c.version


def test_unknown_key_is_reported_at_the_key() -> None:
    text = GOOD.replace("    place: Syria\n", "    place: Syria\n    colour: red\n")
    rules, problems = parse_rules_text(text, "r.yaml")
    assert rules == []
    assert [str(p) for p in problems] == [
        "r.yaml:11:5: entities.syria.colour: unknown key [syria-talks]"
    ]


def test_yaml_syntax_error_has_line_and_column() -> None:
    rules, problems = parse_rules_text("id: x\nentities: [a, b\nmatch: a\n", "broken.yaml")
    assert rules == []
    (problem,) = problems
    assert problem.file == "broken.yaml" and problem.line == 3
    assert "YAML syntax error" in problem.message


def test_wrong_types_and_missing_fields() -> None:
    _, problems = parse_rules_text("id: x\nseverity: urgent\n", "r.yaml")
    messages = sorted(str(p) for p in problems)
    assert any(m.startswith("r.yaml:2:11: severity:") for m in messages)
    assert any("entities: required field is missing" in m for m in messages)


def test_entity_needs_exactly_one_kind() -> None:
    text = "id: x\nentities:\n  a:\n    person: A\n    place: B\n"
    _, (problem,) = parse_rules_text(text, "r.yaml")
    assert problem.line == 4 and "exactly one of person | place | org | keywords" in problem.message


def test_condition_errors_point_into_the_match_line() -> None:
    text = "id: x\nentities:\n  a: {place: A}\nmatch: a and b\n"
    _, (problem,) = parse_rules_text(text, "r.yaml")
    assert (problem.line, problem.col) == (4, 14)
    assert "entity 'b' is not defined" in problem.message
    _, (problem,) = parse_rules_text(text.replace("a and b", "a and (a"), "r.yaml")
    assert problem.line == 4 and "never closed" in problem.message


def test_a_file_may_hold_several_rules_and_a_bad_one_is_skipped_alone() -> None:
    text = (
        "rules:\n"
        "  - id: one\n    entities: {a: {place: Ankara}}\n"
        "  - id: Two!\n    entities: {a: {place: Aleppo}}\n"
        "  - id: three\n    entities: {a: {place: Geneva}}\n"
    )
    rules, problems = parse_rules_text(text, "multi.yaml")
    assert [r.id for r in rules] == ["one", "three"]
    (problem,) = problems
    assert problem.line == 4 and problem.rule_id == "Two!"


def test_directory_loading_skips_invalid_files_and_keeps_valid_ones(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", GOOD)
    write(tmp_path, "broken.yaml", "id: [oops\n")
    write(tmp_path, "unknown.yml", "id: other\nentities: {a: {place: X}}\nfrobnicate: 1\n")
    write(tmp_path, "notes.txt", "not a rule")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "more.yaml", "id: geneva\nentities: {g: {place: Geneva}}\n")
    result = load_rules(tmp_path)
    assert sorted(r.id for r in result.rules) == ["geneva", "syria-talks"]
    files = sorted(Path(p.file).name for p in result.problems)
    assert files == ["broken.yaml", "unknown.yml"]


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "id: same\nentities: {a: {place: A}}\n")
    write(tmp_path, "b.yaml", "id: same\nentities: {b: {place: B}}\n")
    result = load_rules(tmp_path)
    assert len(result.rules) == 1
    (problem,) = result.problems
    assert problem.file.endswith("b.yaml") and "duplicate rule id 'same'" in problem.message
    assert "a.yaml:1" in problem.message


def test_examples_are_run_by_check(tmp_path: Path) -> None:
    write(
        tmp_path,
        "r.yaml",
        "id: ankara\nentities: {a: {place: Ankara, aliases: [أنقرة]}}\n"
        "examples:\n"
        "  - text: شكره لأنقرة\n    expect: match\n"
        "  - text: Ankaragucu won\n    expect: match\n",
    )
    result = check_rules(tmp_path)
    (problem,) = result.errors
    assert problem.line == 6 and "expects match but the rule does not fire" in problem.message


def test_the_shipped_rules_are_valid() -> None:
    result = check_rules(Path(__file__).parents[2] / "rules")
    assert result.problems == ()
    assert len(result.rules) >= 5


@pytest.mark.parametrize("name", ["drone*", "Lavr?v"])
def test_a_wildcard_in_a_name_is_refused_where_it_is_written(name: str) -> None:
    # It used to be taken as literal letters, and the rule silently matched nothing.
    text = f"id: x\nentities:\n  e:\n    keywords: [strike, {name}]\n"
    rules, (problem,) = parse_rules_text(text, "r.yaml")
    assert rules == [] and problem.line == 4
    assert "not patterns" in problem.message and "drones" in problem.message
