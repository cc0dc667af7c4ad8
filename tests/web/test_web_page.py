"""The analysts' page in a real Chromium, against ``newswatch run --web`` polling a local feed
server and delivering to a local HTTP receiver (tests/web/conftest.py)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import env
from tests.web.conftest import (
    EN_ITEM,
    HOSTILE_ITEM,
    RU_ITEM,
    WebDesk,
    free_port,
    plain,
    rss_raw,
    screenshot,
    seed_item,
)

DIRECTION = "el => getComputedStyle(el).direction"


def test_stories_in_four_languages_with_the_matchers_highlights(
    web_desk: WebDesk, page: Page, tmp_path: Path
) -> None:
    page.goto(web_desk.url + "/")
    seed = page.locator("article.hit", has=page.locator("h3", has_text="واشنطن تعلن"))
    expect(seed).to_have_count(1)
    story = page.locator("section.story", has=seed)
    # The matcher's offsets: لافروف is marked inside "سيرجي لافروف", in a right-to-left block.
    mark = seed.locator("mark.name", has_text="لافروف").first
    expect(mark).to_be_visible()
    assert "لافروف" in mark.inner_text()
    assert mark.evaluate("el => getComputedStyle(el.closest('[dir]')).direction") == "rtl"
    assert seed.locator("h3").evaluate(DIRECTION) == "rtl"
    expect(story.locator("h2")).to_have_attribute("dir", "auto")
    # The English caption of the same article stays left to right, each block on its own.
    caption = seed.locator("p.summary", has_text="Secretary of State").first
    assert caption.evaluate(DIRECTION) == "ltr"
    # Russian and French stories: their own forms marked where the matcher found them.
    expect(page.locator("mark.name", has_text="Сергей Лавров").first).to_be_visible()
    expect(page.locator("mark.name", has_text="Sergueï Lavrov").first).to_be_visible()
    expect(page.locator("mark.name", has_text="Женеву").first).to_be_visible()  # Женева, declined
    screenshot(page, tmp_path, "stories")

    # Filters: one rule, one language.
    page.goto(web_desk.url + "/?language=ru")
    expect(page.locator("article.hit")).to_have_count(1)
    expect(page.locator("article.hit h3")).to_contain_text("Сергей Лавров прибыл")
    page.goto(web_desk.url + "/?rule=damascus")
    expect(page.locator("section.story")).to_have_count(0)


def test_article_view_explains_names_and_condition(
    web_desk: WebDesk, page: Page, tmp_path: Path
) -> None:
    page.goto(web_desk.url + "/")
    page.locator("article.hit h3 a", has_text="واشنطن تعلن").first.click()
    expect(page.locator("section.explain[data-rule=lavrov] h3")).to_contain_text("fires")
    expect(page.locator("section.explain[data-rule=damascus]")).to_have_count(0)
    found = page.locator("section.explain[data-rule=lavrov] li").first
    expect(found).to_contain_text(re.compile(r"in (title|summary|content) at \d+–\d+"))
    assert page.locator("article.article mark.name").count() >= 3
    screenshot(page, tmp_path, "article")
    # Any other rule on request: why it does not fire.
    page.select_option("select[name=rule]", "damascus")
    page.locator("#explain-rule").click()
    quiet = page.locator("section.explain[data-rule=damascus]")
    expect(quiet.locator("h3")).to_contain_text("does not fire")
    expect(quiet).to_contain_text("none of its names is in the article")
    expect(page.locator("section.explain[data-rule=lavrov] h3")).to_contain_text("fires")


def test_a_hostile_feed_title_is_shown_as_text(web_desk: WebDesk, page: Page) -> None:
    page.goto(web_desk.url + "/?all=1")
    title = page.locator("article.hit h3", has_text="Moscow talks resume")
    expect(title).to_have_count(1)
    expect(title).to_contain_text("<script>window.__pwned=1</script>")
    expect(title).to_contain_text("<img src=x")
    assert title.locator("script, img").count() == 0
    assert page.evaluate("() => window.__pwned === undefined")
    response = web_desk.get("/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_edit_dry_run_diff_save_then_the_monitor_fires(
    web_desk: WebDesk, page: Page, tmp_path: Path
) -> None:
    path = web_desk.rules / "damascus.yaml"
    page.goto(web_desk.url + "/rules/edit?file=damascus.yaml")
    editor = page.locator("textarea#text")
    text = editor.input_value()
    assert "دمشق" in text
    edited = text.replace("aliases: [دمشق]", "aliases: [دمشق, الكرملين]")
    assert edited != text
    editor.fill(edited)
    expect(page.locator("#problems .check-summary")).to_contain_text("no errors")
    page.locator("#try").click()
    change = page.locator("#trial li.change.start")
    expect(change.first).to_contain_text("damascus")
    expect(change.first).to_contain_text("واشنطن تعلن")
    expect(page.locator("#trial .dryrun h2")).to_contain_text("1 alert(s) would be sent")
    assert path.read_text(encoding="utf-8") == text  # a dry run writes nothing
    screenshot(page, tmp_path, "editor-dry-run")
    page.locator("#save").click()
    expect(page.locator("#saved")).to_be_visible()
    assert path.read_text(encoding="utf-8") == edited
    assert not list(web_desk.rules.glob(".*.tmp"))

    # The running monitor: the next poll's article naming the Kremlin fires damascus.
    before = len(web_desk.receiver.accepted())
    item = seed_item(
        title="بوتين يستقبل وزير الخارجية في الكرملين",
        link="https://news.example.org/2016/08/kremlin",
        description="استقبل الرئيس فلاديمير بوتين في الكرملين وفدا رسميا اليوم.",
    )
    web_desk.server.route("/ar.xml", rss_raw([item], language="ar"))
    deadline = time.monotonic() + 30
    fired: list[str] = []
    while time.monotonic() < deadline and not fired:
        bodies = [r.body.decode("utf-8", "replace") for r in web_desk.receiver.accepted()[before:]]
        fired = [b for b in bodies if "damascus" in b]
        time.sleep(0.3)
    assert fired, web_desk.process.tail()
    assert "kremlin" in fired[0]  # the new article, not an update of an older story


def test_invalid_yaml_shows_file_and_line_and_leaves_the_file(
    web_desk: WebDesk, page: Page
) -> None:
    path = web_desk.rules / "geneva.yaml"
    original = path.read_bytes()
    page.goto(web_desk.url + "/rules/edit?file=geneva.yaml")
    editor = page.locator("textarea#text")
    broken = editor.input_value().replace("severity: high", "severity: [high")
    editor.fill(broken)
    live = page.locator("#problems li.problem.error").first
    expect(live).to_contain_text(f"{path}:")
    where = live.locator(".where").inner_text()
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+:\d+", where), where
    page.locator("#save").click()
    expect(page.locator(".check-summary.failed")).to_contain_text("cannot be saved")
    expect(page.locator("textarea#text")).to_have_value(broken)  # the analyst's text is kept
    assert path.read_bytes() == original


def test_new_rule_from_the_form(web_desk: WebDesk, page: Page) -> None:
    page.goto(web_desk.url + "/rules/new")
    page.fill("input[name=id]", "kerry-watch")
    page.fill("input[name=title]", "John Kerry")
    page.fill("input[name=name_1]", "John Kerry")
    page.fill("textarea[name=aliases_1]", "جون كيري، Джон Керри")
    page.locator("button[value=preview]").click()
    expect(page.locator("pre.yaml")).to_contain_text("جون كيري")
    expect(page.locator(".check-summary")).to_contain_text("no errors")
    assert not (web_desk.rules / "kerry-watch.yaml").exists()
    page.locator("#create").click()
    expect(page.locator("#saved")).to_be_visible()
    created = (web_desk.rules / "kerry-watch.yaml").read_text(encoding="utf-8")
    assert "Джон Керри" in created
    page.goto(web_desk.url + "/rules")
    expect(page.locator("tr[data-rule=kerry-watch]")).to_have_count(1)
    # A second form with the same id does not overwrite it.
    page.goto(web_desk.url + "/rules/new")
    page.fill("input[name=id]", "kerry-watch")
    page.fill("input[name=name_1]", "Someone Else")
    page.locator("#create").click()
    expect(page.locator("#error")).to_contain_text("already exists")
    assert (web_desk.rules / "kerry-watch.yaml").read_text(encoding="utf-8") == created


def test_feed_health_and_adding_a_feed(web_desk: WebDesk, page: Page, tmp_path: Path) -> None:
    page.goto(web_desk.url + "/feeds")
    gone = page.locator("tr[data-feed=gone]")
    expect(gone).to_have_class(re.compile("failing"))
    expect(gone.locator("td.error")).to_contain_text("404")
    expect(page.locator("tr[data-feed=tass-ru] td.num").last).not_to_have_text("0")
    screenshot(page, tmp_path, "feeds")
    url = web_desk.server.route(
        "/extra.xml",
        rss_raw([plain({**RU_ITEM, "link": "https://ru.example.org/2"})], language="ru"),
    )
    page.fill("input[name=url]", url)
    page.fill("input[name=feed_id]", "extra-ru")
    page.locator("form.add-feed button").click()
    expect(page.locator(".notice.ok")).to_contain_text("feed extra-ru added")
    assert "extra-ru" in web_desk.feeds_file.read_text(encoding="utf-8")
    # Polled from now on: its health row gets a success.
    web_desk.wait_for("/feeds", 'data-feed="extra-ru"')
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not web_desk.server.requests("/extra.xml")[1:]:
        time.sleep(0.2)
    assert len(web_desk.server.requests("/extra.xml")) >= 2  # validated once, then polled


def test_a_silence_made_from_a_story_holds_its_alerts(web_desk: WebDesk, page: Page) -> None:
    page.goto(web_desk.url + "/")
    story = page.locator(
        "section.story", has=page.locator("article.hit h3", has_text="Lavrov and Kerry")
    )
    story_id = story.get_attribute("data-story")
    assert story_id
    story.locator("a", has_text="silence this story").click()
    expect(page.locator("textarea[name=matchers]")).to_have_value(f"story={story_id}")
    page.fill("input[name=author]", "ana")
    page.fill("input[name=comment]", "handling it")
    page.locator("#preview").click()
    expect(page.locator(".preview-summary")).to_contain_text("would have been held")
    expect(page.locator("#preview-result")).to_contain_text("Lavrov and Kerry")
    page.locator("#create-silence").click()
    expect(page.locator("#silence-added")).to_contain_text(f"story={story_id}")
    found = re.search(r"silence (\w+) added", page.locator("#silence-added").inner_text())
    assert found is not None
    silence_id = found.group(1)

    # A later article of the story (a copy at another address) is held, not sent.
    before = len(web_desk.receiver.accepted())
    copy = {**EN_ITEM, "link": "https://wire.example.org/lavrov-kerry", "title": EN_ITEM["title"]}
    web_desk.server.route(
        "/en.xml", rss_raw([plain(EN_ITEM), plain(copy), HOSTILE_ITEM], language="en")
    )
    deadline = time.monotonic() + 30
    held = ""
    while time.monotonic() < deadline:
        held = subprocess.run(
            [
                sys.executable,
                "-m",
                "newswatch.cli",
                "silence",
                "list",
                "--silenced",
                "--state",
                str(web_desk.state),
            ],
            capture_output=True,
            text=True,
            env=env(),
            timeout=30,
            check=False,
        ).stdout
        if silence_id in held:
            break
        time.sleep(0.5)
    assert silence_id in held and "Lavrov and Kerry" in held, held
    time.sleep(2)  # an update would be due after group_interval (1 s)
    sent = web_desk.receiver.accepted()[before:]
    assert not [r for r in sent if "wire.example.org" in r.body.decode("utf-8", "replace")]

    # Expired by a click.
    page.goto(web_desk.url + "/silences")
    row = page.locator("tr", has_text=f"story={story_id}")
    row.locator("button", has_text="Expire").click()
    expect(page.locator("tr", has_text=f"story={story_id}")).to_have_count(0)


def test_a_post_without_the_csrf_token_is_refused(web_desk: WebDesk) -> None:
    path = web_desk.rules / "moscow.yaml"
    original = path.read_bytes()
    with httpx.Client(base_url=web_desk.url, timeout=10) as client:
        client.get("/rules")  # a session cookie, but no token sent
        for data in ({"file": "moscow.yaml", "text": "id: x\n"}, {"csrf_token": "forged"}):
            refused = client.post("/rules/save", data={"file": "moscow.yaml", **data})
            assert refused.status_code == 403, refused.text
        refused = client.post(
            "/silences", data={"matchers": "rule=*", "author": "a", "comment": "b"}
        )
        assert refused.status_code == 403
    assert path.read_bytes() == original
    assert "rule=*" not in web_desk.get("/silences").text


def test_the_editor_stays_inside_the_rules_directory(web_desk: WebDesk) -> None:
    outside = web_desk.root / "outside"
    outside.mkdir()
    (web_desk.rules / "shared").symlink_to(outside, target_is_directory=True)
    with httpx.Client(base_url=web_desk.url, timeout=10) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/rules/new").text)
        assert token is not None
        for name in ("../outside.yaml", "shared/evil.yaml", "/etc/passwd.yaml", ".hidden.yaml"):
            answer = client.post(
                "/rules/save",
                data={"csrf_token": token.group(1), "file": name, "text": "id: evil\n"},
            )
            assert answer.status_code == 400, (name, answer.text)
        # The same token writes a proper name (the refusals were about the names).
        fine = client.post(
            "/rules/check",
            data={"csrf_token": token.group(1), "file": "new.yaml", "text": "id: x\n"},
        )
        assert fine.status_code == 200
    assert not list(outside.iterdir())
    assert not (web_desk.root / "outside.yaml").exists()


def test_refuses_other_addresses_without_auth_and_asks_for_it_with_a_token(
    web_desk: WebDesk,
) -> None:
    command = [
        sys.executable,
        "-m",
        "newswatch.cli",
        "run",
        "--feeds",
        str(web_desk.feeds_file),
        "--rules",
        str(web_desk.rules),
        "--state",
        str(web_desk.root / "state-2"),
        "--web",
        f"0.0.0.0:{free_port()}",
    ]
    refused = subprocess.run(
        command, capture_output=True, text=True, env=env(), timeout=60, check=False
    )
    assert refused.returncode == 1
    assert "refusing to serve the web page on 0.0.0.0" in refused.stderr
    assert "NEWSWATCH_WEB_TOKEN" in refused.stderr
    assert not (web_desk.root / "state-2").exists()  # refused before anything started


def test_health_and_metrics_of_the_embedded_monitor(web_desk: WebDesk) -> None:
    health = web_desk.get("/health")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok" and body["mode"] == "embedded"
    assert body["feeds"] >= 5 and body["feeds_failing"] >= 1  # the 404 feed
    assert body["articles_matched"] >= 5 and body["last_poll"]
    metrics = web_desk.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    found = re.search(r'^newswatch_hits_total\{rule="lavrov"\} (\d+(?:\.\d+)?)$', text, re.M)
    assert found is not None and float(found.group(1)) >= 4, text
    articles = re.search(r"^newswatch_articles_total (\d+(?:\.\d+)?)$", text, re.M)
    assert articles is not None and float(articles.group(1)) >= 5
    assert re.search(r"^newswatch_feeds_failing [1-9]", text, re.M)
    assert re.search(r'^newswatch_outbox_deliveries\{state="failed"\} ', text, re.M)
