"""The real bot against the fake Discord: connection, deliberate command sync, /help and /topics."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

from tests.conftest import REPO_ROOT
from tests.e2e.conftest import BotHarness
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.interview_helpers import GRADING_TIMEOUT_S, PARTIAL_EPOCH, is_question, replies_to


async def test_bot_registers_contract_commands_usable_in_servers_and_dms(fake: FakeDiscord, harness: BotHarness):
    commands = {c["name"]: c for c in fake.commands["global"]}
    assert {"interview", "code", "topics", "help"} <= set(commands)
    subcommands = {name: {o["name"] for o in commands[name]["options"]} for name in ("interview", "code")}
    assert subcommands == {"interview": {"start", "end"}, "code": {"start", "submit", "tasks"}}
    for command in (commands[name] for name in ("interview", "code", "topics", "help")):
        assert set(command["contexts"]) == {0, 1, 2}, command["name"]  # guild, bot DM, private channel
        assert set(command["integration_types"]) == {0, 1}, command["name"]  # guild and user installs


async def test_commands_are_synced_only_when_the_command_set_changes(fake: FakeDiscord, harness: BotHarness):
    assert fake.command_syncs == ["global"]
    await harness.restart()
    assert fake.command_syncs == ["global"], "an unchanged command set must not be synced again"
    harness.settings = harness.settings.model_copy(update={"discord_sync_commands": "always"})
    await harness.restart()
    assert fake.command_syncs == ["global", "global"]


async def test_dev_guild_gets_the_commands_copied_and_synced_there(fake: FakeDiscord, harness: BotHarness):
    harness.settings = harness.settings.model_copy(update={"discord_dev_guild_id": int(fake.guild_id)})
    await harness.restart()
    assert fake.command_syncs[-1] == fake.guild_id
    assert {c["name"] for c in fake.commands[fake.guild_id]} >= {"interview", "code", "help", "topics"}


async def test_owner_can_force_a_sync_by_mentioning_the_bot(fake: FakeDiscord, harness: BotHarness):
    before = len(fake.command_syncs)
    await fake.user_says(fake.owner, f"<@{fake.bot_user['id']}> sync", channel_id=fake.general_id)
    reply = await fake.wait_for_bot_message(lambda m: "synced" in m.content, channel_id=fake.general_id)
    assert reply.allowed_mentions == {"parse": [], "replied_user": False}
    assert len(fake.command_syncs) == before + 1


async def test_help_and_topics_answer_privately_and_fast(fake: FakeDiscord, harness: BotHarness):
    alice = fake.user_named("alice")
    help_reply = fake.messages_for(await fake.slash(alice, "help"))[0]
    assert help_reply.ephemeral and "/interview start" in help_reply.text
    assert "`/code submit` — Submit your code" in help_reply.text, "the command list comes from the tree"
    topics_reply = fake.messages_for(await fake.slash(alice, "topics", dm=True))[0]
    assert "T07" in topics_reply.text and "Optimisation" in topics_reply.text
    fake.assert_acks_within()


def test_run_without_token_names_the_variable_and_exits_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'viva.db'}"
    result = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DISCORD_TOKEN" in lines[0]
    assert not (tmp_path / "viva.db").exists(), "no token: nothing should be touched"


async def test_run_command_migrates_and_connects_where_the_settings_point(fake: FakeDiscord, tmp_path, test_bank):
    database = tmp_path / "viva.db"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "DISCORD_TOKEN": "fake-token",
           "DATABASE_URL": f"sqlite+aiosqlite:///{database}", "DISCORD_API_BASE": fake.api_base,
           "DISCORD_GATEWAY_URL": fake.gateway_url, "CONTENT_DIR": str(REPO_ROOT / "tests" / "data" / "bank")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        for _ in range(1200):  # up to 120 s: a cold start imports torch on a busy 2-core machine
            if fake.connected or process.returncode is not None:
                break
            await asyncio.sleep(0.1)
        assert process.returncode is None, (await process.stderr.read()).decode()[-3000:]  # type: ignore[union-attr]
        assert fake.connected, "the bot did not connect to the server DISCORD_GATEWAY_URL names"
        assert database.exists(), "the database is migrated before the bot connects"
        assert fake.command_syncs == ["global"]

        # The bot as deployed grades: a typed DM answer gets its graded follow-up.
        user = fake.add_user("deployed")
        dm = fake.dm_channel_id(user)
        start = await fake.slash(user, "interview start", dm=True, topic="T07", questions=1)
        await replies_to(fake, start, lambda m: is_question(m, 1))
        before = len(fake.bot_messages(dm))
        await fake.user_says(user, PARTIAL_EPOCH, channel_id=dm)
        follow_up = await fake.wait_for_bot_message(channel_id=dm, after=before, timeout=GRADING_TIMEOUT_S)
        assert test_bank.question("T07-001").key_point("kp2").follow_up in follow_up.text
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]
    assert process.returncode == 130, stderr.decode()[-2000:]  # 128 + SIGINT, after a clean shutdown
