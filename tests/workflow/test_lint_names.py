"""`rules check` lints and `--show-names`, through the real command."""

from pathlib import Path

from click.testing import CliRunner

from newswatch.cli import main
from newswatch.matching.gazetteer import Gazetteer
from newswatch.rules.loader import parse_rules_text
from newswatch.workflow.lint import alias_problems, very_common_word


def lints(text: str) -> list[str]:
    (rule,), problems = parse_rules_text(text, "r.yaml")
    assert problems == []
    return [str(p) for p in alias_problems(rule)]


def test_an_arabic_alias_that_folds_onto_a_common_word_is_flagged_where_it_is_written() -> None:
    found = lints("id: ali\nentities:\n  ali:\n    person: Ali\n    aliases: [علي]\n")
    assert len(found) == 1
    assert found[0].startswith("r.yaml:5:15: warning: ali: 'علي' may fire on ordinary text")
    assert "'على'" in found[0]


def test_short_and_shared_names_are_flagged() -> None:
    text = (
        "id: x\nentities:\n  a:\n    place: Ankara\n    aliases: [AN]\n"
        "  b:\n    place: Angora\n    aliases: [Ankara]\n"
    )
    found = lints(text)
    assert any("'AN' has fewer than 3 letters" in f for f in found)
    assert any("r.yaml:8:15:" in f and "also a name of entity 'a'" in f for f in found)


def test_ordinary_names_are_not_flagged() -> None:
    text = "id: x\nentities:\n  s:\n    place: Syria\n    aliases: [سوريا, Сирия, Paris]\n"
    assert lints(text) == []


def test_warnings_do_not_fail_the_check(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(
        "id: ali\nentities:\n  ali:\n    person: Ali\n    aliases: [علي]\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["rules", "check", str(tmp_path)])
    assert result.exit_code == 0
    assert "warning: ali: 'علي' may fire on ordinary text" in result.output


def test_show_names_lists_generated_names_with_their_source(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(
        "id: moscow-lavrov\nentities:\n  moscow:\n    place: Moscow\n"
        "  lavrov:\n    person: Sergey Lavrov\n"
        "  brown:\n    person: Gordon Brown\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["rules", "check", "--show-names", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("moscow" in ln and "gazetteer" in ln and "Москва" in ln for ln in lines)
    assert any("transliteration" in ln and "سيرجي لافروف" in ln for ln in lines)
    assert any("surname" in ln and "Lavrov" in ln and "counts alone" in ln for ln in lines)
    assert any("surname" in ln and "Brown" in ln and "full name" in ln for ln in lines)
    assert any("dropped" in ln and "another language" in ln for ln in lines)


def test_the_common_word_lint_never_flags_a_place_s_own_name() -> None:
    # With Persian read too, Persian اسرائیل folds onto Arabic إسرائيل: Israel both times.
    own = Gazetteer(("ar", "en", "fa")).own_spellings("Israel")
    assert very_common_word("اسرائیل", own) is None
    assert very_common_word("اسرائیل") is not None  # without the place's names it is flagged
    assert very_common_word("علي", own) is not None  # a real look-alike stays flagged
