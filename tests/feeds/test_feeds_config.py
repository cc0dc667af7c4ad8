"""The feed list: validation, positions in errors, environment substitution, the default list."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.config import FeedConfigError, FeedSpec, load_feeds, parse_feeds

VALID = """\
feeds:
  - id: bbc-arabic
    url: https://feeds.bbci.co.uk/arabic/rss.xml
    language: ar
    headers:
      Authorization: "Bearer ${NW_TEST_TOKEN}"
      X-Plain: plain
  - id: tass.ru_main
    url: http://tass.example/rss/v2.xml
    interval: 60
    enabled: false
"""


def test_valid_file_gives_frozen_specs_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(VALID, encoding="utf-8")
    specs = load_feeds(path, environ={"NW_TEST_TOKEN": "s3cret"})
    assert [spec.id for spec in specs] == ["bbc-arabic", "tass.ru_main"]
    first, second = specs
    assert first.interval == 300
    assert first.enabled is True
    assert first.language == "ar"
    assert first.header_dict == {"Authorization": "Bearer s3cret", "X-Plain": "plain"}
    assert second.interval == 60
    assert second.enabled is False
    assert second.language == ""
    assert second.headers == ()
    with pytest.raises(AttributeError):
        first.url = "http://elsewhere/"  # type: ignore[misc]
    # Secrets substituted from the environment must not leak through repr (logs, tracebacks).
    assert "s3cret" not in repr(first)
    assert hash(first) == hash(FeedSpec(**{f: getattr(first, f) for f in first.__slots__}))


def test_min_interval_can_be_lowered_for_tests() -> None:
    text = "feeds:\n  - id: fast\n    url: http://127.0.0.1:1/rss\n    interval: 0.5\n"
    with pytest.raises(FeedConfigError, match="at least 10 seconds"):
        parse_feeds(text)
    assert parse_feeds(text, min_interval=0.1)[0].interval == 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "feeds:\n  - id: Bad_ID\n    url: http://x/\n",
            "f.yaml:2:9: feeds[0].id: must be lowercase letters",
            id="bad-id",
        ),
        pytest.param(
            "feeds:\n  - id: a\n    url: ftp://x/feed\n",
            "f.yaml:3:10: feeds[0].url: must be an absolute http:// or https:// URL",
            id="bad-scheme",
        ),
        pytest.param(
            "feeds:\n  - id: a\n    url: http://x/\n  - id: b\n",
            "f.yaml:4:5: feeds[1].url: required field is missing",
            id="missing-url",
        ),
        pytest.param(
            "feeds:\n  - id: a\n    url: http://x/\n    interval: 5\n",
            "f.yaml:4:15: feeds[0].interval: must be at least 10 seconds",
            id="interval-too-small",
        ),
        pytest.param(
            "feeds:\n  - id: a\n    url: http://x/\n    interval: often\n",
            "f.yaml:4:15: feeds[0].interval: Input should be a valid number",
            id="interval-not-a-number",
        ),
        pytest.param(
            "feeds:\n  - id: a\n    url: http://x/\n    intervall: 60\n",
            "f.yaml:4:5: feeds[0].intervall: unknown field",
            id="typo-field",
        ),
        pytest.param(
            "feeds:\n  - id: a\n    url: http://x/\n    headers:\n      X-Key: 5\n",
            "f.yaml:5:14: feeds[0].headers.X-Key: Input should be a valid string",
            id="header-not-a-string",
        ),
        pytest.param(
            "feeds:\n  - id: a\n    url: http://x/\n  - id: a\n    url: http://y/\n",
            "f.yaml:4:9: feeds[1].id: duplicate feed id 'a' (first at line 2)",
            id="duplicate-id",
        ),
        pytest.param(
            "feeds:\n  - id: a\n    url: http://x/\n    headers: {K: '${NW_UNSET_VAR}'}\n",
            "f.yaml:4:18: feeds[0].headers.K: environment variable NW_UNSET_VAR is not set",
            id="unset-env",
        ),
        pytest.param("feeds: [1, 2\n", "f.yaml:2:1: YAML syntax:", id="yaml-syntax"),
        pytest.param("", "f.yaml:1:1: expected a mapping with a 'feeds:' list", id="empty"),
        pytest.param("feeds: 3\n", "f.yaml:1:8: feeds: expected a list of feeds", id="not-list"),
        pytest.param("feed: []\n", "f.yaml:1:1: feed: unknown top-level key", id="top-typo"),
        pytest.param(
            "feeds:\n  - just-a-url\n",
            "f.yaml:2:5: feeds[0]: expected a mapping",
            id="item-not-mapping",
        ),
    ],
)
def test_errors_name_file_line_col_and_field(text: str, expected: str) -> None:
    with pytest.raises(FeedConfigError) as info:
        parse_feeds(text, source="f.yaml", environ={})
    assert str(info.value).startswith(expected), str(info.value)
    assert info.value.source == "f.yaml"


def test_error_positions_come_from_the_real_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "# comment\nfeeds:\n\n  - id: ok\n    url: https://a/\n  - id: x\n    url: nope\n"
    )
    with pytest.raises(FeedConfigError) as info:
        load_feeds(path)
    assert str(info.value).startswith(f"{path}:7:10: feeds[1].url:")
    assert (info.value.line, info.value.col, info.value.field) == (7, 10, "feeds[1].url")


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"
    with pytest.raises(FeedConfigError, match=r"absent\.yaml:1:1: cannot read"):
        load_feeds(missing)


def test_error_messages_never_contain_header_values() -> None:
    text = (
        "feeds:\n  - id: a\n    url: http://x/\n    headers: {Authorization: 'Bearer ${TOK}'}\n"
        "  - id: a\n    url: http://y/\n"
    )
    with pytest.raises(FeedConfigError) as info:
        parse_feeds(text, environ={"TOK": "topsecret"})
    assert "topsecret" not in str(info.value)
    assert "duplicate feed id" in str(info.value)


def test_default_feed_list_is_valid_and_multilingual() -> None:
    path = Path(__file__).resolve().parents[2] / "feeds" / "feeds.yaml"
    specs = load_feeds(path)
    assert len(specs) >= 10
    assert {"ar", "ru", "fr", "en"} <= {spec.language for spec in specs}
    assert all(spec.url.startswith("https://") for spec in specs)
