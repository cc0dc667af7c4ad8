"""The feed list: a YAML file with a top-level ``feeds:`` list, validated into frozen specs.

Example::

    feeds:
      - id: bbc-arabic
        url: https://feeds.bbci.co.uk/arabic/rss.xml
        interval: 300          # seconds, at least 10
        language: ar           # wins over the feed's own declaration (else it is detected)
        headers:               # optional; ${NAME} is read from the environment at load
          Authorization: "Bearer ${BBC_TOKEN}"
        tags: [Middle East]    # optional; a feed reader's folders (OPML categories)
        fulltext: auto         # fetch each new entry's page for its text: true, false, or
        fulltext_min_chars: 400  # auto: when the feed gives fewer characters than this
        enabled: true

Every error names ``file:line:col`` and the field, so a typo in a list of fifty feeds is found
at once. Header values may hold secrets: they are substituted after validation, never put in
an error message, and left out of ``FeedSpec``'s repr.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from newswatch.errors import ConfigError
from newswatch.redaction import register_secrets
from newswatch.yamlguard import yaml_limit

__all__ = [
    "DEFAULT_INTERVAL",
    "MIN_INTERVAL",
    "FeedConfigError",
    "FeedSpec",
    "load_feeds",
    "parse_feeds",
]

DEFAULT_INTERVAL = 300.0
MIN_INTERVAL = 10.0
DEFAULT_FULLTEXT_MIN_CHARS = 400  # ``fulltext: auto``: entries with less text are fetched

_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LANG_RE = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*")


class FeedConfigError(ConfigError):
    """The feed list is not valid; ``str()`` is ``file:line:col: field: message``."""

    def __init__(self, source: str, line: int, col: int, field: str, message: str) -> None:
        self.source = source
        self.line = line
        self.col = col
        self.field = field
        self.message = message
        where = f"{source}:{line}:{col}"
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed to poll. ``headers`` holds (name, value) pairs so the spec stays hashable."""

    id: str
    url: str
    interval: float = DEFAULT_INTERVAL
    language: str = ""
    # repr=False: values may be tokens substituted from the environment.
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    enabled: bool = True
    tags: tuple[str, ...] = ()  # the desk's folders ("Middle East/Syria"), kept from OPML
    fulltext: str = "off"  # off | on | auto: fetch new entries' pages for their article text
    fulltext_min_chars: int = DEFAULT_FULLTEXT_MIN_CHARS

    @property
    def header_dict(self) -> dict[str, str]:
        return dict(self.headers)


class _FeedModel(BaseModel):
    """Validation only; positions and messages are mapped back to the YAML by the loader."""

    model_config = ConfigDict(extra="forbid")

    id: str
    url: str
    interval: float = DEFAULT_INTERVAL
    language: str | None = None
    headers: dict[str, str] = {}
    enabled: bool = True
    tags: list[str] = []
    fulltext: bool | str = False
    fulltext_min_chars: int = Field(default=DEFAULT_FULLTEXT_MIN_CHARS, ge=0)

    @field_validator("fulltext", mode="before")
    @classmethod
    def _check_fulltext(cls, value: object) -> bool | str:
        if isinstance(value, bool) or value == "auto":
            return value
        raise ValueError("must be true, false or auto")

    @field_validator("tags")
    @classmethod
    def _check_tags(cls, value: list[str]) -> list[str]:
        if any(not tag.strip() or "," in tag for tag in value):
            raise ValueError("each tag must be a non-empty text without commas")
        return [tag.strip() for tag in value]

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID_RE.fullmatch(value):
            raise ValueError(
                "must be lowercase letters, digits, '-', '_' or '.', "
                "starting with a letter or digit"
            )
        return value

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an absolute http:// or https:// URL")
        return value.strip()

    @field_validator("interval")
    @classmethod
    def _check_interval(cls, value: float, info: ValidationInfo) -> float:
        context = info.context if isinstance(info.context, dict) else {}
        minimum = float(context.get("min_interval", MIN_INTERVAL))
        if not value >= minimum:  # also rejects NaN
            raise ValueError(f"must be at least {minimum:g} seconds")
        return value

    @field_validator("language")
    @classmethod
    def _check_language(cls, value: str | None) -> str | None:
        if value is not None and value and not _LANG_RE.fullmatch(value):
            raise ValueError("must be a language tag such as 'ar', 'ru' or 'fr-FR'")
        return value


def _fulltext_mode(value: bool | str) -> str:
    if value == "auto":
        return "auto"
    return "on" if value is True else "off"


def _position(node: Any, key: str | int, *, of_key: bool = False) -> tuple[int, int] | None:
    """0-based (line, col) of ``node[key]`` as ruamel recorded it, if it did."""
    try:
        if isinstance(node, CommentedMap) and key in node:
            line, col = node.lc.key(key) if of_key else node.lc.value(key)
            return int(line), int(col)
        if isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line, col = node.lc.item(key)
            return int(line), int(col)
    except (KeyError, TypeError, AttributeError):
        pass
    return None


def _node_start(node: Any) -> tuple[int, int] | None:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return None
    return int(lc.line), int(lc.col)


def _locate(item: Any, loc: tuple[int | str, ...], *, of_key: bool) -> tuple[int, int] | None:
    """Walk a pydantic error ``loc`` through the YAML nodes; the deepest known position wins."""
    node: Any = item
    found = _node_start(item)
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        pos = _position(node, part, of_key=of_key and last)
        if pos is None:
            break  # missing field: the enclosing mapping's position is the best we have
        found = pos
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return found


def _substitute_env(value: str, environ: Mapping[str, str]) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise KeyError(name)
        register_secrets([environ[name]])  # a header value from the environment is never logged
        return environ[name]

    return _ENV_RE.sub(repl, value)


def _error(source: str, pos: tuple[int, int] | None, field: str, message: str) -> FeedConfigError:
    line, col = pos if pos is not None else (0, 0)
    return FeedConfigError(source, line + 1, col + 1, field, message)


def parse_feeds(
    text: str,
    *,
    source: str = "<string>",
    min_interval: float = MIN_INTERVAL,
    environ: Mapping[str, str] | None = None,
) -> list[FeedSpec]:
    """Validate a feed list given as YAML text; ``source`` names it in error messages."""
    env = os.environ if environ is None else environ
    over = yaml_limit(text)  # before anything walks the data: an alias bomb, 5,000 levels
    if over is not None:
        raise FeedConfigError(source, over.line, over.column, "", over.message)
    yaml = YAML(typ="rt")
    try:
        doc = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = (mark.line, mark.column) if mark is not None else None
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise _error(source, pos, "", f"YAML syntax: {problem or exc}") from None

    if not isinstance(doc, CommentedMap):
        raise _error(source, _node_start(doc), "", "expected a mapping with a 'feeds:' list")
    for key in doc:
        if key != "feeds":
            raise _error(
                source, _position(doc, key, of_key=True), str(key), "unknown top-level key"
            )
    items = doc.get("feeds")
    if not isinstance(items, CommentedSeq):
        pos = _position(doc, "feeds") if "feeds" in doc else None
        raise _error(source, pos, "feeds", "expected a list of feeds")

    specs: list[FeedSpec] = []
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        prefix = f"feeds[{index}]"
        if not isinstance(item, CommentedMap):
            raise _error(source, _position(items, index), prefix, "expected a mapping")
        try:
            model = _FeedModel.model_validate(dict(item), context={"min_interval": min_interval})
        except ValidationError as exc:
            err = exc.errors(include_url=False, include_input=False)[0]
            loc = tuple(err["loc"])
            pos = _locate(item, loc, of_key=err["type"] == "extra_forbidden")
            if pos is None or pos == _node_start(item):
                pos = _position(items, index)
            name = ".".join(str(part) for part in loc)
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "unknown field"
            elif err["type"] == "missing":
                message = "required field is missing"
            raise _error(source, pos, f"{prefix}.{name}", message) from None

        if model.id in first_seen:
            raise _error(
                source,
                _position(item, "id"),
                f"{prefix}.id",
                f"duplicate feed id {model.id!r} (first at line {first_seen[model.id]})",
            )
        id_pos = _position(item, "id")
        first_seen[model.id] = id_pos[0] + 1 if id_pos else 0

        headers: list[tuple[str, str]] = []
        for name, value in model.headers.items():
            try:
                headers.append((name, _substitute_env(value, env)))
            except KeyError as missing:
                raise _error(
                    source,
                    _locate(item, ("headers", name), of_key=False),
                    f"{prefix}.headers.{name}",
                    f"environment variable {missing.args[0]} is not set",
                ) from None

        specs.append(
            FeedSpec(
                id=model.id,
                url=model.url,
                interval=model.interval,
                language=(model.language or "").strip(),
                headers=tuple(headers),
                enabled=model.enabled,
                tags=tuple(dict.fromkeys(model.tags)),
                fulltext=_fulltext_mode(model.fulltext),
                fulltext_min_chars=model.fulltext_min_chars,
            )
        )
    return specs


def load_feeds(
    path: str | os.PathLike[str],
    *,
    min_interval: float = MIN_INTERVAL,
    environ: Mapping[str, str] | None = None,
) -> list[FeedSpec]:
    """Read and validate the feed list at ``path``; raises ``FeedConfigError``."""
    source = os.fspath(path)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise FeedConfigError(source, 1, 1, "", f"cannot read: {reason}") from None
    return parse_feeds(text, source=source, min_interval=min_interval, environ=environ)
