"""End-to-end fixtures: the real `newswatch` command against a real feed server and receivers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.support.feed_server import FeedServer, feed_server  # noqa: F401
from tests.support.receivers import (  # noqa: F401
    HttpReceiver,
    SmtpReceiver,
    http_receiver,
    smtp_receiver,
)

SEED = Path(__file__).parents[1] / "fixtures" / "seed" / "000_fe08c59a11eb98b9.txt"

# One rule per name the seed article carries, plus Damascus, which it does not name.
SEED_RULES = {
    "kerry": ("John Kerry", ["جون كيري"]),
    "lavrov": ("Sergey Lavrov", ["سيرغي لافروف", "سيرجي لافروف"]),
    "syria": ("Syria", ["سوريا"]),
    "moscow": ("Moscow", ["موسكو"]),
    "geneva": ("Geneva", ["جنيف"]),
    "aleppo": ("Aleppo", ["حلب"]),
    "ankara": ("Ankara", ["أنقرة"]),
    "damascus": ("Damascus", ["دمشق"]),
}
SEED_FIRING = sorted(set(SEED_RULES) - {"damascus"})
SEED_LINK = "https://news.example.org/2016/08/syria-talks"


def seed_parts() -> tuple[str, str]:
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    return title.strip(), body.strip()


def rss(items: list[dict[str, str]], *, language: str = "ar") -> bytes:
    entries = "".join(
        "<item>"
        f"<title>{escape(i['title'])}</title>"
        f"<link>{escape(i['link'])}</link>"
        f"<guid>{escape(i.get('guid', i['link']))}</guid>"
        f"<description>{escape(i['description'])}</description>"
        "<pubDate>Wed, 24 Aug 2016 09:30:00 GMT</pubDate>"
        "</item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0"><channel><title>Test desk</title>'
        f"<link>https://news.example.org/</link><language>{language}</language>"
        f"{entries}</channel></rss>"
    ).encode()


def seed_feed() -> bytes:
    title, body = seed_parts()
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n") if p.strip())
    return rss([{"title": title, "link": SEED_LINK, "description": paragraphs}])


def write_seed_rules(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for rule_id, (canonical, aliases) in SEED_RULES.items():
        kind = "person" if rule_id in {"kerry", "lavrov"} else "place"
        names = ", ".join(aliases)
        (directory / f"{rule_id}.yaml").write_text(
            f"id: {rule_id}\ntitle: Watch {canonical}\nseverity: high\n"
            f"entities:\n  e:\n    {kind}: {canonical}\n    aliases: [{names}]\n",
            encoding="utf-8",
        )


@dataclass
class Desk:
    """One analyst's set-up in a temporary directory."""

    root: Path
    server: FeedServer

    @property
    def rules(self) -> Path:
        return self.root / "rules"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def feeds_file(self) -> Path:
        return self.root / "feeds.yaml"

    @property
    def apprise(self) -> Path:
        return self.root / "apprise.yaml"

    def write_feeds(self, feeds: dict[str, str], *, interval: float = 300) -> None:
        lines = ["feeds:"]
        for feed_id, path in feeds.items():
            url = self.server.url(path)
            lines += [f"  - id: {feed_id}", f"    url: {url}", f"    interval: {interval}"]
            lines.append("    language: ar")
        self.feeds_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def write_targets(self, *urls: str) -> None:
        body = "".join(f'  - "{u}":\n      tag: default\n' for u in urls)
        self.apprise.write_text(f"version: 1\nurls:\n{body}", encoding="utf-8")

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "newswatch.cli", *args]

    def run_args(self, *extra: str) -> list[str]:
        return self.command(
            "run",
            "--feeds",
            str(self.feeds_file),
            "--rules",
            str(self.rules),
            "--apprise",
            str(self.apprise),
            "--state",
            str(self.state),
            # The page has its own tests (tests/web); daemons here must not race for :8080.
            *(() if "--web" in extra or "--once" in extra else ("--no-web",)),
            *extra,
        )

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args or self.run_args("--once"),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env(),
            cwd=self.root,
            check=False,
        )


def env() -> dict[str, str]:
    values = dict(os.environ)
    root = str(Path(__file__).parents[2])
    values["PYTHONPATH"] = root + os.pathsep + values.get("PYTHONPATH", "")
    values["PYTHONIOENCODING"] = "utf-8"
    return values


@pytest.fixture
def desk(tmp_path: Path, feed_server: FeedServer) -> Iterator[Desk]:  # noqa: F811
    d = Desk(tmp_path, feed_server)
    write_seed_rules(d.rules)
    yield d
