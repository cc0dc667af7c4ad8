"""Where alerts go: the Apprise targets of an Apprise YAML config file, with ``${ENV}`` secrets.

The file is Apprise's own YAML format (``urls:`` entries with ``tag:``), so anything Apprise
documents works here. Before Apprise sees it, ``${NAME}`` and ``${NAME:-default}`` are replaced
from the environment, so tokens and passwords live in env vars, not in the file; ``$$`` writes a
literal ``$``. Every value taken from the environment is treated as a secret (except plainly
public ones: short numbers such as ports, IP addresses, localhost, yes/no): it is registered
with ``newswatch.redaction`` and masked ("***") in target names, error messages and every log
record (Apprise and urllib3 print header and query values at DEBUG level).

Example ``apprise.yaml``::

    version: 1
    urls:
      - json://127.0.0.1:8080/hooks/newswatch:
          tag: desk, default
      - mailto://alerts:${SMTP_PASSWORD}@smtp.example.org?to=desk@example.org:
          tag: email
      - tgram://${TELEGRAM_TOKEN}/${TELEGRAM_CHAT:--1001234}:
          tag: always

A target receives an alert when one of its tags is one of the alert's tags; a target tagged
``always`` receives every alert, and an untagged target receives the alerts of rules without
``notify`` tags (the ``default`` tag).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from apprise import AppriseAsset, ConfigBase, NotifyBase

from newswatch.alerts.message import Alert
from newswatch.constants import DEFAULT_TAG
from newswatch.errors import ConfigError
from newswatch.redaction import MASK, is_secret, redact, register_secrets, secret_forms

__all__ = [
    "ALWAYS_TAG",
    "Target",
    "Targets",
    "TargetsError",
    "expand_env",
    "plugin_url",
]

log = logging.getLogger(__name__)

ALWAYS_TAG = "always"  # Apprise's own "notify always" tag; kept with the same meaning here
_REF = re.compile(r"\$\$|\$\{([^}]*)\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_STR_TAG = "tag:yaml.org,2002:str"


class TargetsError(ConfigError):
    """The Apprise config cannot be used. Messages never contain environment values."""


# --- ${NAME} substitution ------------------------------------------------------------------------


def expand_env(text: str, environ: Mapping[str, str], *, where: str) -> tuple[str, list[str]]:
    """Replace ``${NAME}`` / ``${NAME:-default}`` in ``text``; returns (text, values used).

    ``${NAME:-default}`` uses the default when NAME is unset or empty; ``$$`` is a literal ``$``.
    A missing variable raises ``TargetsError`` naming it and ``where`` (never a value).
    """
    expanded, used, missing = _expand(text, environ, where)
    if missing:
        raise TargetsError(f"{where}: environment variable {missing[0]} is not set")
    return expanded, [value for _, value in used]


def _expand(
    text: str, environ: Mapping[str, str], where: str, *, in_url: bool = False
) -> tuple[str, list[tuple[str, str]], list[str]]:
    used: list[tuple[str, str]] = []  # (name, value)
    missing: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, has_default, default = match.group(1).partition(":-")
        if not _NAME.match(name):
            raise TargetsError(
                f"{where}: malformed ${{...}} reference; write ${{NAME}} or ${{NAME:-default}} "
                "(NAME: letters, digits and _), or $$ for a literal $"
            )
        value = environ.get(name)
        if value is None or (has_default and value == ""):
            if has_default:
                return default
            missing.append(name)
            return ""
        used.append((name, value))
        # Apprise unquotes URL parts, so an encoded value arrives intact even when it holds
        # ":", "/", "@" or "?" (which would otherwise split the URL somewhere else).
        return quote(value, safe="") if in_url else value

    return _REF.sub(substitute, text), used, missing


# --- targets -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """One Apprise URL. ``id`` is stable and secret-free: the scheme and a hash of the URL."""

    id: str
    display: str  # Apprise's privacy form of the URL (no query), secrets masked
    tags: frozenset[str]
    plugin: NotifyBase = field(compare=False, repr=False)


class Targets:
    """The configured targets; empty means alerts go to the console only."""

    def __init__(
        self, targets: Iterable[Target] = (), *, source: str = "", default_tag: str = DEFAULT_TAG
    ) -> None:
        merged: dict[str, Target] = {}
        for target in targets:
            known = merged.get(target.id)
            if known is None:
                merged[target.id] = target
            else:
                # The same URL listed twice is one endpoint: one delivery, the union of the tags.
                merged[target.id] = Target(
                    known.id, known.display, known.tags | target.tags, known.plugin
                )
        self._targets = tuple(merged.values())
        self._by_id = merged
        self.source = source
        self.default_tag = default_tag.strip().lower()

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None,
        *,
        environ: Mapping[str, str] | None = None,
        default_tag: str = DEFAULT_TAG,
    ) -> Targets:
        """Read an Apprise YAML config; ``None`` or a missing file means no targets."""
        if path is None:
            return cls(default_tag=default_tag)
        file = Path(path)
        if not file.exists():
            log.warning("no Apprise config at %s: alerts go to the console only", file)
            return cls(source=str(file), default_tag=default_tag)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TargetsError(f"{file}: cannot read: {exc.__class__.__name__}") from None
        return cls.from_text(text, source=str(file), environ=environ, default_tag=default_tag)

    @classmethod
    def from_text(
        cls,
        text: str,
        *,
        source: str = "<config>",
        environ: Mapping[str, str] | None = None,
        default_tag: str = DEFAULT_TAG,
    ) -> Targets:
        """Build from Apprise YAML text; ``${NAME}`` comes from ``environ`` (default os.environ)."""
        env = os.environ if environ is None else environ
        document, entry_lines, env_values = _expand_document(text, env, source)
        if document is None:
            return cls(source=source, default_tag=default_tag)
        if not isinstance(document, dict):
            raise TargetsError(f"{source}: not an Apprise YAML config (a mapping with urls:)")
        if document.get("version", 1) != 1:
            raise TargetsError(f"{source}: unsupported Apprise config version (expected 1)")
        if "include" in document:
            # Included files would escape the ${ENV} expansion and the masking of secrets.
            raise TargetsError(f"{source}: 'include:' is not supported; list the urls here")
        urls = document.get("urls")
        if urls is None:
            return cls(source=source, default_tag=default_tag)
        if not isinstance(urls, list):
            raise TargetsError(f"{source}: 'urls:' must be a list")

        # Apprise reads a config's entries one by one and only logs the ones it rejects; loading
        # each entry alone turns a typo into an error instead of a target that silently never
        # receives anything.
        asset = AppriseAsset(allow_templates=False, secure_logging=True)
        rest = {key: value for key, value in document.items() if key != "urls"}
        targets: list[Target] = []
        for index, entry in enumerate(urls):
            line = entry_lines[index] if index < len(entry_lines) else 0
            where = f"{source}: urls entry {index + 1} (line {line})"
            chunk = yaml.safe_dump({**rest, "urls": [entry]}, allow_unicode=True, sort_keys=False)
            services, _ = ConfigBase.config_parse_yaml(chunk, asset=asset)
            plugins = [s for s in services if isinstance(s, NotifyBase)]
            if not plugins:
                raise TargetsError(
                    f"{where}: Apprise could not load this URL (scheme {_scheme_of(entry)!r}); "
                    "its log above says why"
                )
            targets.extend(_target(plugin, env_values) for plugin in plugins)
        return cls(targets, source=source, default_tag=default_tag)

    def __iter__(self) -> Iterator[Target]:
        return iter(self._targets)

    def __len__(self) -> int:
        return len(self._targets)

    def __bool__(self) -> bool:
        return bool(self._targets)

    def get(self, target_id: str) -> Target | None:
        return self._by_id.get(target_id)

    def select(self, tags: Iterable[str]) -> tuple[Target, ...]:
        """The targets an alert with ``tags`` goes to, in config order."""
        wanted = {t.strip().lower() for t in tags}
        return tuple(t for t in self._targets if self._matches(t, wanted))

    def tags(self) -> set[str]:
        """Every tag some target has (the receivers a routes file may name), the default
        tag included: an untagged target takes it."""
        return {tag for t in self._targets for tag in t.tags} | {self.default_tag}

    def route(self, tags: tuple[str, ...]) -> tuple[str, ...]:
        """The ids of the targets ``tags`` choose (``alerts.story.Route``)."""
        return tuple(t.id for t in self.select(tags))

    def for_alert(self, alert: Alert) -> tuple[Target, ...]:
        """Where ``alert`` goes: its ``targets`` when it names them (a story alert, built per
        target; an id no longer configured is left out), else what its tags choose."""
        if alert.targets:
            return tuple(t for t in (self._by_id.get(i) for i in alert.targets) if t is not None)
        return self.select(alert.tags)

    def for_tags(self, tags: Iterable[str]) -> tuple[tuple[str, NotifyBase], ...]:
        """``(target_id, plugin)`` for each target an alert with ``tags`` goes to."""
        return tuple((t.id, t.plugin) for t in self.select(tags))

    def _matches(self, target: Target, wanted: set[str]) -> bool:
        if ALWAYS_TAG in target.tags or target.tags & wanted:
            return True
        return not target.tags and self.default_tag in wanted

    def redact(self, text: str) -> str:
        return redact(text)


def _expand_document(
    text: str, env: Mapping[str, str], source: str
) -> tuple[Any, list[int], dict[str, str]]:
    """Parse ``text``, expand ``${NAME}`` in every string (keys too: Apprise URLs are keys)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        # The problem description only; the snippet PyYAML adds could quote a secret.
        mark = exc.problem_mark
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise TargetsError(f"{source}: not valid YAML{at}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise TargetsError(f"{source}: not valid YAML ({exc.__class__.__name__})") from None
    if root is None:
        return None, [], {}

    used: list[tuple[str, str]] = []
    missing: dict[str, int] = {}
    seen: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # anchors/aliases share nodes
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR_TAG and "$" in node.value:
                line = node.start_mark.line + 1
                # A reference inside a URL is a URL part and gets percent-encoded; a scalar that
                # is only references (``- ${SLACK_URL}``) may hold a whole URL and is kept as is.
                in_url = "://" in _REF.sub("", node.value)
                node.value, values, absent = _expand(
                    node.value, env, f"{source}: line {line}", in_url=in_url
                )
                used.extend(values)
                for name in absent:
                    missing[name] = min(line, missing.get(name, line))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    if missing:
        listed = ", ".join(f"{name} (line {line})" for name, line in sorted(missing.items()))
        raise TargetsError(f"{source}: environment variable(s) not set: {listed}")
    register_secrets(value for _, value in used)

    entry_lines = _entry_lines(root)
    expanded = yaml.serialize(root, Dumper=yaml.SafeDumper, allow_unicode=True)
    return yaml.safe_load(expanded), entry_lines, {value: name for name, value in used}


def _entry_lines(root: yaml.Node) -> list[int]:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "urls" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []


def _scheme_of(entry: object) -> str:
    text = next(iter(entry), "") if isinstance(entry, dict) else entry
    if not isinstance(text, str) or "://" not in text:
        return "?"
    match = _SCHEME.fullmatch(text.split("://", 1)[0])
    return match.group(0) if match else "?"


def _target(plugin: NotifyBase, env_values: Mapping[str, str]) -> Target:
    full = plugin_url(plugin, privacy=False)
    scheme = full.split("://", 1)[0]
    # The id hashes the URL with each secret env value put back as ${NAME}: no offline guessing
    # of a password from the id, and rotating a token keeps the id (and its held deliveries).
    basis = full
    for value in sorted(env_values, key=len, reverse=True):
        if is_secret(value):
            for form in secret_forms(value):
                basis = basis.replace(form, f"${{{env_values[value]}}}")
    digest = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]
    # Apprise masks passwords and tokens in its privacy form but not header or query values,
    # so the query is dropped and env secrets are masked on top.
    display = redact(plugin_url(plugin, privacy=True).split("?", 1)[0])
    if "://" not in display:  # the whole URL came from one variable: all of it is secret
        display = f"{scheme}://{MASK}"
    tags = frozenset(str(tag).lower() for tag in plugin.tags)
    return Target(id=f"{scheme}-{digest}", display=display, tags=tags, plugin=plugin)


def plugin_url(plugin: NotifyBase, *, privacy: bool) -> str:
    # NotifyBase.url() carries no annotations; this is its typed doorway.
    url: Callable[..., object] = plugin.url
    return str(url(privacy=privacy))
