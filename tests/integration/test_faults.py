"""Fault injection: a full or read-only disk, another process holding the lock, kill -9, hostile text.

Every fault is real (a tmpfs filled up or remounted read-only, a second process with SQLite's write lock,
SIGKILL, a lone surrogate in the text); the tests check what a candidate would see and what is stored.
Fast by default; the `slow` variants repeat the kill and add the two-process load.
"""

from __future__ import annotations

import asyncio
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.interview.engine import InterviewEngine, InterviewOptions, Participant, StepFailed
from bot.storage.database import create_engine, make_sessionmaker, upgrade_database
from tests.conftest import REPO_ROOT, TEST_BANK_DIR
from tests.faults import SmallDisk, small_disk, write_lock_held

EPOCH = "An epoch is one complete pass over all of the training data."
ITERATION = "An iteration is one weight update computed on a single mini-batch."
POISON = "An epoch \ud800 is one full pass\x00 over the data\x07, \udfff all of it."


def who(n: int | str) -> Participant:
    return Participant(platform="terminal", external_id=f"user{n}", display_name=f"User {n}")


T07 = InterviewOptions(topic="T07", questions=2, persona="tester")


def stored_exchanges(db_file: Path) -> list[str]:
    """Every answer text stored, read with a plain sqlite3 connection (what a restart would find)."""
    import json

    with sqlite3.connect(db_file) as connection:
        rows = connection.execute("SELECT exchanges FROM turns ORDER BY session_id, position").fetchall()
    return [e["text"] for (raw,) in rows for e in json.loads(raw or "[]")]


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with small_disk(tmp_path) as mounted:
        upgrade_database(mounted.db_url)
        yield mounted


@pytest.fixture
async def disk_engine(disk: SmallDisk, test_bank: Any, grader: Any) -> AsyncIterator[InterviewEngine]:
    db_engine = create_engine(disk.db_url)
    yield InterviewEngine(test_bank, grader, make_sessionmaker(db_engine), rng=random.Random(3))
    await db_engine.dispose()


# ----------------------------------------------------------------------------------- poison input
async def test_a_poison_answer_among_20_concurrent_answers_costs_nobody_an_answer(engine: InterviewEngine) -> None:
    sessions = [(await engine.start(who(n), T07)).session_id for n in range(21)]
    texts = [EPOCH] * 20 + [POISON]
    replies = await asyncio.gather(*(engine.answer(sid, text) for sid, text in zip(sessions, texts, strict=True)),
                                   return_exceptions=True)
    failures = [r for r in replies if isinstance(r, BaseException)]
    assert failures == [], failures
    assert all(r.messages for r in replies)  # type: ignore[union-attr]


def test_an_input_the_encoder_cannot_take_fails_only_its_own_request(grader: Any, test_bank: Any) -> None:
    """Below the cleaning step: the shared encoder itself isolates a failing input from the batch."""
    question = test_bank.question("T07-001")
    expected = grader.grade(question, EPOCH).score
    barrier = threading.Barrier(21)
    results: dict[int, Any] = {}

    def grade(n: int, text: str) -> None:
        barrier.wait()
        try:
            results[n] = grader.grade(question, f"{text} ({n})" if n < 20 else text)
        except Exception as exc:
            results[n] = exc

    threads = [threading.Thread(target=grade, args=(n, EPOCH if n < 20 else POISON)) for n in range(21)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert isinstance(results[20], Exception), "the raw surrogate is expected to fail the tokenizer"
    normal = [results[n] for n in range(20)]
    assert not [r for r in normal if isinstance(r, Exception)]
    assert all(abs(r.score - expected) <= 1.0 for r in normal)


async def test_poison_text_is_stored_clean(engine: InterviewEngine, db_url: str) -> None:
    reply = await engine.start(who("p"), T07)
    await engine.answer(reply.session_id, POISON)
    (stored,) = stored_exchanges(Path(db_url.split("///", 1)[1]))
    assert "\x00" not in stored and "\x07" not in stored
    assert not any("\ud800" <= ch <= "\udfff" for ch in stored)
    assert stored.startswith("An epoch \ufffd is one full pass over the data")
    stored.encode("utf-8")  # storable and loggable anywhere


# ----------------------------------------------------------------------------------- full / read-only disk
async def test_full_disk_answer_is_reported_not_saved_and_works_once_space_is_back(
        disk: SmallDisk, disk_engine: InterviewEngine) -> None:
    reply = await disk_engine.start(who(1), T07)
    disk.fill()
    with pytest.raises(StepFailed) as failed:
        await disk_engine.answer(reply.session_id, EPOCH)
    assert failed.value.saved is False and failed.value.problem is not None
    message = str(failed.value)
    assert "NOT saved" in message and "send it again" in message and "\n" not in message
    disk.clear()
    assert stored_exchanges(disk.path / "viva.db") == []  # nothing half-written
    recovered = await disk_engine.answer(reply.session_id, EPOCH)  # the same engine, no restart
    assert any(m.kind in ("follow_up", "feedback") for m in recovered.messages)
    assert stored_exchanges(disk.path / "viva.db") == [EPOCH]


async def test_read_only_database_refuses_politely_and_recovers(disk: SmallDisk, disk_engine: InterviewEngine) -> None:
    reply = await disk_engine.start(who(2), T07)
    # A filesystem can only be remounted read-only with no file open for writing: the pool reconnects.
    await disk_engine.sessions.kw["bind"].dispose()
    disk.make_read_only()
    with pytest.raises(StepFailed) as answer_failed:
        await disk_engine.answer(reply.session_id, EPOCH)
    assert "NOT saved" in str(answer_failed.value) and answer_failed.value.saved is False
    with pytest.raises(StepFailed) as hint_failed:
        await disk_engine.hint(reply.session_id)
    assert "Nothing was changed" in str(hint_failed.value)
    disk.clear()
    recovered = await disk_engine.answer(reply.session_id, EPOCH)
    assert recovered.messages and stored_exchanges(disk.path / "viva.db") == [EPOCH]


# ----------------------------------------------------------------------------------- another process's lock
async def test_an_answer_waits_for_another_process_holding_the_write_lock(engine: InterviewEngine,
                                                                          db_url: str) -> None:
    reply = await engine.start(who(3), T07)
    db_file = Path(db_url.split("///", 1)[1])
    with write_lock_held(db_file) as holder:
        answering = asyncio.create_task(engine.answer(reply.session_id, EPOCH))
        await asyncio.sleep(1.5)
        assert not answering.done(), "the answer must wait for the other process's write lock"
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        answered = await asyncio.wait_for(answering, 60)
    assert answered.messages and stored_exchanges(db_file) == [EPOCH]


# ----------------------------------------------------------------------------------- saved, not replied
async def test_resume_says_when_the_last_answer_was_saved_but_not_replied_to(engine: InterviewEngine) -> None:
    started = await engine.start(who(4), InterviewOptions(topic="T07", questions=2, persona="tester"))
    answered = await engine.answer(started.session_id, EPOCH)  # the process "dies" before showing this reply
    assert answered.answer_ref is not None

    resumed = await engine.resume(started.session_id)
    text = "\n".join(m.text for m in resumed.messages)
    assert "was saved" in text and "never reached you" in text and "question 1" in text
    await engine.acknowledge(resumed.session_id, resumed.answer_ref)  # shown now

    again = "\n".join(m.text for m in (await engine.resume(started.session_id)).messages)
    assert "never reached you" not in again and "Picking up where we left off" in again


# ----------------------------------------------------------------------------------- the terminal, a real process
class Practice:
    """`python -m bot practice` as a process, its output read as it comes."""

    def __init__(self, db_url: str, tmp_path: Path, *args: str) -> None:
        env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("DATABASE_", "CONTENT_", "LOG_"))}
        env.update({"DATABASE_URL": db_url, "CONTENT_DIR": str(TEST_BANK_DIR), "PYTHONUNBUFFERED": "1",
                    "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO_ROOT)})
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "practice", "--persona", "tester", *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env, cwd=tmp_path)
        self.out = self._reader(self.proc.stdout)
        self.err = self._reader(self.proc.stderr)
        self.seen_out = ""
        self.seen_err = ""

    @staticmethod
    def _reader(stream: Any) -> queue.Queue[str]:
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line.decode("utf-8", "replace")) for line in stream],
                         daemon=True).start()
        return lines

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def wait_out(self, marker: str, timeout: float = 120) -> str:
        self.seen_out = self._wait(self.out, self.seen_out, marker, timeout)
        return self.seen_out

    def wait_err(self, marker: str, timeout: float = 60) -> str:
        self.seen_err = self._wait(self.err, self.seen_err, marker, timeout)
        return self.seen_err

    def count_out(self) -> int:
        while not self.out.empty():
            self.seen_out += self.out.get_nowait()
        return len(self.seen_out)

    def settle(self, quiet_s: float = 0.5) -> None:
        """Wait until nothing more is printed for `quiet_s`."""
        size = -1
        while size != self.count_out():
            size = self.count_out()
            time.sleep(quiet_s)

    @staticmethod
    def _wait(lines: queue.Queue[str], seen: str, marker: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while marker not in seen:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{marker!r} not printed; got:\n{seen}")
            try:
                seen += lines.get(timeout=remaining)
            except queue.Empty:
                continue
        return seen

    def finish(self, timeout: float = 60) -> int:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        code = self.proc.wait(timeout=timeout)
        time.sleep(0.1)  # let the reader threads drain
        while not self.err.empty():
            self.seen_err += self.err.get_nowait()
        self.count_out()
        return code


def test_terminal_on_a_full_disk_keeps_the_answer_for_retry(disk: SmallDisk, tmp_path: Path) -> None:
    practice = Practice(disk.db_url, tmp_path, "--topic", "T07", "--questions", "1")
    practice.wait_out("epoch")
    disk.fill()
    practice.send(f"{EPOCH}\n\n".encode())
    err = practice.wait_err("/retry")
    assert "NOT saved" in err and "disk" in err
    disk.clear()
    practice.send(b"/retry\n")
    practice.wait_out("Test Interviewer: ", timeout=60)
    practice.send(b"/end\n")
    assert practice.finish() == 0, practice.seen_err
    assert "Traceback" not in practice.seen_err
    assert "Interview report" in practice.seen_out
    assert stored_exchanges(disk.path / "viva.db") == [EPOCH]


def test_terminal_takes_hostile_bytes_without_crashing(db_url: str, tmp_path: Path) -> None:
    practice = Practice(db_url, tmp_path, "--topic", "T07", "--questions", "1")
    practice.wait_out("epoch")
    # a UTF-8-encoded lone surrogate (invalid UTF-8), a NUL byte and terminal control sequences
    practice.send(b"An epoch \xed\xa0\x80 is one complete pass\x00 over all of the \x1b[31mtraining data.\n\n/end\n")
    assert practice.finish() == 0, practice.seen_err
    assert "Traceback" not in practice.seen_err and "Interview report" in practice.seen_out
    (stored,) = stored_exchanges(Path(db_url.split("///", 1)[1]))
    assert "\x00" not in stored and "\x1b" not in stored and "training data" in stored


def _kill_mid_answer(db_url: str, tmp_path: Path, rng: random.Random, first: bool) -> tuple[int, int]:
    """Answer until killed mid-answer; return (answers acknowledged on screen, answers sent)."""
    practice = Practice(db_url, tmp_path, *(["--questions", "5"] if first else ["--resume"]))
    practice.wait_out("Question")
    practice.settle()  # the opening (and a resume's pending follow-up) is printed in full
    acknowledged = 0
    for sent in range(1, 20):
        before = practice.count_out()
        practice.send(f"{EPOCH} {ITERATION} (answer {rng.random():.9f})\n\n".encode())
        if sent == 2 or rng.random() < 0.3:
            time.sleep(rng.uniform(0.0, 0.15))
            practice.proc.send_signal(signal.SIGKILL)
            practice.proc.wait(timeout=30)
            return acknowledged, sent
        deadline = time.monotonic() + 60
        while practice.count_out() == before or "Test Interviewer:" not in practice.seen_out[before:]:
            assert time.monotonic() < deadline, practice.seen_out
            time.sleep(0.02)
        time.sleep(0.05)
        acknowledged += 1
        if "Interview report" in practice.seen_out:
            break
    practice.proc.kill()
    practice.proc.wait(timeout=30)
    return acknowledged, sent


def _check_after_kill(db_file: Path, acknowledged_before: int, acknowledged: int, sent: int) -> None:
    with sqlite3.connect(db_file) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    texts = stored_exchanges(db_file)
    assert len(texts) == len(set(texts)), "an answer was stored twice"
    new = len(texts) - acknowledged_before
    assert acknowledged <= new <= sent, (acknowledged, new, sent)  # nothing acknowledged is lost


@pytest.mark.parametrize("kills", [pytest.param(1, id="once"), pytest.param(4, id="four", marks=pytest.mark.slow)])
def test_kill_9_mid_answer_loses_no_acknowledged_answer_and_resume_says_so(
        tmp_path: Path, db_url: str, kills: int) -> None:
    db_file = Path(db_url.split("///", 1)[1])
    rng = random.Random(kills)
    stored = 0
    for round_ in range(kills):
        acknowledged, sent = _kill_mid_answer(db_url, tmp_path, rng, first=round_ == 0)
        _check_after_kill(db_file, stored, acknowledged, sent)
        stored = len(stored_exchanges(db_file))

    with sqlite3.connect(db_file) as connection:
        rows = connection.execute("SELECT exchanges FROM turns").fetchall()
    import json

    records = [e for (raw,) in rows for e in json.loads(raw or "[]")]
    last_unreplied = bool(records) and records[-1].get("replied") is False
    resumed = Practice(db_url, tmp_path, "--resume")
    resumed.send(b"/end\n")
    assert resumed.finish() == 0, resumed.seen_err
    out = " ".join(resumed.seen_out.split())  # the terminal wraps long lines at its width
    assert "Traceback" not in resumed.seen_err
    assert ("never reached you" in out) == last_unreplied, (records[-3:], out)
    assert "Interview report" in out


# ----------------------------------------------------------------------------------- two processes, one file
_LOAD_WORKER = """
import asyncio, json, sys
from bot.bank.loader import load_bank
from bot.grading import get_grader
from bot.interview.engine import InterviewEngine, InterviewOptions, Participant, StepFailed
from bot.storage.database import create_engine, make_sessionmaker

async def main(url, name, sessions, bank_dir):
    bank = load_bank(__import__("pathlib").Path(bank_dir))
    grader = get_grader(bank.misconceptions)
    db_engine = create_engine(url)
    engine = InterviewEngine(bank, grader, make_sessionmaker(db_engine))
    errors = []
    answered = 0

    async def candidate(n):
        nonlocal answered
        try:
            reply = await engine.start(Participant("terminal", f"{name}-{n}", name), InterviewOptions(questions=3))
            while not reply.finished:
                position = reply.question_number
                reply = await engine.answer(reply.session_id, f"An epoch is one full pass over the data ({name} {n}).")
                answered += 1
                if not reply.finished and reply.question_number == position:
                    reply = await engine.skip(reply.session_id)
        except StepFailed as failure:
            errors.append(str(failure))

    await asyncio.gather(*(candidate(n) for n in range(sessions)))
    await db_engine.dispose()
    print(json.dumps({"errors": errors, "answered": answered}))

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]))
"""


@pytest.mark.slow
def test_two_processes_with_many_sessions_on_one_file_see_no_lock_errors(db_url: str, tmp_path: Path) -> None:
    import json
    import os

    sessions = 30
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1"}
    workers = [subprocess.Popen([sys.executable, "-c", _LOAD_WORKER, db_url, name, str(sessions), str(TEST_BANK_DIR)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
               for name in ("a", "b")]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=900)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert [r["errors"] for r in results] == [[], []]
    assert all(r["answered"] >= sessions for r in results)
    db_file = Path(db_url.split("///", 1)[1])
    with sqlite3.connect(db_file) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finished = connection.execute("SELECT count(*) FROM interview_sessions WHERE status = 'finished'").fetchone()
    assert finished == (2 * sessions,)
