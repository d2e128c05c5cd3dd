"""`python -m bot practice` end to end: a real process, piped answers, a real migrated database."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, TEST_BANK_DIR

STRONG_EPOCH = ("An epoch is one complete pass over the entire training set, so every example is seen once.\n"
                "An iteration is a single update of the weights computed on one mini-batch.\n"
                "With N examples and batch size B, one epoch takes about N/B iterations.\n\n")

pytestmark = pytest.mark.slow


def _env(tmp_path: Path, content: Path = TEST_BANK_DIR) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CONTENT_", "LOG_"))}
    env.update({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'data' / 'viva.db'}",
                "CONTENT_DIR": str(content), "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1"})
    return env


def _practice(args: list[str], stdin: bytes, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "practice", *args], input=stdin, capture_output=True,
                          env=env, cwd=cwd, timeout=180)


def test_scripted_interview_prints_the_report(tmp_path: Path) -> None:
    script = ("/hint\n" + STRONG_EPOCH).encode()
    result = _practice(["--topic", "T07", "--questions", "1", "--persona", "tester"], script,
                       _env(tmp_path), REPO_ROOT)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "Test Interviewer" in out and "epoch" in out
    assert "Here is a nudge" in out                       # the hint was given
    assert "Interview report" in out and "hint used: max 4" in out
    assert "Traceback" not in result.stderr.decode()


def test_bad_input_gets_clear_messages_and_loses_nothing(tmp_path: Path) -> None:
    script = b"\n\nidk\n\n\xf0\x9f\x99\x82\xf0\x9f\x99\x82\n\n" + b"An epoch is a full pass over the data \xff.\n\n" \
             + ("x" * 20_000).encode() + b"\n\n/end\n"
    result = _practice(["--topic", "T07", "--questions", "1", "--persona", "tester"], script,
                       _env(tmp_path), REPO_ROOT)
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, err
    assert "Traceback" not in err
    assert "not valid UTF-8" in err                       # the bad byte is reported, the answer kept
    assert "hint" in out.lower()                          # non-answers are met kindly with a hint offer
    assert "Interview report" in out


def test_end_of_input_mid_answer_finishes_with_the_answer_kept(tmp_path: Path) -> None:
    result = _practice(["--topic", "T07", "--questions", "1", "--persona", "tester"],
                       STRONG_EPOCH.strip().encode(), _env(tmp_path), REPO_ROOT)
    out = result.stdout.decode()
    assert result.returncode == 0
    assert "Interview report" in out and "not answered" not in out


def test_unwritable_database_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    env = _env(tmp_path)
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{blocker / 'viva.db'}"
    result = _practice([], b"", env, REPO_ROOT)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "Traceback" not in err and "DATABASE_URL" in err


def _read_until(stream_queue: queue.Queue, marker: str, timeout: float) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"{marker!r} not printed; got:\n{seen}")
        try:
            seen += stream_queue.get(timeout=remaining)
        except queue.Empty:
            continue
    return seen


def test_killed_interview_resumes_in_a_new_process(tmp_path: Path) -> None:
    env = _env(tmp_path)
    args = [sys.executable, "-m", "bot", "practice", "--topic", "T07", "--questions", "1", "--persona", "tester"]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, cwd=REPO_ROOT)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.decode()) for line in proc.stdout], daemon=True).start()
    assert proc.stdin is not None
    _read_until(lines, "epoch", 120)
    proc.stdin.write(b"An epoch is one complete pass over all of the training data.\n\n")
    proc.stdin.flush()
    _read_until(lines, "Let me push on one part", 60)  # the follow-up is asked: the answer is committed
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    resumed = _practice(["--resume"], b"An iteration is one weight update on a single mini-batch.\n\n", env,
                        REPO_ROOT)
    out = resumed.stdout.decode()
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert "Picking up where we left off" in out
    assert "Interview report" in out
    assert "not answered" not in out  # the answer given before the crash counts
