"""Text cut into plain and marked pieces from the matcher's own offsets (pure).

The page never searches for names itself: ``Mention.start:end`` slice the original field, so
``ولافروف``, ``Лавровым`` and ``d'Ankara`` are marked exactly where the matcher found them.
Templates escape every piece; nothing here produces HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newswatch.alerts.message import whole_graphemes
from newswatch.matching.hits import Mention

__all__ = ["Segment", "excerpt", "field_spans", "paragraphs", "segments"]

EXCERPT_CHARS = 360


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    mark: str = ""  # the entity (or entities, space-separated) found here; "" for plain text


def field_spans(mentions: Iterable[Mention], field: str) -> list[tuple[int, int, str]]:
    return [(m.start, m.end, m.entity) for m in mentions if m.field == field]


def _merged(text: str, spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    ordered = sorted(
        (*whole_graphemes(text, start, end), entity)
        for start, end, entity in spans
        if 0 <= start < end <= len(text)
    )
    merged: list[tuple[int, int, str]] = []
    for start, end, entity in ordered:
        if merged and start <= merged[-1][1]:
            last_start, last_end, names = merged[-1]
            joined = names if entity in names.split() else f"{names} {entity}"
            merged[-1] = (last_start, max(last_end, end), joined)
        else:
            merged.append((start, end, entity))
    return merged


def segments(text: str, spans: Iterable[tuple[int, int, str]]) -> tuple[Segment, ...]:
    """``text`` as pieces, each span (start, end, entity) marked; overlapping spans merge, spans
    outside the text are ignored, and no piece starts or ends inside a grapheme."""
    pieces: list[Segment] = []
    at = 0
    for start, end, entity in _merged(text, spans):
        if start > at:
            pieces.append(Segment(text[at:start]))
        pieces.append(Segment(text[start:end], entity))
        at = end
    if at < len(text):
        pieces.append(Segment(text[at:]))
    return tuple(pieces)


def excerpt(
    text: str, spans: Sequence[tuple[int, int, str]], *, width: int = EXCERPT_CHARS
) -> tuple[Segment, ...]:
    """At most about ``width`` characters of ``text`` around its first span (the whole text
    when short), with "…" where it was cut."""
    if len(text) <= width:
        return segments(text, spans)
    first = min((s[0] for s in spans if 0 <= s[0] < len(text)), default=0)
    start = max(0, first - width // 3)
    while 0 < start < first and not text[start - 1].isspace():
        start -= 1
    end = min(len(text), start + width)
    while end < len(text) and not text[end].isspace() and end - start < width + 40:
        end += 1
    inside = [(s - start, e - start, n) for s, e, n in spans if start <= s and e <= end]
    pieces = list(segments(text[start:end], inside))
    if start > 0:
        pieces.insert(0, Segment("… "))
    if end < len(text):
        pieces.append(Segment(" …"))
    return tuple(pieces)


def paragraphs(pieces: Iterable[Segment]) -> list[tuple[Segment, ...]]:
    """The pieces split at line breaks, blank lines dropped: one block per paragraph, so each
    gets its own direction (an English caption above Arabic text stays left to right)."""
    blocks: list[list[Segment]] = [[]]
    for piece in pieces:
        if piece.mark or "\n" not in piece.text:
            blocks[-1].append(piece)
            continue
        first, *rest = piece.text.split("\n")
        if first:
            blocks[-1].append(Segment(first))
        for line in rest:
            blocks.append([Segment(line)] if line else [])
    return [tuple(b) for b in blocks if "".join(x.text for x in b).strip()]
