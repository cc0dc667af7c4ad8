"""An alert in the markup a target renders: plain text, Markdown or HTML (pure, no I/O).

    title, body = render(alert, "markdown")   # or NotifyFormat.MARKDOWN; "text", "html"

* ``text``: the alert's title and body exactly as built.
* ``markdown`` (CommonMark): the marked names in ``**bold**``; every other character that
  Markdown would read as markup is backslash-escaped (``\\ * _ ` [ ] < ~ |``, an ``&`` that
  starts an entity, and at the start of a line ``# > - + =`` and the dot or parenthesis of
  ``1.``/``1)``); web addresses become ``<autolinks>``, whose characters Markdown takes
  literally, so a link with ``_`` or ``*`` in it stays whole.
* ``html``: ``html.escape``'d text, the marked names in ``<b>…</b>``, line breaks as ``<br/>``;
  each block of the body (the summary, a passage, the details) is a ``<div dir="auto">``, so
  a right-to-left summary is laid out right to left and the Latin details next to it are not.

The characters themselves are never changed or reordered and no bidi marks are added: Arabic
or Cyrillic text arrives as the feed wrote it, with markup only around and between it. A mark
is widened to whole graphemes (a letter keeps its combining marks inside the bold).

The title is escaped for the format but carries no marks. It is for targets that put the title
into the body (Telegram); a target that keeps it apart (an e-mail subject) wants
``alert.title`` as it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from enum import Enum

from newswatch.alerts.message import Alert, whole_graphemes

__all__ = ["FORMATS", "render"]

FORMATS = ("text", "markdown", "html")

# Characters that are markup anywhere in a line (CommonMark, and the dialects of the chat
# services that take Markdown: ~ strikes through, || hides a spoiler). Backslash-escaping
# any ASCII punctuation is valid CommonMark and shows the character itself.
_MD_INLINE = frozenset("\\*_`[]<~|")
# Markup only at the start of a line (after at most three spaces): heading, quote, list item,
# setext underline.
_MD_LINE_START = frozenset("#>-+=")
_MD_ORDERED = re.compile(r"( {0,3}\d{1,9})([.)])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]{1,32};)")
# A web address as a reader would select it: trailing punctuation stays outside.
_URL = re.compile(r"https?://[^\s<>]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\"»”’"


def render(alert: Alert, fmt: str) -> tuple[str, str]:
    """``(title, body)`` of ``alert`` in ``fmt``: "text", "markdown" or "html" (Apprise's
    ``NotifyFormat`` values are accepted as they are)."""
    kind = (fmt.value if isinstance(fmt, Enum) else str(fmt)).lower()
    if kind == "text":
        return alert.title, alert.body
    if kind == "markdown":
        title = "".join(_markdown_line([(alert.title, False)]))
        body = "\n".join("".join(_markdown_line(line)) for line in _lines(alert))
        return title, body
    if kind == "html":
        return _html(alert.title), _html_body(alert)
    raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")


def _lines(alert: Alert) -> Iterator[list[tuple[str, bool]]]:
    """The body line by line, each line as (text, marked) pieces."""
    body = alert.body
    marked = [False] * len(body)
    for start, end in alert.marks:
        start, end = whole_graphemes(body, start, end)
        # Blanks at the edges stay outside the markup ("** x**" would not be bold).
        while start < end and body[start].isspace():
            start += 1
        while end > start and body[end - 1].isspace():
            end -= 1
        for i in range(start, end):
            marked[i] = True
    at = 0
    for text in body.split("\n"):
        pieces: list[tuple[str, bool]] = []
        i = 0
        while i < len(text):
            j = i
            while j < len(text) and marked[at + j] == marked[at + i]:
                j += 1
            pieces.append((text[i:j], marked[at + i]))
            i = j
        yield pieces
        at += len(text) + 1


# --- Markdown -----------------------------------------------------------------------------------


def _markdown_line(pieces: list[tuple[str, bool]]) -> Iterator[str]:
    for index, (text, marked) in enumerate(pieces):
        if marked:
            yield f"**{_md_escape(text)}**"
            continue
        out = _md_text(text)
        if index == 0:
            out = _md_line_start(out)
        yield out


def _md_text(text: str) -> str:
    # Addresses become autolinks (taken literally); the text between them is escaped.
    parts: list[str] = []
    at = 0
    for match in _URL.finditer(text):
        url = _trim_url(match.group())
        if not url:
            continue
        parts.append(_md_escape(text[at : match.start()]))
        parts.append(f"<{url}>")
        at = match.start() + len(url)
    parts.append(_md_escape(text[at:]))
    return "".join(parts)


def _trim_url(url: str) -> str:
    while url and (
        url[-1] in _URL_TRAILING or (url[-1] == ")" and url.count(")") > url.count("("))
    ):
        url = url[:-1]
    return url if "://" in url and not url.endswith("://") else ""


def _md_escape(text: str) -> str:
    escaped = "".join(f"\\{c}" if c in _MD_INLINE else c for c in text)
    return _MD_ENTITY.sub(r"\\&", escaped)


def _md_line_start(line: str) -> str:
    # Only the first piece of a line can start a block; a line starting with a mark starts
    # with "**", which is not a list marker.
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    if indent <= 3 and stripped and stripped[0] in _MD_LINE_START:
        return f"{line[:indent]}\\{stripped}"
    ordered = _MD_ORDERED.match(line)
    if ordered:
        return f"{ordered.group(1)}\\{ordered.group(2)}{line[ordered.end() :]}"
    return line


# --- HTML ---------------------------------------------------------------------------------------


def _html(text: str) -> str:
    # Text content only (no attribute values), so quotes stay as they are.
    return html.escape(text, quote=False)


def _html_body(alert: Alert) -> str:
    blocks: list[list[str]] = [[]]
    for pieces in _lines(alert):
        if not pieces:  # a blank line ends a block
            if blocks[-1]:
                blocks.append([])
            continue
        blocks[-1].append(
            "".join(f"<b>{_html(text)}</b>" if marked else _html(text) for text, marked in pieces)
        )
    return "<br/>".join(f'<div dir="auto">{"<br/>".join(lines)}</div>' for lines in blocks if lines)
