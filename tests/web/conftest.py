"""The web page against the real thing: ``newswatch run --web`` as a subprocess on a free
loopback port, a local feed server, an HTTP receiver for the alerts, and Debian's Chromium
driven by Playwright (``/usr/bin/chromium``; never a downloaded browser)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.e2e.conftest import SEED_LINK, Desk, env, seed_parts
from tests.support.feed_server import FeedServer, feed_server  # noqa: F401
from tests.support.processes import OwnedProcess
from tests.support.receivers import HttpReceiver, http_receiver  # noqa: F401

CHROMIUM = Path(os.environ.get("NEWSWATCH_CHROMIUM", "/usr/bin/chromium"))
# Chromium on a machine with no internet: no background connections, no first-run work.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
_EXPECTED_STATUS = re.compile(
    r"Failed to load resource: the server responded with a status of 4(00|03|22) "
)
SCREENSHOTS = os.environ.get("NEWSWATCH_SCREENSHOTS", "")  # a directory: keep the screenshots

# Rules of the desk, with names in the four languages of the page's stories.
RULES = {
    "lavrov": (
        "person",
        "Sergey Lavrov",
        ["سيرجي لافروف", "سيرغي لافروف", "لافروف", "Сергей Лавров", "Лавров", "Sergueï Lavrov"],
    ),
    "moscow": ("place", "Moscow", ["موسكو", "Москва", "Moscou"]),
    "geneva": ("place", "Geneva", ["جنيف", "Женева", "Genève"]),
    "damascus": ("place", "Damascus", ["دمشق"]),
}
RU_ITEM = {
    "title": "Сергей Лавров прибыл в Женеву на переговоры по Сирии",
    "link": "https://ru.example.org/news/lavrov-geneva",
    "description": "Министр иностранных дел России Сергей Лавров прибыл в Женеву. "
    "Переговоры продлятся два дня, сообщили в Москве.",
}
FR_ITEM = {
    "title": "Sergueï Lavrov attendu à Genève",
    "link": "https://fr.example.org/monde/lavrov-geneve",
    "description": "Le ministre russe des affaires étrangères, Sergueï Lavrov, est attendu "
    "à Genève pour des discussions sur la Syrie, a indiqué Moscou.",
}
EN_ITEM = {
    "title": "Lavrov and Kerry to meet in Geneva",
    "link": "https://en.example.org/world/lavrov-kerry-geneva",
    "description": "Russian Foreign Minister Sergey Lavrov will meet John Kerry in Geneva, "
    "Moscow said on Thursday.",
}
HOSTILE_ITEM = {
    # Escaped twice: the title *text* is "<script>…</script> <img …> Moscow talks".
    "title": "&lt;script&gt;window.__pwned=1&lt;/script&gt; "
    "&lt;img src=x onerror=window.__pwned=2&gt; Moscow talks resume",
    "link": "https://en.example.org/world/hostile",
    "description": "Talks resume in Moscow &lt;script&gt;window.__pwned=3&lt;/script&gt;",
}


def rss_raw(items: list[dict[str, str]], *, language: str) -> bytes:
    """An RSS document; titles and descriptions are inserted as given (already escaped)."""
    entries = "".join(
        f"<item><title>{i['title']}</title><link>{escape(i['link'])}</link>"
        f"<guid>{escape(i.get('guid', i['link']))}</guid>"
        f"<description>{i['description']}</description>"
        "<pubDate>Thu, 03 Dec 2026 09:30:00 GMT</pubDate></item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Desk {language}</title><link>https://example.org/</link>"
        f"<language>{language}</language>{entries}</channel></rss>"
    ).encode()


def plain(item: dict[str, str]) -> dict[str, str]:
    return {k: escape(v) for k, v in item.items()}


def seed_item(**changes: str) -> dict[str, str]:
    title, body = seed_parts()
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n") if p.strip())
    item = {"title": title, "link": SEED_LINK, "description": paragraphs}
    item.update(changes)
    return plain(item)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class WebDesk(Desk):
    """The e2e desk's layout (rules, state, feeds file), with the running server."""

    receiver: HttpReceiver
    port: int
    process: OwnedProcess

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, **kwargs)  # type: ignore[arg-type]

    def wait_for(self, path: str, text: str, timeout: float = 30.0) -> str:
        """The page at ``path`` once it contains ``text``."""
        deadline = time.monotonic() + timeout
        body = ""
        while time.monotonic() < deadline:
            assert self.process.alive, self.process.tail()
            try:
                body = self.get(path).text
            except httpx.TransportError:
                body = ""
            if text in body:
                return body
            time.sleep(0.3)
        pytest.fail(f"{path} never showed {text!r}\n{self.process.tail()}")


def write_rules(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for rule_id, (kind, name, aliases) in RULES.items():
        names = ", ".join(aliases)
        (directory / f"{rule_id}.yaml").write_text(
            f"id: {rule_id}\ntitle: Watch {name}\nseverity: high\n"
            f"entities:\n  {rule_id}:\n    {kind}: {name}\n    aliases: [{names}]\n",
            encoding="utf-8",
        )


def start_desk(
    root: Path,
    server: FeedServer,
    receiver: HttpReceiver,
    *,
    extra_env: dict[str, str] | None = None,
) -> WebDesk:
    server.route("/ar.xml", rss_raw([seed_item()], language="ar"))
    server.route("/ru.xml", rss_raw([plain(RU_ITEM)], language="ru"))
    server.route("/fr.xml", rss_raw([plain(FR_ITEM)], language="fr"))
    server.route("/en.xml", rss_raw([plain(EN_ITEM), HOSTILE_ITEM], language="en"))
    server.route("/gone.xml", b"not here", status=404)
    feeds = ["feeds:"]
    for feed_id, path, language in (
        ("aljazeera-ar", "/ar.xml", "ar"),
        ("tass-ru", "/ru.xml", "ru"),
        ("lemonde-fr", "/fr.xml", "fr"),
        ("reuters-en", "/en.xml", "en"),
        ("gone", "/gone.xml", "en"),
    ):
        feeds += [f"  - id: {feed_id}", f"    url: {server.url(path)}", "    interval: 2"]
        feeds.append(f"    language: {language}")
    (root / "feeds.yaml").write_text("\n".join(feeds) + "\n", encoding="utf-8")
    write_rules(root / "rules")
    (root / "apprise.yaml").write_text(
        f'version: 1\nurls:\n  - "{receiver.apprise_url()}":\n      tag: default\n',
        encoding="utf-8",
    )
    # Updates every second, so a later article of a story is a message of its own (the
    # silence test shows that a silence holds it).
    (root / "routes.yaml").write_text(
        "route:\n  group_wait: 0s\n  group_interval: 1s\n", encoding="utf-8"
    )
    port = free_port()
    values = env()
    values.update(extra_env or {})
    process = OwnedProcess("newswatch-web", root, values)
    process.spawn(
        [
            sys.executable,
            "-m",
            "newswatch.cli",
            "run",
            "--feeds",
            str(root / "feeds.yaml"),
            "--rules",
            str(root / "rules"),
            "--apprise",
            str(root / "apprise.yaml"),
            "--routes",
            str(root / "routes.yaml"),
            "--state",
            str(root / "state"),
            "--no-console",
            "--min-feed-interval",
            "1",
            "--delivery-interval",
            "0.5",
            "--web",
            f"127.0.0.1:{port}",
        ]
    )
    process.wait_for_log("web page on http://", timeout=60)
    return WebDesk(root, server, receiver, port, process)


@pytest.fixture(scope="module")
def web_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDesk]:
    with FeedServer() as server, HttpReceiver().start() as receiver:
        desk = start_desk(tmp_path_factory.mktemp("web"), server, receiver)
        try:
            desk.wait_for("/?all=1", "attendu à")
            desk.wait_for("/", "moscow")
            yield desk
        finally:
            desk.process.stop()


# Module scope: Playwright's sync API keeps an event loop running in this thread while it is
# open, and tests elsewhere call asyncio.run().
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"the browser tests need Chromium at {CHROMIUM}: `apt-get install chromium` "
            "(make test installs it where it can), or set NEWSWATCH_CHROMIUM"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(message: ConsoleMessage) -> None:
        # An error page the test asked for (400, 403, 422) is logged too; that is not a fault.
        if message.type == "error" and not _EXPECTED_STATUS.match(message.text):
            errors.append(message.text)

    opened.on("console", on_console)
    try:
        yield opened
    finally:
        context.close()
    # A CSP violation or a script error on any page is a failure of the page.
    assert not errors, errors


def screenshot(page: Page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000  # a rendered page, not an empty image
    if SCREENSHOTS:
        target = Path(SCREENSHOTS)
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / path.name)
    return path
