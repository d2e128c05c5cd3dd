"""One "bot process" for the cross-process race tests: it connects, says `ready`, waits for `go` on
stdin (so every process starts its step at the same moment), does one step and prints the result as JSON.

    python -m tests.support.race_process DB_URL claim  ISO_NOW   -> {"claims": [[schedule_id, status, run_id], ...]}
    python -m tests.support.race_process DB_URL close  ISO_NOW   -> {"closed": [[run_id, position], ...]}
    python -m tests.support.race_process DB_URL answer SESSION_ID TEXT -> {"answered": true} or {"error": "..."}
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from datetime import datetime

from tests.conftest import TEST_BANK_DIR


async def main(url: str, mode: str, *args: str) -> dict:
    from bot.bank.loader import load_bank
    from bot.grading import get_grader
    from bot.interview.engine import InterviewEngine, InterviewError
    from bot.scheduling.clock import ManualClock
    from bot.scheduling.executor import DueRunExecutor
    from bot.scheduling.study_run import StudyEngine
    from bot.storage.database import create_engine, make_sessionmaker

    bank = load_bank(TEST_BANK_DIR)
    grader = get_grader(bank.misconceptions)
    engine = create_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        async with engine.connect():  # the pool holds a live connection before the start signal
            pass
        if mode == "answer":
            interviews = InterviewEngine(bank, grader, sessions, rng=random.Random(1))
            grader.embedder.load()
        else:
            study = StudyEngine(bank, grader, sessions, clock=ManualClock(datetime.fromisoformat(args[0])))
            executor = DueRunExecutor(sessions, study)
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        if mode == "claim":
            claims = await executor.claim_due()
            return {"claims": [[c.schedule_id, c.status, c.run_id] for c in claims]}
        if mode == "close":
            closed = []
            for run_id, position in await study.due_questions():
                if await study.close_question(run_id, position) is not None:
                    closed.append([run_id, position])
            return {"closed": closed}
        if mode == "early":
            return {"moved": await study.close_early_where_all_answered()}
        if mode == "answer":
            try:
                await interviews.answer(int(args[0]), args[1])
            except InterviewError as error:
                return {"error": str(error)}
            return {"answered": True}
        raise SystemExit(f"unknown mode {mode!r}")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2], *sys.argv[3:]))), flush=True)
