"""The Discord front end's bot class and its production factory.

`create_bot(settings)` is the one way to build the bot, in production and in the end-to-end tests
(which point it at the in-repo fake Discord through DISCORD_API_BASE / DISCORD_GATEWAY_URL).
All asynchronous set-up happens in `setup_hook`, never in `on_ready` (which fires on every reconnect).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from pathlib import Path
from typing import Any

import discord
import yarl
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot import PROJECT_ROOT
from bot.config import Settings
from bot.exts import walk_extensions
from bot.exts._shared.command_sync import sync_command_tree
from bot.exts._shared.routing import DirectMessages, ModalRouter
from bot.exts._shared.tree import VivaTree
from bot.grading import Grader
from bot.sandbox.api import CodeRunner
from bot.services import Services, build_services, code_runner_for
from bot.storage.database import sqlite_path

log = logging.getLogger(__name__)


def point_client_at(api_base: str, gateway_url: str) -> None:
    """Aim discord.py at a Discord-compatible server.

    discord.py has exactly two process-wide switches for this (docs/notes.md#discord-patterns):
    `Route.BASE` (REST and interaction webhooks) and `DiscordWebSocket.DEFAULT_GATEWAY`
    (a plain Client never asks /gateway/bot where to connect).
    """
    base = api_base.rstrip("/")
    gateway = yarl.URL(gateway_url.rstrip("/") + "/")
    # Assigned every time (not only when non-default) so a process can re-aim, e.g. between tests.
    Route.BASE = base
    DiscordWebSocket.DEFAULT_GATEWAY = gateway


def default_sync_state_path(settings: Settings) -> Path:
    """Where the last synced command-set hash is remembered: beside the SQLite file, else data/."""
    database_file = sqlite_path(settings.database_url)
    folder = database_file.parent if database_file is not None else PROJECT_ROOT / "data"
    return folder / "discord_commands.json"


class VivaBot(commands.Bot):
    """The bot: services (database, bank, grader, interview engine) plus the extensions in bot/exts/."""

    def __init__(
        self,
        settings: Settings,
        *,
        grader: Grader | None = None,
        code_runner: CodeRunner | None = None,
        sync_state_path: Path | None = None,
        **options: Any,
    ) -> None:
        # No privileged intent: slash commands, buttons and modals carry their own data, and the
        # content of direct messages is delivered without the message-content intent.
        intents = discord.Intents.default()
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=VivaTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),  # the bot never pings, whatever it echoes
            **options,
        )
        self.settings = settings
        self.sync_state_path = sync_state_path or default_sync_state_path(settings)
        self._grader = grader
        self._code_runner: CodeRunner | None = code_runner
        self._owns_code_runner = code_runner is None  # a runner passed in is closed by its owner
        self._services: Services | None = None
        self._model_warm_up: asyncio.Task[None] | None = None
        self._closing = threading.Event()
        self._work_queue: Any = None
        #: extension handlers by the protocol their controls call; modal and DM routes (exts/_shared/routing.py)
        self.handlers: dict[type, object] = {}
        self.modals = ModalRouter()
        self.direct_messages = DirectMessages()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Modal submissions go to their extension by custom id (restart-safe: see ModalRouter)."""
        await self.modals.dispatch(interaction)

    async def on_message(self, message: discord.Message) -> None:
        """Owner commands ("@Viva sync") first; any other direct message goes to the extension that claims it."""
        if message.author.bot:
            return
        context = await self.get_context(message)
        if context.valid:
            await self.invoke(context)
            return
        if message.guild is None and message.content.strip():
            await self.direct_messages.dispatch(message)

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are created in setup_hook; the bot has not logged in yet")
        return self._services

    @property
    def code_runner(self) -> CodeRunner:
        """The sandbox runner, created on first use (it may be unavailable on this host)."""
        if self._code_runner is None:
            self._code_runner = code_runner_for(self.settings)
        return self._code_runner

    async def setup_hook(self) -> None:
        grading = await self._connect_work_queue() if self.settings.redis_url else None
        self._services = await asyncio.to_thread(build_services, self.settings, grader=self._grader, grading=grading)
        if grading is None:
            # Load the embedding model and embed the rubrics now, off the event loop, rather than on the first
            # answers (seconds): the bot connects meanwhile and answers are graded while it warms up.
            self._model_warm_up = asyncio.create_task(
                asyncio.to_thread(self._warm_grader, self._services, self._closing))
        for extension in walk_extensions():
            await self.load_extension(extension)
        await self.sync_commands()
        _freeze_startup_objects()

    async def _connect_work_queue(self) -> Any:
        """REDIS_URL set: grading and (unless a runner was passed in) code checks go to queue workers."""
        from bot.work.queue import WorkQueue, connect, describe
        from bot.work.remote import QueuedCodeRunner, QueuedGrading

        assert self.settings.redis_url is not None
        self._work_queue = WorkQueue(await connect(self.settings.redis_url), wait_s=self.settings.worker_wait_s)
        if self._code_runner is None:
            self._code_runner = QueuedCodeRunner(self._work_queue, queue_limit=self.settings.sandbox_queue_limit)
        log.info("work queue ready: Redis %s; code checks and grading run in `viva worker` processes",
                 describe(self.settings.redis_url))
        return QueuedGrading(self._work_queue, queue_limit=self.settings.grade_queue_limit)

    @staticmethod
    def _warm_grader(services: Services, stop: threading.Event) -> None:
        """Load the model, then embed every rubric: a deployed bot grades its first answers at full speed."""
        started = time.perf_counter()
        try:
            services.grader.embedder.load()
            count = services.grader.warm(list(services.bank.questions.values()), stop=stop)
        except Exception:  # grading still works: each rubric is embedded on first use instead
            log.exception("grader warm-up failed")
            return
        if not stop.is_set():
            log.info("grader ready: model and %d rubrics in %.1f s", count, time.perf_counter() - started)

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Register the slash commands if forced, or as DISCORD_SYNC_COMMANDS says (auto: on change)."""
        assert self.application_id is not None, "application_id is known after login"
        return await sync_command_tree(
            self.tree, application_id=self.application_id, mode=self.settings.discord_sync_commands,
            state_path=self.sync_state_path, dev_guild_id=self.settings.discord_dev_guild_id, force=force,
        )

    async def close(self) -> None:
        self._closing.set()
        await super().close()
        if self._services is not None:
            await self._services.close()
        if self._owns_code_runner and self._code_runner is not None:
            await self._code_runner.close()
        if self._work_queue is not None:
            await self._work_queue.close()


class ShardedVivaBot(VivaBot, commands.AutoShardedBot):
    """The same bot serving only some Discord shards (`run --shard-ids 0,1 --shard-count 4`): several
    processes or hosts share one bot. Everything they share lives in the database (docs/architecture.md §7)."""


def _freeze_startup_objects() -> None:
    """Move what start-up built (modules, the bank, the services: about 300 000 objects, alive for the whole
    run) out of the garbage collector's reach. Each full collection otherwise walks them all: about 0.25 s of
    CPU, several times an hour under load, which added ~3 ms to every answer of a burst it fell into."""
    gc.collect()
    gc.freeze()


def create_bot(
    settings: Settings,
    *,
    grader: Grader | None = None,
    code_runner: CodeRunner | None = None,
    guild_ready_timeout: float = 2.0,
    sync_state_path: Path | None = None,
    shard_ids: list[int] | None = None,
    shard_count: int | None = None,
) -> VivaBot:
    """Build the bot for `settings` (the production factory; tests share a loaded grader through it).
    With `shard_ids` and `shard_count`, a bot that identifies only those shards."""
    point_client_at(settings.discord_api_base, settings.discord_gateway_url)
    if shard_ids is not None and shard_count is not None:
        return ShardedVivaBot(settings, grader=grader, code_runner=code_runner, sync_state_path=sync_state_path,
                              guild_ready_timeout=guild_ready_timeout, shard_ids=shard_ids, shard_count=shard_count)
    return VivaBot(settings, grader=grader, code_runner=code_runner, sync_state_path=sync_state_path,
                   guild_ready_timeout=guild_ready_timeout)
