"""``newswatch archive list|show|search|import|prune``: the article archive the rule workflow
reads (``archive.sqlite.SqliteArchive``, or ``kafka.archive.KafkaArchive`` with
``--bootstrap``, through ``workflow.sources``)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from newswatch.archive.sqlite import SqliteArchive
from newswatch.article import Article
from newswatch.cli.app import NewswatchGroup
from newswatch.cli.options import (
    OPTIONAL_BOOTSTRAP_OPTION,
    PREFIX_OPTION,
    STATE_OPTION,
    format_option,
    since_option,
)
from newswatch.constants import DEFAULT_ARCHIVE_MAX_AGE, DEFAULT_ARCHIVE_MAX_ARTICLES
from newswatch.jsonlines import BadLine, articles_from_jsonl
from newswatch.workflow.sources import ArchiveRef, archive_file, archived

__all__ = ["archive_group"]


@click.group("archive", cls=NewswatchGroup)
def archive_group() -> None:
    """The article archive the rule workflow reads: list, show, search, import, prune.

    \b
    Example:
      newswatch archive list --since 1d
      newswatch archive search 'لافروف'
    """


def _line(article: Article) -> str:
    title = " ".join(article.title.split()) or "(no title)"
    return f"{article.id}  {article.feed or '-'}  {title}  {article.url}".rstrip()


@archive_group.command("list")
@since_option("1d", "How far back.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many.")
@format_option("text", "jsonl")
@STATE_OPTION
@OPTIONAL_BOOTSTRAP_OPTION
@PREFIX_OPTION
def archive_list(
    since: datetime,
    limit: int | None,
    fmt: str,
    state_dir: Path,
    bootstrap: str | None,
    topic_prefix: str,
) -> None:
    """List archived articles, oldest first; --format jsonl exports them.

    \b
    Example:
      newswatch archive list --since 12h
      newswatch archive list --since 7d --format jsonl > week.jsonl
    """
    count = 0
    with ArchiveRef(state_dir, bootstrap, topic_prefix).opened() as archive:
        for article in archive.since(since):
            if limit is not None and count >= limit:
                break
            count += 1
            click.echo(article.to_json() if fmt == "jsonl" else _line(article))
    click.echo(f"{count} article(s)", err=True)


@archive_group.command("show")
@click.argument("article_id")
@STATE_OPTION
@OPTIONAL_BOOTSTRAP_OPTION
@PREFIX_OPTION
def archive_show(
    article_id: str, state_dir: Path, bootstrap: str | None, topic_prefix: str
) -> None:
    """Print one archived article as JSON.

    Example: newswatch archive show 3f2a9c0d1e4b5a6978c0d1e2
    """
    found = archived(ArchiveRef(state_dir, bootstrap, topic_prefix), article_id)
    if found is None:
        raise click.ClickException(f"no article {article_id!r} in the archive")
    click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))


@archive_group.command("search")
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@STATE_OPTION
def archive_search(query: str, limit: int, state_dir: Path) -> None:
    """Full-text search of the SQLite archive (FTS5: words, "a phrase", OR, NOT, pref*).

    Example: newswatch archive search '"Sergey Lavrov" AND Geneva'
    """
    with SqliteArchive(archive_file(state_dir), create=False) as archive:
        found = archive.search(query, limit=limit)
    for article in found:
        click.echo(_line(article))
    click.echo(f"{len(found)} article(s)", err=True)


@archive_group.command("import")
@click.argument("articles", type=click.File("r", encoding="utf-8"))
@STATE_OPTION
def archive_import(articles: Any, state_dir: Path) -> None:
    """Add JSON-lines articles to the SQLite archive (e.g. a feed saved with feeds fetch).

    Example: newswatch archive import week.jsonl --state var/state
    """
    bad: list[BadLine] = []
    with SqliteArchive(archive_file(state_dir), create=True) as archive:
        added = archive.add(articles_from_jsonl(articles, bad))
    click.echo(f"{added} article(s) archived in {archive.path}", err=True)
    for line in bad:
        click.echo(f"{articles.name}:{line.line}: not an article: {line.message}", err=True)
    raise SystemExit(1 if bad else 0)


@archive_group.command("prune")
@click.option(
    "--max-days",
    type=click.IntRange(min=1),
    default=DEFAULT_ARCHIVE_MAX_AGE.days,
    show_default=True,
)
@click.option(
    "--max-articles",
    type=click.IntRange(min=1),
    default=DEFAULT_ARCHIVE_MAX_ARTICLES,
    show_default=True,
)
@STATE_OPTION
def archive_prune(max_days: int, max_articles: int, state_dir: Path) -> None:
    """Drop archived articles older than --max-days and the oldest beyond --max-articles.

    Example: newswatch archive prune --max-days 7
    """
    archive = SqliteArchive(
        archive_file(state_dir),
        create=False,
        max_articles=max_articles,
        max_age=timedelta(days=max_days),
    )
    with archive:
        dropped = archive.prune()
        left = archive.stats().articles
    click.echo(f"{dropped} article(s) dropped, {left} kept", err=True)
