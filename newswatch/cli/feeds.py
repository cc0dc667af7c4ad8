"""``newswatch feeds list|status|fetch|add|import|export``: validate a feed list
(``feeds.config.load_feeds``), show feed health (``feeds.state.FeedStateStore.health``), fetch
one feed once (``feeds.once.fetch_once``), read and write OPML (``feeds.opml``)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import click

from feeds.config import FeedConfigError, FeedSpec, load_feeds
from feeds.fetch import FetchError, FetchLimits
from feeds.listing import FeedListError, add_discovered_feed, append_feeds, read_feed_list
from feeds.once import fetch_once
from feeds.opml import OpmlError, plan_import, read_opml, to_opml
from feeds.parse import ParsedFeed
from feeds.state import FeedHealth, FeedStateStore
from newswatch.cli.app import NewswatchGroup
from newswatch.cli.options import STATE_OPTION, format_option
from newswatch.constants import DEFAULT_FEEDS, FEED_STATE_FILENAME
from newswatch.errors import InputError

__all__ = ["feeds_group"]

_ERROR_WIDTH = 80


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if value else "never"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in (header, *rows)
    ]
    return "\n".join(line.rstrip() for line in lines)


def _load_or_exit(path: Path) -> list[FeedSpec]:
    try:
        return load_feeds(path)
    except FeedConfigError as exc:
        click.echo(str(exc), err=True)
        raise click.exceptions.Exit(1) from None


@click.group("feeds", cls=NewswatchGroup)
def feeds_group() -> None:
    """Feed pollers: check a feed list, see feed health, fetch a feed once, import and
    export OPML.

    \b
    Example:
      newswatch feeds list feeds/feeds.yaml
      newswatch feeds status --state var/state
      newswatch feeds add https://www.lemonde.fr --into feeds/feeds.yaml
      newswatch feeds import feedly.opml --into feeds/feeds.yaml
    """


@feeds_group.command("list")
@click.argument("feeds_file", type=click.Path(dir_okay=False, path_type=Path))
def list_feeds(feeds_file: Path) -> None:
    """Validate FEEDS_FILE and list its feeds (exit 1 with file:line:col on an error).

    Example: newswatch feeds list feeds/feeds.yaml
    """
    specs = _load_or_exit(feeds_file)
    rows = [
        (
            spec.id,
            f"{spec.interval:g}s",
            spec.language or "-",
            "yes" if spec.enabled else "no",
            spec.url,
        )
        for spec in specs
    ]
    click.echo(_table(("FEED", "INTERVAL", "LANG", "ENABLED", "URL"), rows))
    enabled = sum(spec.enabled for spec in specs)
    click.echo(f"{len(specs)} feed(s), {enabled} enabled: {feeds_file} is valid")


def _health_json(item: FeedHealth) -> dict[str, Any]:
    data = asdict(item)
    for key in ("last_success", "last_error_at", "next_poll_at"):
        value = data[key]
        data[key] = value.isoformat() if value is not None else None
    return data


@feeds_group.command("status")
@STATE_OPTION
@format_option("text", "json")
def status(state_dir: Path, fmt: str) -> None:
    """Show each feed's health: last success, consecutive failures, last error.

    Reads the feed state of ``run`` or ``poll`` in the state directory.

    Example: newswatch feeds status --state var/state --format json
    """
    state_path = state_dir / FEED_STATE_FILENAME
    if not state_path.is_file():
        raise click.ClickException(f"{state_path}: no such state file (no feed polled here yet)")
    with FeedStateStore(state_path) as store:
        health = store.health()
    if fmt == "json":
        click.echo(json.dumps([_health_json(item) for item in health], indent=2))
        return
    if not health:
        click.echo("no feed has been polled yet")
        return
    pages = any(item.pages_ok or item.pages_failed for item in health)
    rows = []
    for item in health:
        error = (item.last_error or "-").replace("\n", " ")
        if len(error) > _ERROR_WIDTH:
            error = error[: _ERROR_WIDTH - 3] + "..."
        row: list[str] = [
            item.feed_id,
            _when(item.last_success),
            str(item.consecutive_failures),
            _when(item.next_poll_at),
            str(item.articles_seen),
        ]
        if pages:  # full-text feeds: pages with text / pages that failed
            row.append(f"{item.pages_ok}/{item.pages_failed}")
        rows.append((*row, error))
    header: tuple[str, ...] = ("FEED", "LAST SUCCESS", "FAILURES", "NEXT POLL", "SEEN")
    header += ("PAGES OK/FAILED",) * pages + ("LAST ERROR",)
    click.echo(_table(header, rows))


def _write_jsonl(parsed: ParsedFeed, out: TextIO) -> None:
    for article in parsed.articles:
        out.write(article.to_json() + "\n")


@feeds_group.command("fetch")
@click.argument("feeds_file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("feed_id")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="JSON lines file to write ('-' for standard output).",
)
@click.option("--timeout", default=30.0, show_default=True, help="Read timeout in seconds.")
def fetch(feeds_file: Path, feed_id: str, out_path: Path, timeout: float) -> None:
    """Fetch feed FEED_ID of FEEDS_FILE once and write all its articles as JSON lines.

    No state is read or written: every article in the feed is written, seen or not.

    Example: newswatch feeds fetch feeds/feeds.yaml bbc-arabic --out bbc-arabic.jsonl
    """
    specs = {spec.id: spec for spec in _load_or_exit(feeds_file)}
    spec = specs.get(feed_id)
    if spec is None:
        known = ", ".join(sorted(specs)) or "none"
        raise click.ClickException(f"{feeds_file}: no feed {feed_id!r} (known: {known})")
    limits = FetchLimits(read_timeout=timeout)
    try:
        parsed, _ = asyncio.run(fetch_once(spec, limits))
    except FetchError as exc:
        raise click.ClickException(f"{feed_id}: {exc}") from None
    if parsed.error is not None and not parsed.articles:
        raise click.ClickException(f"{feed_id}: {parsed.error}")
    if parsed.error is not None:
        click.echo(f"{feed_id}: warning: {parsed.error}", err=True)
    if str(out_path) == "-":
        _write_jsonl(parsed, sys.stdout)
    else:
        with out_path.open("w", encoding="utf-8") as out:
            _write_jsonl(parsed, out)
    click.echo(f"{feed_id}: wrote {len(parsed.articles)} article(s) to {out_path}", err=True)


def _into_option(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option(
        "--into",
        "feeds_file",
        default=DEFAULT_FEEDS,
        envvar="NEWSWATCH_FEEDS",
        show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"The feed list to add {what} to (created if missing).",
    )


@feeds_group.command("import")
@click.argument("opml_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@_into_option("the feeds")
@click.option("--dry-run", is_flag=True, help="Say what would be added; write nothing.")
def import_opml(opml_file: Path, feeds_file: Path, dry_run: bool) -> None:
    """Add the feeds of an OPML file (a feed reader's export) to the feed list.

    Folders become tags (nested ones as "Middle East/Syria"); feeds already listed (same URL)
    are reported and left as they are; entries that cannot be feeds are listed with the reason.
    Comments and layout of the feed list are kept; the new entries are written at once or not
    at all. A running monitor picks them up.

    Example: newswatch feeds import feedly.opml --into feeds/feeds.yaml
    """
    try:
        found = read_opml(opml_file.read_bytes(), str(opml_file))
        plan = plan_import(found, read_feed_list(feeds_file))
        if plan.added and not dry_run:
            append_feeds(feeds_file, plan.added)
    except (OpmlError, FeedListError) as exc:
        raise click.ClickException(str(exc)) from None
    for url, feed_id in plan.duplicates:
        click.echo(f"already listed: {url} (as {feed_id})")
    for what, why in plan.invalid:
        click.echo(f"not imported: {what}: {why}")
    for feed in plan.added:
        tags = f" [{', '.join(feed.tags)}]" if feed.tags else ""
        click.echo(f"{'would add' if dry_run else 'added'}: {feed.id} {feed.url}{tags}")
    verb = "would be added to" if dry_run else "added to"
    click.echo(
        f"{len(found)} feed(s) in {opml_file}: {len(plan.added)} {verb} {feeds_file}, "
        f"{len(plan.duplicates)} already listed, {len(plan.invalid)} not importable",
        err=True,
    )


@feeds_group.command("export")
@click.argument(
    "feeds_file",
    default=DEFAULT_FEEDS,
    envvar="NEWSWATCH_FEEDS",
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option(
    "--out",
    "out_path",
    default="-",
    show_default=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="The OPML file to write ('-' for standard output).",
)
def export_opml(feeds_file: Path, out_path: Path) -> None:
    """Write the feed list as OPML, for a feed reader (tags become folders).

    Example: newswatch feeds export feeds/feeds.yaml --out newswatch.opml
    """
    document = to_opml(_load_or_exit(feeds_file))
    if str(out_path) == "-":
        sys.stdout.buffer.write(document)
        sys.stdout.flush()
        return
    out_path.write_bytes(document)
    click.echo(f"wrote {out_path}", err=True)


@feeds_group.command("add")
@click.argument("url")
@_into_option("the feed")
@click.option("--id", "feed_id", default="", help="The feed's id (default: from its host).")
@click.option(
    "--language", default="", help="The feed's language (default: its own or its page's)."
)
@click.option("--timeout", default=30.0, show_default=True, help="Read timeout in seconds.")
def add(url: str, feeds_file: Path, feed_id: str, language: str, timeout: float) -> None:
    """Add the feed at URL — a feed, or a site's page whose feeds are found from it.

    A page is read for the feeds it announces (<link rel="alternate">), else the paths sites
    serve feeds at (/feed, /rss.xml...); each is fetched once and only a working feed is
    written, with its language. A running monitor picks it up.

    Example: newswatch feeds add https://www.lemonde.fr --into feeds/feeds.yaml
    """
    limits = FetchLimits(read_timeout=timeout)
    try:
        spec, found, discovery = asyncio.run(
            add_discovered_feed(feeds_file, url, feed_id, language, limits=limits)
        )
    except (InputError, FeedListError) as exc:
        raise click.ClickException(str(exc)) from None
    for other in discovery.feeds:
        if other.url != found.url:
            click.echo(f"also found: {other.url} {other.title}".rstrip())
    language_note = f", language {spec.language}" if spec.language else ""
    click.echo(
        f"added {spec.id}: {spec.url} ({found.entries} entries{language_note}) to {feeds_file}"
    )
