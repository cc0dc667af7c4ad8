"""Adding a feed to the feed list file (feeds.listing.append_feed), as the web page does."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.config import FeedSpec, load_feeds
from feeds.listing import FeedListError, append_feed
from newswatch.errors import InputError

LISTED = """\
# The desk's feeds. Keep this comment.
feeds:
  # --- Arabic ---
  - id: bbc-arabic
    url: https://feeds.bbci.co.uk/arabic/rss.xml
    language: ar  # a hint
    interval: 900

  # --- Russian ---
  - id: tass
    url: https://tass.ru/rss/v2.xml
"""


@pytest.fixture
def feeds_file(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(LISTED, encoding="utf-8")
    return path


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_append_keeps_everything_that_was_there(feeds_file: Path) -> None:
    spec = append_feed(feeds_file, "rt-arabic", "https://arabic.rt.com/rss/", "ar")
    assert spec == FeedSpec(id="rt-arabic", url="https://arabic.rt.com/rss/", language="ar")
    text = feeds_file.read_text(encoding="utf-8")
    assert text.startswith(LISTED)  # comments, blank lines and layout untouched
    assert [s.id for s in load_feeds(feeds_file)] == ["bbc-arabic", "tass", "rt-arabic"]
    assert load_feeds(feeds_file)[0].interval == 900
    assert leftovers(feeds_file.parent) == []


def test_append_without_language_and_twice(feeds_file: Path) -> None:
    append_feed(feeds_file, "france24-fr", "https://www.france24.com/fr/rss")
    append_feed(feeds_file, "lemonde", "https://www.lemonde.fr/rss/une.xml", "fr")
    specs = {s.id: s for s in load_feeds(feeds_file)}
    assert list(specs) == ["bbc-arabic", "tass", "france24-fr", "lemonde"]
    assert specs["france24-fr"].language == ""
    assert specs["lemonde"].language == "fr"


def test_a_url_yaml_would_misread_is_kept_as_given(feeds_file: Path) -> None:
    url = "https://example.org/rss?q=a: b&x=#frag"
    spec = append_feed(feeds_file, "odd", url)
    assert spec.url == url
    assert load_feeds(feeds_file)[-1].url == url


def test_a_file_without_a_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(LISTED.rstrip("\n"), encoding="utf-8")
    append_feed(path, "rt-arabic", "https://arabic.rt.com/rss/")
    assert [s.id for s in load_feeds(path)] == ["bbc-arabic", "tass", "rt-arabic"]


def test_a_duplicate_id_is_refused(feeds_file: Path) -> None:
    with pytest.raises(FeedListError, match="tass"):
        append_feed(feeds_file, "tass", "https://tass.com/rss/v2.xml")
    assert feeds_file.read_text(encoding="utf-8") == LISTED


def test_a_duplicate_url_is_refused(feeds_file: Path) -> None:
    with pytest.raises(FeedListError, match="bbc-arabic"):
        append_feed(feeds_file, "bbc-ar-2", "https://feeds.bbci.co.uk/arabic/rss.xml")
    assert feeds_file.read_text(encoding="utf-8") == LISTED


@pytest.mark.parametrize(
    ("feed_id", "url", "language"),
    [
        ("Bad Id", "https://example.org/rss", ""),
        ("-leading-dash", "https://example.org/rss", ""),
        ("", "https://example.org/rss", ""),
        ("ok-id", "ftp://example.org/rss", ""),
        ("ok-id", "https://example.org/rss", "not a language"),
    ],
    ids=["space-capital", "leading-dash", "empty-id", "not-http", "bad-language"],
)
def test_an_invalid_entry_is_refused_and_the_file_kept(
    feeds_file: Path, feed_id: str, url: str, language: str
) -> None:
    with pytest.raises(FeedListError, match="not valid"):
        append_feed(feeds_file, feed_id, url, language)
    assert feeds_file.read_text(encoding="utf-8") == LISTED
    assert leftovers(feeds_file.parent) == []


def test_feed_list_error_is_an_input_error(feeds_file: Path) -> None:
    with pytest.raises(InputError):
        append_feed(feeds_file, "tass", "https://tass.com/other.xml")


def test_the_file_is_created_when_missing(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    spec = append_feed(path, "tass", "https://tass.ru/rss/v2.xml", "ru")
    assert spec.id == "tass" and spec.language == "ru"
    assert [(s.id, s.url, s.language) for s in load_feeds(path)] == [
        ("tass", "https://tass.ru/rss/v2.xml", "ru")
    ]
    assert leftovers(tmp_path) == []


def test_a_bare_feeds_key_takes_its_first_feed(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n", encoding="utf-8")
    append_feed(path, "tass", "https://tass.ru/rss/v2.xml")
    assert [s.id for s in load_feeds(path)] == ["tass"]


def test_min_interval_is_passed_through(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "feeds:\n  - id: fast\n    url: https://example.org/a\n    interval: 5\n", encoding="utf-8"
    )
    # At the default minimum (10 s) the existing 5 s feed is invalid; at 1 s it is fine.
    spec = append_feed(path, "b", "https://example.org/b", min_interval=1.0)
    assert spec.id == "b"
    assert [s.id for s in load_feeds(path, min_interval=1.0)] == ["fast", "b"]


def test_a_list_written_without_indentation_takes_a_new_feed(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n- id: tass\n  url: https://tass.ru/rss/v2.xml\n", encoding="utf-8")
    assert [s.id for s in load_feeds(path)] == ["tass"]
    append_feed(path, "rt-arabic", "https://arabic.rt.com/rss/")
    assert [s.id for s in load_feeds(path)] == ["tass", "rt-arabic"]


def test_an_empty_list_with_a_comment_takes_its_first_feed(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("# The desk's feeds.\nfeeds:\n", encoding="utf-8")
    append_feed(path, "tass", "https://tass.ru/rss/v2.xml")
    assert [s.id for s in load_feeds(path)] == ["tass"]
    assert path.read_text(encoding="utf-8").startswith("# The desk's feeds.\n")


def test_an_empty_flow_list_takes_its_first_feed(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds: []\n", encoding="utf-8")
    assert load_feeds(path) == []
    append_feed(path, "tass", "https://tass.ru/rss/v2.xml")
    assert [s.id for s in load_feeds(path)] == ["tass"]
