"""Adding a feed to the feed list file: the web page's "add a feed" (adapter: writes the file).

The entry is added through ruamel's round trip, so the analysts' comments and layout stay as they
were; the whole new file is validated by ``feeds.config.parse_feeds`` (an invalid id, URL or
language is reported at its line) before it replaces the old one atomically.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from feeds.config import MIN_INTERVAL, FeedConfigError, FeedSpec, parse_feeds
from feeds.discover import Discovery, FoundFeed, best, discover
from feeds.fetch import FetchLimits
from feeds.once import feed_id_for
from newswatch.errors import InputError

__all__ = [
    "FeedListError",
    "NewFeed",
    "add_discovered_feed",
    "add_feed_to",
    "append_feed",
    "append_feeds",
    "read_feed_list",
]


class FeedListError(InputError):
    """The feed cannot be added (its id or URL is already listed, or the entry is invalid)."""


def _with_entries(text: str, source: str, entries: Sequence[NewFeed]) -> str:
    """``text`` with more entries in its ``feeds:`` list, comments and layout kept (ruamel's
    round trip: a block list of any indentation, ``feeds: []`` or an empty ``feeds:``)."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    try:
        doc, indent, dash = load_yaml_guess_indent(text) if text.strip() else (None, 2, 2)
    except YAMLError as exc:
        raise FeedListError(f"{source}: not valid YAML: {exc}") from exc
    # The file's own indentation (a list at "  - " or at "- "), so only the new lines are new.
    dash = dash or 0
    indent = max(indent or 2, dash + 2)  # where an item's keys start
    yaml.indent(mapping=2, sequence=indent, offset=dash)
    if doc is None:
        doc = CommentedMap()
    if not isinstance(doc, CommentedMap):
        raise FeedListError(f"{source}: expected a mapping with a 'feeds:' list")
    feeds = doc.get("feeds")
    if feeds is None or (isinstance(feeds, list) and not feeds):
        feeds = CommentedSeq()
        doc["feeds"] = feeds
    if not isinstance(feeds, CommentedSeq):
        raise FeedListError(f"{source}: 'feeds:' is not a list")
    feeds.fa.set_block_style()
    for new in entries:
        entry = CommentedMap(id=new.id, url=new.url)
        if new.language:
            entry["language"] = new.language
        if new.tags:
            tags = CommentedSeq(new.tags)
            tags.fa.set_flow_style()
            entry["tags"] = tags
        feeds.append(entry)
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class NewFeed:
    """An entry to add to the feed list."""

    id: str
    url: str
    language: str = ""
    tags: tuple[str, ...] = ()


def append_feed(
    path: Path, feed_id: str, url: str, language: str = "", *, min_interval: float = MIN_INTERVAL
) -> FeedSpec:
    """Append one feed to the list at ``path`` (created if missing); returns its spec."""
    (spec,) = append_feeds(path, [NewFeed(feed_id, url, language)], min_interval=min_interval)
    return spec


def read_feed_list(path: Path, *, min_interval: float = MIN_INTERVAL) -> list[FeedSpec]:
    """The feeds listed at ``path``; none if it does not exist yet."""
    if not path.exists():
        return []
    try:
        return parse_feeds(
            path.read_text(encoding="utf-8"), source=str(path), min_interval=min_interval
        )
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedListError(f"{path}: cannot read the feed list: {exc}") from exc
    except FeedConfigError as exc:
        raise FeedListError(f"the feed list is not valid: {exc}") from exc


def append_feeds(
    path: Path, entries: Sequence[NewFeed], *, min_interval: float = MIN_INTERVAL
) -> list[FeedSpec]:
    """Append ``entries`` to the list at ``path`` (created if missing), all or none, in one
    atomic write; returns their specs. An id or URL already listed is refused."""
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedListError(f"{path}: cannot read the feed list: {exc}") from exc
    new_text = _with_entries(text, str(path), entries)
    try:
        specs = parse_feeds(new_text, source=str(path), min_interval=min_interval)
    except FeedConfigError as exc:
        raise FeedListError(f"the new entry is not valid: {exc}") from exc
    old = specs[: len(specs) - len(entries)]
    for new in entries:
        for spec in old:
            if spec.id == new.id:
                raise FeedListError(f"{path}: a feed with id {new.id!r} is already listed")
            if spec.url == new.url:
                raise FeedListError(f"{path}: {new.url} is already listed as {spec.id!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(new_text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return specs[len(old) :]


async def add_feed_to(
    feeds_file: Path,
    url: str,
    feed_id: str,
    language: str,
    *,
    limits: FetchLimits,
    min_interval: float = MIN_INTERVAL,
) -> tuple[FeedSpec, int]:
    """Append the feed at ``url`` to the list — ``url`` itself if it is a feed, else the feed
    its page announces (``feeds.discover``), checked by fetching it once: the new entry and how
    many entries the feed has now (`feeds add` and the web page's "add a feed"). The entry
    carries ``language`` if given, else the feed's or its page's."""
    added, found, _ = await add_discovered_feed(
        feeds_file, url, feed_id, language, limits=limits, min_interval=min_interval
    )
    return added, found.entries


async def add_discovered_feed(
    feeds_file: Path,
    url: str,
    feed_id: str,
    language: str,
    *,
    limits: FetchLimits,
    min_interval: float = MIN_INTERVAL,
) -> tuple[FeedSpec, FoundFeed, Discovery]:
    """``add_feed_to`` with what discovery found (the feed added, and every candidate)."""
    url = url.strip()
    try:
        discovery = await discover(url, limits)
    except Exception as exc:
        raise InputError(f"{url}: could not fetch it: {exc}") from None
    chosen = best(discovery.feeds)
    if chosen is None:
        tried = "; ".join(f"{u}: {why}" for u, why in discovery.tried) or "nothing announced"
        raise InputError(f"{url}: not a feed, and no feed found from its page ({tried})")
    spec = append_feed(
        feeds_file,
        feed_id.strip() or feed_id_for(chosen.url),
        chosen.url,
        language.strip() or chosen.language,
        min_interval=min_interval,
    )
    return spec, chosen, discovery
