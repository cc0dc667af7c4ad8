"""``newswatch match``: JSON-lines articles in, one JSON line of hits out (``matching.batch``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import click

from newswatch.cli.options import RULES_OPTION
from newswatch.jsonlines import BadLine
from newswatch.matching.batch import match_lines
from newswatch.matching.matcher import Matcher
from newswatch.rules.loader import load_rules

__all__ = ["match_command"]


@click.command("match")
@RULES_OPTION
@click.argument("articles", type=click.File("r", encoding="utf-8"), default="-")
def match_command(rules_dir: Path, articles: TextIO) -> None:
    """Match JSON-lines articles against the rules; print one JSON line per article.

    Each input line is an article: id, title, summary, content, language, feed, url, published
    (missing text fields are empty). Each output line is
    {"id": ..., "rules": [ids that fire, sorted], "hits": [...]}, in input order.

    Example: newswatch match --rules rules/ articles.jsonl
    """
    ruleset = load_rules(rules_dir)
    for problem in ruleset.problems:
        click.echo(f"{problem} (rule skipped)", err=True)
    matcher = Matcher(ruleset.rules)
    bad = 0
    for result in match_lines(matcher, articles):
        if isinstance(result, BadLine):
            bad += 1
            click.echo(f"{articles.name}:{result.line}: not an article: {result.message}", err=True)
            continue
        click.echo(json.dumps(result, ensure_ascii=False))
    if bad:
        sys.exit(1)
