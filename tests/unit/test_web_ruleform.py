"""The page's new-rule form (newswatch.web.ruleform): fields → YAML → ``rules check``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from newswatch.errors import InputError
from newswatch.web.ruleform import EntityRow, RuleForm, rule_yaml, split_names
from newswatch.workflow.check import check_rules

LAVROV_FIELDS = {
    "id": "lavrov-watch",
    "title": "Lavrov",
    "severity": "high",
    "key_1": "lavrov",
    "kind_1": "person",
    "name_1": "Sergey Lavrov",
    "aliases_1": "لافروف, Лавров",
}


def loaded(form: RuleForm) -> Any:
    return yaml.safe_load(rule_yaml(form))


def checked(tmp_path: Path, form: RuleForm) -> list[tuple[str, str, str]]:
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / form.file_name).write_text(rule_yaml(form), encoding="utf-8")
    result = check_rules(rules)
    return [(p.level, p.code, p.message) for p in result.problems]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("لافروف, Лавров", ("لافروف", "Лавров")),
        ("لافروف، سيرغي لافروف", ("لافروف", "سيرغي لافروف")),
        ("Lavrov\nЛавров\r\n  \nلافروف", ("Lavrov", "Лавров", "لافروف")),
        ("a;b;;c,,", ("a", "b", "c")),
        ("Lavrov, Lavrov, Лавров", ("Lavrov", "Лавров")),
        ("", ()),
        (" ,، ;\n", ()),
    ],
)
def test_split_names(text: str, names: tuple[str, ...]) -> None:
    assert split_names(text) == names


def test_from_fields() -> None:
    form = RuleForm.from_fields(LAVROV_FIELDS)
    assert form == RuleForm(
        rule_id="lavrov-watch",
        title="Lavrov",
        severity="high",
        entities=(EntityRow("lavrov", "person", "Sergey Lavrov", ("لافروف", "Лавров")),),
    )
    assert form.file_name == "lavrov-watch.yaml"


def test_from_fields_defaults_and_empty_rows_skipped() -> None:
    form = RuleForm.from_fields(
        {
            "id": " syria ",
            "severity": "",
            "name_1": "  ",  # no name: row left out
            "aliases_1": "ignored",
            "name_2": "Syria",
            "kind_2": "place",
            "aliases_2": "سوريا",
            "name_4": "beyond the rows",  # only ``rows`` rows are read
        }
    )
    assert form.rule_id == "syria" and form.title == "" and form.severity == "medium"
    assert form.condition == ""
    assert form.entities == (EntityRow("e2", "place", "Syria", ("سوريا",)),)


def test_from_fields_kind_defaults_to_person_and_more_rows_can_be_read() -> None:
    form = RuleForm.from_fields({"id": "x", "name_4": "John Kerry"}, rows=4)
    assert form.entities == (EntityRow("e4", "person", "John Kerry"),)


def test_rule_yaml_loads_into_the_expected_document() -> None:
    text = rule_yaml(RuleForm.from_fields(LAVROV_FIELDS))
    assert text.startswith("# ")  # says where it came from
    assert "لافروف" in text and "Лавров" in text  # written as letters, not \u escapes
    assert yaml.safe_load(text) == {
        "id": "lavrov-watch",
        "title": "Lavrov",
        "severity": "high",
        "entities": {"lavrov": {"person": "Sergey Lavrov", "aliases": ["لافروف", "Лавров"]}},
    }


def test_rule_yaml_keywords_and_condition() -> None:
    form = RuleForm.from_fields(
        {
            "id": "syria-talks",
            "name_1": "Sergey Lavrov",
            "key_1": "lavrov",
            "name_2": "Syria",
            "key_2": "syria",
            "kind_2": "place",
            "aliases_2": "سوريا\nСирия",
            "name_3": "football",
            "key_3": "sport",
            "kind_3": "keywords",
            "aliases_3": "كرة القدم، футбол",
            "condition": "lavrov and syria and not sport",
        }
    )
    assert loaded(form) == {
        "id": "syria-talks",
        "severity": "medium",
        "entities": {
            "lavrov": {"person": "Sergey Lavrov"},  # no aliases key when there are none
            "syria": {"place": "Syria", "aliases": ["سوريا", "Сирия"]},
            "sport": {"keywords": ["football", "كرة القدم", "футбол"]},
        },
        "match": "lavrov and syria and not sport",
    }


def test_rule_yaml_quotes_what_yaml_would_misread() -> None:
    form = RuleForm(
        rule_id="yes",
        title="Al-Quds: East # not a comment",
        severity="medium",
        entities=(EntityRow("e1", "place", "null", ("123", "true", "- dash")),),
    )
    doc = loaded(form)
    assert doc["id"] == "yes"
    assert doc["title"] == "Al-Quds: East # not a comment"
    assert doc["entities"] == {"e1": {"place": "null", "aliases": ["123", "true", "- dash"]}}


def test_a_form_without_entities_is_refused_by_rules_check(tmp_path: Path) -> None:
    form = RuleForm.from_fields({"id": "empty"})
    assert loaded(form) == {"id": "empty", "severity": "medium", "entities": {}}
    errors = [message for level, _, message in checked(tmp_path, form) if level == "error"]
    assert any(m.startswith("entities") for m in errors)


def test_a_valid_form_passes_rules_check(tmp_path: Path) -> None:
    form = RuleForm.from_fields(
        {
            "id": "lavrov",
            "title": "Lavrov",
            "key_1": "lavrov",
            "kind_1": "person",
            "name_1": "Sergey Lavrov",
            "aliases_1": "لافروف, Лавров",
        }
    )
    problems = checked(tmp_path, form)
    assert [p for p in problems if p[0] == "error"] == []
    result = check_rules(tmp_path / "rules")
    (rule,) = result.rules
    assert rule.id == "lavrov"


def test_an_invalid_id_is_an_error_at_its_line(tmp_path: Path) -> None:
    form = RuleForm.from_fields({"id": "Bad Id", "name_1": "Sergey Lavrov"})
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / form.file_name).write_text(rule_yaml(form), encoding="utf-8")
    errors = check_rules(rules).errors
    assert errors, "an id with a capital and a space must not pass"
    assert any("Bad Id" in p.message for p in errors)
    assert errors[0].line == 2  # the id line, right after the header comment


def test_an_unknown_kind_is_reported_by_rules_check(tmp_path: Path) -> None:
    form = RuleForm.from_fields({"id": "odd", "name_1": "Lavrov", "kind_1": "alien"})
    assert loaded(form)["entities"] == {"e1": {"alien": "Lavrov"}}
    errors = [
        (code, message) for level, code, message in checked(tmp_path, form) if level == "error"
    ]
    assert ("unknown-key", "entities.e1.alien: unknown key") in errors


def test_an_unknown_severity_is_reported_by_rules_check(tmp_path: Path) -> None:
    form = RuleForm.from_fields({"id": "odd", "name_1": "Lavrov", "severity": "apocalyptic"})
    assert loaded(form)["severity"] == "apocalyptic"  # written as given...
    errors = [
        (code, message) for level, code, message in checked(tmp_path, form) if level == "error"
    ]
    assert [code for code, m in errors if m.startswith("severity")] == ["invalid-value"]  # refused


def test_two_rows_with_the_same_key_are_refused() -> None:
    # A hand-written file with the key twice is a YAML error; the form never merges them.
    fields = {"id": "dup", "key_1": "x", "name_1": "Sergey Lavrov", "key_2": "x"}
    fields["name_2"] = "John Kerry"
    with pytest.raises(InputError, match="name 2: the key 'x' is used twice"):
        RuleForm.from_fields(fields)
