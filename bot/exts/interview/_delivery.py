"""Where an interview's messages go and how each interaction is acknowledged in time.

Every button press and modal submit is deferred before the engine runs (grading takes a few tens of
milliseconds, the model's first load seconds), so Discord's 3-second deadline never depends on it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from enum import Enum

import discord

from bot.exts._shared.failures import failure_text, report_failure
from bot.exts._shared.tree import send_private
from bot.interview.engine import InterviewError, Reply, StepFailed

from ._controls import controls_for
from ._render import Part, render_reply

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


class Place(Enum):
    THREAD = "thread"  # the candidate's thread: questions in the thread, grades privately
    DIRECT = "direct"  # a DM with the bot: everything in the conversation
    PRIVATE = "private"  # a channel where we may not open threads: everything ephemeral


def place_of(interaction: discord.Interaction) -> Place:
    if interaction.guild_id is None:
        return Place.DIRECT
    if isinstance(interaction.channel, discord.Thread):
        return Place.THREAD
    return Place.PRIVATE


async def defer(interaction: discord.Interaction, place: Place) -> None:
    await interaction.response.defer(ephemeral=place is not Place.DIRECT, thinking=True)


async def _send_followup(interaction: discord.Interaction, part: Part, *, ephemeral: bool,
                         view: discord.ui.View | None) -> None:
    kwargs: dict = {"ephemeral": ephemeral, "allowed_mentions": NO_MENTIONS}
    if part.embed is not None:
        kwargs["embed"] = part.embed
    if view is not None:
        kwargs["view"] = view
    await interaction.followup.send(part.content or None, **kwargs)  # type: ignore[arg-type]


async def _send_to(channel: discord.abc.Messageable, part: Part, view: discord.ui.View | None) -> None:
    await channel.send(part.content or None, embed=part.embed, view=view,  # type: ignore[arg-type]
                       allowed_mentions=NO_MENTIONS)


async def deliver(interaction: discord.Interaction, reply: Reply, place: Place, *,
                  thread: discord.abc.Messageable | None = None, note: str = "") -> None:
    """Send `reply` for an already deferred interaction. `thread`: post the public parts there."""
    parts = render_reply(reply)
    view = controls_for(reply, interaction.user.id)
    if place is Place.THREAD or thread is not None:
        target = thread or interaction.channel
        private = [p for p in parts if p.private]
        public = [p for p in parts if not p.private]
        if note:
            private.insert(0, Part(True, content=note))
        if not private:  # the deferred "thinking…" message still needs filling in
            private = [Part(True, content="Got it.")]
        for index, part in enumerate(private):
            last = index == len(private) - 1
            await _send_followup(interaction, part, ephemeral=True, view=view if last and not public else None)
        for index, part in enumerate(public):
            await _send_to(target, part, view if index == len(public) - 1 else None)  # type: ignore[arg-type]
        return
    if note:
        parts.insert(0, Part(True, content=note))
    for index, part in enumerate(parts):
        await _send_followup(interaction, part, ephemeral=place is Place.PRIVATE,
                             view=view if index == len(parts) - 1 else None)


async def deliver_to_channel(channel: discord.abc.Messageable, reply: Reply, owner_id: int) -> None:
    """Send `reply` into a DM conversation (typed answers have no interaction to answer)."""
    parts = render_reply(reply)
    view = controls_for(reply, owner_id)
    for index, part in enumerate(parts):
        await _send_to(channel, part, view if index == len(parts) - 1 else None)


async def run_step(interaction: discord.Interaction, step: Callable[[], Awaitable[Reply]], *,
                   kind: str = "command", answer_text: str | None = None,
                   acknowledge: Callable[[Reply], Awaitable[None]] | None = None,
                   not_shown: Callable[[Reply], None] | None = None) -> None:
    """Defer, run one engine transition, and show its reply (or its user-facing error, privately).

    The step runs after the acknowledgement, so neither grading nor busy storage can make the
    interaction miss Discord's deadline. Any failure becomes a private message saying whether the
    answer (`answer_text`, for `kind="answer"`) is saved; `acknowledge` runs once the reply is shown,
    `not_shown` if Discord refused it (the error then propagates to the extension's error handler).
    """
    place = place_of(interaction)
    try:
        await defer(interaction, place)
        reply = await step()
    except InterviewError as error:
        await send_private(interaction, failure_text(error, step=kind, answer_text=answer_text)
                           if isinstance(error, StepFailed) else str(error))
        return
    except Exception as error:
        await report_failure(interaction, error, step=kind, answer_text=answer_text)
        return
    try:
        await deliver(interaction, reply, place)
    except BaseException:
        if not_shown is not None:
            not_shown(reply)
        raise
    if acknowledge is not None:
        await acknowledge(reply)
