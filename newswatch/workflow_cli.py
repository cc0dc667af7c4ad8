"""The analysts' rule workflow on the command line: ``rules test``, ``rules diff``, ``explain``
and ``archive ...``. Thin wrappers: the work is in ``rules/dryrun.py``, ``rules/diff.py``,
``explain.py`` and ``archive.py``. Registered into ``newswatch.cli`` at its bottom.

Exit codes: 0 done; 1 the input was wrong (invalid rules, unreadable articles, nothing found);
2 the command line was wrong (click's usage errors).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from feeds.fetch import FetchError
from feeds.once import fetch_feed, fetch_page
from newswatch.alerts.message import Alert
from newswatch.alerts.notifier import format_console, send_now
from newswatch.alerts.targets import Targets, TargetsError
from newswatch.archive.base import ArchiveError, ArticleArchive, parse_since
from newswatch.archive.sqlite import SqliteArchive
from newswatch.article import Article, ArticleError
from newswatch.cli_options import RULES_OPTION, STATE_FILE_OR_DIR_OPTION, apprise_option
from newswatch.constants import (
    ARCHIVE_FILENAME,
    DEFAULT_ARCHIVE_MAX_AGE,
    DEFAULT_ARCHIVE_MAX_ARTICLES,
    DEFAULT_TOPIC_PREFIX,
)
from newswatch.jsonlines import BadLine, articles_from_jsonl
from newswatch.rules.loader import load_rules
from newswatch.rules.problems import RuleSet
from newswatch.workflow.diff import diff_rules
from newswatch.workflow.diff import render as render_diff
from newswatch.workflow.dryrun import (
    as_active,
    dry_run,
)
from newswatch.workflow.explain import describe_article, explain, render
from newswatch.workflow.git import DiffError, copy_git_head
from newswatch.workflow.lint import suggest

__all__ = ["archive_group", "explain_command", "rules_diff", "rules_test"]

F = TypeVar("F", bound=Callable[..., Any])


def _archive_options(func: F) -> F:
    """Where the archive is: the embedded monitor's state, or the Kafka articles topic."""
    func = click.option(
        "--topic-prefix",
        default=DEFAULT_TOPIC_PREFIX,
        envvar="NEWSWATCH_TOPIC_PREFIX",
        show_default=True,
        help="Kafka topic prefix (the articles topic is <prefix>articles).",
    )(func)
    func = click.option(
        "--kafka",
        "kafka",
        default=None,
        metavar="HOST:PORT",
        help="Read the articles topic of this Kafka broker instead of the SQLite archive.",
    )(func)
    return STATE_FILE_OR_DIR_OPTION(func)


def _open_archive(state: Path, kafka: str | None, prefix: str) -> ArticleArchive:
    if kafka:
        from newswatch.kafka.archive import KafkaArchive  # only Kafka users need it
        from newswatch.kafka.config import KafkaSettings

        try:
            topic = KafkaSettings(kafka, prefix=prefix).topics.articles
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        return KafkaArchive(kafka, topic)
    try:
        return SqliteArchive(_archive_path(state), create=False)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None


def _archive_path(state: Path) -> Path:
    # A directory (or a name without a suffix, as var/state before its first run) holds the
    # archive file; anything else is the archive file itself.
    return state / ARCHIVE_FILENAME if state.is_dir() or not state.suffix else state


def _since(text: str) -> datetime:
    try:
        return parse_since(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None


def _load_valid(path: Path) -> RuleSet:
    """The rules of ``path``; every error printed and exit 1 if there is any."""
    loaded = load_rules(path)
    if loaded.errors:
        for problem in loaded.errors:
            click.echo(str(suggest(problem)), err=True)
        click.echo(f"{path}: {len(loaded.errors)} error(s); fix them first", err=True)
        raise SystemExit(1)
    return loaded


def _guarded(articles: Iterable[Article]) -> Iterator[Article]:
    """Archive/Kafka failures surfacing mid-iteration become a clean exit 1."""
    try:
        yield from articles
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None


# --- rules test ----------------------------------------------------------------------------


@click.command("test")
@click.argument("rule_file", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--input",
    "input_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Articles as JSON lines ('-' for standard input).",
)
@click.option("--feed", "feed_url", default=None, metavar="URL", help="A feed, fetched once.")
@click.option("--feed-id", default=None, help="Feed id the --feed articles get (default: host).")
@click.option("--archive", "from_archive", is_flag=True, help="Articles from the archive.")
@click.option("--since", default="7d", show_default=True, help="With --archive: how far back.")
@_archive_options
@click.option("--send", is_flag=True, help="Really send the alerts to their Apprise targets.")
@apprise_option("Apprise config used by --send.")
def rules_test(
    rule_file: Path,
    input_file: Any,
    feed_url: str | None,
    feed_id: str | None,
    from_archive: bool,
    since: str,
    state: Path,
    kafka: str | None,
    topic_prefix: str,
    send: bool,
    apprise_config: Path,
) -> None:
    """Dry-run RULE_FILE: print, per matching article, the exact alert that would be sent.

    Give the articles with exactly one of --input, --feed or --archive. Nothing is sent unless
    --send. A disabled rule is tested as if it were enabled.

    \b
    Example:
      newswatch rules test rules/syria-talks.yaml --input articles.jsonl
      newswatch rules test rules/syria-talks.yaml --archive --since 2d
      newswatch rules test rules/draft.yaml --feed https://example.org/rss --send
    """
    chosen = sum((input_file is not None, feed_url is not None, from_archive))
    if chosen != 1:
        raise click.UsageError("give exactly one of --input FILE, --feed URL or --archive")
    rules = _load_valid(rule_file).rules
    if not rules:
        raise click.ClickException(f"{rule_file}: no rule to test")
    for rule in rules:
        if not rule.enabled:
            click.echo(f"note: rule {rule.id} is disabled; tested as if enabled", err=True)
    bad: list[BadLine] = []
    source = _test_articles(
        input_file, feed_url, feed_id, from_archive, since, state, kafka, topic_prefix, bad
    )
    read = 0

    def counted() -> Iterator[Article]:  # streamed: a week of archive need not fit in memory
        nonlocal read
        for article in _guarded(source):
            read += 1
            yield article

    alerts: list[Alert] = []
    fired: set[str] = set()
    for result in dry_run(as_active(rules), counted()):
        click.echo(format_console(result.alert), nl=False)
        click.echo(f"→ tags: {', '.join(result.alert.tags)}")
        fired.add(result.article.id)
        alerts.append(result.alert)  # alerts are small: only the articles are streamed
    click.echo(
        f"{len(rules)} rule(s), {read} article(s): {len(alerts)} alert(s) "
        f"on {len(fired)} article(s)",
        err=True,
    )
    for line in bad:
        click.echo(
            f"{getattr(input_file, 'name', '-')}:{line.line}: not an article: {line.message}",
            err=True,
        )
    code = 1 if bad else 0
    if not send:
        click.echo("dry run: nothing sent (add --send to send)", err=True)
    elif alerts:
        code = max(code, _send(alerts, apprise_config))
    raise SystemExit(code)


def _test_articles(
    input_file: Any,
    feed_url: str | None,
    feed_id: str | None,
    from_archive: bool,
    since: str,
    state: Path,
    kafka: str | None,
    prefix: str,
    bad: list[BadLine],
) -> Iterable[Article]:
    if input_file is not None:
        return articles_from_jsonl(input_file, bad)
    if feed_url is not None:
        try:
            articles, error = fetch_feed(feed_url, feed_id=feed_id)
        except FetchError as exc:
            raise click.ClickException(str(exc)) from None
        if error is not None:
            if not articles:
                raise click.ClickException(f"{feed_url}: {error}")
            click.echo(f"warning: {feed_url}: {error}", err=True)
        return articles
    return _open_archive(state, kafka, prefix).since(_since(since))


def _send(alerts: list[Alert], apprise_config: Path) -> int:
    try:
        report = asyncio.run(send_now(alerts, Targets.load(apprise_config)))
    except TargetsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"sent {report.sent}, failed {report.failed}", err=True)
    for failure in report.failures:
        click.echo(f"  failed: {failure.target}: {failure.error}", err=True)
    return 0 if report.ok else 1


# --- rules diff ----------------------------------------------------------------------------


@click.command("diff")
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--since", default="7d", show_default=True, help="Archived articles since.")
@_archive_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def rules_diff(
    old: Path,
    new: Path | None,
    since: str,
    state: Path,
    kafka: str | None,
    topic_prefix: str,
    fmt: str,
) -> None:
    """Which archived articles would start or stop matching if the edit went live.

    OLD and NEW are rule files or directories. With OLD alone, it is compared with its own
    version at git HEAD: what the uncommitted edits would change.

    \b
    Example:
      newswatch rules diff rules/                # working tree against HEAD
      newswatch rules diff old.yaml new.yaml --since 30d --format json
    """
    when = _since(since)
    with tempfile.TemporaryDirectory(prefix="newswatch-diff-") as scratch:
        if new is None:
            new = old
            try:
                head = copy_git_head(old, Path(scratch))
            except DiffError as exc:
                raise click.ClickException(
                    f"{exc} (give OLD and NEW to compare two paths)"
                ) from None
            before = load_rules(head).rules if head is not None else ()
        else:
            loaded = load_rules(old)
            for problem in loaded.errors:
                click.echo(f"old: {problem} (rule left out)", err=True)
            before = loaded.rules
        after = _load_valid(new).rules
        archive = _open_archive(state, kafka, topic_prefix)
        try:
            result = diff_rules(before, after, _guarded(archive.since(when)))
        finally:
            archive.close()
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in render_diff(result):
            click.echo(line)


# --- explain ---------------------------------------------------------------------------------


@click.command("explain")
@click.argument("article", required=False)
@click.option("--rule", "rule_id", default=None, help="Only this rule.")
@RULES_OPTION
@click.option("--text", default=None, help="Explain on this text instead of an article.")
@click.option("--language", default="", help="With --text: its language (ar, en, ...).")
@_archive_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def explain_command(
    article: str | None,
    rule_id: str | None,
    rules_dir: Path,
    text: str | None,
    language: str,
    state: Path,
    kafka: str | None,
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
    rules = _load_valid(rules_dir).rules
    if text is not None:
        targets = [Article(id="text", content=text, language=language)]
    else:
        assert article is not None
        targets = _resolve(article, state, kafka, topic_prefix)
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


def _resolve(ref: str, state: Path, kafka: str | None, prefix: str) -> list[Article]:
    path = Path(ref)
    if path.is_file():
        return _from_json_file(path)
    if ref.startswith(("http://", "https://")):
        archived = _try_archive(state, kafka, prefix, lambda a: a.find_url(ref))
        if archived is not None:
            return [archived]
        try:
            return fetch_page(ref)
        except FetchError as exc:
            raise click.ClickException(str(exc)) from None
    found = _archived(state, kafka, prefix, ref)
    if found is None:
        raise click.ClickException(f"{ref!r} is no file, no URL and no article id in the archive")
    return [found]


def _archived(state: Path, kafka: str | None, prefix: str, article_id: str) -> Article | None:
    """The archived article with this id; an archive that cannot be read is a usage error."""
    archive = _open_archive(state, kafka, prefix)
    try:
        return archive.get(article_id)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        archive.close()


def _try_archive(
    state: Path, kafka: str | None, prefix: str, look: Callable[[ArticleArchive], Article | None]
) -> Article | None:
    try:
        archive = _open_archive(state, kafka, prefix)
    except click.ClickException:
        return None  # no archive here: fetch instead
    try:
        return look(archive)
    except ArchiveError:
        return None
    finally:
        archive.close()


def _from_json_file(path: Path) -> list[Article]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: cannot read: {exc}") from None
    try:
        return [Article.from_json(text)]
    except ArticleError:
        pass  # perhaps JSON lines
    bad: list[BadLine] = []
    with path.open(encoding="utf-8") as stream:
        articles = list(articles_from_jsonl(stream, bad))
    if bad or not articles:
        line = bad[0] if bad else BadLine(1, "no article in the file")
        raise click.ClickException(f"{path}:{line.line}: not an article: {line.message}")
    return articles


# --- archive ---------------------------------------------------------------------------------


@click.group("archive")
def archive_group() -> None:
    """The article archive the rule workflow reads: list, show, search, import, prune.

    \b
    Example:
      newswatch archive list --since 1d
      newswatch archive search 'لافروف'
    """


def _sqlite(state: Path, *, create: bool = False) -> SqliteArchive:
    try:
        return SqliteArchive(_archive_path(state), create=create)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None


def _line(article: Article) -> str:
    title = " ".join(article.title.split()) or "(no title)"
    return f"{article.id}  {article.feed or '-'}  {title}  {article.url}".rstrip()


@archive_group.command("list")
@click.option("--since", default="1d", show_default=True, help="How far back.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many.")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text")
@_archive_options
def archive_list(
    since: str, limit: int | None, fmt: str, state: Path, kafka: str | None, topic_prefix: str
) -> None:
    """List archived articles, oldest first; --format jsonl exports them.

    \b
    Example:
      newswatch archive list --since 12h
      newswatch archive list --since 7d --format jsonl > week.jsonl
    """
    archive = _open_archive(state, kafka, topic_prefix)
    count = 0
    try:
        for article in _guarded(archive.since(_since(since))):
            if limit is not None and count >= limit:
                break
            count += 1
            click.echo(article.to_json() if fmt == "jsonl" else _line(article))
    finally:
        archive.close()
    click.echo(f"{count} article(s)", err=True)


@archive_group.command("show")
@click.argument("article_id")
@_archive_options
def archive_show(article_id: str, state: Path, kafka: str | None, topic_prefix: str) -> None:
    """Print one archived article as JSON.

    Example: newswatch archive show 3f2a9c0d1e4b5a6978c0d1e2
    """
    found = _archived(state, kafka, topic_prefix, article_id)
    if found is None:
        raise click.ClickException(f"no article {article_id!r} in the archive")
    click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))


@archive_group.command("search")
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@STATE_FILE_OR_DIR_OPTION
def archive_search(query: str, limit: int, state: Path) -> None:
    """Full-text search of the SQLite archive (FTS5: words, "a phrase", OR, NOT, pref*).

    Example: newswatch archive search '"Sergey Lavrov" AND Geneva'
    """
    with _sqlite(state) as archive:
        try:
            found = archive.search(query, limit=limit)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from None
    for article in found:
        click.echo(_line(article))
    click.echo(f"{len(found)} article(s)", err=True)


@archive_group.command("import")
@click.argument("articles", type=click.File("r", encoding="utf-8"))
@STATE_FILE_OR_DIR_OPTION
def archive_import(articles: Any, state: Path) -> None:
    """Add JSON-lines articles to the SQLite archive (e.g. a feed saved with feeds fetch).

    Example: newswatch archive import week.jsonl --state var/state
    """
    bad: list[BadLine] = []
    with _sqlite(state, create=True) as archive:
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
@STATE_FILE_OR_DIR_OPTION
def archive_prune(max_days: int, max_articles: int, state: Path) -> None:
    """Drop archived articles older than --max-days and the oldest beyond --max-articles.

    Example: newswatch archive prune --max-days 7
    """
    try:
        archive = SqliteArchive(
            _archive_path(state),
            create=False,
            max_articles=max_articles,
            max_age=timedelta(days=max_days),
        )
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    with archive:
        dropped = archive.prune()
        left = archive.stats().articles
    click.echo(f"{dropped} article(s) dropped, {left} kept", err=True)
