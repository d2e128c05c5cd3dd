"""The /interview commands, the interview buttons' handlers, and typed answers in DMs."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.bank.schema import DIFFICULTY_NAMES
from bot.exts._shared.choices import topic_choices
from bot.exts._shared.contexts import EVERYWHERE, INSTALLS
from bot.exts._shared.failures import report_failure_in
from bot.exts._shared.limits import CHOICES_MAX, THREAD_NAME_MAX
from bot.exts._shared.people import participant
from bot.exts._shared.routing import register, unregister
from bot.exts._shared.text import clip
from bot.exts._shared.tree import send_private
from bot.interview.engine import (
    InterviewEngine,
    InterviewError,
    InterviewOptions,
    Reply,
    StepFailed,
)

from ._controls import ANSWER_INPUT_ID, ANSWER_MODAL_PATTERN, AnswerModal, InterviewActions, InterviewButton
from ._delivery import NO_MENTIONS, Place, deliver, deliver_to_channel, place_of, run_step

if TYPE_CHECKING:
    from bot.discord_bot import VivaBot

log = logging.getLogger(__name__)

NOT_YOURS = "This is not your interview. Start your own with `/interview start`."
#: Shown replies are recorded together within this window (see `InterviewEngine.acknowledge`): under a burst of
#: answers, one commit records many. Until then the engine knows in memory that the reply was delivered.
ACK_GATHER_S = 0.25
THREAD_ARCHIVE_MINUTES = 1440


class InterviewCog(commands.Cog):
    """Mock interviews: a thread per candidate in servers, a conversation in DMs."""

    interview = app_commands.Group(
        name="interview", description="Practise a deep-learning job interview",
        allowed_contexts=EVERYWHERE, allowed_installs=INSTALLS,
    )

    def __init__(self, bot: VivaBot) -> None:
        self.bot = bot

    @property
    def engine(self) -> InterviewEngine:
        return self.bot.services.interviews

    async def cog_load(self) -> None:
        # Registered during setup_hook, so buttons and modals from before a restart work again at once.
        self.bot.add_dynamic_items(InterviewButton)
        register(self.bot, InterviewActions, self)
        self.bot.modals.add("interview-answer", ANSWER_MODAL_PATTERN, self._on_answer_modal, step="answer",
                            echo_field=ANSWER_INPUT_ID)
        # Last among DM routes: any text that no other extension claims is an answer.
        self.bot.direct_messages.add("interview", lambda message: True, self.on_direct_message, priority=100)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(InterviewButton)
        unregister(self.bot, InterviewActions)
        self.bot.modals.remove("interview-answer")
        self.bot.direct_messages.remove("interview")

    async def _on_answer_modal(self, interaction: discord.Interaction, match: re.Match[str],
                               values: dict[str, str]) -> None:
        await self.on_answer(interaction, int(match["session"]), values.get(ANSWER_INPUT_ID, ""))

    # ------------------------------------------------------------------ commands
    @interview.command(name="start", description="Start a mock interview")
    @app_commands.describe(
        topic="Topic (e.g. T04 or 'activation functions'); any topic if empty",
        difficulty="How hard the questions are",
        persona="Who interviews you",
        questions="How many questions (1-20)",
        mode="review: questions due again; new: unseen ones; mixed (default): both",
    )
    @app_commands.choices(
        difficulty=[app_commands.Choice(name=name, value=code) for code, name in DIFFICULTY_NAMES.items()],
        mode=[app_commands.Choice(name=m, value=m) for m in ("mixed", "review", "new")],
    )
    async def start(
        self,
        interaction: discord.Interaction,
        topic: str | None = None,
        difficulty: str | None = None,
        persona: str | None = None,
        questions: app_commands.Range[int, 1, 20] = 5,
        mode: str = "mixed",
    ) -> None:
        place = place_of(interaction)
        await interaction.response.defer(ephemeral=place is not Place.DIRECT, thinking=True)
        options = InterviewOptions(topic=topic, difficulty=difficulty, persona=persona, questions=questions,
                                   mode=mode)
        who = participant(interaction.user)
        try:
            self.engine.resolve_options(options)  # fail on a bad option before opening a thread
        except InterviewError as error:
            await send_private(interaction, str(error))
            return
        thread = await self._open_thread(interaction) if place is Place.PRIVATE else None
        if thread is not None:
            channel_id: str | None = str(thread.id)
        elif place is Place.PRIVATE:
            channel_id = None  # ephemeral messages: the interview lives in no channel
        else:
            channel_id = str(interaction.channel_id)
        try:
            reply = await self.engine.start(who, options, channel_id=channel_id)
        except Exception as error:
            if thread is not None:  # no interview: no empty thread left behind
                with contextlib.suppress(discord.HTTPException):
                    await thread.delete()
            if not isinstance(error, InterviewError):
                raise
            await send_private(interaction, str(error))
            return
        if thread is not None:
            await deliver(interaction, reply, Place.THREAD, thread=thread,
                          note=f"Your interview is ready in {thread.mention}.")
        else:
            await deliver(interaction, reply, place)

    # ------------------------------------------------------------------ autocomplete
    @start.autocomplete("topic")
    async def _topic_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return topic_choices(self.bot.services.bank, current)

    @start.autocomplete("persona")
    async def _persona_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = current.lower()
        personas = self.bot.services.bank.personas.values()
        return [app_commands.Choice(name=clip(f"{p.name} — {p.style}", 100), value=p.id) for p in personas
                if wanted in p.id.lower() or wanted in p.name.lower()][:CHOICES_MAX]

    async def _open_thread(self, interaction: discord.Interaction) -> discord.Thread | None:
        """A public thread for the candidate, or None where the bot may not create one."""
        channel = interaction.channel
        if not isinstance(channel, discord.TextChannel):
            return None
        if not interaction.app_permissions.create_public_threads:
            return None
        name = clip(f"Interview · {interaction.user.display_name}", THREAD_NAME_MAX)
        try:
            thread = await channel.create_thread(name=name, type=discord.ChannelType.public_thread,
                                                 auto_archive_duration=THREAD_ARCHIVE_MINUTES)
            await thread.add_user(interaction.user)
        except discord.HTTPException as error:
            log.info("cannot open an interview thread in %s (%s); answering privately", channel.id, error)
            return None
        return thread

    @interview.command(name="end", description="End your interview and get the report")
    async def end(self, interaction: discord.Interaction) -> None:
        async def end_active() -> Reply:
            session_id = await self.engine.active_session(participant(interaction.user))
            if session_id is None:
                raise InterviewError("You have no interview in progress.")
            return await self.engine.end(session_id)

        await run_step(interaction, end_active)

    # ------------------------------------------------------------------ buttons and modal
    async def on_button(self, interaction: discord.Interaction, action: str, session_id: int, owner_id: int) -> None:
        # Decided from the custom id alone, so the first response never waits for the database.
        if interaction.user.id != owner_id:
            await interaction.response.send_message(NOT_YOURS, ephemeral=True)
            return
        if action == "answer":
            await interaction.response.send_modal(AnswerModal(session_id))
            return
        steps = {"hint": self.engine.hint, "skip": self.engine.skip, "end": self.engine.end}
        owner = str(interaction.user.id)

        async def step() -> Reply:
            caught_up = await self.engine.catch_up(session_id, owner=owner)
            return caught_up if caught_up is not None else await steps[action](session_id, owner=owner)

        await run_step(interaction, step, kind=action, acknowledge=self._acknowledge, not_shown=self._not_shown)

    async def on_answer(self, interaction: discord.Interaction, session_id: int, text: str) -> None:
        # The engine confirms from the database that the caller owns the session (the owner id in a
        # button's custom id is only the fast first filter), in the same read that loads the question.
        owner = str(interaction.user.id)

        async def step() -> Reply:  # a missed reply is caught up on first, in the same read
            return await self.engine.answer(session_id, text, owner=owner, catch_up=True)

        await run_step(interaction, step, kind="answer", answer_text=text, acknowledge=self._acknowledge,
                       not_shown=self._not_shown)

    async def _acknowledge(self, reply: Reply) -> None:
        """The reply to an answer has been shown: a later resume need not repeat it. Nobody waits for this
        record, so it is gathered with other candidates' into one transaction."""
        await self.engine.acknowledge(reply.session_id, reply.answer_ref, gather_s=ACK_GATHER_S)

    def _not_shown(self, reply: Reply) -> None:
        """Discord refused the reply to an answer: the candidate's next step shows it first."""
        self.engine.reply_not_shown(reply.session_id, reply.answer_ref)

    # ------------------------------------------------------------------ typed answers in DMs
    async def on_direct_message(self, message: discord.Message) -> None:
        """In DMs a typed message answers the current question (DM content needs no privileged intent)."""
        try:
            who = participant(message.author)
            session_id = await self.engine.active_session(who)
            ended = await self.engine.unseen_ending(who) if session_id is None else None
            if ended is not None:  # the interview ended on an answer whose report never reached them
                reply = await self.engine.resume(ended)
                await deliver_to_channel(message.channel, reply, message.author.id)
                await self._acknowledge(reply)
                return
            if session_id is None:
                await message.channel.send("Start a mock interview with `/interview start`, or see `/help`.",
                                           allowed_mentions=NO_MENTIONS)
                return
            # One read finds the pending question, or, if their previous answer's reply never arrived, that
            # reply to show first (then the typed text is neither graded nor stored).
            async with message.channel.typing():
                reply = await self.engine.answer(session_id, message.content, catch_up=True)
        except StepFailed as failure:  # the DM itself keeps the typed answer: no need to show it back
            await report_failure_in(message.channel, failure, step="answer")
            return
        except InterviewError as error:
            await message.channel.send(str(error), allowed_mentions=NO_MENTIONS)
            return
        except Exception as error:
            await report_failure_in(message.channel, error, step="answer")
            return
        try:
            await deliver_to_channel(message.channel, reply, message.author.id)
        except BaseException:
            self._not_shown(reply)
            raise
        await self._acknowledge(reply)
