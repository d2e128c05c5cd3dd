"""Posting a study run in Discord: open its thread, post each step the engine returns.

The engine has already committed each transition when these functions post it; a run whose
channel is gone or closed to the bot is abandoned rather than retried forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import discord

from bot.scheduling.study_run import PendingRun, StudyEngine, StudyStep

from ._controls import answer_view, join_view
from ._render import announcement_text, intro_text, leaderboard_embed, question_embed, reveal_embed

if TYPE_CHECKING:
    from bot.discord_bot import VivaBot

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
THREAD_ARCHIVE_MINUTES = 1440


async def _channel(bot: VivaBot, channel_id: str) -> discord.abc.GuildChannel | discord.Thread:
    channel = bot.get_channel(int(channel_id))
    if channel is None:
        channel = await bot.fetch_channel(int(channel_id))
    return channel  # type: ignore[return-value]


#: Runs this process is opening now. `/study now` and the timer can both find the same pending run;
#: the second caller awaits the first one's opening instead of creating a second thread. Across
#: processes `engine.begin` still decides (the loser deletes its short-lived empty thread).
_OPENING: dict[int, asyncio.Task[discord.Thread | None]] = {}


async def open_run(bot: VivaBot, engine: StudyEngine, run: PendingRun) -> discord.Thread | None:
    """Open the run's thread, announce it, and post question 1. None if it could not be opened."""
    task = _OPENING.get(run.run_id)
    if task is None:
        task = asyncio.create_task(_open_run(bot, engine, run))
        _OPENING[run.run_id] = task
        task.add_done_callback(lambda _: _OPENING.pop(run.run_id, None))
    return await asyncio.shield(task)


async def _open_run(bot: VivaBot, engine: StudyEngine, run: PendingRun) -> discord.Thread | None:
    try:
        channel = await _channel(bot, run.channel_id)
        if not isinstance(channel, discord.TextChannel):
            await engine.abandon(run.run_id, "the channel is not a text channel")
            return None
        thread = await channel.create_thread(name=run.title, type=discord.ChannelType.public_thread,
                                             auto_archive_duration=THREAD_ARCHIVE_MINUTES)
    except (discord.NotFound, discord.Forbidden) as error:
        log.info("study run %s: cannot open a thread in %s (%s)", run.run_id, run.channel_id, error)
        await engine.abandon(run.run_id, "the bot could not open a thread in the channel")
        return None
    step = await engine.begin(run.run_id, str(thread.id))
    if step is None:  # another process opened it first: leave no empty thread behind
        with contextlib.suppress(discord.HTTPException):
            await thread.delete()
        return None
    role = discord.AllowedMentions(everyone=False, users=False,
                                   roles=[discord.Object(int(run.mention_role_id))] if run.mention_role_id else False)
    with contextlib.suppress(discord.HTTPException):
        await channel.send(announcement_text(run, thread.id), allowed_mentions=role)
    await thread.send(intro_text(run), view=join_view(run.run_id), allowed_mentions=NO_MENTIONS)
    await post_step(bot, engine, step, run.title)
    return thread


async def post_step(bot: VivaBot, engine: StudyEngine, step: StudyStep, title: str | None = None) -> None:
    """Post a transition: the closed question's key points, then the next question or the leaderboard."""
    if step.thread_id is None:
        return
    try:
        thread = await _channel(bot, step.thread_id)
        if not isinstance(thread, discord.Thread | discord.TextChannel):
            return
        if step.reveal is not None:
            await thread.send(embed=reveal_embed(step.reveal), allowed_mentions=NO_MENTIONS)
        if step.question is not None:
            await thread.send(embed=question_embed(step.question), view=answer_view(step.run_id, step.question.position),
                              allowed_mentions=NO_MENTIONS)
        if step.leaderboard is not None:
            name = title or (thread.name if isinstance(thread, discord.Thread) else "study session")
            await thread.send(embed=leaderboard_embed(step.leaderboard, name), allowed_mentions=NO_MENTIONS)
    except (discord.NotFound, discord.Forbidden) as error:
        log.info("study run %s: thread %s is gone (%s); ending the run", step.run_id, step.thread_id, error)
        await engine.abandon(step.run_id, "the session's thread was deleted or closed")
