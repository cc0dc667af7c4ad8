"""Every real and tricky feed document in ../shared/data/feeds through parse_feed.

Optional: skipped when ../shared (beside the repo root) is absent. The documents are read in
place, never copied into the project.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from feeds.config import FeedSpec
from feeds.fetch import decode_body
from feeds.parse import ParsedFeed, parse_feed

SHARED_FEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "feeds"
DOCUMENT_SUFFIXES = {".xml", ".atom", ".rss", ".html"}
SPEC = FeedSpec(id="corpus", url="https://feeds.example/feed.xml")
FETCHED = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.skipif(
    not SHARED_FEEDS.is_dir(), reason=f"{SHARED_FEEDS} not present (optional test data)"
)


def documents(group: str) -> list[Path]:
    root = SHARED_FEEDS / group
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in DOCUMENT_SUFFIXES)


@cache
def parse_file(path: Path) -> ParsedFeed:
    # As the fetcher would: undo gzip served without Content-Encoding, then parse.
    body = decode_body(path.read_bytes(), url=str(path), max_bytes=50_000_000)
    return parse_feed(body, SPEC, base_url=SPEC.url, fetched=FETCHED)


def problems(path: Path, parsed: ParsedFeed) -> list[str]:
    found = []
    for article in parsed.articles:
        text_fields = (article.url, article.title, article.summary, article.content)
        if not article.id or article.feed != "corpus":
            found.append(f"{path.name}: bad id/feed {article.id!r}/{article.feed!r}")
        if not all(isinstance(value, str) for value in (*text_fields, article.language)):
            found.append(f"{path.name}: non-str field in {article.id}")
        if article.url and not urlsplit(article.url).scheme:
            found.append(f"{path.name}: relative url {article.url!r}")
        if article.published is not None and article.published.utcoffset() is None:
            found.append(f"{path.name}: naive published time")
    if len({article.id for article in parsed.articles}) != len(parsed.articles):
        found.append(f"{path.name}: repeated ids")
    return found


@pytest.mark.parametrize("group", ["real_world", "feedparser_tests"])
def test_every_document_parses_without_raising(group: str) -> None:
    paths = documents(group)
    assert paths, f"no documents under {SHARED_FEEDS / group}"
    found: list[str] = []
    for path in paths:
        found += problems(path, parse_file(path))
    assert found == []


def test_real_world_feeds_all_yield_articles() -> None:
    empty = [
        path.name
        for path in documents("real_world")
        if path.suffix != ".html" and not parse_file(path).articles
    ]
    assert empty == []


def test_gzip_served_as_is_matches_the_plain_copy() -> None:
    folder = SHARED_FEEDS / "real_world" / "node-feedparser"
    plain = parse_file(folder / "iconv.xml")
    packed = parse_file(folder / "compressed.xml")
    assert [a.id for a in packed.articles] == [a.id for a in plain.articles]
    assert len(plain.articles) == 10
    assert plain.articles[0].title.startswith("В Бузулуке")  # windows-1251 decoded


def test_html_instead_of_a_feed() -> None:
    parsed = parse_file(SHARED_FEEDS / "real_world" / "node-feedparser" / "notafeed.html")
    assert (parsed.articles, parsed.error) == ((), "not a feed: HTML page")


def test_right_to_left_atom_keeps_language_and_count() -> None:
    parsed = parse_file(SHARED_FEEDS / "real_world" / "picofeed" / "bbc_urdu.xml")
    assert len(parsed.articles) == 53
    assert {a.language for a in parsed.articles} == {"ur"}
