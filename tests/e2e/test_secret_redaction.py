"""Secrets never reach a log, whichever runtime sends the alert and whichever logger writes.

``newswatch.redaction.register_secrets`` installs one logging record factory for the whole
process; these tests hold it to that. A notification target whose URL carries five values from
the environment (a password, a path segment, a query parameter, an HTTP header and a JSON field)
points at a real receiver that answers 500, so every delivery fails and is logged — by
newswatch, by Apprise and by urllib3 (debug level, so everything they have to say is said).
Every line of every log of the embedded runtime (``newswatch run --once``) and of the Kafka
runtime (``newswatch worker``) is then searched for the secrets: raw, percent-encoded, any
letter run of them (which any other URL or JSON encoding keeps) and the Basic-auth header.

The receiver checks that the secrets really were sent, and each test checks that the failure
really was logged, with the secrets masked (``***``): without that, finding no secret in the
logs would prove nothing.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import re
import secrets
import string
import subprocess
import sys
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

import pytest

import tests.kafka.conftest as kafka_conftest
from newswatch.article import Article
from newswatch.redaction import MASK, register_secrets, secret_forms
from tests.e2e.conftest import Desk, env, seed_feed
from tests.kafka.conftest import Deployment, Proc, deployment, write_place_rules  # noqa: F401
from tests.support.kafka import consume
from tests.support.receivers import HttpReceiver, ReceivedRequest

USER = "newswatch"


def word(length: int = 20) -> str:
    """Random letters: a secret no log line holds by chance."""
    return "".join(secrets.choice(string.ascii_letters) for _ in range(length))


@dataclass(frozen=True)
class HookSecrets:
    """The five secrets of one notification target, each from its own environment variable."""

    password: str  # the URL's user:password
    path: str  # a segment of the URL's path
    token: str  # a query parameter (Apprise's ``-name=value``); with characters URLs encode
    header: str  # an HTTP header (``+Name=value``)
    field: str  # a field of the JSON body (``:name=value``)

    @classmethod
    def new(cls) -> HookSecrets:
        token = f"{word(12)}/{word(12)}+{word(12)}@{word(8)}:{word(8)}="
        return cls(word(), word(), token, word(), word())

    def env(self) -> dict[str, str]:
        return {
            "HOOK_PASSWORD": self.password,
            "HOOK_PATH": self.path,
            "HOOK_TOKEN": self.token,
            "HOOK_HEADER": self.header,
            "HOOK_FIELD": self.field,
        }

    def target(self, receiver: HttpReceiver) -> str:
        """The Apprise URL, with ``${NAME}`` references that newswatch fills in."""
        return (
            f"json://{USER}:${{HOOK_PASSWORD}}@127.0.0.1:{receiver.port}/hook/${{HOOK_PATH}}"
            "?-token=${HOOK_TOKEN}&+X-Hook-Auth=${HOOK_HEADER}&:api_key=${HOOK_FIELD}"
        )

    @property
    def basic_auth(self) -> str:
        return base64.b64encode(f"{USER}:{self.password}".encode()).decode()

    def forms(self) -> set[str]:
        """Every form of the secrets that must not be in a log."""
        found = {self.basic_auth}
        for value in self.env().values():
            found |= secret_forms(value)
            found.update(re.findall(r"[A-Za-z]{8,}", value))
        return found

    def assert_sent(self, request: ReceivedRequest) -> None:
        """The receiver got every secret: they were in the process, ready to be logged."""
        url = urlsplit(request.path)
        assert url.path == f"/hook/{self.path}"
        assert parse_qs(url.query)["token"] == [self.token]
        assert request.headers["x-hook-auth"] == self.header
        assert request.headers["authorization"] == f"Basic {self.basic_auth}"
        assert request.json["api_key"] == self.field


def leaks(text: str, hook: HookSecrets) -> list[str]:
    """The lines of ``text`` that hold any form of the secrets."""
    forms = hook.forms()
    return [line for line in text.splitlines() if any(form in line for form in forms)]


def lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


# --- in process ---------------------------------------------------------------------------------


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_a_logger_nobody_configured_masks_a_registered_secret_everywhere() -> None:
    secret = f"{word(12)}/{word(12)}+{word(8)}"
    register_secrets([secret])
    # A name no code knows: the masking is not a list of loggers but every record of the process.
    logger = logging.getLogger(f"some.brand.new.logger.{word(8)}")
    capture = _Capture()
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        logger.debug(f"in the message: {secret}")
        logger.info("in the args: %s and %r", secret, {"token": secret})
        logger.warning("percent-encoded in the args: %s", quote(secret, safe=""))
        try:
            raise RuntimeError(f"refused token {secret}")
        except RuntimeError:
            logger.exception("in a traceback")
    finally:
        logger.removeHandler(capture)

    text = "\n".join(capture.lines)
    assert len(capture.lines) == 4
    assert "RuntimeError: refused token ***" in text  # the traceback was logged, masked
    assert capture.lines[1].endswith("in the args: *** and {'token': '***'}")
    assert capture.lines[2].endswith("percent-encoded in the args: ***")
    assert text.count(MASK) == 5
    for form in secret_forms(secret) | set(re.findall(r"[A-Za-z]{8,}", secret)):
        assert form not in text


def test_the_workers_log_formatter_shows_a_masked_record() -> None:
    # Faust's worker logs to stderr through mode's ExtensionFormatter (mode.utils.logging).
    from mode.utils.logging import ExtensionFormatter

    secret = word()
    register_secrets([secret])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ExtensionFormatter(fmt="%(levelname)s %(message)s", stream=stream))
    logger = logging.getLogger(f"some.brand.new.logger.{word(8)}")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # where logging reports its own errors
            logger.warning("POST /hook/%s failed", secret)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == f"WARNING POST /hook/{MASK} failed\n"


# --- embedded runtime ---------------------------------------------------------------------------


def test_embedded_run_logs_the_failed_delivery_without_a_secret(
    desk: Desk, http_receiver: HttpReceiver
) -> None:
    hook = HookSecrets.new()
    http_receiver.fail_with(500)
    desk.server.route("/seed.rss", seed_feed())
    desk.write_feeds({"desk-ar": "/seed.rss"})
    desk.write_targets(hook.target(http_receiver))
    args = desk.run_args("--once")
    top = len(desk.command())
    args[top:top] = ["--log-level", "debug"]  # the group's option, before the command

    result = subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=90,
        env=env() | hook.env(),
        cwd=desk.root,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    log = result.stderr

    # The alerts were sent, secrets and all, and refused.
    assert http_receiver.requests, log[-4000:]
    for request in http_receiver.requests:
        hook.assert_sent(request)
    # The failure was logged, by newswatch and by Apprise...
    assert "0 delivered, 1 held for retry" in log
    failures = lines_with(log, "alert not delivered: rule")
    assert failures, log[-4000:]
    assert lines_with(log, "apprise: Failed to send JSON POST notification")

    # ...and no line of the log, nor of the console alerts, holds a secret.
    assert leaks(log, hook) == []
    assert leaks(result.stdout, hook) == []

    # Masked where they were: newswatch's target, urllib3's request, Apprise's debug payload.
    assert all(f"@127.0.0.1:{http_receiver.port}/hook/{MASK}" in line for line in failures)
    assert lines_with(log, f'urllib3.connectionpool: http://127.0.0.1:{http_receiver.port} "POST')
    assert lines_with(log, f'"POST /hook/{MASK}?token={MASK} HTTP/1.1" 500')
    assert lines_with(log, f"'api_key': '{MASK}'")
    assert "--- Logging error ---" not in log  # each masked record was written as a log line


# --- Kafka runtime ------------------------------------------------------------------------------


class _DebugProc(Proc):
    """``Proc`` at ``--log-level debug`` (it starts its commands at info)."""

    def start(self) -> _DebugProc:
        command = [sys.executable, "-m", "newswatch.cli", "--log-level", "debug", *self.args]
        self.spawn(command, stdout=self.out_path)
        return self


@pytest.mark.kafka
def test_kafka_worker_logs_the_failed_delivery_without_a_secret(
    deployment: Deployment,  # noqa: F811
    http_receiver: HttpReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    d = deployment
    hook = HookSecrets.new()
    for name, value in hook.env().items():
        monkeypatch.setenv(name, value)  # the deployment's processes take the test's environment
    monkeypatch.setattr(kafka_conftest, "Proc", _DebugProc)  # what Deployment.worker starts
    http_receiver.fail_with(500)
    write_place_rules(d.rules, {"moscow": "Moscow"})
    assert d.publish().returncode == 0
    d.write_targets(hook.target(http_receiver))

    worker = d.worker(extra=["--max-attempts", "2", "--retry-initial", "0.1"])
    probe = Article(
        id="probe-1", url="https://news.example.org/probe/1", title="Moscow talks", language="en"
    )
    d.produce([probe])
    # Two rounds of two sends each (one quick retry), then the alert is parked.
    worker.wait_for_log("parked on the dead-letter topic", timeout=90)
    rc, _ = worker.stop()
    assert rc == 0, worker.tail()
    log = worker.log() + worker.out_path.read_text("utf-8", "replace")

    assert len(http_receiver.requests) == 4, worker.tail()
    for request in http_receiver.requests:
        hook.assert_sent(request)
    # Both rounds' failures and the parking were logged, by newswatch and by Apprise (Faust's
    # log format has no logger names), with Kafka's own debug logs on too...
    failures = lines_with(log, "alert not delivered: rule moscow, article probe-1")
    assert len(failures) == 2, worker.tail()
    [parked] = lines_with(log, "parked on the dead-letter topic for target")
    assert len(lines_with(log, "] Failed to send JSON POST notification")) == 4
    assert lines_with(log, "MetadataRequest")

    # ...and no line of the worker's stderr or stdout holds a secret.
    assert leaks(log, hook) == []

    # Masked where they were, as log lines (not "--- Logging error ---" reports, see
    # test_the_workers_log_formatter_shows_a_masked_record): newswatch's target, urllib3's request.
    assert "--- Logging error ---" not in log
    for line in [*failures, parked]:
        assert f"json://{USER}:****@127.0.0.1:{http_receiver.port}/hook/{MASK}" in line
    assert len(lines_with(log, f'"POST /hook/{MASK}?token={MASK} HTTP/1.1" 500')) == 4

    # The parked alert as stored on the dead-letter topic names the target masked too.
    [letter] = consume(d.bootstrap, d.settings.topics.dead_letters, 1, timeout=20)
    stored = letter.value.decode("utf-8")
    assert json.loads(stored)["attempts"] == 2
    assert leaks(stored, hook) == []


def test_leaks_finds_every_form_of_a_secret() -> None:
    """The search itself: each form it must catch, caught (else the tests above prove nothing)."""
    hook = HookSecrets.new()
    for text in (
        hook.token,
        quote(hook.token, safe=""),
        quote(quote(hook.token, safe=""), safe=""),  # double-encoded: a letter run survives
        json.dumps({"t": hook.token}),
        f"Authorization: Basic {hook.basic_auth}",
        f"GET /hook/{hook.path}",
    ):
        assert leaks(f"fine\nsomething {text} else\nfine", hook) == [f"something {text} else"]
    assert leaks(f"masked: {MASK}\nMoscow talks", hook) == []
