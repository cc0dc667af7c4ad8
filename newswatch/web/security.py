"""What keeps the page safe (pure): where it may listen, who may use it, CSRF tokens, the
Content-Security-Policy, and which rule files the editor may write.

- Loopback by default. Any other address needs authentication: a token from the environment
  (``NEWSWATCH_WEB_TOKEN``: HTTP Basic with any user name, or ``Authorization: Bearer``) or a
  header set by a trusted reverse proxy (``NEWSWATCH_WEB_PROXY_HEADER``, e.g.
  ``X-Forwarded-User``). Without either the server refuses to start.
- CSRF: every POST carries a token that is an HMAC of the browser's session cookie with a
  per-process secret (double submit, signed), in a form field or the ``X-CSRF-Token`` header.
- CSP: scripts and styles from the page's own origin only, no inline script, no eval, no
  frames; images from the page itself (``data:`` for none).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from newswatch.errors import ConfigError, InputError

__all__ = [
    "CSP",
    "RULE_SUFFIXES",
    "Bind",
    "CsrfGuard",
    "RulePathError",
    "WebAuth",
    "WebConfigError",
    "check_bind",
    "parse_bind",
    "rule_file",
]

DEFAULT_BIND = "127.0.0.1:8080"
TOKEN_ENV = "NEWSWATCH_WEB_TOKEN"
PROXY_HEADER_ENV = "NEWSWATCH_WEB_PROXY_HEADER"
RULE_SUFFIXES = (".yaml", ".yml")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


class WebConfigError(ConfigError):
    """The web server cannot start as configured (address, authentication)."""


class RulePathError(InputError):
    """A rule file name the editor will not touch (outside the rules directory, a link, ...)."""


@dataclass(frozen=True, slots=True)
class Bind:
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False  # a host name: it may resolve to anything


_BIND = re.compile(r"^(?:\[(?P<v6>[0-9a-fA-F:.]+)\]|(?P<host>[^:\[\]]*))(?::(?P<port>\d+))?$")


def parse_bind(text: str) -> Bind:
    """``HOST:PORT``, ``HOST`` (port 8080), ``:PORT`` (127.0.0.1) or ``[::1]:PORT``."""
    found = _BIND.fullmatch(text.strip())
    if found is None:
        raise WebConfigError(f"--web {text!r}: give HOST:PORT, e.g. 127.0.0.1:8080")
    host = found.group("v6") or found.group("host") or "127.0.0.1"
    port = int(found.group("port") or 8080)
    if not 0 <= port <= 65535:
        raise WebConfigError(f"--web {text!r}: port {port} is out of range")
    return Bind(host, port)


@dataclass(frozen=True, slots=True)
class WebAuth:
    token: str | None = None
    proxy_header: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> WebAuth:
        token = environ.get(TOKEN_ENV, "").strip() or None
        header = environ.get(PROXY_HEADER_ENV, "").strip() or None
        return cls(token=token, proxy_header=header)

    @property
    def required(self) -> bool:
        return self.token is not None or self.proxy_header is not None

    def allows(self, headers: Mapping[str, str]) -> bool:
        """Whether a request with ``headers`` (lower-case names) is authenticated."""
        if not self.required:
            return True
        if self.proxy_header and headers.get(self.proxy_header.lower(), "").strip():
            return True
        if self.token is None:
            return False
        given = _presented_token(headers.get("authorization", ""))
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())


def _presented_token(value: str) -> str | None:
    scheme, _, credentials = value.strip().partition(" ")
    if scheme.lower() == "bearer":
        return credentials.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2]
    return None


def check_bind(bind: Bind, auth: WebAuth) -> None:
    """Refuse an address off loopback unless the page is protected."""
    if bind.loopback or auth.required:
        return
    raise WebConfigError(
        f"refusing to serve the web page on {bind} without authentication: anyone who can "
        f"reach it could edit rules and silence alerts. Set {TOKEN_ENV} (a password, sent as "
        f"HTTP Basic or Bearer) or {PROXY_HEADER_ENV} (the header your reverse proxy sets "
        "after logging users in), or listen on 127.0.0.1"
    )


class CsrfGuard:
    """Tokens bound to a browser session: ``token(session)`` is what a form carries."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or os.urandom(32)

    @staticmethod
    def new_session() -> str:
        return base64.urlsafe_b64encode(os.urandom(18)).decode("ascii")

    def token(self, session: str) -> str:
        digest = hmac.new(self._secret, session.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def valid(self, session: str | None, token: str | None) -> bool:
        if not session or not token:
            return False
        return hmac.compare_digest(self.token(session).encode(), token.strip().encode())


def rule_file(rules_dir: Path, name: str) -> Path:
    """The file ``name`` (relative, ``/``-separated) inside ``rules_dir``, refusing anything
    that would leave it: absolute paths, ``..``, hidden parts, links anywhere on the way, and
    names that are not YAML rule files."""
    relative = PurePosixPath(name.strip())
    if (
        not relative.parts
        or relative.is_absolute()
        or "\\" in name
        or "\x00" in name
        or any(part in {"", ".", ".."} or part.startswith(".") for part in relative.parts)
    ):
        raise RulePathError(f"{name!r}: not a rule file name inside the rules directory")
    if relative.suffix.lower() not in RULE_SUFFIXES:
        raise RulePathError(f"{name!r}: rule files end in .yaml or .yml")
    root = rules_dir.resolve()
    path = root.joinpath(*relative.parts)
    walk = root
    for part in relative.parts:
        walk = walk / part
        if walk.is_symlink():
            raise RulePathError(f"{name!r}: a symbolic link; the editor writes only real files")
    if not path.resolve().is_relative_to(root):
        raise RulePathError(f"{name!r}: outside the rules directory")
    return path
