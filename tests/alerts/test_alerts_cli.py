"""``newswatch alerts pending`` / ``retry`` through click's CliRunner, against a real receiver."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from newswatch.alerts.notifier import Notifier
from newswatch.alerts.outbox import Outbox
from newswatch.alerts.targets import Targets
from newswatch.cli.alerts import alerts_group as alerts
from tests.alerts.builders import LAVROV_AR, Clock, json_config, lavrov_alert
from tests.support.receivers import HttpReceiver

TOKEN = "tok-cli-5e5e5e5e"


def held_outbox(state: Path, config: str, environ: dict[str, str], articles: int = 2) -> None:
    """Queue ``articles`` alerts and fail them once (the receiver must be down or failing)."""

    async def go() -> None:
        targets = Targets.from_text(config, environ=environ)
        notifier = Notifier(targets, Outbox(state), clock=Clock(), quick_retries=0)
        for n in range(articles):
            await notifier.submit(lavrov_alert(f"a{n}"))
        report = await notifier.deliver_due()
        assert report.sent == 0
        await notifier.close()

    asyncio.run(go())


@pytest.fixture
def setup(
    tmp_path: Path, http_receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], tuple[Path, Path]]:
    """An outbox with two held deliveries (receiver down) and the config file to retry them."""

    def make() -> tuple[Path, Path]:
        monkeypatch.setenv("HOOK_TOKEN", TOKEN)
        config = json_config(
            (http_receiver.apprise_url("/hook") + "?-token=${HOOK_TOKEN}", "default")
        )
        config_file = tmp_path / "apprise.yaml"
        config_file.write_text(config, encoding="utf-8")
        state = tmp_path / "var"
        state.mkdir()
        http_receiver.stop()
        held_outbox(state / "outbox.sqlite3", config, {"HOOK_TOKEN": TOKEN})
        return state, config_file

    return make


def test_pending_lists_held_deliveries_in_text_and_json(
    setup: Callable[[], tuple[Path, Path]],
) -> None:
    state, _ = setup()
    runner = CliRunner()

    text = runner.invoke(alerts, ["pending", "--state", str(state)])
    assert text.exit_code == 0, text.output
    assert "2 held deliveries" in text.output
    assert "rule lavrov-syria  article a0" in text.output and "article a1" in text.output
    assert "attempts 1" in text.output and "attempts 0" in text.output  # a1 was deferred
    assert "last error: A Connection error occurred" in text.output
    assert LAVROV_AR in text.output

    as_json = runner.invoke(alerts, ["pending", "--state", str(state), "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.stdout)
    assert [(r["article_id"], r["attempts"], r["state"]) for r in rows] == [
        ("a0", 1, "failed"),
        ("a1", 0, "pending"),
    ]
    assert rows[0]["target_id"].startswith("json-") and "Connection error" in rows[0]["last_error"]
    assert TOKEN not in text.output + as_json.output


def test_retry_delivers_once_when_the_receiver_is_back(
    setup: Callable[[], tuple[Path, Path]], http_receiver: HttpReceiver
) -> None:
    state, config = setup()
    http_receiver.start()
    runner = CliRunner()

    result = runner.invoke(alerts, ["retry", "--state", str(state), "--apprise", str(config)])
    assert result.exit_code == 0, result.output
    assert "sent 2, failed 0" in result.output
    assert len(http_receiver.accepted("/hook")) == 2
    assert http_receiver.accepted()[0].path.endswith(f"token={TOKEN}")  # env expanded

    again = runner.invoke(alerts, ["retry", "--state", str(state), "--apprise", str(config)])
    assert again.exit_code == 0 and "sent 0, failed 0" in again.output
    assert len(http_receiver.requests) == 2
    empty = runner.invoke(alerts, ["pending", "--state", str(state)])
    assert "no held deliveries" in empty.output


def test_retry_exits_1_when_some_still_fail(
    setup: Callable[[], tuple[Path, Path]], http_receiver: HttpReceiver
) -> None:
    state, config = setup()
    http_receiver.start()
    http_receiver.fail_with(500)
    result = CliRunner().invoke(alerts, ["retry", "--state", str(state), "--apprise", str(config)])
    assert result.exit_code == 1
    assert "failed 1, deferred 1" in result.output
    assert "error=500" in result.output and TOKEN not in result.output
    with Outbox(state / "outbox.sqlite3") as box:
        assert box.counts().held == 2 and box.counts().sent == 0
        assert max(d.attempts for d in box.pending()) == 2


def test_retry_reports_a_missing_variable_without_values(
    setup: Callable[[], tuple[Path, Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    state, config = setup()
    monkeypatch.delenv("HOOK_TOKEN")
    result = CliRunner().invoke(alerts, ["retry", "--state", str(state), "--apprise", str(config)])
    assert result.exit_code == 1
    assert "HOOK_TOKEN" in result.output and str(config) in result.output


def test_a_missing_outbox_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    result = CliRunner().invoke(alerts, ["pending", "--state", str(tmp_path)])
    assert result.exit_code == 1 and "no outbox" in result.output
    assert not (tmp_path / "outbox.sqlite3").exists()


def test_help_texts_carry_examples() -> None:
    runner = CliRunner()
    for command in (["--help"], ["pending", "--help"], ["retry", "--help"]):
        result = runner.invoke(alerts, command)
        assert result.exit_code == 0 and "Example" in result.output
