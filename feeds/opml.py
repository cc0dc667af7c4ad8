"""OPML, the file every feed reader exports and imports: `feeds import` and `feeds export`.

Reading goes through listparser (MIT, maintained), which takes the OPML that Feedly, Inoreader,
Miniflux, FreshRSS and NetNewsWire write: nested folders become the feed's categories, a
``category`` attribute its tags, a feed listed twice is given once (its folders merged).
Each folder path becomes one tag (``Middle East/Syria``), so an export gives the same folders
back: the first tag is the folder a feed is written in, every tag goes into its ``category``
attribute (OPML 2.0: comma-separated, slash-delimited). Writing uses the standard library's
ElementTree, which escapes what it writes.

The import plan is pure (``plan_import``): what to add, what is already listed (by URL), and
what cannot be added and why; ``feeds.listing.append_feeds`` writes it in one atomic step.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree import ElementTree

from feeds.config import FeedSpec
from feeds.listing import NewFeed
from feeds.once import feed_id_for
from newswatch.errors import InputError

__all__ = ["ImportPlan", "OpmlError", "OpmlFeed", "plan_import", "read_opml", "to_opml"]


class OpmlError(InputError):
    """The file is not an OPML subscription list."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportPlan:
    added: tuple[NewFeed, ...]
    duplicates: tuple[tuple[str, str], ...]  # (url, the id it is listed under)
    invalid: tuple[tuple[str, str], ...]  # (the entry as the file names it, why)


def read_opml(data: bytes, source: str) -> list[OpmlFeed]:
    """The feeds of an OPML document (bytes: listparser would fetch a string that looks like
    a URL). Raises ``OpmlError`` when it holds no subscription list at all."""
    import listparser  # imported on use: only `feeds import` needs it

    result = listparser.parse(data)
    if result.get("version", "") == "" and not result.feeds:
        why = result.get("bozo_exception") or "no <opml> subscription list found"
        raise OpmlError(f"{source}: not an OPML file: {why}")
    out = []
    for feed in result.feeds:
        tags = ["/".join(path) for path in feed.get("categories", []) if path]
        tags += [tag for tag in feed.get("tags", []) if tag]
        tags = [_clean_tag(tag) for tag in tags]
        url = str(feed.get("url", "")).strip()
        out.append(OpmlFeed(url, str(feed.get("title", "") or ""), tuple(dict.fromkeys(tags))))
    return out


def _clean_tag(tag: str) -> str:
    return " ".join(tag.replace(",", " ").split())


def plan_import(feeds: Iterable[OpmlFeed], listed: Sequence[FeedSpec]) -> ImportPlan:
    """What importing ``feeds`` into a list holding ``listed`` does."""
    by_url = {spec.url: spec.id for spec in listed}
    ids = {spec.id for spec in listed}
    added: list[NewFeed] = []
    duplicates: list[tuple[str, str]] = []
    invalid: list[tuple[str, str]] = []
    for feed in feeds:
        name = feed.title or feed.url or "(an entry without a URL)"
        parts = urlsplit(feed.url)
        if not feed.url:
            invalid.append((name, "no xmlUrl"))
        elif parts.scheme not in ("http", "https") or not parts.netloc:
            invalid.append((f"{name} ({feed.url})", "not an http:// or https:// URL"))
        elif feed.url in by_url:
            duplicates.append((feed.url, by_url[feed.url]))
        else:
            feed_id = _unique(_feed_id(feed), ids)
            ids.add(feed_id)
            by_url[feed.url] = feed_id
            tags = tuple(tag for tag in feed.tags if tag)
            added.append(NewFeed(feed_id, feed.url, tags=tags))
    return ImportPlan(tuple(added), tuple(duplicates), tuple(invalid))


def _feed_id(feed: OpmlFeed) -> str:
    """An id from the title in ASCII (``BBC Arabic`` -> ``bbc-arabic``), else from the host."""
    plain = unicodedata.normalize("NFKD", feed.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:40].strip("-")
    return slug if len(slug) >= 3 else feed_id_for(feed.url)


def _unique(feed_id: str, taken: set[str]) -> str:
    if feed_id not in taken:
        return feed_id
    n = 2
    while f"{feed_id}-{n}" in taken:
        n += 1
    return f"{feed_id}-{n}"


def to_opml(specs: Sequence[FeedSpec], title: str = "newswatch feeds") -> bytes:
    """An OPML 2.0 document of ``specs``: each feed in the folder of its first tag (nested at
    ``/``), all its tags in ``category``, its language in ``language`` where the list has one."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    body = ElementTree.SubElement(root, "body")
    folders: dict[str, ElementTree.Element] = {}

    def folder(path: str) -> ElementTree.Element:
        if path in folders:
            return folders[path]
        parent_path, _, name = path.rpartition("/")
        parent = folder(parent_path) if parent_path else body
        element = ElementTree.SubElement(parent, "outline", text=name, title=name)
        folders[path] = element
        return element

    for spec in specs:
        parent = folder(spec.tags[0]) if spec.tags else body
        attributes = {"type": "rss", "text": spec.id, "title": spec.id, "xmlUrl": spec.url}
        if spec.tags:
            attributes["category"] = ",".join(spec.tags)
        if spec.language:
            attributes["language"] = spec.language
        ElementTree.SubElement(parent, "outline", attributes)
    ElementTree.indent(root)
    xml: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"
