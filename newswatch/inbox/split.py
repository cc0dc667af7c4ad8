"""Splitting a long message (a digest) into parts each service accepts, losing nothing (pure).

Why not Apprise's own overflow handling (apprise 2.3.0, ``plugins/base.py``): its default mode
is ``overflow=upstream``, which sends the body untouched, so Telegram (4,096) or Discord
(2,000) refuse a long digest and the whole message is lost; ``overflow=truncate`` cuts it at
the limit silently; ``overflow=split`` (``utils.format.smart_split``) prefers newlines and
spaces but falls back to a hard cut at the character count, which can separate an Arabic
letter from its harakat or break a ZWJ/ZWNJ sequence, strips whitespace at each cut, and puts
its ``[k/n]`` counter in the title, which Telegram does not have. Splitting here, before
Apprise sees the text, keeps every character, never cuts a grapheme, and numbers the parts in
the body where every service shows them.

The limit counts Python ``str`` characters (code points), as Apprise's ``body_maxlen`` does.
For services without a title (Telegram, ``title_maxlen = 0``) Apprise prepends the title to the
body, and Discord counts title and body together (``overflow_amalgamate_title``): split the
whole text and send the parts with an empty title, or subtract the title from the limit.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "COUNTER",
    "SERVICE_LIMITS",
    "body_limit",
    "split_message",
    "split_spans",
]

# The last line of each part when there are two or more: "\n(2/5)". Digits and brackets are
# direction-neutral, so the counter reads the same under right-to-left text.
COUNTER = "\n({k}/{n})"

# Apprise 2.3.0's ``body_maxlen`` per schema, for documentation and tests; ``body_limit``
# reads the live value from the plugin. None: no hard limit of the service's own (Apprise's
# generic 32,768 default, or a limit it computes per message, like Matrix's).
SERVICE_LIMITS: Mapping[str, int | None] = MappingProxyType(
    {
        "tgram": 4096,  # plugins/telegram.py
        "discord": 2000,  # plugins/discord.py (title included)
        "slack": 35000,  # plugins/slack.py
        "mmost": 4000,  # plugins/mattermost.py
        "pover": 1024,  # plugins/pushover.py
        "ntfy": 7800,  # plugins/ntfy.py
        "workflow": 1000,  # plugins/workflows.py (MS Teams through Power Automate)
        "matrix": None,  # plugins/matrix/base.py: a property, sized per message
        "mailto": None,  # plugins/email: inherits NotifyBase's generic 32,768
    }
)

# Characters that belong to the one before them: combining marks (Arabic harakat, accents,
# Indic vowel signs, variation selectors), the joiners themselves, and emoji skin-tone
# modifiers. The same rule as newswatch.alerts.message's snippets, plus the modifiers.
_JOINERS = "\u200c\u200d"
_NO_BREAK_SPACES = "\u00a0\u2007\u202f"


def _attaches(char: str) -> bool:
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char in _JOINERS
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def _boundary(text: str, i: int) -> bool:
    """Whether a cut between ``text[i - 1]`` and ``text[i]`` keeps graphemes whole (a close
    approximation of UAX #29 without the regex module: no break inside CR LF, before a mark
    or joiner, or after a joiner; always a break after any other line break)."""
    if i <= 0 or i >= len(text):
        return True
    before, after = text[i - 1], text[i]
    if before == "\r":
        return after != "\n"
    if before == "\n":
        return True
    return not _attaches(after) and before not in _JOINERS


def _cut(text: str, start: int, room: int) -> tuple[int, int]:
    """One part from ``start``: its end (exclusive) and where the next part starts. Prefers
    the last line break in reach (consumed: the next part starts after it; a blank line just
    before it stays at the end of this part), then the last whitespace (kept at the end of
    this part), then the last grapheme boundary."""
    reach = start + room
    newline = text.rfind("\n", start + 1, reach + 1)
    if newline > start:
        end = newline - 1 if text[newline - 1] == "\r" and newline - 1 > start else newline
        return end, newline + 1
    for i in range(reach - 1, start, -1):
        if text[i].isspace() and text[i] not in _NO_BREAK_SPACES and _boundary(text, i + 1):
            return i + 1, i + 1
    for i in range(reach, start, -1):
        if _boundary(text, i):
            return i, i
    width = 1
    while not _boundary(text, start + width):
        width += 1
    raise ValueError(
        f"limit too small: the grapheme at index {start} is {width} characters long and only "
        f"{room} fit in a part (after the counter)"
    )


def split_spans(text: str, limit: int, *, counter: bool = True) -> list[tuple[int, int]]:
    """Where :func:`split_message` cuts: ``(start, end)`` of each part's text in ``text``.

    The spans cover ``text`` in order; between one span's end and the next one's start there
    is nothing, or exactly the line break (``"\\n"`` or ``"\\r\\n"``) the cut was made at.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1 character: got {limit}")
    if len(text) <= limit:
        return [(0, len(text))]
    digits = 1
    while True:
        reserve = len(COUNTER.format(k="9" * digits, n="9" * digits)) if counter else 0
        if limit - reserve < 1:
            raise ValueError(
                f"limit too small: {limit} characters cannot hold one character and the "
                f"counter ({reserve} characters)"
            )
        spans = []
        start = 0
        while len(text) - start > limit - reserve:
            end, start_next = _cut(text, start, limit - reserve)
            spans.append((start, end))
            start = start_next
        spans.append((start, len(text)))
        if not counter or len(str(len(spans))) <= digits:
            return spans
        digits = len(str(len(spans)))  # more parts than the counter had room for: redo


def split_message(text: str, limit: int, *, counter: bool = True) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut at a line break if one is in
    reach, else after whitespace, else between graphemes (never inside one).

    A text that fits is returned whole, without a counter. Otherwise, with ``counter``, each
    part ends with the line ``"(k/n)"`` (:data:`COUNTER`, room reserved so the part still
    fits). Nothing is dropped except the line break a cut was made at: removing each part's
    counter and joining the parts with ``"\\n"`` where a cut consumed a line break (see
    :func:`split_spans`) and ``""`` elsewhere gives back ``text`` exactly; without line breaks
    at the cuts, ``"".join`` does. Raises ``ValueError`` when ``limit`` cannot hold one
    grapheme plus the counter.
    """
    spans = split_spans(text, limit, counter=counter)
    if len(spans) == 1 or not counter:
        return [text[a:b] for a, b in spans]
    n = len(spans)
    return [text[a:b] + COUNTER.format(k=k, n=n) for k, (a, b) in enumerate(spans, 1)]


def body_limit(plugin: object) -> int | None:
    """The body length Apprise itself uses for ``plugin`` (an Apprise plugin instance or
    class, e.g. ``Apprise.instantiate(url)``), or ``None`` when the service has no limit of
    its own (the plugin only inherits NotifyBase's generic default, like e-mail).

    Apprise's value is read rather than copied (see :data:`SERVICE_LIMITS`) so an Apprise
    upgrade that changes a service's limit is followed. A limit computed per instance (Matrix's
    ``body_maxlen`` property) is read from an instance; on the class it is ``None``.
    """
    cls = plugin if isinstance(plugin, type) else type(plugin)
    for owner in cls.__mro__:
        if "body_maxlen" in vars(owner):
            if owner.__module__ == "apprise.plugins.base":
                return None
            break
    else:
        return None
    value = getattr(plugin, "body_maxlen", None)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None
