"""A real HTTP server on 127.0.0.1 for feed tests, with routes programmed per test.

Each route says what to answer: status, headers, body, a delay, gzip (declared or not), a
redirect, ETag / Last-Modified (honoured with 304). Every request is logged with its headers,
so a test can assert what the client sent (e.g. ``If-None-Match`` on the second poll).

Use it from any test folder by importing the fixtures into that folder's ``conftest.py``::

    from tests.support.feed_server import feed_server, feed_server_factory  # noqa: F401

    # in a test
    async def test_poll(feed_server: FeedServer) -> None:
        url = feed_server.route("/rss", read_fixture("rss_ar_ru.xml"), etag='"v1"')
        ...  # fetch url twice
        assert feed_server.requests("/rss")[-1].headers["if-none-match"] == '"v1"'

Without pytest: ``with FeedServer() as server: server.route(...)``.
"""

from __future__ import annotations

import email.utils
import gzip
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

__all__ = [
    "FIXTURES",
    "FeedServer",
    "RecordedRequest",
    "Route",
    "feed_server",
    "feed_server_factory",
    "http_date",
    "read_fixture",
]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def read_fixture(name: str) -> bytes:
    """The bytes of ``tests/fixtures/feeds/<name>``."""
    return (FIXTURES / name).read_bytes()


@dataclass
class Route:
    """What the server answers on one path. Only ``body`` is usually needed."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line (trips a client's read timeout)
    gzip: bool = False  # compress the body and send Content-Encoding: gzip
    gzip_silently: bool = False  # compress the body but send no Content-Encoding
    redirect_to: str | None = None  # answer 302 with this Location (a path or a URL)
    etag: str | None = None  # sent; a matching If-None-Match gets 304
    last_modified: str | None = None  # sent; an If-Modified-Since not before it gets 304
    content_length: bool = True  # False: no Content-Length, the body ends at connection close
    chunk_size: int = 65536  # the body is written in pieces of this size...
    chunk_delay: float = 0.0  # ...with this pause between them


@dataclass
class RecordedRequest:
    """One request as received; ``bytes_sent``/``completed`` are filled while answering."""

    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    status: int = 0
    bytes_sent: int = 0
    completed: bool = False  # the whole body was written (False: the client hung up first)


def _not_modified(route: Route, headers: dict[str, str]) -> bool:
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None and route.etag is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or route.etag.removeprefix("W/") in tags
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since and route.last_modified:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
            modified = email.utils.parsedate_to_datetime(route.last_modified)
        except (TypeError, ValueError):
            return False
        return modified <= since
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FeedServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: simple and realistic enough

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, *, head: bool) -> None:
        owner = self.server.owner
        headers = {name.lower(): value for name, value in self.headers.items()}
        record = RecordedRequest(self.command, self.path, headers)
        owner._begin(record)
        try:
            route = owner._lookup(self.path)
            if route is None:
                self._simple(record, 404, {"Content-Type": "text/plain"}, b"no such route\n")
            else:
                self._answer(route, record, head=head)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up, e.g. because the body was over its cap
        finally:
            owner._end()

    def _simple(
        self, record: RecordedRequest, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        record.status = status
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        record.bytes_sent = len(body)
        record.completed = True

    def _answer(self, route: Route, record: RecordedRequest, *, head: bool) -> None:
        if route.delay:
            time.sleep(route.delay)
        if route.redirect_to is not None:
            self._simple(record, 302, {"Location": route.redirect_to}, b"")
            return
        validators = {}
        if route.etag is not None:
            validators["ETag"] = route.etag
        if route.last_modified is not None:
            validators["Last-Modified"] = route.last_modified
        if _not_modified(route, record.headers):
            self._simple(record, 304, validators, b"")
            return

        body = route.body
        if route.gzip or route.gzip_silently:
            body = gzip.compress(body)
        record.status = route.status
        self.send_response(route.status)
        if route.content_type is not None:
            self.send_header("Content-Type", route.content_type)
        if route.gzip:
            self.send_header("Content-Encoding", "gzip")
        for name, value in {**validators, **route.headers}.items():
            self.send_header(name, value)
        if route.content_length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head:
            record.completed = True
            return
        step = max(1, route.chunk_size)
        for start in range(0, len(body), step):
            if start and route.chunk_delay:
                time.sleep(route.chunk_delay)
            piece = body[start : start + step]
            self.wfile.write(piece)
            self.wfile.flush()
            record.bytes_sent += len(piece)
        record.completed = True


class FeedServer:
    """A threaded HTTP server on 127.0.0.1, on a free port, started by the constructor."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._routes: dict[str, Route] = {}
        self._requests: list[RecordedRequest] = []
        self._active = 0
        self._lock = threading.Condition()
        self._httpd = _Server((host, 0), _Handler)
        self._httpd.owner = self
        port = self._httpd.server_address[1]
        self.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self._closed = False

    def __enter__(self) -> FeedServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving; the port is closed (a later connection is refused)."""
        if self._closed:
            return
        self._closed = True
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (which starts with ``/``) on this server."""
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def route(self, path: str, body: bytes | str = b"", **options: Any) -> str:
        """Answer GET ``path`` with ``body`` and any ``Route`` option; returns the URL.

        Calling it again for the same path replaces the route (e.g. a feed that changes).
        """
        data = body.encode("utf-8") if isinstance(body, str) else body
        return self.set_route(path, Route(body=data, **options))

    def set_route(self, path: str, route: Route) -> str:
        with self._lock:
            self._routes[path] = route
        return self.url(path)

    def requests(self, path: str | None = None) -> list[RecordedRequest]:
        """Requests received so far, oldest first; only those for ``path`` if given."""
        with self._lock:
            items = list(self._requests)
        if path is None:
            return items
        return [item for item in items if urlsplit(item.path).path == path or item.path == path]

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no request is being answered; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._active:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
        return True

    def _lookup(self, raw_path: str) -> Route | None:
        with self._lock:
            return self._routes.get(raw_path) or self._routes.get(urlsplit(raw_path).path)

    def _begin(self, record: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(record)
            self._active += 1

    def _end(self) -> None:
        with self._lock:
            self._active -= 1
            self._lock.notify_all()


def http_date(when: datetime) -> str:
    """An HTTP date (for ``last_modified=``) from an aware datetime."""
    return email.utils.format_datetime(when, usegmt=True)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A started ``FeedServer``, closed after the test."""
    with FeedServer() as server:
        yield server


@pytest.fixture
def feed_server_factory() -> Iterator[Callable[[], FeedServer]]:
    """Make as many servers as a test needs (e.g. one per site); all closed after the test."""
    servers: list[FeedServer] = []

    def make() -> FeedServer:
        server = FeedServer()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()
