"""OPML import and export (feeds/opml.py, `feeds import`, `feeds export`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from feeds.config import FeedSpec, load_feeds
from feeds.opml import OpmlError, OpmlFeed, plan_import, read_opml, to_opml
from newswatch.cli.feeds import feeds_group as feeds

# Written by hand the way feed readers write their exports: Feedly and Inoreader put each folder
# as an outline around its feeds (nested here, as NetNewsWire and FreshRSS allow), with text and
# title, type="rss", xmlUrl and htmlUrl; one feed appears in two folders; one entry is broken.
READER_EXPORT = """\
<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head>
    <title>Desk subscriptions in feedly Cloud</title>
  </head>
  <body>
    <outline text="Middle East" title="Middle East">
      <outline type="rss" text="BBC Arabic" title="BBC Arabic"
               xmlUrl="https://feeds.bbci.co.uk/arabic/rss.xml" htmlUrl="https://www.bbc.com/arabic"/>
      <outline text="Syria" title="Syria">
        <outline type="rss" text="عنب بلدي" title="عنب بلدي"
                 xmlUrl="https://www.enabbaladi.net/feed" htmlUrl="https://www.enabbaladi.net"/>
        <outline type="rss" text="Le Monde" title="Le Monde"
                 xmlUrl="https://www.lemonde.fr/rss/une.xml" htmlUrl="https://www.lemonde.fr"/>
      </outline>
    </outline>
    <outline text="Press &amp; Agencies" title="Press &amp; Agencies">
      <outline type="rss" text="Le Monde" title="Le Monde"
               xmlUrl="https://www.lemonde.fr/rss/une.xml" htmlUrl="https://www.lemonde.fr"/>
      <outline type="rss" text="TASS" title="TASS" xmlUrl="https://tass.ru/rss/v2.xml"/>
      <outline type="rss" text="Old gopher" title="Old gopher" xmlUrl="gopher://example.org/feed"/>
    </outline>
  </body>
</opml>
"""

LISTED = """\
# The desk's own list. Keep this comment.
feeds:
  - id: tass
    url: https://tass.ru/rss/v2.xml
    language: ru
"""


def test_folders_become_tags_and_a_feed_in_two_folders_is_one_feed() -> None:
    found = {f.url: f for f in read_opml(READER_EXPORT.encode(), "desk.opml")}
    assert found["https://feeds.bbci.co.uk/arabic/rss.xml"].tags == ("Middle East",)
    assert found["https://www.enabbaladi.net/feed"].tags == ("Middle East/Syria",)
    assert set(found["https://www.lemonde.fr/rss/une.xml"].tags) == {
        "Middle East/Syria",
        "Press & Agencies",
    }
    assert len(found) == 5


def test_the_plan_reports_duplicates_and_invalid_entries_and_makes_unique_ids() -> None:
    listed = [
        FeedSpec(id="tass", url="https://tass.ru/rss/v2.xml"),
        FeedSpec("bbc-arabic", "https://x.org/rss"),
    ]
    feeds_in = [
        OpmlFeed("https://feeds.bbci.co.uk/arabic/rss.xml", "BBC Arabic", ("Middle East",)),
        OpmlFeed("https://www.enabbaladi.net/feed", "عنب بلدي"),
        OpmlFeed("https://tass.ru/rss/v2.xml", "TASS"),
        OpmlFeed("gopher://example.org/feed", "Old gopher"),
        OpmlFeed("", "A folder-like entry"),
    ]
    plan = plan_import(feeds_in, listed)
    assert [(f.id, f.tags) for f in plan.added] == [
        ("bbc-arabic-2", ("Middle East",)),  # the title's id is taken
        ("www-enabbaladi-net", ()),  # a title with no ASCII letters: from the host
    ]
    assert plan.duplicates == (("https://tass.ru/rss/v2.xml", "tass"),)
    assert [why for _, why in plan.invalid] == ["not an http:// or https:// URL", "no xmlUrl"]


def test_a_file_that_is_not_opml_is_refused() -> None:
    with pytest.raises(OpmlError, match=r"not\.opml: not an OPML file"):
        read_opml(b"<html><body>hello</body></html>", "not.opml")


def test_import_into_a_list_keeps_it_and_reports_each_entry(tmp_path: Path) -> None:
    opml = tmp_path / "desk.opml"
    opml.write_text(READER_EXPORT, encoding="utf-8")
    listed = tmp_path / "feeds.yaml"
    listed.write_text(LISTED, encoding="utf-8")
    result = CliRunner().invoke(feeds, ["import", str(opml), "--into", str(listed)])
    assert result.exit_code == 0, result.output
    assert "already listed: https://tass.ru/rss/v2.xml (as tass)" in result.stdout
    assert "not imported: Old gopher (gopher://example.org/feed): not an http" in result.stdout
    assert "5 feed(s) in" in result.stderr and "3 added to" in result.stderr
    text = listed.read_text(encoding="utf-8")
    assert text.startswith(LISTED)  # the comment and the existing entry are untouched
    specs = {s.id: s for s in load_feeds(listed)}
    assert set(specs) == {"tass", "bbc-arabic", "www-enabbaladi-net", "le-monde"}
    assert specs["bbc-arabic"].tags == ("Middle East",)
    # Importing the same file again adds nothing.
    again = CliRunner().invoke(feeds, ["import", str(opml), "--into", str(listed)])
    assert again.exit_code == 0 and "0 added to" in again.stderr
    assert listed.read_text(encoding="utf-8") == text


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    opml = tmp_path / "desk.opml"
    opml.write_text(READER_EXPORT, encoding="utf-8")
    listed = tmp_path / "feeds.yaml"
    result = CliRunner().invoke(feeds, ["import", str(opml), "--into", str(listed), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert (
        "would add: bbc-arabic https://feeds.bbci.co.uk/arabic/rss.xml [Middle East]"
        in result.stdout
    )
    assert not listed.exists()


def test_export_then_import_gives_the_same_feeds_and_folders(tmp_path: Path) -> None:
    specs = [
        FeedSpec(
            "bbc-arabic",
            "https://feeds.bbci.co.uk/arabic/rss.xml",
            language="ar",
            tags=("Middle East",),
        ),
        FeedSpec(
            "enab", "https://www.enabbaladi.net/feed", tags=("Middle East/Syria", "Syria & Co")
        ),
        FeedSpec("tass", "https://tass.ru/rss/v2.xml?a=1&b=2"),
    ]
    document = to_opml(specs)
    assert b'<outline text="Middle East" title="Middle East">' in document
    back = {f.url: f.tags for f in read_opml(document, "export.opml")}
    assert back == {
        "https://feeds.bbci.co.uk/arabic/rss.xml": ("Middle East",),
        "https://www.enabbaladi.net/feed": ("Middle East/Syria", "Syria & Co"),
        "https://tass.ru/rss/v2.xml?a=1&b=2": (),
    }


def test_the_export_command_writes_the_list(tmp_path: Path) -> None:
    listed = tmp_path / "feeds.yaml"
    listed.write_text(LISTED, encoding="utf-8")
    out = tmp_path / "out.opml"
    result = CliRunner().invoke(feeds, ["export", str(listed), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (feed,) = read_opml(out.read_bytes(), str(out))
    assert feed.url == "https://tass.ru/rss/v2.xml"


def test_a_tag_with_a_comma_is_refused_at_its_line(tmp_path: Path) -> None:
    listed = tmp_path / "feeds.yaml"
    listed.write_text(LISTED + "    tags: [ok, 'a, b']\n", encoding="utf-8")
    result = CliRunner().invoke(feeds, ["list", str(listed)])
    assert result.exit_code == 1
    assert f"{listed}:6:" in result.stderr and "without commas" in result.stderr
