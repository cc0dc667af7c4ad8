"""Fixtures for the alert tests: real HTTP/SMTP receivers (from tests.support.receivers), a
settable clock and a notifier factory. Builders live in tests/alerts/builders.py."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from newswatch.alerts.notifier import Backoff, Notifier
from newswatch.alerts.outbox import Outbox
from newswatch.alerts.targets import Targets
from tests.alerts.builders import Clock
from tests.support.receivers import (  # noqa: F401
    http_receiver,
    http_receiver_factory,
    smtp_receiver,
)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # Apprise posts through requests, which honours proxy variables; 127.0.0.1 must stay local.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def make_notifier(tmp_path: Path, clock: Clock) -> AsyncIterator[Callable[..., Notifier]]:
    """Builds notifiers with fast retries, the test clock and a seeded jitter; closes them."""
    made: list[Notifier] = []

    def build(
        targets: Targets | str,
        *,
        outbox: Path | Outbox | None = None,
        environ: dict[str, str] | None = None,
        **options: Any,
    ) -> Notifier:
        if isinstance(targets, str):
            targets = Targets.from_text(targets, source="apprise.yaml", environ=environ or {})
        box = outbox if isinstance(outbox, Outbox) else Outbox(outbox or tmp_path / "outbox.db")
        settings: dict[str, Any] = {
            "clock": clock,
            "quick_retries": 1,
            "quick_wait": 0.0,
            "send_timeout": 10.0,
            "backoff": Backoff(initial=30.0, maximum=3600.0, jitter=0.2),
            "rng": random.Random(7),
        }
        settings.update(options)
        notifier = Notifier(targets, box, **settings)
        made.append(notifier)
        return notifier

    yield build
    for notifier in made:
        await notifier.close()


@pytest.fixture
def outbox_path(tmp_path: Path) -> Path:
    return tmp_path / "outbox.db"
