"""Fixtures for the feed poller tests: a real local HTTP server, a fetcher, a state file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from feeds.fetch import Fetcher, FetchLimits
from feeds.state import FeedStateStore
from tests.support.feed_server import feed_server, feed_server_factory  # noqa: F401

# Short limits keep failure tests fast; trust_env=False so a proxy variable on the machine
# cannot send 127.0.0.1 traffic elsewhere.
TEST_LIMITS = FetchLimits(connect_timeout=2.0, read_timeout=2.0, total_timeout=10.0)


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(limits=TEST_LIMITS, trust_env=False) as client:
        yield client


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "feeds-state.sqlite"


@pytest.fixture
def state(state_path: Path) -> Iterator[FeedStateStore]:
    with FeedStateStore(state_path) as store:
        yield store
