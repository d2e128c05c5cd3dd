"""End-to-end fixtures: the in-repo fake Discord and the real bot built by the production factory.

All e2e tests share one event loop (session scope) so the loaded grader model and the sandbox's
warm pool are created once for the whole run.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.config import Settings
from bot.discord_bot import VivaBot, create_bot
from bot.services import code_runner_for
from tests.conftest import TEST_BANK_DIR
from tests.e2e.fake_discord import FakeDiscord

E2E_DIR = Path(__file__).parent
READY_TIMEOUT_S = 15.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    session_loop = pytest.mark.asyncio(loop_scope="session")
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).parents and pytest_asyncio.is_async_test(item):
            item.add_marker(session_loop, append=False)


@pytest.fixture(scope="session")
def warm_grader(grader: Any, test_bank: Any) -> Any:
    """The shared grader with its model already loaded: a first load inside a test would only slow it."""
    question = next(iter(test_bank.questions.values()))
    grader.grade(question, question.reference_answer)
    return grader


@pytest_asyncio.fixture(loop_scope="session")
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    server.add_user("alice")
    server.add_user("bob")
    await server.start()
    yield server
    await server.stop()


class BotHarness:
    """Starts, stops and restarts the real bot against the fake, as a process would."""

    def __init__(self, settings: Settings, grader: Any, code_runner: Any) -> None:
        self.settings = settings
        self.grader = grader
        self.code_runner = code_runner
        self.bot: VivaBot | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> VivaBot:
        bot = create_bot(self.settings, grader=self.grader, code_runner=self.code_runner, guild_ready_timeout=0.05)
        self.bot, self._task = bot, asyncio.create_task(bot.start("fake-token"))
        deadline = asyncio.get_running_loop().time() + READY_TIMEOUT_S
        while not bot.is_ready():
            if self._task.done():
                self._task.result()  # raises the start-up error
            assert asyncio.get_running_loop().time() < deadline, "the bot did not become ready"
            await asyncio.sleep(0.01)
        return bot

    async def stop(self) -> None:
        if self.bot is not None:
            await self.bot.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.bot, self._task = None, None

    async def restart(self) -> VivaBot:
        await self.stop()
        return await self.start()


def e2e_settings(fake: FakeDiscord, db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "discord_token": "fake-token", "database_url": db_url, "content_dir": TEST_BANK_DIR,
        "discord_api_base": fake.api_base, "discord_gateway_url": fake.gateway_url,
        "discord_sync_commands": "auto", **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def code_runner() -> AsyncIterator[Any]:
    """The real sandbox's warm pool, shared by all e2e tests (its workers start on the first job)."""

    runner = code_runner_for(Settings(_env_file=None))  # type: ignore[call-arg]
    yield runner
    await runner.close()


@pytest_asyncio.fixture(loop_scope="session")
async def harness(fake: FakeDiscord, db_url: str, warm_grader: Any, code_runner: Any) -> AsyncIterator[BotHarness]:
    runner = BotHarness(e2e_settings(fake, db_url), warm_grader, code_runner=code_runner)
    await runner.start()
    yield runner
    await runner.stop()
    assert not fake.unknown_routes, f"the bot called routes the fake does not know: {fake.unknown_routes}"
    assert not fake.rejected, f"Discord would have rejected messages: {fake.rejected}"
    if fake.interactions:
        fake.assert_acks_within()  # Discord's 3-second deadline, for every interaction of every test
