"""``newswatch stories group|list|show``: story grouping of a file of articles
(``stories.batch``), and the running monitor's stories (``stories.store``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import click

from newswatch.cli.app import NewswatchGroup
from newswatch.cli.options import STATE_OPTION, format_option
from newswatch.constants import STORIES_FILENAME
from newswatch.jsonlines import BadLine, read_articles
from newswatch.matching.snapshot import RuleSnapshot
from newswatch.rules.loader import load_rules
from newswatch.stories.batch import group_articles
from newswatch.stories.store import StoryStore

__all__ = ["stories_group"]


@click.group("stories", cls=NewswatchGroup)
def stories_group() -> None:
    """Stories: articles that report one event, across feeds and languages.

    \b
    Example:
      newswatch stories group articles.jsonl --rules rules/
      newswatch stories list
    """


@stories_group.command("group")
@click.argument("articles", type=click.File("r", encoding="utf-8"), default="-")
@click.option(
    "--rules",
    "rules_dir",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Rules whose people, places and organisations link articles across languages.",
)
@click.option("--explain", is_flag=True, help="Add why each article joined its story.")
def stories_group_command(articles: TextIO, rules_dir: Path | None, explain: bool) -> None:
    """Group JSON-lines articles into stories; print one JSON line per article.

    Each input line is an article: id, title, summary, content, language, feed, url, published
    (ISO-8601). Articles are taken in input order, as a stream would bring them. Each output
    line is {"id": ..., "story": "<story id>"} in input order (the story id is the id of the
    article that founded it); --explain adds "signal", "score", "via" and "evidence".

    \b
    Example:
      newswatch stories group articles.jsonl --rules rules/
      newswatch stories group --explain < articles.jsonl
    """
    snapshot = None
    if rules_dir is not None:
        ruleset = load_rules(rules_dir)
        for problem in ruleset.problems:
            click.echo(f"{problem} (rule skipped)", err=True)
        snapshot = RuleSnapshot.of(ruleset.rules)
    parsed = list(read_articles(articles))
    for item in parsed:
        if isinstance(item, BadLine):
            click.echo(f"{articles.name}:{item.line}: not an article: {item.message}", err=True)
    good = [item for item in parsed if not isinstance(item, BadLine)]
    for assignment in group_articles(good, snapshot=snapshot):
        data = assignment.to_dict()
        shown = data if explain else {"id": data["id"], "story": data["story"]}
        click.echo(json.dumps(shown, ensure_ascii=False))
    if len(good) < len(parsed):
        sys.exit(1)


def _open(state_dir: Path) -> StoryStore:
    return StoryStore(state_dir / STORIES_FILENAME, create=False)


@stories_group.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@format_option("text", "json")
@STATE_OPTION
def stories_list(limit: int, fmt: str, state_dir: Path) -> None:
    """The running monitor's stories, most recently active first.

    \b
    Example:
      newswatch stories list --limit 20
      newswatch stories list --format json --state var/state
    """
    with _open(state_dir) as store:
        found = store.stories(limit=limit)
    if fmt == "json":
        click.echo(json.dumps([s.to_dict() for s in found], ensure_ascii=False, indent=2))
        return
    for story in found:
        title = " ".join(story.title.split()) or "(no title)"
        click.echo(
            f"{story.story_id}  {story.articles} article(s)  "
            f"{','.join(story.languages) or '-'}  {story.last_added:%Y-%m-%d %H:%M}  {title}"
        )
    click.echo(f"{len(found)} story(ies)", err=True)


@stories_group.command("show")
@click.argument("story_id")
@format_option("text", "json")
@STATE_OPTION
def stories_show(story_id: str, fmt: str, state_dir: Path) -> None:
    """One story: its articles, oldest first, and why each joined.

    \b
    Example:
      newswatch stories show 3f9c0a1b2c4d5e6f7a8b9c0d
    """
    with _open(state_dir) as store:
        rows = list(store.rows(story_id))
    if not rows:
        raise click.ClickException(f"no story {story_id} in {state_dir / STORIES_FILENAME}")
    if fmt == "json":
        out = [
            {
                "article": r.article.to_dict(),
                **r.assignment.to_dict(),
                "added": r.added_at.isoformat(),
            }
            for r in rows
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(f"story {story_id}: {len(rows)} article(s)")
    for row in rows:
        a, why = row.article, row.assignment
        click.echo(f"- {a.id}  [{a.language or '-'}] {a.feed or '-'}  {' '.join(a.title.split())}")
        if a.url:
            click.echo(f"    {a.url}")
        reason = (
            "founded the story" if why.new_story else f"{why.signal} {why.score:.2f} via {why.via}"
        )
        details = "; ".join(f"{k}: {v}" for k, v in why.evidence)
        click.echo(f"    {reason}{'  (' + details + ')' if details else ''}")
