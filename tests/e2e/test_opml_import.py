"""A feed reader's OPML export imported with `feeds import`, then polled by `newswatch run`."""

from __future__ import annotations

import subprocess
from html import escape

from feeds.config import load_feeds
from tests.e2e.conftest import SEED_LINK, Desk, env, seed_feed
from tests.support.receivers import HttpReceiver


def test_an_imported_opml_file_is_polled_and_alerts(
    desk: Desk, http_receiver: HttpReceiver
) -> None:
    seed = desk.server.route("/seed.rss", seed_feed(), content_type="application/rss+xml")
    empty = desk.server.route(
        "/empty.rss",
        "<rss version='2.0'><channel><title>quiet</title></channel></rss>",
        content_type="application/rss+xml",
    )
    opml = desk.root / "reader.opml"
    opml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>export</title>'
        '</head><body><outline text="Levant" title="Levant">'
        f'<outline type="rss" text="Seed" title="Seed" xmlUrl="{escape(seed)}"/>'
        f'<outline type="rss" text="Quiet" title="Quiet" xmlUrl="{escape(empty)}"/>'
        "</outline></body></opml>\n",
        encoding="utf-8",
    )
    desk.feeds_file.write_text("feeds: []\n", encoding="utf-8")
    imported = subprocess.run(
        desk.command("feeds", "import", str(opml), "--into", str(desk.feeds_file)),
        capture_output=True, text=True, timeout=60, env=env(), cwd=desk.root, check=False,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert {s.url: s.tags for s in load_feeds(desk.feeds_file)} == {
        seed: ("Levant",),
        empty: ("Levant",),
    }
    desk.write_targets(http_receiver.apprise_url("/hook"))

    result = desk.run()
    assert result.returncode == 0, result.stderr
    (post,) = http_receiver.wait_for(1)
    assert SEED_LINK in post.json["message"]
    assert len(desk.server.requests("/empty.rss")) == 1  # the other imported feed was polled too
