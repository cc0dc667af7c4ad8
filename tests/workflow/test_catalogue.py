"""The entity catalogue: entities defined once in rules/entities/, referenced by many rules."""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML

from newswatch.article import Article
from newswatch.matching.matcher import Matcher
from newswatch.rules.catalogue import inline_refs
from newswatch.rules.loader import load_catalogue, load_rules, parse_rules_text
from newswatch.workflow.check import check_rules
from tests.workflow.conftest import Workspace, lines

PEOPLE = """\
entities:
  sergey-lavrov:
    person: Sergey Lavrov
    aliases: [سيرغي لافروف]
  syria:
    place: Syria
    aliases: [سوريا]
"""

TWO_RULES = """\
rules:
  - id: lavrov-syria
    entities:
      lavrov: {ref: sergey-lavrov}
      syria: {ref: syria}
    match: lavrov and syria
  - id: lavrov-any
    entities:
      lavrov:
        ref: sergey-lavrov
        aliases: [Лавров]
"""


def catalogue(ws: Workspace, text: str = PEOPLE) -> Path:
    directory = ws.rules / "entities"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "people.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def fired(rules_dir: Path, text: str) -> list[str]:
    matcher = Matcher(load_rules(rules_dir).rules)
    return sorted(h.rule_id for h in matcher.match(Article(id="a", content=text)))


def test_rules_take_their_entities_from_the_catalogue(ws: Workspace) -> None:
    cat = catalogue(ws)
    ws.rule("r.yaml", TWO_RULES)
    loaded = load_rules(ws.rules)
    assert loaded.problems == ()
    assert loaded.files == (str(ws.rules / "r.yaml"),)  # the catalogue is not a rule file
    assert loaded.includes == (str(cat),)
    rules = loaded.by_id()
    lavrov = rules["lavrov-any"].entity("lavrov")
    assert lavrov.ref == "sergey-lavrov"
    assert lavrov.names == ("Sergey Lavrov", "سيرغي لافروف", "Лавров")  # plus the rule's own
    assert rules["lavrov-syria"].includes == (str(cat),)
    assert fired(ws.rules, "وصل سيرغي لافروف إلى سوريا") == ["lavrov-any", "lavrov-syria"]


def test_an_alias_added_once_to_the_catalogue_serves_every_rule(ws: Workspace) -> None:
    # The surname alone, or the generated romanization "Sergei Lavrov", would find the text:
    # only the names written in the catalogue count here.
    people = PEOPLE.replace(
        "Sergey Lavrov\n", "Sergey Lavrov\n    surname: with-full-name\n    transliterate: false\n"
    )
    catalogue(ws, people)
    ws.rule("r.yaml", TWO_RULES)
    before = load_rules(ws.rules).by_id()
    text = "Sergei Lavrov in Syria"
    assert fired(ws.rules, text) == []
    catalogue(ws, people.replace("[سيرغي لافروف]", "[سيرغي لافروف, Sergei Lavrov]"))
    assert fired(ws.rules, text) == ["lavrov-any", "lavrov-syria"]
    after = load_rules(ws.rules).by_id()
    # The catalogue edit is part of each rule's version: alerts and diffs see a new rule.
    assert all(before[i].version != after[i].version for i in before)


def test_an_unknown_ref_is_an_error_at_the_ref_with_a_guess(ws: Workspace) -> None:
    catalogue(ws)
    path = ws.rule("r.yaml", "id: x\nentities:\n  lavrov: {ref: sergey-lavorv}\n")
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 1
    (line,) = lines(result.stdout)
    assert line.startswith(f"{path}:3:17: entities.lavrov.ref: 'sergey-lavorv' is not in the")
    assert "did you mean 'sergey-lavrov'?" in line


def test_a_ref_without_any_catalogue_says_where_to_put_one(tmp_path: Path) -> None:
    rules, problems = parse_rules_text("id: x\nentities:\n  l: {ref: sergey-lavrov}\n", "r.yaml")
    assert rules == []
    assert "no entity catalogue" in problems[0].message and "entities/" in problems[0].message


def test_a_ref_cannot_also_set_a_kind(ws: Workspace) -> None:
    catalogue(ws)
    ws.rule("r.yaml", "id: x\nentities:\n  l:\n    ref: sergey-lavrov\n    place: Syria\n")
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 1
    assert "takes its kind and options from the catalogue; remove place" in result.stdout


def test_rules_check_validates_the_catalogue_entity_by_entity(ws: Workspace) -> None:
    cat = catalogue(
        ws,
        PEOPLE
        + "  Bad_Id:\n    place: Nowhere\n  broken:\n    place: Iraq\n    colour: red\n"
        + "  loop:\n    ref: syria\n",
    )
    ws.rule("r.yaml", TWO_RULES)
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 1
    out = lines(result.stdout)
    assert any(ln.startswith(f"{cat}:8:3: entities: catalogue id 'Bad_Id'") for ln in out)
    assert any(ln.startswith(f"{cat}:12:5: entities.broken.colour: unknown key") for ln in out)
    assert any(
        ln.startswith(f"{cat}:14:5: entities.loop.ref: a catalogue entity cannot") for ln in out
    )
    # The valid entities still serve the rules.
    assert "2 rule(s) loaded" in result.stderr


def test_a_catalogue_file_checked_alone_is_validated_not_read_as_rules(ws: Workspace) -> None:
    cat = catalogue(ws)
    result = ws.cli("rules", "check", str(cat))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_a_catalogue_file_outside_entities_is_flagged(ws: Workspace) -> None:
    path = ws.rule("people.yaml", PEOPLE)
    result = ws.cli("rules", "check", str(ws.rules))
    assert result.exit_code == 0
    assert f"{path}:1:1: warning: this file holds only entities:" in result.stdout


def test_duplicate_catalogue_ids_across_files_are_errors(ws: Workspace) -> None:
    catalogue(ws)
    other = ws.rules / "entities" / "zz-more.yaml"  # read after people.yaml
    other.write_text("entities:\n  syria:\n    place: Syrie\n", encoding="utf-8")
    ws.rule("r.yaml", TWO_RULES)
    result = check_rules(ws.rules)
    (dup,) = [p for p in result.problems if p.code == "duplicate-id"]
    assert dup.file == str(other) and "duplicate catalogue id 'syria'" in dup.message


def test_catalogue_names_are_linted_once_however_many_rules_use_them(ws: Workspace) -> None:
    cat = catalogue(ws, PEOPLE.replace("[سيرغي لافروف]", "[سيرغي لافروف, SL]"))
    ws.rule("r.yaml", TWO_RULES)
    result = check_rules(ws.rules)
    short = [p for p in result.problems if p.code == "short-name"]
    assert len(short) == 1
    assert (short[0].file, short[0].line, short[0].rule_id) == (str(cat), 4, "entity sergey-lavrov")


def test_a_rule_file_in_a_subdirectory_finds_the_catalogue_above(ws: Workspace) -> None:
    catalogue(ws)
    desk = ws.rules / "desk-a"
    desk.mkdir(parents=True)
    (desk / "r.yaml").write_text(TWO_RULES, encoding="utf-8")
    assert load_rules(ws.rules).problems == ()
    assert load_rules(desk / "r.yaml").problems == ()  # checked alone, too


def test_a_rule_with_refs_inlined_parses_alone_to_the_same_version(ws: Workspace) -> None:
    # Kafka mode publishes each rule's own text; written out in full it needs no catalogue.
    cat = catalogue(ws)
    ws.rule("r.yaml", TWO_RULES)
    by_id = load_rules(ws.rules).by_id()
    yaml = YAML(typ="rt")
    document = yaml.load(TWO_RULES)
    for node in document["rules"]:
        assert inline_refs(node, load_catalogue(cat.parent)) == []
        out = io.StringIO()
        yaml.dump(node, out)
        (alone,), problems = parse_rules_text(out.getvalue(), "alone.yaml")
        assert problems == []
        original = by_id[alone.id]
        assert alone.version == original.version
        assert [e.names for e in alone.entities] == [e.names for e in original.entities]
    unknown = yaml.load("id: x\nentities:\n  l: {ref: nobody}\n")
    assert inline_refs(unknown, load_catalogue(cat.parent)) == ["nobody"]
