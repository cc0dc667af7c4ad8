"""The workflow docs and the pre-commit hook: every example is a valid file, the hook works."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from newswatch.workflow.check import check_rules
from tests.workflow.conftest import SYRIA_TALKS

ROOT = Path(__file__).parents[2]
WORKFLOW = ROOT / "docs" / "workflow.md"
RULES_GUIDE = ROOT / "docs" / "rules.md"


def blocks(path: Path, fence: str = "yaml") -> list[str]:
    return re.findall(rf"```{fence}\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_every_workflow_example_file_passes_rules_check_together(tmp_path: Path) -> None:
    written = []
    for block in blocks(WORKFLOW):
        first = block.split("\n", 1)[0]
        assert first.startswith("# rules/"), f"say which file the block is: {first!r}"
        path = tmp_path / first.removeprefix("# ").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block, encoding="utf-8")
        written.append(path)
    assert any("entities" in p.parts for p in written) and len(written) >= 4
    result = check_rules(tmp_path / "rules")
    assert [str(p) for p in result.problems] == []
    assert sorted(r.id for r in result.rules) == ["lavrov-anywhere", "syria-talks-catalogue"]


def test_the_guides_catalogue_snippets_match_the_workflow_files() -> None:
    # rules.md shows the catalogue in ```text blocks (they are fragments); the names it lists
    # must be those of the tested files in workflow.md.
    guide = RULES_GUIDE.read_text(encoding="utf-8")
    assert "lavrov: {ref: sergey-lavrov}" in guide
    people = next(b for b in blocks(WORKFLOW) if b.startswith("# rules/entities/people.yaml"))
    aliases = yaml.safe_load(people)["entities"]["sergey-lavrov"]["aliases"]
    assert f"aliases: [{', '.join(aliases)}]" in guide


def hook(config: Path) -> dict[str, object]:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    items = data if isinstance(data, list) else data["repos"][0]["hooks"]
    (found,) = [h for h in items if h["id"] == "newswatch-rules-check"]
    return dict(found)


def test_the_hook_runs_only_for_rule_files() -> None:
    published = hook(ROOT / ".pre-commit-hooks.yaml")
    example = hook(ROOT / ".pre-commit-config.yaml")
    for definition in (published, example):
        assert definition["pass_filenames"] is False and definition["args"] == ["rules"]
        files = re.compile(str(definition["files"]))
        assert files.search("rules/syria-talks.yaml") and files.search("desk/rules/x.yml")
        assert files.search("rules/entities/people.yaml")
        assert not files.search("docs/rules.md") and not files.search("feeds/feeds.yaml")
    assert published["entry"] == "newswatch rules check" and published["language"] == "python"


def run_hook(repo: Path) -> subprocess.CompletedProcess[str]:
    """The example hook's command as pre-commit would run it, from the repository root."""
    definition = hook(ROOT / ".pre-commit-config.yaml")
    entry = str(definition["entry"]).replace(".venv/bin/", str(ROOT / ".venv" / "bin") + "/")
    args = [str(a) for a in definition["args"]]  # type: ignore[attr-defined]
    return subprocess.run(
        [*entry.split(), *args], cwd=repo, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_hook_passes_good_rules_and_blocks_a_broken_one(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "syria.yaml").write_text(SYRIA_TALKS, encoding="utf-8")
    good = run_hook(tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    (rules / "dup.yaml").write_text(SYRIA_TALKS, encoding="utf-8")  # same id twice
    bad = run_hook(tmp_path)
    assert bad.returncode == 1
    assert "rules/syria.yaml:1:1: duplicate rule id 'syria-talks'" in bad.stdout
