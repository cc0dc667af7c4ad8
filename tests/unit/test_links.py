"""Canonical links (newswatch.links): trackers, fragments, AMP and mobile forms, normalisation."""

from __future__ import annotations

import pytest

from newswatch.links import canonical_url, link_key

BASE = "https://example.com/world/story-1"


@pytest.mark.parametrize(
    "tracked",
    [
        f"{BASE}?utm_source=rss",
        f"{BASE}?utm_source=rss&utm_medium=feed&utm_campaign=x",
        f"{BASE}?fbclid=IwAR0abc",
        f"{BASE}?gclid=Cj0KCQ",
        f"{BASE}?utm_content=a&fbclid=b&gclid=c",
    ],
)
def test_tracking_params_dropped(tracked: str) -> None:
    assert canonical_url(tracked) == BASE
    assert link_key(tracked) == link_key(BASE)


def test_tracking_params_dropped_meaningful_kept() -> None:
    out = canonical_url(f"{BASE}?utm_source=rss&id=7&fbclid=x")
    assert out == f"{BASE}?id=7"


def test_fragment_dropped() -> None:
    assert canonical_url(f"{BASE}#comments") == BASE
    assert link_key(f"{BASE}#comments") == link_key(BASE)


def test_hashbang_route_kept() -> None:
    # Documented: a "#!" fragment is a single-page-site route, part of the page's identity.
    a = canonical_url("https://example.com/app/#!/story/1")
    b = canonical_url("https://example.com/app/#!/story/2")
    assert "#!/story/1" in a
    assert a != b
    assert link_key("https://example.com/app/#!/story/1") != link_key(
        "https://example.com/app/#!/story/2"
    )


def test_default_ports_dropped() -> None:
    assert canonical_url("https://example.com:443/a") == "https://example.com/a"
    assert canonical_url("http://example.com:80/a") == "http://example.com/a"


def test_non_default_port_kept() -> None:
    assert ":8080" in canonical_url("https://example.com:8080/a")
    assert link_key("https://example.com:8080/a") != link_key("https://example.com/a")


def test_host_case_folded() -> None:
    assert canonical_url("HTTPS://Example.COM/a") == "https://example.com/a"
    assert link_key("https://EXAMPLE.com/a") == link_key("https://example.com/a")


def test_query_order_normalised() -> None:
    assert canonical_url(f"{BASE}?b=2&a=1") == canonical_url(f"{BASE}?a=1&b=2")
    assert link_key(f"{BASE}?b=2&a=1") == link_key(f"{BASE}?a=1&b=2")


def test_module_doctest_example() -> None:
    assert (
        canonical_url("HTTPS://Example.com:443/a/?utm_source=rss&b=2&a=1#top")
        == "https://example.com/a/?a=1&b=2"
    )


@pytest.mark.parametrize(
    "variant",
    [
        "https://example.com/news/amp/story-1",  # /amp/ segment
        "https://example.com/news/story-1/amp",  # trailing /amp
        "https://example.com/news/story-1.amp",  # .amp suffix
        "https://example.com/news/story-1?amp",  # bare ?amp
        "https://example.com/news/story-1?amp=1",
        "https://example.com/news/story-1?outputType=amp",
        "https://amp.example.com/news/story-1",  # amp. host
        "https://m.example.com/news/story-1",
        "https://mobile.example.com/news/story-1",
        "https://www.example.com/news/story-1",
        "http://example.com/news/story-1/",  # scheme, trailing slash
    ],
)
def test_amp_and_mobile_forms_fold_in_link_key(variant: str) -> None:
    assert link_key(variant) == link_key("https://example.com/news/story-1")


def test_amp_html_suffix_folds() -> None:
    assert link_key("https://example.com/news/story-1.amp.html") == link_key(
        "https://example.com/news/story-1.html"
    )


def test_amp_forms_kept_in_canonical_url() -> None:
    # canonical_url stays a working URL: AMP folding is link_key's job only.
    assert canonical_url("https://amp.example.com/a/amp") == "https://amp.example.com/a/amp"


def test_link_key_docstring_example() -> None:
    assert link_key("https://amp.example.com/news/amp/story-1?amp=1") == link_key(
        "http://www.example.com/news/story-1/"
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.com/news/story-1", "https://example.com/news/story-2"),
        ("https://example.com/story.php?id=1", "https://example.com/story.php?id=2"),
        ("https://example.com/story.php?sid=1", "https://example.com/story.php?sid=2"),
        ("https://example.com/a", "https://example.org/a"),
        ("https://example.com/a?id=1", "https://example.com/a"),
        ("https://example.com/amplifier", "https://example.com/"),  # not an /amp segment
    ],
)
def test_different_pages_stay_different(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)
    assert link_key(a) != link_key(b)


@pytest.mark.parametrize("blank", ["", "   ", "\n"])
def test_empty_link(blank: str) -> None:
    assert canonical_url(blank) == ""
    assert link_key(blank) == ""


@pytest.mark.parametrize("odd", ["ftp://example.com/File", "mailto:a@b.c", "not a url", "/rel/x"])
def test_non_http_returned_stripped_as_given(odd: str) -> None:
    assert canonical_url(f"  {odd}  ") == odd


def test_canonical_url_idempotent() -> None:
    once = canonical_url("HTTP://WWW.Example.com:80/a/../b?utm_source=x&z=1&a=2#f")
    assert canonical_url(once) == once
    assert link_key(once) == link_key("HTTP://WWW.Example.com:80/a/../b?utm_source=x&z=1&a=2#f")
