"""Every example rule in the analysts' guide is valid and its examples hold."""

import re
from pathlib import Path

import pytest

from newswatch.rules.loader import parse_rules_text
from newswatch.workflow.check import example_problems

GUIDE = Path(__file__).parents[2] / "docs" / "rules.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def test_the_guide_has_examples_in_four_languages() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.split("\n", 1)[0])
def test_guide_example_is_a_valid_rule(block: str) -> None:
    rules, problems = parse_rules_text(block, "docs/rules.md")
    assert problems == []
    (rule,) = rules
    assert example_problems(rule) == []
