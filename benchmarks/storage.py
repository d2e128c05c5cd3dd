"""Storage benchmark: what durability costs per answer, and two processes sharing one SQLite file.

    python benchmarks/storage.py [--answers N] [--sessions N] [--dir DIR]

Figures (one `name: value unit (detail)` line each):
- `answer_commit_p50_ms_full` / `_normal`: the answer transition (read, write, commit) with the default
  `synchronous=FULL` and with `NORMAL`, side by side on the same disk, grade precomputed so only storage
  is timed; `durability_cost_ratio` is FULL / NORMAL, `durability_cost_ms_per_answer` the difference.
- `bare_commit_p50_ms_full` / `_normal`: one INSERT + COMMIT through sqlite3, the fsync alone.
- `two_process_errors` / `two_process_answer_p95_ms`: two processes x `--sessions` concurrent interviews
  on one file, every answer graded for real; an error is any answer a candidate would have lost. The
  `one_process_*` baseline runs the same candidates in one process, side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event

from bot.bank.loader import load_bank
from bot.grading import get_grader
from bot.interview.engine import InterviewEngine, InterviewOptions, Participant, StepFailed
from bot.storage.database import create_engine, make_sessionmaker, upgrade_database

ROOT = Path(__file__).resolve().parents[1]
BANK_DIR = ROOT / "content"
QUESTIONS = 5
ANSWER = "An epoch is one complete pass over all of the training data; an iteration is one mini-batch update."


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _commit_latency(db_url: str, synchronous: str, answers: int, bank: Any, grader: Any) -> list[float]:
    db_engine = create_engine(db_url)
    if synchronous != "FULL":
        @event.listens_for(db_engine.sync_engine, "connect")
        def _override(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_connection.execute(f"PRAGMA synchronous={synchronous}")
    engine = InterviewEngine(bank, grader, make_sessionmaker(db_engine), rng=random.Random(1))
    grades: dict[str, Any] = {}  # precomputed per question: only the storage work is timed
    times: list[float] = []
    try:
        while len(times) < answers:
            reply = await engine.start(Participant("terminal", f"bench-{synchronous}-{len(times)}", "b"),
                                       InterviewOptions(questions=QUESTIONS))
            while not reply.finished and len(times) < answers:
                async with engine.sessions() as db:
                    position, question_id = await engine._pending(db, reply.session_id, None)
                question = bank.question(question_id)
                grade = grades.get(question_id) or grades.setdefault(question_id, grader.grade(
                    question, question.reference_answer))
                t0 = time.perf_counter()
                reply = await engine._apply_answer(reply.session_id, position, question.reference_answer, grade)
                times.append(1000 * (time.perf_counter() - t0))
                if not reply.finished and reply.question_number - 1 == position:  # a follow-up: move on
                    reply = await engine.skip(reply.session_id)
    finally:
        await db_engine.dispose()
    return times


def _bare_commits(path: Path, synchronous: str, n: int) -> list[float]:
    """One small INSERT + COMMIT in WAL mode: the fsync the synchronous mode adds, without the engine's work."""
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={synchronous}")
    connection.execute("CREATE TABLE IF NOT EXISTS answers (text TEXT)")
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO answers VALUES (?)", (f"{ANSWER} {i}",))
        connection.execute("COMMIT")
        times.append(1000 * (time.perf_counter() - t0))
    connection.close()
    return times


async def _worker(db_url: str, sessions: int, name: str) -> dict[str, Any]:
    """One process: `sessions` candidates answering at once, as a bot process would serve them."""
    bank = load_bank(BANK_DIR)
    grader = get_grader(bank.misconceptions)
    grader.grade(bank.question("T07-001"), ANSWER)  # load the model before timing
    db_engine = create_engine(db_url)
    engine = InterviewEngine(bank, grader, make_sessionmaker(db_engine))
    latencies: list[float] = []
    errors: list[str] = []

    async def candidate(n: int) -> None:
        try:
            reply = await engine.start(Participant("terminal", f"{name}-{n}", name),
                                       InterviewOptions(questions=QUESTIONS))
            while not reply.finished:
                position = reply.question_number
                t0 = time.perf_counter()
                reply = await engine.answer(reply.session_id, f"{ANSWER} ({name} {n})")
                latencies.append(1000 * (time.perf_counter() - t0))
                if not reply.finished and reply.question_number == position:  # a follow-up: move on
                    reply = await engine.skip(reply.session_id)
        except StepFailed as failure:
            errors.append(str(failure))

    await asyncio.gather(*(candidate(n) for n in range(sessions)))
    await db_engine.dispose()
    return {"latencies": latencies, "errors": errors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=150, help="answers timed per synchronous mode")
    parser.add_argument("--sessions", type=int, default=50, help="concurrent interviews per process")
    parser.add_argument("--dir", type=Path, default=None, help="where the database files go (default: a temp dir)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(asyncio.run(_worker(args.db_url, args.sessions, args.worker))))
        return 0

    folder = args.dir or Path(tempfile.mkdtemp(prefix="viva-storage-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    bank = load_bank(BANK_DIR)
    grader = get_grader(bank.misconceptions)
    results: dict[str, list[float]] = {}
    for mode in ("FULL", "NORMAL"):
        url = f"sqlite+aiosqlite:///{folder / f'commit-{mode.lower()}.db'}"
        upgrade_database(url)
        results[mode] = asyncio.run(_commit_latency(url, mode, args.answers, bank, grader))
    full, normal = statistics.median(results["FULL"]), statistics.median(results["NORMAL"])
    detail = f"n={len(results['FULL'])}, {folder}"
    print(f"answer_commit_p50_ms_full: {full:.2f} ms ({detail}, default)")
    print(f"answer_commit_p50_ms_normal: {normal:.2f} ms ({detail})")
    print(f"answer_commit_p95_ms_full: {_percentile(results['FULL'], 0.95):.2f} ms ({detail})")
    print(f"durability_cost_ratio: {full / normal:.2f} (FULL / NORMAL, p50)")
    print(f"durability_cost_ms_per_answer: {full - normal:.2f} ms (p50 difference)")
    bare = {mode: statistics.median(_bare_commits(folder / f"bare-{mode.lower()}.db", mode, 300))
            for mode in ("FULL", "NORMAL")}
    print(f"bare_commit_p50_ms_full: {bare['FULL']:.3f} ms (n=300, one INSERT+COMMIT, WAL)")
    print(f"bare_commit_p50_ms_normal: {bare['NORMAL']:.3f} ms (n=300, one INSERT+COMMIT, WAL)")

    # Baseline first: the same number of candidates in one process, so the grading work is the same and
    # the difference is what sharing the file across processes costs.
    for processes, sessions in ((1, 2 * args.sessions), (2, args.sessions)):
        url = f"sqlite+aiosqlite:///{folder / f'shared-{processes}.db'}"
        upgrade_database(url)
        command = [sys.executable, __file__, "--sessions", str(sessions), "--db-url", url, "--worker"]
        workers = [subprocess.Popen([*command, name], stdout=subprocess.PIPE, text=True)
                   for name in ("a", "b")[:processes]]
        outputs = [json.loads(w.communicate(timeout=1800)[0].strip().splitlines()[-1]) for w in workers]
        latencies = [x for o in outputs for x in o["latencies"]]
        errors = [e for o in outputs for e in o["errors"]]
        name = "one_process" if processes == 1 else "two_process"
        detail = f"{processes} process(es) x {sessions} sessions, {len(latencies)} answers"
        print(f"{name}_errors: {len(errors)} ({detail}{'; ' + errors[0] if errors else ''})")
        print(f"{name}_answer_p95_ms: {_percentile(latencies, 0.95):.0f} ms ({detail}, graded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
