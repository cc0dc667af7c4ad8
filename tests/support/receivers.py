"""Real notification receivers on 127.0.0.1 for alert tests: an HTTP (JSON) one and an SMTP one.

Nothing is mocked: Apprise really posts to the HTTP receiver and really talks SMTP (with AUTH,
without TLS) to the SMTP receiver, and both record what arrived.

Use them from any test folder by importing the fixtures into that folder's ``conftest.py``::

    from tests.support.receivers import (  # noqa: F401
        http_receiver, http_receiver_factory, smtp_receiver,
    )

    def test_alert_arrives(http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver) -> None:
        config = f'''
        version: 1
        urls:
          - {http_receiver.apprise_url("/hook")}:
              tag: default
          - "{smtp_receiver.apprise_url(to="desk@example.org")}":
              tag: default
        '''
        ...  # run the notifier with Targets.from_text(config)
        [request] = http_receiver.wait_for(1)
        assert "سيرغي لافروف" in request.json["message"]
        [mail] = smtp_receiver.wait_for(1)
        assert mail.subject.startswith("[HIGH]")

Apprise URL forms that work against them:

* ``json://127.0.0.1:PORT/PATH`` -- Apprise's JSON plugin POSTs
  ``{"version", "title", "message", "type", "attachments"}`` to ``http://127.0.0.1:PORT/PATH``.
* ``mailto://USER:PASSWORD@127.0.0.1:PORT?from=A@example.org&to=B@example.org&mode=insecure`` --
  plain SMTP (``mailto://`` without ``mode=`` is already insecure; ``mailtos://`` would want
  TLS). Apprise logs in whenever the URL has a user and password, so the receiver offers AUTH
  without TLS and accepts exactly these credentials (any others get 535 and are recorded).

Switch the HTTP receiver to failing with ``fail_with(500)`` (and back with ``succeed()``), or
take either receiver down with ``stop()`` and bring it back on the same port with ``start()``.
``wait_for(n)`` waits (bounded) until ``n`` deliveries have arrived and returns them.
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

__all__ = [
    "HttpReceiver",
    "ReceivedMail",
    "ReceivedRequest",
    "SmtpReceiver",
    "http_receiver",
    "http_receiver_factory",
    "smtp_receiver",
]

HOST = "127.0.0.1"
T = TypeVar("T")
WAIT_SECONDS = 10.0


class _Recorder(Generic[T]):
    """A thread-safe list that a test can wait on (always with a deadline)."""

    def __init__(self) -> None:
        self._items: list[T] = []
        self._changed = threading.Condition()

    def add(self, item: T) -> None:
        with self._changed:
            self._items.append(item)
            self._changed.notify_all()

    def snapshot(self) -> list[T]:
        with self._changed:
            return list(self._items)

    def clear(self) -> None:
        with self._changed:
            self._items.clear()

    def wait_for(self, count: int, timeout: float, what: str) -> list[T]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._items) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} {what} within {timeout}s, got {len(self._items)}"
                    )
                self._changed.wait(left)
            return list(self._items)


# --- HTTP ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedRequest:
    """One HTTP request as received, and the status it was answered with."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    status: int

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class HttpReceiver:
    """A threaded HTTP server on 127.0.0.1 that records every request (any method, any path).

    It answers ``status`` (200 by default) with an empty body; a request answered with an
    error is recorded too (``accepted()`` lists only the 2xx ones).
    """

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.status = 200
        self._requests: _Recorder[ReceivedRequest] = _Recorder()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> HttpReceiver:
        """Listen (again) -- on the same port once one was given or picked."""
        if self._server is not None:
            return self
        server = ThreadingHTTPServer((HOST, self.port), self._handler_class())
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: clients now get "connection refused"."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=WAIT_SECONDS)

    restart = start

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> HttpReceiver:
        return self.start()

    def __exit__(
        self, exc: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # behaviour
    def fail_with(self, status: int = 500) -> None:
        self.status = status

    def succeed(self) -> None:
        self.status = 200

    # addresses
    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def apprise_url(self, path: str = "/hook") -> str:
        """The Apprise JSON-plugin URL that posts to ``path`` here."""
        return f"json://{HOST}:{self.port}{path}"

    # what arrived
    @property
    def requests(self) -> list[ReceivedRequest]:
        return self._requests.snapshot()

    def accepted(self, path: str | None = None) -> list[ReceivedRequest]:
        """Requests answered 2xx (i.e. deliveries), optionally only those to ``path``."""
        return [
            r
            for r in self._requests.snapshot()
            if 200 <= r.status < 300 and (path is None or r.path.split("?")[0] == path)
        ]

    def wait_for(self, count: int, timeout: float = WAIT_SECONDS) -> list[ReceivedRequest]:
        """Wait until ``count`` requests were recorded (any status); returns all of them."""
        return self._requests.wait_for(count, timeout, "HTTP requests")

    def clear(self) -> None:
        self._requests.clear()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if len(body) < length:
                    # The sender died mid-request (a kill -9 test): a real endpoint never sees a
                    # cut-off body as a delivery, so it is not recorded and gets no answer.
                    self.close_connection = True
                    return
                status = receiver.status
                receiver._requests.add(
                    ReceivedRequest(
                        method=self.command,
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                        status=status,
                    )
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT = do_GET = do_PATCH = do_DELETE = _record

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean; everything is in receiver.requests

        return Handler


# --- SMTP ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    """One message as received: envelope, decoded subject and text body, and the SMTP login."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    subject: str
    body: str
    login: str | None
    raw: bytes = field(repr=False)

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def _not_login_data_notice(record: logging.LogRecord) -> bool:
    # aiosmtpd 1.4 warns about its own deprecated Session.login_data on every successful AUTH;
    # that WARNING would only clutter the log assertions of the tests using this receiver.
    return not str(record.msg).startswith("Session.login_data is deprecated")


class _PortController(Controller):
    """aiosmtpd's Controller, working with port 0 (it probes ``self.port`` after binding)."""

    def _trigger_server(self) -> None:
        sockets = getattr(self.server, "sockets", None)  # an asyncio.Server once bound
        if self.port == 0 and sockets:
            self.port = sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class SmtpReceiver:
    """An aiosmtpd server on 127.0.0.1 with AUTH (LOGIN/PLAIN) over plain SMTP."""

    def __init__(self, port: int = 0, *, user: str = "newswatch", password: str = "s3cret") -> None:
        self.port = port
        self.user = user
        self.password = password
        self.failed_logins: list[str] = []
        self._mails: _Recorder[ReceivedMail] = _Recorder()
        self._controller: _PortController | None = None

    def start(self) -> SmtpReceiver:
        """Listen (again) -- on the same port once one was given or picked."""
        if self._controller is not None:
            return self
        mail_log = logging.getLogger("mail.log")
        if _not_login_data_notice not in mail_log.filters:
            mail_log.addFilter(_not_login_data_notice)
        # A stopped Controller has closed its loop, so every start gets a new one.
        controller = _PortController(
            _Handler(self._mails),
            hostname=HOST,
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=False,  # Apprise's mailto:// logs in over plain SMTP
        )
        controller.start()
        self.port = controller.port
        self._controller = controller
        return self

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    restart = start

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> SmtpReceiver:
        return self.start()

    def __exit__(
        self, exc: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def apprise_url(
        self, *, to: str = "desk@example.org", from_addr: str = "newswatch@example.org"
    ) -> str:
        """The Apprise ``mailto://`` URL that delivers here (plain SMTP, with AUTH)."""
        user, password = quote(self.user, safe=""), quote(self.password, safe="")
        return (
            f"mailto://{user}:{password}@{HOST}:{self.port}"
            f"?from={quote(from_addr, safe='@')}&to={quote(to, safe='@')}&mode=insecure"
        )

    @property
    def messages(self) -> list[ReceivedMail]:
        return self._mails.snapshot()

    def wait_for(self, count: int, timeout: float = WAIT_SECONDS) -> list[ReceivedMail]:
        return self._mails.wait_for(count, timeout, "e-mails")

    def clear(self) -> None:
        self._mails.clear()

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            login = data.login.decode("utf-8", "replace")
            if login == self.user and data.password.decode("utf-8", "replace") == self.password:
                return AuthResult(success=True, auth_data=login)
            self.failed_logins.append(login)
        return AuthResult(success=False, handled=False)


class _Handler:
    def __init__(self, mails: _Recorder[ReceivedMail]) -> None:
        self._mails = mails

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        part = parsed.get_body(("plain", "html"))
        body = part.get_content() if isinstance(part, EmailMessage) else ""
        self._mails.add(
            ReceivedMail(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                subject=str(parsed.get("Subject", "")),
                body=body,
                login=session.auth_data if isinstance(session.auth_data, str) else None,
                raw=raw,
            )
        )
        return "250 Message accepted for delivery"


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    """A running HTTP receiver (answers 200 until told otherwise); stopped after the test."""
    with HttpReceiver() as receiver:
        yield receiver


@pytest.fixture
def http_receiver_factory() -> Iterator[Callable[[], HttpReceiver]]:
    """Makes as many running HTTP receivers as a test needs; all stopped after the test."""
    made: list[HttpReceiver] = []

    def make() -> HttpReceiver:
        receiver = HttpReceiver().start()
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.stop()


@pytest.fixture
def smtp_receiver() -> Iterator[SmtpReceiver]:
    """A running SMTP receiver (user ``newswatch``, password ``s3cret``); stopped after."""
    with SmtpReceiver() as receiver:
        yield receiver
