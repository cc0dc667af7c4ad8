"""RuleBook reloads: rule by rule, a rejected edit keeps the previous version; catalogue files
are watched too; every rejection is reported once, with its message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newswatch.article import Article
from newswatch.embedded.rulebook import KEPT, Rejection, RuleBook

TWO = """\
rules:
  - id: alpha
    entities:
      k: {keywords: [alpha]}
  - id: beta
    entities:
      k: {keywords: [beta]}
"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    # Same-size rewrites within one clock tick would look unchanged: move the mtime on.
    stat = path.stat()
    if stat.st_mtime_ns <= before:
        os.utime(path, ns=(stat.st_atime_ns, before + 1_000_000))


def fires(book: RuleBook, text: str) -> list[str]:
    return sorted(h.rule_id for h in book.matcher.match(Article(id="a", content=text)))


@pytest.fixture
def book(tmp_path: Path) -> tuple[RuleBook, list[Rejection]]:
    seen: list[Rejection] = []
    return RuleBook(tmp_path / "rules", on_reject=seen.append), seen


def test_a_broken_rule_keeps_its_previous_version_the_others_take_their_edits(
    tmp_path: Path, book: tuple[RuleBook, list[Rejection]]
) -> None:
    rulebook, seen = book
    path = tmp_path / "rules" / "two.yaml"
    write(path, TWO)
    rulebook.reload()
    assert fires(rulebook, "alpha beta") == ["alpha", "beta"]

    # beta is broken and alpha edited in the same save.
    write(path, TWO.replace("[alpha]", "[gamma]").replace("k: {keywords: [beta]}", "k: {kw: x}"))
    report = rulebook.reload()
    assert report.updated == ("alpha",) and report.removed == ()
    assert fires(rulebook, "alpha beta gamma") == ["alpha", "beta"]  # alpha as gamma, old beta
    assert fires(rulebook, "alpha") == []
    (rejection,) = seen
    assert rejection.subject == "rule beta" and rejection.kept_previous
    assert rejection.message.startswith(f"rule beta: {KEPT}: {path}:7:11: entities.k.kw")


def test_a_yaml_error_keeps_every_previous_rule_of_the_file(
    tmp_path: Path, book: tuple[RuleBook, list[Rejection]]
) -> None:
    rulebook, seen = book
    path = tmp_path / "rules" / "two.yaml"
    write(path, TWO)
    rulebook.reload()
    write(path, TWO + "  - [unclosed\n")
    report = rulebook.reload()
    assert report.kept_previous == (str(path),)
    assert fires(rulebook, "alpha beta") == ["alpha", "beta"]
    assert sorted(r.subject for r in seen) == ["rule alpha", "rule beta"]
    assert all("YAML syntax error" in r.message for r in seen)


def test_a_new_broken_rule_is_reported_as_not_loaded(
    tmp_path: Path, book: tuple[RuleBook, list[Rejection]]
) -> None:
    rulebook, seen = book
    write(tmp_path / "rules" / "new.yaml", "id: new\nentities:\n  k: {keywords: [x]}\nmatch: y\n")
    rulebook.reload()
    (rejection,) = seen
    assert not rejection.kept_previous
    assert "rule new: invalid, not loaded" in rejection.message
    assert rulebook.rules == {}


def test_deleting_or_disabling_a_rule_stops_it(
    tmp_path: Path, book: tuple[RuleBook, list[Rejection]]
) -> None:
    rulebook, _ = book
    one = tmp_path / "rules" / "one.yaml"
    two = tmp_path / "rules" / "two.yaml"
    write(one, "id: one\nentities:\n  k: {keywords: [one]}\n")
    write(two, TWO)
    rulebook.reload()
    assert fires(rulebook, "one alpha") == ["alpha", "one"]
    one.unlink()
    write(two, TWO.replace("  - id: beta\n", "  - id: beta\n    status: disabled\n"))
    report = rulebook.reload()
    assert report.removed == ("one",) and report.updated == ("beta",)
    assert fires(rulebook, "one alpha beta") == ["alpha"]


def test_nothing_changed_means_no_reload(
    tmp_path: Path, book: tuple[RuleBook, list[Rejection]]
) -> None:
    rulebook, _ = book
    write(tmp_path / "rules" / "two.yaml", TWO)
    assert rulebook.reload().changed
    assert not rulebook.reload().changed


def test_catalogue_files_are_watched_and_a_broken_entity_keeps_its_previous_version(
    tmp_path: Path, book: tuple[RuleBook, list[Rejection]]
) -> None:
    rulebook, seen = book
    catalogue = tmp_path / "rules" / "entities" / "people.yaml"
    write(
        catalogue,
        "entities:\n  lavrov:\n    person: Sergey Lavrov\n    transliterate: false\n"
        "    surname: with-full-name\n",
    )
    write(tmp_path / "rules" / "r.yaml", "id: r\nentities:\n  l: {ref: lavrov}\n")
    rulebook.reload()
    assert str(catalogue) in {str(p) for p in rulebook.watched_files()}
    assert fires(rulebook, "Sergei Lavrov") == []

    write(
        catalogue,
        "entities:\n  lavrov:\n    person: Sergey Lavrov\n    transliterate: false\n"
        "    surname: with-full-name\n    aliases: [Sergei Lavrov]\n",
    )
    report = rulebook.reload()
    assert report.changed and report.updated == ("r",)
    assert fires(rulebook, "Sergei Lavrov") == ["r"]

    write(catalogue, "entities:\n  lavrov:\n    person: Sergey Lavrov\n    colour: red\n")
    rulebook.reload()
    assert fires(rulebook, "Sergei Lavrov") == ["r"]  # the previous entity keeps serving
    (rejection,) = seen
    assert rejection.subject == "entity lavrov" and rejection.kept_previous
    assert "entities.lavrov.colour: unknown key" in rejection.message


def test_a_failing_callback_does_not_stop_the_reload(tmp_path: Path) -> None:
    def boom(rejection: Rejection) -> None:
        raise RuntimeError("ops channel down")

    rulebook = RuleBook(tmp_path / "rules", on_reject=boom)
    write(tmp_path / "rules" / "bad.yaml", "id: bad\nentities: [\n")
    write(tmp_path / "rules" / "good.yaml", "id: good\nentities:\n  k: {keywords: [good]}\n")
    rulebook.reload()
    assert fires(rulebook, "good") == ["good"]
