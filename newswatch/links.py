"""Canonical links: one name for one page, whatever tracking, AMP or mobile form a feed used.

Two forms, for two jobs:

- ``canonical_url`` is the link an alert shows and an article keeps: courlan's normalisation
  (host case, punycode, default ports, sorted query, ``..`` segments) with its tracker list
  (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ``ref``, …) removed and the fragment dropped —
  a working URL of the same page.
- ``link_key`` names the page for deduplication only, so it may stop being a working URL: the
  scheme, a ``www.``/``m.``/``mobile.``/``amp.`` host prefix and the AMP forms of the path and
  query (``/amp/``, ``/amp``, ``.amp``, ``.amp.html``, ``?amp``, ``amp=1``, ``outputType=amp``)
  are removed, since publishers serve the same article under all of them.

courlan's *strict* mode is not used: it keeps only a dozen known id parameters and would make
``story.php?sid=1`` and ``story.php?sid=2`` one page.

    >>> canonical_url("HTTPS://Example.com:443/a/?utm_source=rss&b=2&a=1#top")
    'https://example.com/a/?a=1&b=2'
    >>> link_key("https://amp.example.com/news/amp/story-1?amp=1") == link_key(
    ...     "http://www.example.com/news/story-1/")
    True
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

__all__ = ["canonical_url", "link_key"]

# Host prefixes that name the same site's other renderings.
_HOST_PREFIX = re.compile(r"^(?:www\d?|m|mobile|amp)\.", re.IGNORECASE)
# AMP forms of a path: a whole "amp" segment anywhere, or an ".amp" before the extension.
_AMP_SEGMENT = re.compile(r"/amp(?=/|$)", re.IGNORECASE)
_AMP_SUFFIX = re.compile(r"\.amp(?=\.html?$|$)", re.IGNORECASE)
_AMP_PARAMS = {"amp", "outputtype", "amp_js_v", "usqp"}
_SCHEMES = ("http", "https")


def canonical_url(url: str) -> str:
    """The working link of the page: trackers and fragment removed, normalised (see above).

    Anything that is not an http(s) URL is returned stripped and otherwise as given, so an
    odd link never stops an article."""
    url = url.strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in _SCHEMES or not parts.netloc:
            return url
        normal = normalize_url(url, strict=False)
    except ValueError:
        return url
    cut = normal.find("#")
    if cut >= 0 and not normal.startswith("#!", cut):
        # A "#!" fragment is a route of a single-page site, part of the page's identity.
        normal = normal[:cut]
    return normal


def link_key(url: str) -> str:
    """The page's identity for deduplication (not a working URL); ``""`` for no link."""
    normal = canonical_url(url)
    if not normal:
        return ""
    try:
        parts = urlsplit(normal)
    except ValueError:
        return normal
    if parts.scheme.lower() not in _SCHEMES:
        return normal
    host = _HOST_PREFIX.sub("", parts.netloc.lower())
    path = _AMP_SUFFIX.sub("", _AMP_SEGMENT.sub("", parts.path)).rstrip("/") or "/"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in _AMP_PARAMS
        ]
    )
    return urlunsplit(("", host, path, query, parts.fragment)).removeprefix("//")
