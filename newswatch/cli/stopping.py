"""Graceful stop for the long-running commands: the first SIGTERM/SIGINT asks the work in flight
to finish; a second one exits at once (durable state makes that safe, the message says why)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

__all__ = ["install_stop"]

log = logging.getLogger("newswatch")


def install_stop(stop: asyncio.Event, *, finishing: str, on_exit: str) -> None:
    """Set ``stop`` on the first signal (logging "<SIG> received: ``finishing``"); exit 130 on
    the second (logging "<SIG> again: exiting now; ``on_exit``")."""
    loop = asyncio.get_running_loop()

    def on_signal(name: str) -> None:
        if stop.is_set():
            log.warning("%s again: exiting now; %s", name, on_exit)
            os._exit(130)
        log.info("%s received: %s", name, finishing)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig.name)
