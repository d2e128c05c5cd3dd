"""The /code commands and ```python submissions in DMs. Every check is deferred first: it runs code."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.coding import Task, UnknownTask, Verdict, check_submission, load_tasks
from bot.exts._shared.code_blocks import extract_python_block, guess_task
from bot.exts._shared.contexts import EVERYWHERE, INSTALLS
from bot.exts._shared.failures import report_failure, report_failure_in
from bot.exts._shared.limits import CHOICES_MAX, EMBED_DESCRIPTION_MAX
from bot.exts._shared.text import clip, split_message
from bot.exts._shared.tree import send_private
from bot.sandbox.api import Busy, IsolationUnavailable

from ._modal import SOURCE_INPUT_ID, SUBMIT_MODAL_PATTERN, TASK_INPUT_ID, SubmitModal
from ._render import verdict_embed

if TYPE_CHECKING:
    from bot.discord_bot import VivaBot

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
MAX_SUBMISSION_BYTES = 64 * 1024


class CheckRefused(Exception):
    """The submission could not be checked; the message says why, for the candidate."""


class CodingCog(commands.Cog):
    """Coding tasks: read the statement, submit code, get a case-by-case verdict."""

    code = app_commands.Group(
        name="code", description="Coding tasks checked against PyTorch reference outputs",
        allowed_contexts=EVERYWHERE, allowed_installs=INSTALLS,
    )

    def __init__(self, bot: VivaBot) -> None:
        self.bot = bot
        self.tasks: dict[str, Task] = {}

    async def cog_load(self) -> None:
        self.tasks = await asyncio.to_thread(load_tasks, self.bot.settings.coding_tasks_dir)
        self.bot.modals.add("code-submit", SUBMIT_MODAL_PATTERN, self._on_submit_modal, step="code",
                            echo_field=SOURCE_INPUT_ID)
        # Before the interview's route: in DMs a ```python block is a submission, not an answer.
        self.bot.direct_messages.add("code", lambda m: extract_python_block(m.content) is not None,
                                     self.on_direct_message, priority=10)

    async def cog_unload(self) -> None:
        self.bot.modals.remove("code-submit")
        self.bot.direct_messages.remove("code")

    # ------------------------------------------------------------------ helpers
    def _task(self, slug: str) -> Task:
        task = self.tasks.get(slug.strip().lower())
        if task is None:
            raise CheckRefused(f"Unknown task {slug!r}. Tasks: {', '.join(sorted(self.tasks)) or 'none yet'}.")
        return task

    async def _check(self, slug: str, source: str, user: discord.abc.User) -> tuple[Verdict, Task]:
        task = self._task(slug)
        if not source.strip():
            raise CheckRefused("The submission is empty.")
        try:
            runner = self.bot.code_runner
            verdict = await check_submission(task.slug, source, runner, user_key=f"discord:{user.id}",
                                             tasks_dir=self.bot.settings.coding_tasks_dir)
        except Busy as busy:
            raise CheckRefused(f"The code checker is busy; try again in {max(1, round(busy.retry_after_s))} s.") from None
        except IsolationUnavailable:
            log.error("code checking is unavailable: the sandbox cannot isolate submissions on this host")
            raise CheckRefused("Code checking is not available on this server right now.") from None
        except UnknownTask:
            raise CheckRefused(f"Unknown task {slug!r}.") from None
        return verdict, task

    async def _task_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = current.lower()
        return [app_commands.Choice(name=clip(f"{t.slug} · {t.title} ({t.difficulty})", 100), value=t.slug)
                for t in self.tasks.values() if wanted in t.slug or wanted in t.title.lower()][:CHOICES_MAX]

    # ------------------------------------------------------------------ commands
    @code.command(name="tasks", description="List the coding tasks")
    async def list_tasks(self, interaction: discord.Interaction) -> None:
        lines = [f"`{t.slug}` **{t.title}** · {t.difficulty} · {t.topic}" for t in self.tasks.values()]
        embed = discord.Embed(title="Coding tasks", colour=discord.Colour.blurple(),
                              description=clip("\n".join(lines) or "No tasks yet.", EMBED_DESCRIPTION_MAX))
        embed.set_footer(text="/code start task:<slug> shows the statement and the starter code")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @code.command(name="start", description="Show a coding task's statement and starter code")
    @app_commands.describe(task="The task (see /code tasks)")
    async def start(self, interaction: discord.Interaction, task: str) -> None:
        private = interaction.guild_id is not None
        try:
            chosen = self._task(task)
        except CheckRefused as refusal:
            await interaction.response.send_message(str(refusal), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=private, thinking=True)
        chunks = split_message(f"## {chosen.title}\n{chosen.statement}")
        starter = discord.File(io.BytesIO(chosen.starter.encode()), filename=f"{chosen.slug}.py")
        footer = (f"Edit `{chosen.slug}.py` and send it back with `/code submit` (attach the file), "
                  "or paste it in DMs as a ```python block.")
        for chunk in chunks:
            await interaction.followup.send(chunk, ephemeral=private, allowed_mentions=NO_MENTIONS)
        await interaction.followup.send(footer, file=starter, ephemeral=private, allowed_mentions=NO_MENTIONS)

    start.autocomplete("task")(_task_choices)

    @code.command(name="submit", description="Submit your code: attach a .py file, or paste it in a form")
    @app_commands.describe(file="Your .py file (leave empty to paste the code)", task="Which task (guessed if empty)")
    async def submit(
        self, interaction: discord.Interaction, file: discord.Attachment | None = None, task: str | None = None
    ) -> None:
        if file is None:
            await interaction.response.send_modal(SubmitModal(task))
            return
        await interaction.response.defer(ephemeral=interaction.guild_id is not None, thinking=True)
        if file.size > MAX_SUBMISSION_BYTES:
            await send_private(interaction, f"That file is too large ({file.size // 1024} KiB); keep it under 64 KiB.")
            return
        try:
            source = (await file.read()).decode("utf-8")
        except UnicodeDecodeError:
            await send_private(interaction, "That file is not UTF-8 text; attach your .py file.")
            return
        slug = task or guess_task(source, {s: t.starter for s, t in self.tasks.items()})
        if slug is None:
            await send_private(interaction, "Which task is this for? Pass `task:` or add a `# task: <slug>` line.")
            return
        await self._reply_with_verdict(interaction, slug, source)

    submit.autocomplete("task")(_task_choices)

    async def _on_submit_modal(self, interaction: discord.Interaction, match: re.Match[str],
                               values: dict[str, str]) -> None:
        await self.on_submission(interaction, values.get(TASK_INPUT_ID, "").strip(), values.get(SOURCE_INPUT_ID, ""))

    async def on_submission(self, interaction: discord.Interaction, task_slug: str, source: str) -> None:
        """From the paste form."""
        await interaction.response.defer(ephemeral=interaction.guild_id is not None, thinking=True)
        await self._reply_with_verdict(interaction, task_slug, source)

    async def _reply_with_verdict(self, interaction: discord.Interaction, slug: str, source: str) -> None:
        try:
            verdict, task = await self._check(slug, source, interaction.user)
        except CheckRefused as refusal:
            await send_private(interaction, str(refusal))
            return
        except Exception as error:  # the checker's own trouble, never the candidate's
            await report_failure(interaction, error, step="code")
            return
        await interaction.followup.send(embed=verdict_embed(verdict, task), ephemeral=interaction.guild_id is not None,
                                        allowed_mentions=NO_MENTIONS)

    # ------------------------------------------------------------------ DMs: a ```python block is a submission
    async def on_direct_message(self, message: discord.Message) -> None:
        source = extract_python_block(message.content)
        if source is None:
            return
        slug = guess_task(source, {s: t.starter for s, t in self.tasks.items()})
        if slug is None:
            await message.channel.send(
                "I couldn't tell which coding task this is for: add a `# task: <slug>` line (see `/code tasks`).",
                allowed_mentions=NO_MENTIONS)
            return
        try:
            async with message.channel.typing():
                verdict, task = await self._check(slug, source, message.author)
        except CheckRefused as refusal:
            await message.channel.send(str(refusal), allowed_mentions=NO_MENTIONS)
            return
        except Exception as error:
            await report_failure_in(message.channel, error, step="code")
            return
        await message.channel.send(embed=verdict_embed(verdict, task), allowed_mentions=NO_MENTIONS)
