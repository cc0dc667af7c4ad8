"""A summary-only feed with `fulltext: auto`: names only in the article page still alert."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from tests.e2e.conftest import Desk, env, rss
from tests.support.receivers import HttpReceiver

PAGE = (Path(__file__).parents[1] / "fixtures" / "pages" / "article_ar.html").read_bytes()


def test_a_name_only_in_the_page_body_alerts_and_a_forbidden_page_holds_nothing_back(
    desk: Desk, http_receiver: HttpReceiver
) -> None:
    server = desk.server
    article = server.route("/news/lavrov.html", PAGE, content_type="text/html; charset=utf-8")
    private = server.route("/private/kerry.html", PAGE, content_type="text/html; charset=utf-8")
    server.route("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    feed = rss(
        [
            {"title": "مباحثات في جنيف", "link": article, "description": "تفاصيل لاحقا."},
            {"title": "لقاء آخر", "link": private, "description": "تفاصيل لاحقا."},
        ]
    )
    server.route("/summaries.rss", feed, content_type="application/rss+xml")
    desk.feeds_file.write_text(
        f"feeds:\n  - id: summaries\n    url: {server.url('/summaries.rss')}\n"
        "    language: ar\n    fulltext: auto\n",
        encoding="utf-8",
    )
    desk.write_targets(http_receiver.apprise_url("/hook"))

    result = desk.run()
    assert result.returncode == 0, result.stderr
    (post,) = http_receiver.wait_for(1)
    time.sleep(0.3)  # a second alert (for the forbidden page's entry) would have come by now
    assert len(http_receiver.requests) == 1
    assert article in post.json["message"] and private not in post.json["message"]
    assert server.requests("/private/kerry.html") == []  # robots.txt honoured
    status = subprocess.run(
        desk.command("feeds", "status", "--state", str(desk.state)),
        capture_output=True, text=True, timeout=60, env=env(), cwd=desk.root, check=False,
    )  # fmt: skip
    assert status.returncode == 0, status.stderr
    row = next(line for line in status.stdout.splitlines() if line.startswith("summaries"))
    assert " 1/1 " in f" {row} "  # one page with text, one not fetched (robots.txt)
