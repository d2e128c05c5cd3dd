"""Several bot processes, one PostgreSQL, two queue workers, one Redis, against the shard-aware fake Discord.

Two real `viva run --shard-ids … --shard-count 4` processes split the shards; two `viva worker` processes
check code and grade answers. A guild interview runs on each shard, a study session opens once, the
workers do the grading and the code check; then one bot process and one worker are killed with SIGKILL
in the middle of a burst of answers, the bot process is started again, and nothing is lost: every
answer the bot acknowledged with a grade is in the database, and every interview goes on after the
restart (its buttons still work).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from bot.storage.database import create_engine, make_sessionmaker
from bot.storage.models import InterviewSession, StudyRun, Turn, User
from tests.conftest import REPO_ROOT, TEST_BANK_DIR
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.fake_discord.protocol import PUBLIC_THREAD
from tests.e2e.interview_helpers import is_question, question_on, replies_to, strong_answer, weak_answer
from tests.support.workers import WorkerProcess

pytestmark = pytest.mark.slow

SHARDS = 4
SUBMISSIONS = REPO_ROOT / "tests" / "data" / "submissions"
BURST_USERS = 6
TIMEOUT_S = 90.0


class BotProcess:
    """`python -m bot run --shard-ids IDS --shard-count 4` as its own OS process."""

    def __init__(self, fake: FakeDiscord, db_url: str, redis_url: str, shard_ids: str, log_path: Path) -> None:
        self.shard_ids = [int(s) for s in shard_ids.split(",")]
        self.log_path = log_path
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "REDIS_"))}
        env.update(PYTHONPATH=str(REPO_ROOT), DISCORD_TOKEN="fake-token", DATABASE_URL=db_url, REDIS_URL=redis_url,
                   CONTENT_DIR=str(TEST_BANK_DIR), DISCORD_API_BASE=fake.api_base,
                   DISCORD_GATEWAY_URL=fake.gateway_url, DISCORD_SYNC_COMMANDS="always", LOG_LEVEL="INFO")
        self.log = log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--shard-ids", shard_ids, "--shard-count", str(SHARDS)],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=env)

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
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


async def connected(fake: FakeDiscord, shard_ids: list[int]) -> None:
    """Until every one of `shard_ids` has an open gateway connection that identified as it."""

    def ready() -> bool:
        live = {fake._shard_of.get(ws) for ws in fake._sockets if not ws.closed}
        return all((shard, SHARDS) in live for shard in shard_ids)

    await fake.wait_until(lambda: ready() or None, TIMEOUT_S)
    await asyncio.sleep(1.0)  # the GUILD_CREATEs are processed


@pytest_asyncio.fixture(loop_scope="session")
async def stack(redis_url: str, postgres_server: Any, tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    db_url = await asyncio.to_thread(postgres_server.fresh_database)
    fake = FakeDiscord()
    for name in ("alice", "bob", *(f"member{i}" for i in range(BURST_USERS))):
        fake.add_user(name)
    _, general_a = fake.add_guild("Shard Zero Hall", shard_id=0, shard_count=SHARDS)
    _, general_b = fake.add_guild("Shard Two Hall", shard_id=2, shard_count=SHARDS)
    await fake.start()
    workers = [WorkerProcess(redis_url, "code,grade", tmp_path / f"worker{i}.log", WORKER_JOB_TIMEOUT_S="8")
               for i in range(2)]
    bots: dict[str, BotProcess] = {}
    try:
        for worker in workers:
            await asyncio.to_thread(worker.wait_ready)
        bots["one"] = BotProcess(fake, db_url, redis_url, "0,1", tmp_path / "bot-one.log")
        bots["two"] = BotProcess(fake, db_url, redis_url, "2,3", tmp_path / "bot-two.log")
        await connected(fake, [0, 1, 2, 3])
        yield {"fake": fake, "db_url": db_url, "workers": workers, "bots": bots, "redis_url": redis_url,
               "tmp": tmp_path, "a": general_a, "b": general_b}
    finally:
        for bot in bots.values():
            bot.stop()
        for worker in workers:
            worker.stop()
        await fake.stop()
        await asyncio.to_thread(postgres_server.drop, db_url)


async def start_interview(fake: FakeDiscord, user: dict[str, Any], channel_id: str, bank: Any) -> tuple[str, Any]:
    before = {cid for cid, c in fake.channels.items() if c["type"] == PUBLIC_THREAD}
    await fake.slash(user, "interview start", channel_id=channel_id, questions=2, persona="tester")
    thread_id = await fake.wait_until(
        lambda: next((cid for cid, c in fake.channels.items() if c["type"] == PUBLIC_THREAD and cid not in before
                      and c["owner_id"] == fake.bot_user["id"] and user["id"] in fake.thread_members.get(cid, ())),
                     None), TIMEOUT_S)
    first = await fake.wait_for_bot_message(lambda m: is_question(m, 1), channel_id=thread_id, public=True,
                                            timeout=TIMEOUT_S)
    return thread_id, first


async def answer(fake: FakeDiscord, user: dict[str, Any], message: Any, text: str, *, wait: bool = True) -> Any:
    opened = await fake.click(user, message, "Answer")
    assert opened.modal is not None, fake.messages_for(opened)
    return await fake.submit_modal(user, opened.modal, text, wait=wait)


async def answers_in_db(db_url: str) -> dict[str, list[str]]:
    """Every stored answer text, by the candidate's Discord id."""
    engine = create_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as db:
            rows = await db.execute(select(User.external_id, Turn.exchanges).join(InterviewSession, InterviewSession.user_id == User.id)
                                    .join(Turn, Turn.session_id == InterviewSession.id))
            found: dict[str, list[str]] = {}
            for external_id, exchanges in rows:
                found.setdefault(external_id, []).extend(e["text"] for e in exchanges)
            return found
    finally:
        await engine.dispose()


async def test_two_bot_processes_two_workers_and_kill_nine(stack: dict[str, Any], test_bank: Any) -> None:
    fake: FakeDiscord = stack["fake"]
    alice, bob = fake.user_named("alice"), fake.user_named("bob")

    # One interview on each shard, answered and graded by the workers.
    for user, channel in ((alice, stack["a"]), (bob, stack["b"])):
        thread_id, first = await start_interview(fake, user, channel, test_bank)
        question = question_on(first, test_bank)
        submitted = await answer(fake, user, first, weak_answer(question))
        follow_up = await fake.wait_for_bot_message(channel_id=thread_id, after=len(fake.bot_messages(thread_id)) - 1,
                                                    public=True, timeout=TIMEOUT_S)
        assert any(kp.follow_up in follow_up.text for kp in question.key_points), follow_up.text
        assert submitted.first_response_at is not None
    graded_by_workers = sum(w.output().count("grade_answer") for w in stack["workers"])
    assert graded_by_workers >= 2, "the answers were graded by the workers"

    # A code check, run by a worker's sandbox.
    upload = fake.add_attachment("dropout.py", (SUBMISSIONS / "dropout_good.py").read_bytes())
    record = await fake.slash(bob, "code submit", channel_id=stack["b"], file=upload)
    (verdict,) = await replies_to(fake, record, lambda m: bool(m.embeds), timeout=TIMEOUT_S)
    assert "passed" in verdict.embeds[0]["title"]
    assert sum(w.output().count("check_code") for w in stack["workers"]) >= 1

    # A study session on shard 2 opens once: one run, one thread, one first question.
    await fake.slash(bob, "study now", channel_id=stack["b"], questions=1, answer_window=5)
    study_thread = await fake.wait_until(
        lambda: next((cid for cid, c in fake.channels.items() if c["name"].startswith("Study session")), None),
        TIMEOUT_S)
    await fake.wait_for_bot_message(lambda m: bool(m.embeds) and m.embeds[0].get("title", "").startswith(
        "Question 1 of 1"), channel_id=study_thread, public=True, timeout=TIMEOUT_S)
    await asyncio.sleep(2.0)  # room for a duplicate, if either process were to open the run again
    assert sum(1 for c in fake.channels.values() if c["name"].startswith("Study session")) == 1
    engine = create_engine(stack["db_url"])
    async with make_sessionmaker(engine)() as db:
        assert await db.scalar(select(func.count(StudyRun.id))) == 1
    await engine.dispose()

    # A burst of answers on shard 0; bot process one and a worker are killed with SIGKILL in the middle.
    members = [fake.user_named(f"member{i}") for i in range(BURST_USERS)]
    questions = {}
    for member in members:
        questions[member["id"]] = await start_interview(fake, member, stack["a"], test_bank)
    texts = {m["id"]: f"{strong_answer(question_on(questions[m['id']][1], test_bank))} (from {m['username']})"
             for m in members}
    submits = await asyncio.gather(*(answer(fake, m, questions[m["id"]][1], texts[m["id"]], wait=False)
                                     for m in members))
    await asyncio.sleep(0.3)
    stack["bots"]["one"].kill()
    stack["workers"][0].kill()
    acknowledged = {record.user_id for record in submits
                    if any("Score:" in msg.text for msg in fake.messages_for(record) if not msg.loading)}

    # Whatever was acknowledged is stored; the restarted process resumes every interview.
    stored = await answers_in_db(stack["db_url"])
    for user_id in acknowledged:
        assert texts[user_id] in stored.get(user_id, []), f"acknowledged answer of {user_id} was lost"
    stack["bots"]["one"] = BotProcess(fake, stack["db_url"], stack["redis_url"], "0,1", stack["tmp"] / "bot-one.log")
    await connected(fake, [0, 1])
    for member in members:
        if texts[member["id"]] in stored.get(member["id"], []):
            continue
        record = await answer(fake, member, questions[member["id"]][1], texts[member["id"]])  # buttons survive
        await replies_to(fake, record, lambda m: "Score:" in m.text or "moved on" in m.text, timeout=TIMEOUT_S)
    stored = await answers_in_db(stack["db_url"])
    assert all(texts[m["id"]] in stored.get(m["id"], []) for m in members), stored
    for member in members:  # exactly once each: nothing stored twice either
        assert stored[member["id"]].count(texts[member["id"]]) == 1
