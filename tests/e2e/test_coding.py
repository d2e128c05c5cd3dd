"""Coding tasks through Discord: statement and starter file, submissions by attachment, form and DM."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TESTS_DIR
from tests.e2e.conftest import BotHarness
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.fake_discord.protocol import DEFERRED, MODAL
from tests.e2e.interview_helpers import replies_to

SUBMISSIONS = TESTS_DIR / "data" / "submissions"
CHECK_TIMEOUT_S = 90.0  # the sandbox's first job starts its warm worker


def submission(name: str) -> str:
    return Path(SUBMISSIONS / name).read_text(encoding="utf-8")


async def test_code_tasks_and_start_show_the_statement_and_starter_file(fake: FakeDiscord, harness: BotHarness):
    alice = fake.user_named("alice")
    listing = fake.messages_for(await fake.slash(alice, "code tasks"))[0]
    assert listing.ephemeral and "`dropout`" in listing.text
    started = await fake.slash(alice, "code start", task="dropout")
    messages = await replies_to(fake, started, lambda m: bool(m.attachments))
    assert "Inverted dropout" in messages[0].text
    (starter,) = [a for m in messages for a in m.attachments]
    assert starter.filename == "dropout.py" and "def dropout_forward" in starter.text


async def test_submission_by_attachment_passes_case_by_case(fake: FakeDiscord, harness: BotHarness):
    alice = fake.user_named("alice")
    upload = fake.add_attachment("dropout.py", submission("dropout_good.py").encode())
    record = await fake.slash(alice, "code submit", file=upload)
    assert record.response_type == DEFERRED, "checking runs code: the interaction is deferred first"
    (verdict,) = await replies_to(fake, record, lambda m: bool(m.embeds), timeout=CHECK_TIMEOUT_S)
    embed = verdict.embeds[0]
    assert verdict.ephemeral and embed["title"].startswith("✅") and "passed" in embed["title"]
    assert embed["fields"] and all(f["name"].startswith("✅") for f in embed["fields"])


async def test_submission_by_form_fails_with_feedback_on_the_failing_case(fake: FakeDiscord, harness: BotHarness):
    alice = fake.user_named("alice")
    opened = await fake.slash(alice, "code submit")
    assert opened.response_type == MODAL and opened.modal is not None
    record = await fake.submit_modal(alice, opened.modal, "dropout", submission("dropout_bad_eval_drops.py"))
    (verdict,) = await replies_to(fake, record, lambda m: bool(m.embeds), timeout=CHECK_TIMEOUT_S)
    embed = verdict.embeds[0]
    assert embed["title"].startswith("❌") and "failed" in embed["title"]
    failing = [f for f in embed["fields"] if f["name"].startswith("❌")]
    assert failing and any("eval mode must return x unchanged" in f["value"] for f in failing)


async def test_python_block_in_dms_is_checked(fake: FakeDiscord, harness: BotHarness):
    bob = fake.user_named("bob")
    dm = fake.dm_channel_id(bob)
    await fake.user_says(bob, "here is my try:\n```python\n" + submission("dropout_good.py") + "```", channel_id=dm)
    verdict = await fake.wait_for_bot_message(lambda m: bool(m.embeds), channel_id=dm, timeout=CHECK_TIMEOUT_S)
    assert verdict.embeds[0]["title"].startswith("✅")
    assert verdict.allowed_mentions == {"parse": []}


async def test_task_is_suggested_while_typing(fake: FakeDiscord, harness: BotHarness):
    alice = fake.user_named("alice")
    choices = await fake.autocomplete(alice, "code start", "task", "drop")
    assert "dropout" in [c["value"] for c in choices]
