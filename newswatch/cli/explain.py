"""``newswatch explain``: why each rule did or did not fire (``workflow.explain.explain``, the
article from ``workflow.sources.resolve_articles``)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from newswatch.article import Article
from newswatch.cli.options import (
    OPTIONAL_BOOTSTRAP_OPTION,
    PREFIX_OPTION,
    RULES_OPTION,
    STATE_OPTION,
    format_option,
)
from newswatch.cli.rules import load_valid
from newswatch.workflow.explain import describe_article, explain, render
from newswatch.workflow.sources import ArchiveRef, resolve_articles

__all__ = ["explain_command"]


@click.command("explain")
@click.argument("article", required=False)
@click.option("--rule", "rule_id", default=None, help="Only this rule.")
@RULES_OPTION
@click.option("--text", default=None, help="Explain on this text instead of an article.")
@click.option("--language", default="", help="With --text: its language (ar, en, ...).")
@STATE_OPTION
@OPTIONAL_BOOTSTRAP_OPTION
@PREFIX_OPTION
@format_option("text", "json")
def explain_command(
    article: str | None,
    rule_id: str | None,
    rules_dir: Path,
    text: str | None,
    language: str,
    state_dir: Path,
    bootstrap: str | None,
    topic_prefix: str,
    fmt: str,
) -> None:
    """Why each rule did or did not fire on ARTICLE.

    ARTICLE is a JSON file (one article, or JSON lines), a URL (taken from the archive if it is
    there, else fetched once) or an archived article id. Shows the names found where, the
    entities not found, and the condition evaluated step by step.

    \b
    Example:
      newswatch explain 3f2a9c0d1e4b5a6978c0d1e2 --rule syria-talks
      newswatch explain article.json --rules rules/
      newswatch explain --text "Lavrov arrived in Damascus" --rule syria-talks
    """
    if (article is None) == (text is None):
        raise click.UsageError("give ARTICLE or --text (one of them)")
    rules = load_valid(rules_dir).rules
    if text is not None:
        targets = [Article(id="text", content=text, language=language)]
    else:
        assert article is not None
        targets = resolve_articles(article, ArchiveRef(state_dir, bootstrap, topic_prefix))
    payload = []
    for item in targets:
        try:
            explained = explain(rules, item, rule_id=rule_id)
        except KeyError:
            known = ", ".join(r.id for r in rules) or "none"
            raise click.ClickException(
                f"no rule {rule_id!r} in {rules_dir} (known: {known})"
            ) from None
        if fmt == "json":
            payload.append({"article": item.to_dict(), "rules": [e.to_dict() for e in explained]})
            continue
        click.echo(describe_article(item))
        for one in explained:
            click.echo(render(one))
    if fmt == "json":
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
