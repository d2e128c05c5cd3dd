"""/stats, /export and /forget-me through the real bot and the in-repo fake Discord."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from sqlalchemy import func, select

from bot.interview.engine import InterviewOptions, Participant
from bot.storage.models import InterviewSession, Turn, User
from tests.e2e.conftest import BotHarness
from tests.e2e.fake_discord import FakeDiscord, InteractionRecord
from tests.e2e.fake_discord.protocol import DEFERRED
from tests.e2e.interview_helpers import replies_to

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def shown_name(user: dict[str, Any]) -> str:
    return user.get("global_name") or user["username"]


async def interviewed(harness: BotHarness, user: dict[str, Any], test_bank: Any) -> None:
    """Alice or Bob did one two-question interview: skipped the first question, aced the second."""
    engine = harness.bot.services.interviews  # type: ignore[union-attr]
    who = Participant(platform="discord", external_id=user["id"], display_name=user["username"])
    reply = await engine.start(who, InterviewOptions(questions=2, difficulty="easy", persona="tester"))
    reply = await engine.skip(reply.session_id)
    async with harness.bot.services.sessions() as db:  # type: ignore[union-attr]
        session = await db.get(InterviewSession, reply.session_id)
        assert session is not None
        second = session.question_ids[1]
    reply = await engine.answer(reply.session_id, test_bank.question(second).reference_answer)
    while not reply.finished:
        reply = await engine.skip(reply.session_id)


async def stats_about(fake: FakeDiscord, user: dict[str, Any], target: dict[str, Any], *, dm: bool) -> InteractionRecord:
    """`/stats member:target`: Discord resolves the option to a member (server) or a user (DM)."""
    return await fake.slash(user, "stats", dm=dm, member=target)


async def test_stats_show_figures_with_a_chart_image(fake: FakeDiscord, harness: BotHarness, test_bank: Any):
    alice = fake.user_named("alice")
    await interviewed(harness, alice, test_bank)
    record = await fake.slash(alice, "stats")
    assert record.response_type == DEFERRED, "rendering the chart takes time: deferred first"
    (reply,) = await replies_to(fake, record, lambda m: bool(m.embeds))
    embed = reply.embeds[0]
    assert reply.ephemeral and embed["title"] == f"Progress · {shown_name(alice)}"
    assert "Questions answered: 1 (skipped 1)" in reply.text and "Mastery by topic" in reply.text
    assert embed["image"]["url"] == "attachment://progress.png"
    (chart,) = reply.attachments
    assert chart.filename == "progress.png" and chart.data.startswith(PNG_SIGNATURE) and len(chart.data) > 10_000


async def test_another_members_stats_only_within_the_server(fake: FakeDiscord, harness: BotHarness,
                                                            test_bank: Any):
    alice, bob = fake.user_named("alice"), fake.user_named("bob")
    await interviewed(harness, bob, test_bank)
    (in_server,) = await replies_to(fake, await stats_about(fake, alice, bob, dm=False), lambda m: bool(m.embeds))
    assert in_server.ephemeral and in_server.embeds[0]["title"] == f"Progress · {shown_name(bob)}"
    (in_dm,) = await replies_to(fake, await stats_about(fake, alice, bob, dm=True))
    assert "in a server you both belong to" in in_dm.text and not in_dm.embeds and not in_dm.attachments


async def test_stats_without_interviews_say_how_to_start(fake: FakeDiscord, harness: BotHarness):
    (reply,) = await replies_to(fake, await fake.slash(fake.user_named("bob"), "stats", dm=True))
    assert "no practice yet: no interviews and no answers in study sessions" in reply.text
    assert "/interview start" in reply.text and "/study now" in reply.text


async def _count_rows(harness: BotHarness, discord_id: str) -> dict[str, int]:
    async with harness.bot.services.sessions() as db:  # type: ignore[union-attr]
        return {
            "users": int(await db.scalar(select(func.count()).select_from(User)
                                         .where(User.external_id == discord_id)) or 0),
            "turns": int(await db.scalar(select(func.count()).select_from(Turn).join(InterviewSession).join(User)
                                         .where(User.external_id == discord_id)) or 0),
        }


async def test_forget_me_deletes_only_after_confirmation(fake: FakeDiscord, harness: BotHarness, test_bank: Any):
    alice = fake.user_named("alice")
    await interviewed(harness, alice, test_bank)
    assert await _count_rows(harness, alice["id"]) == {"users": 1, "turns": 2}

    (prompt,) = fake.messages_for(await fake.slash(alice, "forget-me"))
    assert prompt.ephemeral and "cannot be undone" in prompt.text
    await fake.click(alice, prompt, "Cancel")
    assert "nothing was deleted" in prompt.content and not prompt.components
    assert await _count_rows(harness, alice["id"]) == {"users": 1, "turns": 2}

    (prompt,) = fake.messages_for(await fake.slash(alice, "forget-me"))
    await harness.restart()  # the confirmation button works after a restart: its state is its custom id
    await fake.click(alice, prompt, "Delete my data")
    await fake.wait_until(lambda: prompt.content.startswith("Done"), 10)
    assert prompt.content == ("Done. I deleted your profile and all your data: 1 interview, 2 interview answers "
                              "and 2 review-schedule entries.")
    assert not prompt.components
    assert await _count_rows(harness, alice["id"]) == {"users": 0, "turns": 0}


def _export_files(message: Any) -> dict[str, bytes]:
    return {a.filename: a.data for a in message.attachments}


async def test_export_in_dms_sends_csv_and_anki_deck(fake: FakeDiscord, harness: BotHarness, test_bank: Any):
    alice = fake.user_named("alice")
    await interviewed(harness, alice, test_bank)
    (reply,) = await replies_to(fake, await fake.slash(alice, "export", dm=True), lambda m: bool(m.attachments))
    files = _export_files(reply)
    assert set(files) == {"viva-answers.csv", "viva-weakest.apkg"}
    rows = list(csv.DictReader(io.StringIO(files["viva-answers.csv"].decode())))
    assert [r["outcome"] for r in rows] == ["skipped", "answered"]
    with zipfile.ZipFile(io.BytesIO(files["viva-weakest.apkg"])) as deck:
        assert "collection.anki2" in deck.namelist()


async def test_export_in_a_server_goes_to_direct_messages(fake: FakeDiscord, harness: BotHarness, test_bank: Any):
    alice = fake.user_named("alice")
    await interviewed(harness, alice, test_bank)
    (note,) = await replies_to(fake, await fake.slash(alice, "export"))
    assert note.ephemeral and "direct messages" in note.text and not note.attachments
    dm_message = await fake.wait_for_bot_message(lambda m: bool(m.attachments), channel_id=fake.dm_channel_id(alice))
    assert "viva-answers.csv" in _export_files(dm_message)
    assert not [m for m in fake.bot_messages(fake.general_id) if m.attachments], "no personal data in the server"
