"""The real bot on a sick disk and under hostile text: every action gets a private, truthful answer.

The database lives on a small tmpfs that the test fills up or remounts read-only (tests/faults.py): the
bot meets the kernel's and SQLite's real errors. After the fault clears, the same bot carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.scheduling.clock import ManualClock
from tests.e2e.conftest import BotHarness, e2e_settings
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.interview_helpers import GRADING_TIMEOUT_S, PARTIAL_EPOCH, is_question, replies_to
from tests.faults import SmallDisk, small_disk

CROWD = 21  # 20 ordinary answers and one poison answer at the same moment
POISON = "An epoch \ud800 is one full pass\x00 over the training data."
NOT_SAVED = "NOT saved"


@pytest_asyncio.fixture(loop_scope="session")
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    for name in ("alice", "bob", *(f"member{n}" for n in range(CROWD))):
        server.add_user(name)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    from bot.storage.database import upgrade_database

    with small_disk(tmp_path) as mounted:
        upgrade_database(mounted.db_url)
        yield mounted


@pytest_asyncio.fixture(loop_scope="session")
async def sick_bot(fake: FakeDiscord, disk: SmallDisk, warm_grader: Any, code_runner: Any) -> AsyncIterator[BotHarness]:
    runner = BotHarness(e2e_settings(fake, disk.db_url), warm_grader, code_runner=code_runner)
    bot = await runner.start()
    bot.get_cog("StudyCog").use_clock(ManualClock(datetime.now(UTC)))  # no timer steps during the test
    yield runner
    disk.clear()
    await runner.stop()
    assert not fake.rejected, f"Discord would have rejected messages: {fake.rejected}"
    if fake.interactions:
        fake.assert_acks_within()


async def make_read_only(harness: BotHarness, disk: SmallDisk) -> None:
    """Remount the bot's disk read-only: possible only while no file on it is open for writing, so the
    bot's connection pool is emptied first (as after a reconnect); it reopens on the next action."""
    assert harness.bot is not None
    await harness.bot.get_cog("StudyCog").timer.stop()  # its idle wait keeps a connection open
    for _ in range(200):  # up to 10 s: a loaded machine may still be finishing the last step's write
        await harness.bot.services.db_engine.dispose()
        with contextlib.suppress(subprocess.CalledProcessError):
            disk.make_read_only()
            return
        await asyncio.sleep(0.05)
    raise AssertionError("could not remount the database's disk read-only")


def private_text(fake: FakeDiscord, record: Any) -> str:
    messages = [m for m in fake.messages_for(record) if not m.loading]
    assert messages and all(m.ephemeral for m in messages), "failures are reported privately"
    return "\n".join(m.text for m in messages)


async def test_modal_answer_and_hint_on_a_full_disk_then_recovery(fake: FakeDiscord, sick_bot: BotHarness,
                                                                  disk: SmallDisk) -> None:
    alice = fake.user_named("alice")
    await fake.slash(alice, "interview start", topic="T07", questions=1, persona="tester")
    first = await fake.wait_for_bot_message(lambda m: is_question(m, 1), public=True)
    opened = await fake.click(alice, first, "Answer")
    disk.fill()

    answered = await fake.submit_modal(alice, opened.modal, PARTIAL_EPOCH)
    await replies_to(fake, answered, lambda m: NOT_SAVED in m.text, timeout=GRADING_TIMEOUT_S)
    text = private_text(fake, answered)
    assert "disk" in text and "send it again" in text
    assert PARTIAL_EPOCH in text, "a modal's text exists nowhere else: it is shown back to copy"

    hint = await fake.click(alice, first, "Hint")
    await replies_to(fake, hint, lambda m: "Nothing was changed" in m.text)

    disk.clear()  # space is back: the same bot process carries on
    opened = await fake.click(alice, first, "Answer")
    before = len(fake.bot_messages(first.channel_id, public=True))
    again = await fake.submit_modal(alice, opened.modal, PARTIAL_EPOCH)
    follow_up = await fake.wait_for_bot_message(channel_id=first.channel_id, after=before, public=True,
                                                timeout=GRADING_TIMEOUT_S)
    assert follow_up.button("Answer") and NOT_SAVED not in private_text(fake, again)


async def test_dm_answer_slash_command_and_study_answer_on_a_read_only_database(
        fake: FakeDiscord, sick_bot: BotHarness, disk: SmallDisk, test_bank: Any) -> None:
    bob = fake.user_named("bob")
    dm = fake.dm_channel_id(bob)
    start = await fake.slash(bob, "interview start", dm=True, topic="T07", questions=1, persona="tester")
    await replies_to(fake, start, lambda m: is_question(m, 1))
    study = await fake.slash(bob, "study now", questions=1, answer_window=5)
    await replies_to(fake, study)
    study_question = await fake.wait_for_bot_message(
        lambda m: bool(m.embeds) and m.embeds[0].get("title", "").startswith("Question 1 of 1") and bool(m.button("Answer")),
        public=True)
    opened = await fake.click(bob, study_question, "Answer")
    assert opened.modal is not None

    await make_read_only(sick_bot, disk)

    before = len(fake.bot_messages(dm))
    await fake.user_says(bob, PARTIAL_EPOCH, channel_id=dm)
    reply = await fake.wait_for_bot_message(channel_id=dm, after=before, timeout=GRADING_TIMEOUT_S)
    assert NOT_SAVED in reply.text and "send it again" in reply.text

    stats = await fake.slash(bob, "stats")
    await replies_to(fake, stats, lambda m: "couldn't do that" in m.text)

    answered = await fake.submit_modal(bob, opened.modal, PARTIAL_EPOCH)
    await replies_to(fake, answered, lambda m: NOT_SAVED in m.text, timeout=GRADING_TIMEOUT_S)

    disk.clear()
    before = len(fake.bot_messages(dm))
    await fake.user_says(bob, PARTIAL_EPOCH, channel_id=dm)
    graded = await fake.wait_for_bot_message(channel_id=dm, after=before, timeout=GRADING_TIMEOUT_S)
    assert NOT_SAVED not in graded.text
    assert test_bank.question("T07-001").key_point("kp2").follow_up in graded.text


async def test_a_poison_answer_among_20_concurrent_dm_answers_fails_nobody(fake: FakeDiscord,
                                                                           sick_bot: BotHarness) -> None:
    users = [u for u in fake.users.values() if u["username"].startswith("member")]
    assert len(users) == CROWD
    for user in users:
        start = await fake.slash(user, "interview start", dm=True, topic="T07", questions=1, persona="tester")
        await replies_to(fake, start, lambda m: is_question(m, 1))
    before = {u["id"]: len(fake.bot_messages(fake.dm_channel_id(u))) for u in users}
    texts = [PARTIAL_EPOCH] * (CROWD - 1) + [POISON]
    await asyncio.gather(*(fake.user_says(u, t, channel_id=fake.dm_channel_id(u))
                           for u, t in zip(users, texts, strict=True)))
    replies = await asyncio.gather(*(fake.wait_for_bot_message(channel_id=fake.dm_channel_id(u), after=before[u["id"]],
                                                               timeout=GRADING_TIMEOUT_S) for u in users))
    failed = [r.text for r in replies if "Sorry" in r.text or "wrong" in r.text]
    assert failed == []
    assert all("?" in r.text for r in replies[:-1]), "each ordinary answer gets its follow-up question"
