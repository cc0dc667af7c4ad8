"""A subprocess a test owns: its own session, its own log file, waited for by what it logs."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from pathlib import Path

import pytest


class OwnedProcess:
    """Started with ``spawn``; stderr (and stdout, unless given a file of its own) go to
    ``log_path``, which the waits read."""

    def __init__(self, name: str, workdir: Path, env: dict[str, str]) -> None:
        self.name = name
        self.workdir = workdir
        self.env = env
        self.log_path = workdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    def spawn(self, command: list[str], stdout: Path | None = None) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.started_at = time.monotonic()
        with contextlib.ExitStack() as files:
            log = files.enter_context(self.log_path.open("ab"))
            out = files.enter_context(stdout.open("ab")) if stdout else log
            self.proc = subprocess.Popen(
                command,
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=log,
                start_new_session=True,
            )

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace") if self.log_path.exists() else ""

    def tail(self, lines: int = 60) -> str:
        return f"--- {self.name} log tail ---\n" + "\n".join(self.log().splitlines()[-lines:])

    def wait_for_log(self, text: str, timeout: float = 60.0) -> float:
        """Seconds from the start until ``text`` is in the log; fails the test if the process
        exits first or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return time.monotonic() - self.started_at
            if not self.alive:
                pytest.fail(f"{self.name} exited before logging {text!r}\n{self.tail()}")
            time.sleep(0.1)
        pytest.fail(f"{self.name}: no {text!r} after {timeout:.0f}s\n{self.tail()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40.0) -> tuple[int | None, float]:
        """Signal it and wait; (exit code, seconds), or (None, seconds) if it had to be killed."""
        assert self.proc is not None
        began = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return None, time.monotonic() - began
        return self.proc.returncode, time.monotonic() - began

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
