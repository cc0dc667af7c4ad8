"""Serving the page from inside a daemon's event loop (uvicorn, no signal handlers of its own:
the daemon's SIGTERM handling stops the server with the rest)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator

import uvicorn
from starlette.applications import Starlette

from newswatch.web.security import Bind

__all__ = ["serve"]

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the daemon owns SIGTERM/SIGINT


async def serve(app: Starlette, bind: Bind, stop: asyncio.Event) -> bool:
    """Serve ``app`` on ``bind`` until ``stop`` is set; False if it could not be served (a
    port in use is logged, not raised: in the daemon, alerts matter more than the page)."""
    config = uvicorn.Config(
        app,
        host=bind.host,
        port=bind.port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        stopper.cancel()
    try:
        await task
    except (OSError, SystemExit) as exc:
        log.error("the web page could not be served on %s: %s", bind, exc)
        return False
    return server.started
