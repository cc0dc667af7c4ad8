"""Adding a feed to the feed list file: the web page's "add a feed" (adapter: writes the file).

The entry is appended as text, so the analysts' comments and layout stay as they were; the whole
new file is validated by ``feeds.config.parse_feeds`` before it replaces the old one atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from feeds.config import MIN_INTERVAL, FeedConfigError, FeedSpec, parse_feeds
from newswatch.errors import InputError

__all__ = ["FeedListError", "append_feed"]


class FeedListError(InputError):
    """The feed cannot be added (its id or URL is already listed, or the entry is invalid)."""


def _entry(feed_id: str, url: str, language: str) -> str:
    # JSON strings are valid YAML scalars: quoting without a YAML emitter.
    lines = [f"  - id: {json.dumps(feed_id)}", f"    url: {json.dumps(url)}"]
    if language:
        lines.append(f"    language: {json.dumps(language)}")
    return "\n".join(lines) + "\n"


def append_feed(
    path: Path, feed_id: str, url: str, language: str = "", *, min_interval: float = MIN_INTERVAL
) -> FeedSpec:
    """Append one feed to the list at ``path`` (created if missing); returns its spec."""
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else "feeds:\n"
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedListError(f"{path}: cannot read the feed list: {exc}") from exc
    listed = text.strip() != "feeds:"
    current = parse_feeds(text, source=str(path), min_interval=min_interval) if listed else []
    for spec in current:
        if spec.id == feed_id:
            raise FeedListError(f"{path}: a feed with id {feed_id!r} is already listed")
        if spec.url == url:
            raise FeedListError(f"{path}: {url} is already listed as {spec.id!r}")
    new_text = text if text.endswith("\n") else text + "\n"
    new_text += _entry(feed_id, url, language)
    try:
        specs = parse_feeds(new_text, source=str(path), min_interval=min_interval)
    except FeedConfigError as exc:
        raise FeedListError(f"the new entry is not valid: {exc}") from exc
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(new_text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return next(s for s in specs if s.id == feed_id)
