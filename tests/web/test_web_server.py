"""The page's server inside a daemon's event loop: a port in use is logged and the loop goes on
(uvicorn's own bind would ``sys.exit`` from a task, which asyncio lets stop the whole daemon)."""

from __future__ import annotations

import asyncio
import logging
import socket

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from newswatch.web.security import Bind
from newswatch.web.server import serve


def _app() -> Starlette:
    return Starlette(routes=[Route("/", lambda request: PlainTextResponse("up"))])


def test_a_port_in_use_is_logged_and_the_loop_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]

        async def daemon() -> tuple[bool, str]:
            stop = asyncio.Event()
            served = await asyncio.wait_for(serve(_app(), Bind("127.0.0.1", port), stop), 10)
            await asyncio.sleep(0.05)  # the loop still runs after the failure
            return served, "monitoring"

        with caplog.at_level(logging.ERROR, logger="newswatch.web.server"):
            assert asyncio.run(daemon()) == (False, "monitoring")
    assert f"could not be served on 127.0.0.1:{port}" in caplog.text


def test_it_serves_until_stopped() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def daemon() -> tuple[bool, str]:
        stop = asyncio.Event()
        task = asyncio.create_task(serve(_app(), Bind("127.0.0.1", port), stop))
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                try:
                    body = (await client.get(f"http://127.0.0.1:{port}/")).text
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            else:
                body = ""
        stop.set()
        return await asyncio.wait_for(task, 10), body

    assert asyncio.run(daemon()) == (True, "up")
