"""Delivery through Apprise to real receivers: content, routing, outages, retries, secrets."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import io
import logging
import random
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from apprise import Apprise, NotifyBase, NotifyFormat

from newswatch.alerts.message import build_alert
from newswatch.alerts.notifier import Backoff, Notifier, native_format, payload
from newswatch.alerts.outbox import Outbox
from newswatch.alerts.render import render
from newswatch.alerts.targets import Targets
from newswatch.rules.model import Severity
from tests.alerts.builders import (
    LAVROV_AR,
    SYRIA_AR,
    Clock,
    json_config,
    lavrov_alert,
    make_article,
    make_hit,
    make_rule,
)
from tests.support.receivers import HttpReceiver, SmtpReceiver

MakeNotifier = Callable[..., Notifier]
HOUR = 3600.0


def article_of(message: str) -> str:
    """The article id in an alert body's Link line."""
    [link] = [line for line in message.splitlines() if line.startswith("Link: ")]
    return link.rsplit("/", 1)[1]


async def test_alert_arrives_by_http_and_email_with_arabic_intact(
    http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver, make_notifier: MakeNotifier
) -> None:
    config = json_config(
        (http_receiver.apprise_url("/hook"), "default"),
        (smtp_receiver.apprise_url(to="desk@example.org"), "default"),
    )
    notifier = make_notifier(config)
    alert = lavrov_alert()
    assert await notifier.submit(alert) is True
    report = await notifier.deliver_due()
    assert (report.sent, report.failed, report.ok) == (2, 0, True)

    [request] = http_receiver.wait_for(1)
    assert request.method == "POST" and request.path == "/hook"
    payload = request.json
    assert payload["title"] == f"[HIGH] Lavrov on Syria: {LAVROV_AR} يصل إلى دمشق"
    # json:// renders plain text: the body arrives exactly as built, with no markup.
    assert payload["message"] == alert.body
    assert "Link: https://arabic.example.org/news/a1" in payload["message"]
    assert f"- Sergey Lavrov: {LAVROV_AR}" in payload["message"]
    assert SYRIA_AR in payload["message"]
    assert payload["type"] == "warning"  # high severity

    [mail] = smtp_receiver.wait_for(1)
    assert mail.login == "newswatch"  # it authenticated with the URL's credentials
    assert mail.rcpt_tos == ("desk@example.org",)
    assert mail.subject == payload["title"]
    assert "Link: https://arabic.example.org/news/a1" in mail.body
    assert LAVROV_AR in mail.body and SYRIA_AR in mail.body
    # mailto:// renders HTML: the names in bold, each block laid out in its own direction,
    # and Apprise's plain-text alternative next to it.
    assert mail.message.get_content_type() == "multipart/alternative"
    html_part = mail.message.get_body(("html",))
    assert html_part is not None
    html_body = html_part.get_content()
    assert html_body.strip() == render(alert, "html")[1]
    assert f"<b>{LAVROV_AR}</b>" in html_body and f"<b>{SYRIA_AR}</b>" in html_body
    assert html_body.startswith('<div dir="auto">')
    assert "<b>" not in mail.body and "**" not in mail.body
    assert notifier.outbox.counts().sent == 2


@pytest.mark.parametrize("fmt", ["html", "markdown"])
async def test_a_markup_target_gets_the_rendered_body_unconverted(
    http_receiver: HttpReceiver, make_notifier: MakeNotifier, fmt: str
) -> None:
    # json:// with ?format= renders that format; Apprise must pass our markup through as is
    # (no second escaping of "**" or "<b>"), and keep the title, a separate field, as written.
    rule = make_rule(title="Lavrov & <Syria>")
    article = make_article(summary=f"وكالات *عاجل* {LAVROV_AR}")
    alert = build_alert(rule, article, make_hit(rule, article))
    notifier = make_notifier(
        json_config((http_receiver.apprise_url("/hook") + f"?format={fmt}", "x"))
    )
    await notifier.submit(dataclasses.replace(alert, tags=("x",)))
    assert (await notifier.deliver_due()).sent == 1
    [request] = http_receiver.wait_for(1)
    assert request.json["message"] == render(alert, fmt)[1]
    assert request.json["title"] == alert.title
    bold = f"<b>{LAVROV_AR}</b>" if fmt == "html" else f"**{LAVROV_AR}**"
    assert bold in request.json["message"]


@pytest.mark.parametrize(
    ("url", "fmt", "title_in_body"),
    [
        ("json://127.0.0.1:9/hook", NotifyFormat.TEXT, False),
        ("json://127.0.0.1:9/hook?format=markdown", NotifyFormat.MARKDOWN, False),
        ("mailto://u:p@127.0.0.1:9?from=a@example.org&to=b@example.org", NotifyFormat.HTML, False),
        ("tgram://123456789:abcdefg_hijklmnopqrstuvwxyz123456789/12345", NotifyFormat.HTML, True),
        (
            "tgram://123456789:abcdefg_hijklmnopqrstuvwxyz123456789/12345?format=markdown",
            NotifyFormat.MARKDOWN,
            True,
        ),
    ],
)
def test_each_target_gets_its_native_format(
    url: str, fmt: NotifyFormat, title_in_body: bool
) -> None:
    plugin = Apprise.instantiate(url)
    assert isinstance(plugin, NotifyBase)
    assert native_format(plugin) == fmt
    rule = make_rule(title="Lavrov & [Syria]")
    article = make_article()
    alert = build_alert(rule, article, make_hit(rule, article))
    title, body, body_format = payload(alert, plugin)
    assert body_format == fmt and (title, body) == (
        render(alert, fmt)[0] if title_in_body else alert.title,
        render(alert, fmt)[1],
    )
    # Telegram puts the title into the body, so it must be escaped there; an e-mail subject
    # or a JSON field shows it as written.
    assert ("&amp;" in title or "\\[" in title) == (title_in_body and fmt != NotifyFormat.TEXT)


async def test_notify_tags_route_and_untagged_rules_go_to_default(
    http_receiver: HttpReceiver, make_notifier: MakeNotifier
) -> None:
    config = json_config(
        (http_receiver.apprise_url("/ops"), "ops"),
        (http_receiver.apprise_url("/default"), "default"),
        (http_receiver.apprise_url("/archive"), "always"),
    )
    notifier = make_notifier(config)
    await notifier.submit(lavrov_alert("a1", notify=("ops",)))
    await notifier.submit(lavrov_alert("a2"))
    report = await notifier.deliver_due()
    assert report.sent == 4

    def articles(path: str) -> list[str]:
        return sorted(article_of(r.json["message"]) for r in http_receiver.accepted(path))

    assert articles("/ops") == ["a1"]
    assert articles("/default") == ["a2"]
    assert articles("/archive") == ["a1", "a2"]


async def test_a_receiver_that_is_down_holds_the_alert_until_it_is_back(
    http_receiver: HttpReceiver, make_notifier: MakeNotifier, clock: Clock
) -> None:
    notifier = make_notifier(json_config((http_receiver.apprise_url("/hook"), "default")))
    http_receiver.stop()
    alert = lavrov_alert()
    await notifier.submit(alert)

    report = await notifier.deliver_due()
    assert (report.sent, report.failed) == (0, 1)
    [held] = notifier.outbox.pending()
    assert held.state == "failed" and held.attempts == 1
    assert held.last_error and "connection error" in held.last_error.lower()
    # Backoff: 30 s minus at most 20 % jitter, so nothing is due 20 s later.
    assert timedelta(seconds=24) <= held.next_attempt_at - clock.now <= timedelta(seconds=30)

    http_receiver.start()  # back, on the same port
    clock.advance(20)
    assert (await notifier.deliver_due()).sent == 0
    assert http_receiver.requests == []

    clock.advance(11)
    assert (await notifier.deliver_due()).sent == 1
    assert len(http_receiver.accepted("/hook")) == 1
    # Nothing left: more rounds send nothing more.
    clock.advance(HOUR)
    assert (await notifier.deliver_due()).sent == 0
    assert len(http_receiver.requests) == 1
    assert notifier.outbox.pending() == []
    assert [d.state for d in notifier.outbox.deliveries(alert.key)] == ["sent"]


async def test_one_dead_target_never_makes_the_other_receive_twice(
    http_receiver_factory: Callable[[], HttpReceiver],
    make_notifier: MakeNotifier,
    clock: Clock,
) -> None:
    healthy, broken = http_receiver_factory(), http_receiver_factory()
    config = json_config(
        (healthy.apprise_url("/hook"), "default"), (broken.apprise_url("/hook"), "default")
    )
    notifier = make_notifier(config)
    broken.fail_with(500)
    await notifier.submit(lavrov_alert())

    first = await notifier.deliver_due()
    assert (first.sent, first.failed) == (1, 1)
    assert "500" in first.failures[0].error
    # The failing one was tried twice in the call (one quick retry) and then held.
    assert len(broken.requests) == 2 and broken.accepted() == []

    for _ in range(3):  # still failing over a few backoff rounds
        clock.advance(2 * HOUR)
        await notifier.deliver_due()
    broken.succeed()
    clock.advance(2 * HOUR)
    assert (await notifier.deliver_due()).sent == 1
    clock.advance(2 * HOUR)
    await notifier.deliver_due()

    assert len(healthy.requests) == 1  # once, never again
    assert len(broken.accepted()) == 1
    [held] = [d for d in notifier.outbox.deliveries(lavrov_alert().key) if d.attempts > 1]
    assert held.attempts == 5 and held.state == "sent"


async def test_the_same_hit_twice_is_one_delivery_also_after_a_restart(
    http_receiver: HttpReceiver, make_notifier: MakeNotifier, tmp_path: Path
) -> None:
    config = json_config((http_receiver.apprise_url("/hook"), "default"))
    state = tmp_path / "state.db"
    notifier = make_notifier(config, outbox=state)
    assert await notifier.submit(lavrov_alert()) is True
    assert await notifier.submit(lavrov_alert()) is False
    await notifier.deliver_due()
    await notifier.close()

    restarted = make_notifier(config, outbox=state)
    assert await restarted.submit(lavrov_alert()) is False
    assert (await restarted.deliver_due()).sent == 0
    assert len(http_receiver.requests) == 1


async def test_a_restart_resends_what_was_held(
    http_receiver: HttpReceiver, make_notifier: MakeNotifier, tmp_path: Path, clock: Clock
) -> None:
    config = json_config((http_receiver.apprise_url("/hook"), "default"))
    state = tmp_path / "state.db"
    http_receiver.stop()
    notifier = make_notifier(config, outbox=state)
    await notifier.submit(lavrov_alert())
    assert (await notifier.deliver_due()).failed == 1
    await notifier.close()

    http_receiver.start()
    clock.advance(HOUR)
    restarted = make_notifier(config, outbox=state)
    assert (await restarted.deliver_due()).sent == 1
    [request] = http_receiver.requests
    assert LAVROV_AR in request.json["message"]


async def test_a_down_target_defers_the_rest_of_its_batch_and_keeps_order(
    http_receiver: HttpReceiver, make_notifier: MakeNotifier, clock: Clock
) -> None:
    notifier = make_notifier(json_config((http_receiver.apprise_url("/hook"), "default")))
    http_receiver.stop()
    for n in range(3):
        await notifier.submit(lavrov_alert(f"a{n}"))
        clock.advance(1)
    report = await notifier.deliver_due()
    assert (report.failed, report.deferred) == (1, 2)
    attempts = sorted(d.attempts for d in notifier.outbox.pending())
    assert attempts == [0, 0, 1]  # only the one really tried counts an attempt

    http_receiver.start()
    clock.advance(HOUR)
    assert (await notifier.deliver_due()).sent == 3
    received = [article_of(r.json["message"]) for r in http_receiver.requests]
    assert received == ["a0", "a1", "a2"]


async def test_failure_is_logged_with_rule_article_target_and_reason(
    http_receiver: HttpReceiver, make_notifier: MakeNotifier, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = make_notifier(json_config((http_receiver.apprise_url("/hook"), "default")))
    http_receiver.fail_with(503)
    await notifier.submit(lavrov_alert())
    with caplog.at_level(logging.WARNING, logger="newswatch.alerts.notifier"):
        await notifier.deliver_due()
    [record] = [r for r in caplog.records if r.name == "newswatch.alerts.notifier"]
    line = record.getMessage()
    assert record.levelno == logging.WARNING
    assert "rule lavrov-syria" in line and "article a1" in line
    assert f"target json://127.0.0.1:{http_receiver.port}/hook" in line
    assert "503" in line


async def test_console_shows_each_new_alert_once_even_without_targets(
    make_notifier: MakeNotifier,
) -> None:
    stream = io.StringIO()
    notifier = make_notifier(Targets(), console=True, console_stream=stream)
    alert = lavrov_alert()
    assert await notifier.submit(alert) is True
    assert await notifier.submit(alert) is False
    shown = stream.getvalue()
    assert shown.count(alert.title) == 1
    assert LAVROV_AR in shown and "Link: https://arabic.example.org/news/a1" in shown
    assert (await notifier.deliver_due()).sent == 0  # nothing to deliver, nothing failing


async def test_no_target_and_no_console_is_warned_but_remembered(
    make_notifier: MakeNotifier, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = make_notifier(Targets())
    with caplog.at_level(logging.WARNING):
        assert await notifier.submit(lavrov_alert(notify=("nobody",))) is True
    assert "no target for tags nobody" in caplog.text
    assert await notifier.submit(lavrov_alert(notify=("nobody",))) is False


async def test_deliveries_for_a_target_removed_from_the_config_stay_held(
    http_receiver: HttpReceiver, make_notifier: MakeNotifier, tmp_path: Path, clock: Clock
) -> None:
    state = tmp_path / "state.db"
    http_receiver.stop()
    old = make_notifier(json_config((http_receiver.apprise_url("/old"), "default")), outbox=state)
    await old.submit(lavrov_alert())
    await old.deliver_due()
    await old.close()

    http_receiver.start()
    clock.advance(HOUR)
    new = make_notifier(json_config((http_receiver.apprise_url("/new"), "default")), outbox=state)
    report = await new.deliver_due()
    assert (report.sent, report.failed) == (0, 1)
    [held] = new.outbox.pending()
    assert held.attempts == 2 and held.last_error == "target is not in the current Apprise config"
    assert http_receiver.requests == []


async def test_secrets_never_reach_logs_errors_or_names(
    http_receiver: HttpReceiver,
    make_notifier: MakeNotifier,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token, password = "tok-9f8e7d6c5b4a", "pw-Zq81!x"
    config = (
        "version: 1\nurls:\n"
        f'  - "json://hook:${{HOOK_PASSWORD}}@127.0.0.1:{http_receiver.port}/hook'
        '?+X-Token=${HOOK_TOKEN}&-token=${HOOK_TOKEN}":\n'
        "      tag: default\n"
    )
    environ = {"HOOK_TOKEN": token, "HOOK_PASSWORD": password}
    caplog.set_level(logging.DEBUG)  # everything: Apprise's and urllib3's debug lines too
    notifier = make_notifier(config, environ=environ)
    await notifier.submit(lavrov_alert())

    http_receiver.fail_with(500)
    failed = await notifier.deliver_due()
    http_receiver.stop()
    clock.advance(2 * HOUR)
    refused = await notifier.deliver_due()
    held = notifier.outbox.pending()
    http_receiver.start()
    http_receiver.succeed()
    clock.advance(2 * HOUR)
    assert (await notifier.deliver_due()).sent == 1

    # The secrets did travel, to the receiver only (so this test has something to catch)...
    request = http_receiver.accepted()[-1]
    assert request.headers["x-token"] == token and f"token={token}" in request.path
    basic = base64.b64decode(request.headers["authorization"].split()[1]).decode()
    assert basic == f"hook:{password}"
    # ...and were masked where they would otherwise have shown (urllib3 logs the query).
    assert "token=***" in caplog.text
    seen = "\n".join(
        [
            caplog.text,
            *(r.getMessage() for r in caplog.records),
            repr(failed),
            repr(refused),
            *(d.last_error or "" for d in held),
            *(f"{t.id} {t.display}" for t in notifier.targets),
        ]
    )
    for secret in (token, password, "pw-Zq81%21x"):
        assert secret not in seen

    with pytest.raises(ValueError) as missing:
        Targets.from_text(config, environ={"HOOK_TOKEN": token})
    assert "HOOK_PASSWORD" in str(missing.value) and token not in str(missing.value)


async def test_email_password_with_url_characters_logs_in(make_notifier: MakeNotifier) -> None:
    password = "p@ss:w/rd?#%1"
    with SmtpReceiver(password=password) as smtp:
        config = (
            "urls:\n"
            f'  - "mailto://newswatch:${{SMTP_PASSWORD}}@127.0.0.1:{smtp.port}'
            '?from=nw@example.org&to=desk@example.org&mode=insecure":\n'
            "      tag: default\n"
        )
        notifier = make_notifier(config, environ={"SMTP_PASSWORD": password})
        await notifier.submit(lavrov_alert())
        assert (await notifier.deliver_due()).sent == 1
        [mail] = smtp.wait_for(1)
        assert mail.login == "newswatch" and smtp.failed_logins == []


async def test_wrong_smtp_password_is_a_held_failure(
    smtp_receiver: SmtpReceiver, make_notifier: MakeNotifier
) -> None:
    url = smtp_receiver.apprise_url().replace(smtp_receiver.password, "wrong-one")
    # No quick retry here: Apprise throttles its e-mail plugin to one send per 5.5 s.
    notifier = make_notifier(json_config((url, "default")), quick_retries=0)
    await notifier.submit(lavrov_alert())
    report = await notifier.deliver_due()
    assert report.failed == 1 and smtp_receiver.messages == []
    assert "Connection error while submitting email" in report.failures[0].error
    # smtplib tries AUTH PLAIN, then AUTH LOGIN, before giving up.
    assert smtp_receiver.failed_logins == ["newswatch"] * 2
    assert notifier.outbox.pending()[0].attempts == 1


def test_backoff_grows_is_capped_and_jittered() -> None:
    backoff = Backoff(initial=30, factor=2, maximum=3600, jitter=0.2)
    rng = random.Random(1)
    for attempts, base in [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (50, 3600)]:
        waits = [backoff.delay(attempts, rng).total_seconds() for _ in range(50)]
        assert all(0.8 * base <= w <= base for w in waits)
        assert len(set(waits)) > 1  # jittered, not all the same
    assert Backoff(jitter=0).delay(10**6).total_seconds() == 3600
    with pytest.raises(ValueError):
        Backoff(initial=0)
    with pytest.raises(ValueError):
        Backoff(jitter=1)


async def test_severity_sets_the_apprise_type(
    http_receiver: HttpReceiver, make_notifier: MakeNotifier
) -> None:
    notifier = make_notifier(json_config((http_receiver.apprise_url("/hook"), "default")))
    for n, severity in enumerate((Severity.INFO, Severity.CRITICAL)):
        rule, article = make_rule(severity=severity), make_article(f"s{n}")
        await notifier.submit(build_alert(rule, article, make_hit(rule, article)))
    await notifier.deliver_due()
    assert [r.json["type"] for r in http_receiver.requests] == ["info", "failure"]


async def test_run_delivers_until_stopped(
    http_receiver: HttpReceiver, make_notifier: MakeNotifier
) -> None:
    notifier = make_notifier(json_config((http_receiver.apprise_url("/hook"), "default")))
    await notifier.submit(lavrov_alert())
    stop = asyncio.Event()
    runner = asyncio.create_task(notifier.run(interval=0.05, stop=stop))
    try:
        await asyncio.to_thread(http_receiver.wait_for, 1, 10.0)
    finally:
        stop.set()
        await asyncio.wait_for(runner, timeout=10)
    assert len(http_receiver.requests) == 1


async def test_closed_notifier_refuses_work(tmp_path: Path) -> None:
    notifier = Notifier(Targets(), Outbox(tmp_path / "o.db"))
    await notifier.close()
    with pytest.raises(RuntimeError, match="closed"):
        await notifier.submit(lavrov_alert())


async def test_an_smtp_outage_holds_the_mail_until_the_server_is_back(
    smtp_receiver: SmtpReceiver, make_notifier: MakeNotifier, clock: Clock
) -> None:
    notifier = make_notifier(json_config((smtp_receiver.apprise_url(), "default")), quick_retries=0)
    for target in notifier.targets:
        # Apprise waits 5.5 s (real time) between two sends of one e-mail target; not needed here.
        target.plugin.request_rate_per_sec = 0
    port = smtp_receiver.port
    smtp_receiver.stop()
    await notifier.submit(lavrov_alert())
    assert (await notifier.deliver_due()).failed == 1
    assert smtp_receiver.messages == []

    smtp_receiver.start()
    assert smtp_receiver.port == port  # same address, so the same Apprise URL works again
    clock.advance(HOUR)
    assert (await notifier.deliver_due()).sent == 1
    [mail] = smtp_receiver.wait_for(1)
    assert SYRIA_AR in mail.body
