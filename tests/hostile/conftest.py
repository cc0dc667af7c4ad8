"""Fixtures for the hostile-input tests: the real local HTTP server."""

from tests.support.feed_server import feed_server, feed_server_factory  # noqa: F401
