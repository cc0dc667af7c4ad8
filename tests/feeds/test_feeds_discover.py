"""Finding a site's feeds from its page (feeds/discover.py, `feeds add URL`), on a real local
HTTP server."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from feeds.config import load_feeds
from feeds.discover import page_feeds
from newswatch.cli.feeds import feeds_group as feeds
from tests.support.feed_server import FeedServer

RSS = (
    "<rss version='2.0'><channel><title>Desk</title>{lang}"
    "<item><title>Lavrov in Geneva</title><link>https://example.org/a</link><guid>a</guid></item>"
    "<item><title>Kerry in Geneva</title><link>https://example.org/b</link><guid>b</guid></item>"
    "</channel></rss>"
)


def page(head: str, lang: str = "ar") -> str:
    return (
        f"<!doctype html><html lang='{lang}'><head><title>Site</title>{head}</head>"
        "<body>hi</body></html>"
    )


def test_the_feeds_a_page_announces_in_order_and_once() -> None:
    html = page(
        "<link rel='alternate' type='application/rss+xml' title='Main' href='/rss/main.xml'>"
        "<link rel='stylesheet' href='/site.css'>"
        "<link rel='alternate' type='text/html' hreflang='fr' href='/fr/'>"
        "<LINK REL='Alternate' TYPE='application/atom+xml' HREF='https://cdn.example.org/atom'>"
        "<link rel='alternate' type='application/rss+xml' href='/rss/main.xml'>",
        lang="ar-SY",
    )
    found, language = page_feeds(html, "https://site.example.org/news/today")
    assert found == [
        ("https://site.example.org/rss/main.xml", "Main"),
        ("https://cdn.example.org/atom", ""),
    ]
    assert language == "ar"


def add(feed_server: FeedServer, url: str, tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    listed = tmp_path / "feeds.yaml"
    result = CliRunner().invoke(feeds, ["add", url, "--into", str(listed), *extra])
    return result.exit_code, result.stdout, result.stderr


def test_a_site_page_gives_the_feed_it_announces_with_the_page_language(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.route("/news.rss", RSS.format(lang=""), content_type="application/rss+xml")
    home = feed_server.route(
        "/", page("<link rel='alternate' type='application/rss+xml' href='news.rss'>")
    )
    code, out, err = add(feed_server, home, tmp_path, "--id", "site-ar")
    assert code == 0, err
    assert "added site-ar:" in out and "(2 entries, language ar)" in out
    (spec,) = load_feeds(tmp_path / "feeds.yaml")
    assert (spec.id, spec.url, spec.language) == ("site-ar", feed_server.url("/news.rss"), "ar")


def test_a_broken_announced_feed_is_skipped_for_the_next_that_works(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.route("/good.xml", RSS.format(lang="<language>fr</language>"))
    home = feed_server.route(
        "/",
        page(
            "<link rel='alternate' type='application/rss+xml' href='/missing.xml'>"
            "<link rel='alternate' type='application/rss+xml' href='/good.xml'>"
            "<link rel='alternate' type='application/atom+xml' href='/comments.xml'>"
        ),
    )
    feed_server.route("/comments.xml", RSS.format(lang=""))
    code, out, err = add(feed_server, home, tmp_path, "--id", "site")
    assert code == 0, err
    (spec,) = load_feeds(tmp_path / "feeds.yaml")
    assert spec.url == feed_server.url("/good.xml") and spec.language == "fr"  # the feed's own
    assert f"also found: {feed_server.url('/comments.xml')}" in out


def test_a_page_that_announces_nothing_is_tried_at_the_common_paths(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.route("/feed.xml", RSS.format(lang=""))
    home = feed_server.route("/blog/", page("", lang="fa"))
    code, _, err = add(feed_server, home, tmp_path, "--id", "blog")
    assert code == 0, err
    (spec,) = load_feeds(tmp_path / "feeds.yaml")
    assert spec.url == feed_server.url("/feed.xml") and spec.language == "fa"


def test_a_feed_url_is_added_as_it_is_and_a_page_without_feeds_is_refused(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    url = feed_server.route("/direct.rss", RSS.format(lang="<language>ru</language>"))
    code, _, err = add(feed_server, url, tmp_path, "--id", "direct")
    assert code == 0, err
    assert [s.url for s in load_feeds(tmp_path / "feeds.yaml")] == [url]

    lonely = feed_server.route("/lonely/", page(""))
    code, _, err = add(feed_server, lonely, tmp_path, "--id", "lonely")
    assert code == 1
    assert "not a feed, and no feed found from its page" in err and "/feed.xml" in err
    assert [s.id for s in load_feeds(tmp_path / "feeds.yaml")] == ["direct"]  # nothing added
