"""Fetching a feed over HTTP: conditional GET, timeouts, a body cap, redirects, gzip.

The pure parts (request headers, gzip sniffing, Retry-After) are module functions; ``Fetcher``
only does I/O through an ``httpx.AsyncClient`` whose transport can be injected, so tests can
use ``httpx.MockTransport`` for edge cases and a real local server for the rest.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import socket
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from types import TracebackType
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from newswatch import __version__
from newswatch.errors import SourceError

__all__ = [
    "USER_AGENT",
    "BodyTooLarge",
    "FetchConnectError",
    "FetchError",
    "FetchHTTPError",
    "FetchLimits",
    "FetchResult",
    "FetchTimeout",
    "FetchTransportError",
    "Fetcher",
    "InvalidBody",
    "RedirectRefused",
    "TooManyRedirects",
    "decode_body",
    "parse_retry_after",
    "redact_url",
    "redirect_refusal",
    "request_headers",
]

USER_AGENT = f"newswatch/{__version__}"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
GZIP_MAGIC = b"\x1f\x8b"


class FetchError(SourceError):
    """A fetch failed; ``str()`` is a one-line reason that names the URL."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(reason)
        self.url = url
        self.reason = reason


class FetchHTTPError(FetchError):
    """The server answered with a status other than 2xx or 304."""

    def __init__(
        self, url: str, status_code: int, reason: str, retry_after: float | None = None
    ) -> None:
        super().__init__(url, reason)
        self.status_code = status_code
        self.retry_after = retry_after


class FetchTimeout(FetchError):
    """Connecting, waiting for data, or the whole fetch took too long."""


class FetchConnectError(FetchError):
    """No connection: refused, unknown host, TLS failure..."""


class FetchTransportError(FetchError):
    """The connection broke or the server spoke broken HTTP."""


class BodyTooLarge(FetchError):
    """The body (after decompression) is over the cap; the download was aborted."""


class RedirectRefused(FetchError):
    """A redirect the policy does not follow (to an internal address, or not HTTP)."""


class TooManyRedirects(FetchError):
    """More redirects than allowed, e.g. a redirect loop."""


class InvalidBody(FetchError):
    """The body claims to be compressed but does not decompress."""


@dataclass(frozen=True, slots=True)
class FetchLimits:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # longest wait for the next bytes
    total_timeout: float = 120.0  # a server trickling bytes must not hold a poller forever
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class FetchResult:
    status_code: int
    body: bytes
    content_type: str
    url: str  # after redirects: the base for relative links
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


def redact_url(url: str) -> str:
    """The URL without a password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def request_headers(
    extra: Mapping[str, str] | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> dict[str, str]:
    """The per-request headers: the conditional-GET validators, then the feed's own headers."""
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    headers.update(extra or {})
    return headers


def decode_body(body: bytes, *, url: str, max_bytes: int) -> bytes:
    """Undo gzip that a server applied without saying so (no Content-Encoding), within the cap."""
    if not body.startswith(GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        data = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise InvalidBody(url, f"gzip-compressed body does not decompress at {url}: {exc}") from exc
    if len(data) > max_bytes:
        raise BodyTooLarge(url, f"body over {max_bytes} bytes once decompressed at {url}")
    return data


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _status_reason(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _refused(exc: BaseException) -> bool:
    """httpx words it "All connection attempts failed"; the cause chain knows better."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return True
        current = current.__cause__ or current.__context__
    return False


class Fetcher:
    """Fetches feeds with one pooled ``httpx.AsyncClient``; use ``async with`` or ``aclose()``."""

    def __init__(
        self,
        *,
        limits: FetchLimits | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str = USER_AGENT,
        trust_env: bool = True,
    ) -> None:
        self.limits = limits or FetchLimits()
        self._client = httpx.AsyncClient(
            transport=transport,
            # Followed here, hop by hop, each checked against the redirect policy (below).
            follow_redirects=False,
            timeout=httpx.Timeout(self.limits.read_timeout, connect=self.limits.connect_timeout),
            headers={"User-Agent": user_agent, "Accept": ACCEPT},
            trust_env=trust_env,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """GET ``url``; a 304 gives ``not_modified=True``. Raises a ``FetchError`` subclass."""
        shown = redact_url(url)
        limits = self.limits
        try:
            async with asyncio.timeout(limits.total_timeout):
                return await self._follow(url, shown, headers, etag, last_modified)
        except FetchError:
            raise
        except TimeoutError as exc:
            reason = f"timeout after {limits.total_timeout:g} s in total at {shown}"
            raise FetchTimeout(url, reason) from exc
        except httpx.ConnectTimeout as exc:
            reason = f"connect timeout after {limits.connect_timeout:g} s to {shown}"
            raise FetchTimeout(url, reason) from exc
        except httpx.TimeoutException as exc:
            reason = f"read timeout after {limits.read_timeout:g} s at {shown}"
            raise FetchTimeout(url, reason) from exc
        except httpx.TooManyRedirects as exc:
            reason = f"too many redirects (more than {limits.max_redirects}) from {shown}"
            raise TooManyRedirects(url, reason) from exc
        except httpx.ConnectError as exc:
            if _refused(exc):
                raise FetchConnectError(url, f"connection refused at {shown}") from exc
            reason = f"cannot connect to {shown}: {_describe(exc)}"
            raise FetchConnectError(url, reason) from exc
        except httpx.DecodingError as exc:
            reason = f"body does not decode at {shown}: {_describe(exc)}"
            raise InvalidBody(url, reason) from exc
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            reason = f"{type(exc).__name__} at {shown}: {_describe(exc)}"
            raise FetchTransportError(url, reason) from exc

    async def _follow(
        self,
        url: str,
        shown: str,
        headers: Mapping[str, str] | None,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        """GET ``url``, following redirects that the policy allows (``redirect_refusal``);
        the caller's own headers (a feed's ``X-Api-Key``, ``Authorization``) go to its own host
        only, never to the host a redirect leads to."""
        current = url
        hdrs = request_headers(headers, etag=etag, last_modified=last_modified)
        origin_internal: bool | None = None
        for _ in range(self.limits.max_redirects + 1):
            request = self._client.build_request("GET", current, headers=hdrs)
            response = await self._client.send(request, stream=True)
            try:
                location = response.headers.get("location", "")
                if response.status_code in _REDIRECTS and location:
                    target = urljoin(current, location)
                    if origin_internal is None:
                        origin_internal = await _internal(urlsplit(url).hostname or "")
                    target_host = urlsplit(target).hostname or ""
                    why = redirect_refusal(
                        target, origin_internal=origin_internal, target_internal=await
                        _internal(target_host), target_metadata=await _metadata(target_host),
                    )  # fmt: skip
                    if why:
                        raise RedirectRefused(url, f"redirect from {shown} refused: {why}")
                    if urlsplit(target).netloc != urlsplit(current).netloc:
                        hdrs = request_headers(None)  # no feed header, no validator elsewhere
                    current = target
                    continue
                return await self._read(response, shown, etag, last_modified)
            finally:
                await response.aclose()
        reason = f"too many redirects (more than {self.limits.max_redirects}) from {shown}"
        raise TooManyRedirects(url, reason)

    async def _read(
        self,
        response: httpx.Response,
        shown: str,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        url = str(response.request.url)
        final_url = str(response.url)
        status = response.status_code
        content_type = response.headers.get("content-type", "")
        new_etag = response.headers.get("etag") or None
        new_modified = response.headers.get("last-modified") or None
        if status == 304:
            # A 304 may omit the validators; the previous ones are still the right ones.
            return FetchResult(
                status_code=status,
                body=b"",
                content_type=content_type,
                url=final_url,
                etag=new_etag or etag,
                last_modified=new_modified or last_modified,
                not_modified=True,
            )
        if not 200 <= status < 300:
            retry_after = parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC))
            raise FetchHTTPError(url, status, f"{_status_reason(status)} at {shown}", retry_after)

        max_bytes = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            reason = f"body over {max_bytes} bytes at {shown} (Content-Length {declared})"
            raise BodyTooLarge(url, reason)
        body = bytearray()
        # aiter_bytes yields decoded bytes, so a gzip bomb is caught here too.
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise BodyTooLarge(url, f"body over {max_bytes} bytes at {shown} (aborted)")
        return FetchResult(
            status_code=status,
            body=decode_body(bytes(body), url=url, max_bytes=max_bytes),
            content_type=content_type,
            url=final_url,
            etag=new_etag,
            last_modified=new_modified,
        )


# --- the redirect policy ------------------------------------------------------------------------

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Cloud metadata services: never a feed, whoever asks (a feed redirecting there is an attack).
_METADATA = (
    ipaddress.ip_network("169.254.0.0/16"),
    ipaddress.ip_network("fe80::/10"),
    ipaddress.ip_network("fd00:ec2::254/128"),
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: internal too


def redirect_refusal(
    target: str, *, origin_internal: bool, target_internal: bool, target_metadata: bool
) -> str | None:
    """Why a redirect to ``target`` is not followed, or None (pure). A feed on the internet may
    not send the poller into the network it runs in (127.0.0.1, 10.x, 192.168.x, ...) nor, any
    feed, to a link-local or cloud metadata address (169.254.169.254); a feed the operator
    listed at an internal address may redirect within it."""
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ("http", "https"):
        return f"{scheme or 'no'} scheme in {redact_url(target)}"
    if target_metadata:
        return f"{redact_url(target)} is a link-local or metadata address"
    if target_internal and not origin_internal:
        return f"{redact_url(target)} is an internal address"
    return None


async def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The addresses ``host`` stands for (itself if it is one); none if it does not resolve
    (the connection then fails on its own)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return []
    out = []
    for info in infos:
        try:
            out.append(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
        except ValueError:
            continue
    return out


async def _internal(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    return any(
        a.is_private or a.is_loopback or a.is_link_local or a.is_reserved or a.is_unspecified
        or (a.version == 4 and a in _SHARED)
        for a in await _addresses(host)
    )  # fmt: skip


async def _metadata(host: str) -> bool:
    return any(
        a in net for a in await _addresses(host) for net in _METADATA if a.version == net.version
    )
