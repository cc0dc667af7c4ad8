"""Fixtures for the rule-workflow tests: the seed article as JSON, rule files, the CLI in-process,
and the real feed server and receivers (tests/support)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newswatch.archive.sqlite import SqliteArchive
from newswatch.article import Article
from newswatch.cli import main
from newswatch.constants import ARCHIVE_FILENAME
from tests.e2e.conftest import SEED_LINK, seed_parts
from tests.support.feed_server import feed_server  # noqa: F401
from tests.support.receivers import http_receiver  # noqa: F401

SYRIA_TALKS = """\
id: syria-talks
title: Russia–US talks on Syria
severity: high
entities:
  lavrov:
    person: Sergey Lavrov
    aliases: [سيرغي لافروف, سيرجي لافروف]
  kerry:
    person: John Kerry
    aliases: [جون كيري]
  syria:
    place: Syria
    aliases: [سوريا]
  sport:
    keywords: [football, كرة القدم]
match: (lavrov or kerry) and syria and not sport
"""

DAMASCUS = """\
id: damascus
title: Damascus
entities:
  damascus:
    place: Damascus
    aliases: [دمشق]
"""


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # Apprise and httpx honour proxy variables; 127.0.0.1 must stay local.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def seed_article(article_id: str = "seed-0001") -> Article:
    title, body = seed_parts()
    return Article.from_dict(
        {
            "id": article_id,
            "feed": "desk-ar",
            "url": SEED_LINK,
            "title": title,
            "content": body,
            "language": "ar",
            "published": "2016-08-24T09:30:00Z",
        }
    )


def other_article(article_id: str, title: str, content: str = "", language: str = "en") -> Article:
    return Article(
        id=article_id,
        feed="desk-en",
        url=f"https://news.example.org/{article_id}",
        title=title,
        content=content,
        language=language,
    )


def write_jsonl(path: Path, articles: list[Article]) -> Path:
    path.write_text("".join(a.to_json() + "\n" for a in articles), encoding="utf-8")
    return path


@dataclass
class Workspace:
    root: Path

    @property
    def rules(self) -> Path:
        return self.root / "rules"

    @property
    def state(self) -> Path:
        return self.root / "state"

    def rule(self, name: str, text: str) -> Path:
        self.rules.mkdir(parents=True, exist_ok=True)
        path = self.rules / name
        path.write_text(text, encoding="utf-8")
        return path

    def archive(self, articles: list[Article]) -> Path:
        with SqliteArchive(self.state / ARCHIVE_FILENAME) as archive:
            archive.add(articles)
        return self.state

    def cli(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    yield Workspace(tmp_path)


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def as_json(text: str) -> object:
    return json.loads(text)
