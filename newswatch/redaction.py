"""Secrets never reach a log: one process-wide set of values to mask, applied to every log
record of every logger.

Values are registered where they enter the process — the Apprise config's and the feed list's
``${NAME}`` substitutions — and from then on masked (``***``) wherever they would appear: log
messages, formatted tracebacks, and the error texts newswatch stores or prints (``redact``).
The masking is done when a record is *created* (``logging.setLogRecordFactory``), so it covers
every logger — newswatch's own, Apprise's, urllib3's, httpx's, Kafka's, Faust's — and every
handler, Apprise's result capture included, without a list of logger names to keep up to date.

Plainly public values (short numbers such as ports, IP addresses, localhost, yes/no) are not
masked: they would garble every log line and protect nothing.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "MASK",
    "MIN_SECRET_LEN",
    "is_secret",
    "redact",
    "register_secrets",
    "secret_forms",
]

MASK = "***"
MIN_SECRET_LEN = 4


class _Secrets:
    """The values to mask, and one compiled pattern of all their forms (longest first)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, values: Iterable[str]) -> bool:
        """Register ``values``; True if any form was new."""
        forms: set[str] = set()
        for value in values:
            if is_secret(value):
                forms.update(secret_forms(value))
        with self._lock:
            if forms <= self._values:
                return False
            self._values |= forms
            ordered = sorted(self._values, key=len, reverse=True)  # longest first: no partial hits
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered))
            return True

    @property
    def active(self) -> bool:
        return self._pattern is not None

    def redact(self, text: str) -> str:
        pattern = self._pattern
        return pattern.sub(MASK, text) if pattern is not None and text else text


def secret_forms(value: str) -> set[str]:
    """The forms of ``value`` that are masked: raw and percent-encoded."""
    # URLs and logs carry values percent-encoded as well as raw.
    return {value, quote(value, safe=""), quote(value), quote_plus(value)}


def is_secret(value: str) -> bool:
    """Whether ``value``, taken from the environment, is masked."""
    return len(value) >= MIN_SECRET_LEN and not _plainly_public(value)


def _plainly_public(value: str) -> bool:
    if value.isdigit() and len(value) < 8:
        return True
    if value.lower() in ("localhost", "true", "false", "yes", "no", "on", "off"):
        return True
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True


_SECRETS = _Secrets()
_installed = threading.Lock()
_factory: Callable[..., logging.LogRecord] | None = None


def _mask(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is the logging call's problem, not ours
        return
    masked = _SECRETS.redact(message)
    if masked != message:
        # () and not None: a formatter that applies the args again (Faust's) turns None into
        # (None,), and the masked line would be lost in a logging error.
        record.msg, record.args = masked, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = _SECRETS.redact(record.exc_text)
    if record.stack_info:
        record.stack_info = _SECRETS.redact(record.stack_info)


def _install() -> None:
    """Wrap the current record factory once, whatever was installed before us."""
    global _factory
    with _installed:
        if _factory is not None:
            return
        previous = logging.getLogRecordFactory()

        def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if _SECRETS.active:
                _mask(record)
            return record

        _factory = masking_factory
        logging.setLogRecordFactory(masking_factory)


def register_secrets(values: Iterable[str]) -> None:
    """Mask ``values`` from now on, in every log record of this process and in ``redact``."""
    if _SECRETS.add(values):
        _install()


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    return _SECRETS.redact(text)
