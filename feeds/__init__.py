"""Feed pollers: RSS/Atom in, ``newswatch.article.Article`` out.

- ``feeds.config``: the YAML feed list -> ``FeedSpec``
- ``feeds.fetch``: HTTP (conditional GET, limits, gzip) -> ``FetchResult`` or ``FetchError``
- ``feeds.parse``: feed bytes -> ``ParsedFeed`` (pure)
- ``feeds.state``: SQLite: HTTP validators, health, seen entries
- ``feeds.poller``: fetch -> parse -> unseen -> sink -> mark seen, on a schedule with backoff
- ``feeds.watch``: the feed list file watched while running -> a new list, or its error (pure)
- ``feeds.progress``: the start-up line and the heartbeat, from the poller's counts (pure)
- ``feeds.once``: one feed or page fetched once, no state (``feeds fetch``, ``rules test``)

The ``newswatch feeds`` commands are in ``newswatch.cli.feeds``.
"""
