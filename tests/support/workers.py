"""Start and stop real `python -m bot worker` processes for the queue tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO_ROOT, TEST_BANK_DIR


class WorkerProcess:
    def __init__(self, redis_url: str, queues: str, log_path: Path, **env: str) -> None:
        self.log_path = log_path
        environment = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DATABASE_URL")}
        environment.update(PYTHONPATH=str(REPO_ROOT), REDIS_URL=redis_url, CONTENT_DIR=str(TEST_BANK_DIR),
                           LOG_LEVEL="INFO", SANDBOX_SLOTS="2", **env)
        self.log = log_path.open("w")
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "worker", "--queues", queues],
                                        stdout=self.log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=environment)

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "worker ready" in self.output():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited with {self.process.returncode}: {self.output()}")
            time.sleep(0.1)
        raise AssertionError(f"worker not ready within {timeout} s: {self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no chance to hand its job back."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
