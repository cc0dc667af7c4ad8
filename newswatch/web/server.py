"""Serving the page from inside a daemon's event loop (uvicorn, no signal handlers of its own:
the daemon's SIGTERM handling stops the server with the rest)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
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


def _listen(bind: Bind) -> socket.socket:
    """The listening socket, bound here: uvicorn would ``sys.exit`` on a port in use, and a
    SystemExit raised in a task goes through asyncio's loop and stops the whole daemon."""
    family = socket.AF_INET6 if ":" in bind.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((bind.host, bind.port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


async def serve(app: Starlette, bind: Bind, stop: asyncio.Event) -> bool:
    """Serve ``app`` on ``bind`` until ``stop`` is set; False if it could not be served (a
    port in use is logged, not raised: in the daemon, alerts matter more than the page)."""
    try:
        sock = _listen(bind)
    except OSError as exc:
        log.error("the web page could not be served on %s: %s", bind, exc)
        return False
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
    task = asyncio.create_task(server.serve(sockets=[sock]))
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        stopper.cancel()
    try:
        await task
    except (OSError, SystemExit) as exc:
        log.error("the web page stopped on %s: %s", bind, exc)
        return False
    finally:
        sock.close()
    return server.started
