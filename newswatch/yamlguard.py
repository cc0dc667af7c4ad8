"""Limits on the YAML newswatch reads from analysts and operators: rules, routes, feed lists.

A 650-byte file of nested aliases ("billion laughs") expands to gigabytes when its data is
walked: `rules check` ran for 158 s to 5.6 GB, and a running daemon stopped polling. A
5,000-deep nesting overflowed the parser's stack with a traceback and no file:line. So every
text is checked before it is loaded, and refused with the place of the first excess:

- at most ``MAX_BYTES`` of text (a rule file is a few kB; the feed list of a large desk ~100 kB);
- at most ``MAX_EXPANDED`` values once its aliases (``*name``) are expanded: reusing a list is
  fine, ten levels of lists of ten aliases (10^10 values) is not;
- at most ``MAX_DEPTH`` levels of nesting.

The check reads the event stream (ruamel's parser, which builds no data and keeps no stack of
its own per level) only when the text could exceed a limit: a file with no ``*`` and few
brackets or indentation levels — every ordinary file — costs three ``str`` scans.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_EXPANDED", "YamlLimit", "yaml_limit"]

MAX_BYTES = 2_000_000
MAX_EXPANDED = 100_000  # values once aliases are expanded: a large feed list has ~10,000
MAX_DEPTH = 64

_ALIAS_TOKEN = re.compile(r"(?:^|[\s\[{,:-])\*[^\s,\[\]{}]")
_INDENT = re.compile(r"^( *)\S", re.M)


class YamlLimit(Exception):
    """A text over a limit: ``line`` and ``column`` (1-based) of the first excess."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message


def yaml_limit(text: str) -> YamlLimit | None:
    """The first limit ``text`` exceeds, or None."""
    if len(text) > MAX_BYTES:
        return YamlLimit(1, 1, f"file too large for a YAML configuration ({len(text):,} "
                         f"characters; at most {MAX_BYTES:,})")  # fmt: skip
    if not _suspicious(text):
        return None
    try:
        return _walk(YAML(typ="rt").parse(text))
    except YAMLError:
        return None  # a syntax error: the loader reports it with its own position


def _walk(events: Iterable[Any]) -> YamlLimit | None:
    """Count, without building anything, the nodes the data will have once its aliases are
    expanded (an alias weighs what its anchor's node weighs), and the nesting depth."""
    anchors: dict[str, int] = {}
    open_nodes: list[list[Any]] = []  # [size so far, anchor] per collection being read
    total = 0
    for event in events:
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            if len(open_nodes) >= MAX_DEPTH:
                return _at(event, f"nested more than {MAX_DEPTH} levels deep")
            open_nodes.append([1, event.anchor])
            continue
        if isinstance(event, MappingEndEvent | SequenceEndEvent):
            size, anchor = open_nodes.pop()
            if anchor:
                anchors[anchor] = size
            weight = size
        elif isinstance(event, AliasEvent):
            weight = anchors.get(event.anchor, 1)
        elif isinstance(event, ScalarEvent):
            weight = 1
            if event.anchor:
                anchors[event.anchor] = 1
        else:
            continue
        if open_nodes:
            open_nodes[-1][0] += weight
        else:
            total += weight
        if total + sum(node[0] for node in open_nodes) > MAX_EXPANDED:
            return _at(event, f"its aliases (*name) expand to more than {MAX_EXPANDED:,} values")
    return None


def _suspicious(text: str) -> bool:
    if _ALIAS_TOKEN.search(text):
        return True
    if text.count("[") + text.count("{") > MAX_DEPTH:
        return True
    deepest = max((len(m.group(1)) for m in _INDENT.finditer(text)), default=0)
    return deepest > MAX_DEPTH  # at least one space a level


def _at(event: object, message: str) -> YamlLimit:
    mark = getattr(event, "start_mark", None)
    line = getattr(mark, "line", 0) + 1
    column = getattr(mark, "column", 0) + 1
    return YamlLimit(line, column, message)
