"""A real Redis for the queue tests: a private redis-server on a free 127.0.0.1 port when the binary is
installed (Debian's `redis-server`; `.ci/run` installs it), else the server of VIVA_TEST_REDIS_URL.
Neither: the queue tests skip with a reason saying how to get one, or fail in CI (CI=true)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

ENV = "VIVA_TEST_REDIS_URL"
HOW = "install redis-server (apt-get install redis-server) or set VIVA_TEST_REDIS_URL=redis://127.0.0.1:6379/0"


def unavailable(reason: str) -> None:
    import pytest

    from tests.support.postgres import in_ci

    message = f"Redis unavailable: {reason}; {HOW}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: queue tests must run, not skip)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A redis-server process owned by the test session (no persistence, 127.0.0.1 only)."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.command("PING") == "+PONG":
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer PING within 10 s")

    def command(self, *words: str) -> str | None:
        """One inline command over a raw socket (no client library), its first reply line."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall((" ".join(words) + "\r\n").encode())
                return conn.recv(4096).decode().split("\r\n")[0]
        except OSError:
            return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def reachable(url: str) -> str | None:
    import asyncio

    from bot.work.queue import QueueUnavailable, connect

    async def probe() -> None:
        redis = await connect(url)
        await redis.aclose()

    try:
        asyncio.run(probe())
    except QueueUnavailable as exc:
        return str(exc)
    return None


def start_or_find(folder: Path) -> tuple[str, RedisServer | None]:
    if shutil.which("redis-server"):
        server = RedisServer(folder)
        return server.url, server
    url = os.environ.get(ENV, "").strip()
    if not url:
        unavailable(f"no redis-server binary and {ENV} is not set")
    problem = reachable(url)
    if problem is not None:
        unavailable(problem)
    return url, None
