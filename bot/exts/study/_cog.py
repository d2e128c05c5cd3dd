"""The /study commands, the study timer, and the Answer button / modal handlers."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.bank.schema import DIFFICULTY_NAMES
from bot.exts._shared.choices import topic_choices
from bot.exts._shared.contexts import GUILD_ONLY
from bot.exts._shared.failures import report_failure
from bot.exts._shared.limits import CHOICES_MAX
from bot.exts._shared.people import participant
from bot.exts._shared.routing import register, unregister
from bot.exts._shared.tree import send_private
from bot.interview.answer_text import clean_answer
from bot.scheduling.clock import Clock
from bot.scheduling.errors import StudyError
from bot.scheduling.guild_settings import MAX_QUESTIONS, update_defaults
from bot.scheduling.recurrence import RecurrenceError, discord_timestamp, parse_recurrence
from bot.scheduling.schedules import cancel_schedule, create_schedule, list_schedules
from bot.scheduling.study_run import RunOptions
from bot.scheduling.timer import WakeableTimer

from ._controls import (
    ANSWER_INPUT_ID,
    ANSWER_MODAL_PATTERN,
    StudyActions,
    StudyAnswerButton,
    StudyAnswerModal,
    StudyJoinButton,
)
from ._render import feedback_embed, history_embed, join_text, schedule_line, schedules_embed, settings_embed
from ._runner import open_run, post_step

if TYPE_CHECKING:
    from bot.discord_bot import VivaBot

log = logging.getLogger(__name__)

GUILD_INSTALL = app_commands.AppInstallationType(guild=True)
DIFFICULTY_CHOICES = [app_commands.Choice(name=name, value=code) for code, name in DIFFICULTY_NAMES.items()]
WINDOW_MINUTES = app_commands.Range[int, 1, 120]
QUESTION_COUNT = app_commands.Range[int, 1, MAX_QUESTIONS]


class StudyCog(commands.Cog):
    """Study groups: scheduled sessions in a thread, answered by modal, ending with a leaderboard."""

    study = app_commands.Group(name="study", description="Study-group sessions in this server",
                               allowed_contexts=GUILD_ONLY, allowed_installs=GUILD_INSTALL)

    def __init__(self, bot: VivaBot) -> None:
        self.bot = bot
        self.engine = bot.services.study
        self.executor = bot.services.due_runs
        self.timer = WakeableTimer(lambda: self.engine.clock, self.executor.next_wakeup, self.run_due)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(StudyAnswerButton, StudyJoinButton)
        register(self.bot, StudyActions, self)
        self.bot.modals.add("study-answer", ANSWER_MODAL_PATTERN, self._on_answer_modal, step="answer",
                            echo_field=ANSWER_INPUT_ID)
        self.timer.start()  # it waits for the gateway before its first step

    async def cog_unload(self) -> None:
        await self.timer.stop()
        self.bot.remove_dynamic_items(StudyAnswerButton, StudyJoinButton)
        unregister(self.bot, StudyActions)
        self.bot.modals.remove("study-answer")

    def use_clock(self, clock: Clock) -> None:
        """Run on another clock (tests move a manual one) and re-check what is due."""
        self.engine.clock = clock
        self.timer.wake()

    # ------------------------------------------------------------------ the timer's step
    def _guild_ids(self) -> list[str]:
        return [str(guild.id) for guild in self.bot.guilds]

    async def run_due(self) -> None:
        """One timer step: claim due schedules, open pending runs, close questions whose window ended.
        Every part is idempotent, so a step run twice (or by two processes) changes nothing more."""
        await self.bot.wait_until_ready()
        guilds = self._guild_ids()
        for claim in await self.executor.claim_due(guilds):
            log.info("study schedule %s at %s: %s", claim.schedule_id, claim.occurrence_at, claim.status)
        for pending in await self.engine.pending_runs(guilds):
            await open_run(self.bot, self.engine, pending)
        # Questions everyone has answered close early; this sweep also covers an answer whose process
        # stopped between saving it and bringing the deadline forward.
        await self.engine.close_early_where_all_answered(guilds)
        for run_id, position in await self.engine.due_questions(guilds):
            step = await self.engine.close_question(run_id, position)
            if step is not None:
                await post_step(self.bot, self.engine, step)

    # ------------------------------------------------------------------ autocomplete
    async def _topic_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return topic_choices(self.engine.bank, current)

    async def _zone_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = current.lower().replace(" ", "_")
        zones = sorted(z for z in available_timezones() if wanted in z.lower())
        return [app_commands.Choice(name=z, value=z) for z in zones[:CHOICES_MAX]]

    # ------------------------------------------------------------------ commands
    @study.command(name="schedule", description="Schedule recurring study sessions in a channel")
    @app_commands.describe(
        channel="Where the sessions run (each one opens a thread there)",
        when="e.g. 'mon,thu 18:00', 'daily 09:30', 'every 2 weeks fri 17:00' or a cron line '0 18 * * 1,4'",
        timezone="IANA time zone, e.g. Europe/Berlin",
        topic="Topic (e.g. T04); the server's default if empty",
        difficulty="How hard the questions are",
        questions="Questions per session",
        answer_window="Minutes to answer each question",
    )
    @app_commands.choices(difficulty=DIFFICULTY_CHOICES)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def schedule(
        self, interaction: discord.Interaction, channel: discord.TextChannel, when: str, timezone: str,
        topic: str | None = None, difficulty: str | None = None, questions: QUESTION_COUNT | None = None,
        answer_window: WINDOW_MINUTES | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            view = await create_schedule(
                self.engine.sessions, guild_id=str(interaction.guild_id), channel_id=str(channel.id),
                creator=participant(interaction.user), when=when, timezone=timezone, now=self.engine.clock.now(),
                topic=self.engine.resolve_topic(topic), difficulty=difficulty, question_count=questions,
                answer_window_s=answer_window * 60 if answer_window else None)
        except (RecurrenceError, StudyError) as error:
            await send_private(interaction, str(error))
            return
        self.timer.wake()
        recurrence = parse_recurrence(when, timezone, now=self.engine.clock.now())
        upcoming = ", ".join(discord_timestamp(t, "f") for t in recurrence.upcoming(self.engine.clock.now(), 3))
        text = f"Scheduled: {schedule_line(view)}\nThe next sessions: {upcoming}"
        me = channel.guild.me
        if me is not None and not channel.permissions_for(me).create_public_threads:
            text += "\n⚠️ I cannot create threads in that channel yet: allow me *Create Public Threads* there."
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())

    @schedule.autocomplete("timezone")
    async def _schedule_zone(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self._zone_choices(interaction, current)

    @schedule.autocomplete("topic")
    async def _schedule_topic(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self._topic_choices(interaction, current)

    @study.command(name="list", description="The study sessions scheduled in this server")
    async def list_(self, interaction: discord.Interaction) -> None:
        views = await list_schedules(self.engine.sessions, str(interaction.guild_id))
        await interaction.response.send_message(embed=schedules_embed(views), ephemeral=True)

    @study.command(name="cancel", description="Cancel a scheduled study session")
    @app_commands.rename(schedule_id="id")
    @app_commands.describe(schedule_id="The schedule's number, as /study list shows it")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def cancel(self, interaction: discord.Interaction, schedule_id: int) -> None:
        try:
            view = await cancel_schedule(self.engine.sessions, str(interaction.guild_id), schedule_id,
                                         self.engine.clock.now())
        except StudyError as error:
            await send_private(interaction, str(error))
            return
        self.timer.wake()
        await interaction.response.send_message(f"Cancelled schedule #{view.id} (`{view.when_text}`).", ephemeral=True)

    @study.command(name="now", description="Start a study session in this channel right now")
    @app_commands.describe(topic="Topic (e.g. T04); the server's default if empty", difficulty="How hard",
                           questions="How many questions", answer_window="Minutes to answer each question")
    @app_commands.choices(difficulty=DIFFICULTY_CHOICES)
    async def now(
        self, interaction: discord.Interaction, topic: str | None = None, difficulty: str | None = None,
        questions: QUESTION_COUNT | None = None, answer_window: WINDOW_MINUTES | None = None,
    ) -> None:
        if not isinstance(interaction.channel, discord.TextChannel):
            await send_private(interaction, "Start a study session from a text channel (not a thread or DM).")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            options = RunOptions(topic=self.engine.resolve_topic(topic), difficulty=difficulty,
                                 question_count=questions, answer_window_s=answer_window * 60 if answer_window else None)
            pending = await self.engine.start_now(guild_id=str(interaction.guild_id),
                                                  channel_id=str(interaction.channel.id), options=options)
        except StudyError as error:
            await send_private(interaction, str(error))
            return
        thread = await open_run(self.bot, self.engine, pending)
        self.timer.wake()
        # None also when another bot process opened this very run first: then point at its thread.
        thread_id = str(thread.id) if thread is not None else await self.engine.run_thread(pending.run_id)
        if thread_id is None:
            await send_private(interaction, "I could not open a thread here; check my thread permissions.")
            return
        await interaction.followup.send(f"Study session started in <#{thread_id}>.", ephemeral=True)

    @now.autocomplete("topic")
    async def _now_topic(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self._topic_choices(interaction, current)

    @study.command(name="history", description="Recent study sessions in this server")
    async def history(self, interaction: discord.Interaction) -> None:
        entries = await self.engine.history(str(interaction.guild_id))
        await interaction.response.send_message(embed=history_embed(entries), ephemeral=True)

    @study.command(name="settings", description="This server's study defaults (managers change them)")
    @app_commands.describe(
        topic="Default topic (e.g. T04)", answer_window="Default minutes per question",
        questions="Default questions per session", role="A role to mention when a session starts",
        no_role="Mention nobody when a session starts", any_topic="Forget the default topic",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def settings(
        self, interaction: discord.Interaction, topic: str | None = None,
        answer_window: WINDOW_MINUTES | None = None, questions: QUESTION_COUNT | None = None,
        role: discord.Role | None = None, no_role: bool = False, any_topic: bool = False,
    ) -> None:
        try:
            defaults = await update_defaults(
                self.engine.sessions, str(interaction.guild_id), topic=self.engine.resolve_topic(topic),
                answer_window_s=answer_window * 60 if answer_window else None, question_count=questions,
                mention_role_id=str(role.id) if role else None, clear_role=no_role, clear_topic=any_topic)
        except StudyError as error:
            await send_private(interaction, str(error))
            return
        await interaction.response.send_message(embed=settings_embed(defaults), ephemeral=True,
                                                allowed_mentions=discord.AllowedMentions.none())

    @settings.autocomplete("topic")
    async def _settings_topic(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self._topic_choices(interaction, current)

    # ------------------------------------------------------------------ the Answer button and modal
    async def on_answer_button(self, interaction: discord.Interaction, run_id: int, position: int) -> None:
        try:
            refusal = await self.engine.is_open(run_id, position, participant(interaction.user))
        except Exception as error:  # storage trouble: nothing was typed yet, nothing is lost
            await report_failure(interaction, error, step="command")
            return
        if refusal is not None:
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        await interaction.response.send_modal(StudyAnswerModal(run_id, position))

    async def _on_answer_modal(self, interaction: discord.Interaction, match: re.Match[str],
                               values: dict[str, str]) -> None:
        await self.on_answer(interaction, int(match["run"]), int(match["position"]), values.get(ANSWER_INPUT_ID, ""))

    async def on_answer(self, interaction: discord.Interaction, run_id: int, position: int, text: str) -> None:
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            feedback = await self.engine.answer(run_id, position, participant(interaction.user), clean_answer(text))
        except StudyError as error:
            await send_private(interaction, str(error))
            return
        except Exception as error:  # the answer is committed last: any failure means it was not saved
            await report_failure(interaction, error, step="answer", answer_text=text)
            return
        if feedback.closes_at is not None:
            self.timer.wake()  # the deadline moved forward: sleep towards the new one
        await interaction.followup.send(embed=feedback_embed(feedback), ephemeral=True)

    async def on_join(self, interaction: discord.Interaction, run_id: int) -> None:
        try:
            result = await self.engine.join(run_id, participant(interaction.user))
        except StudyError as error:
            await send_private(interaction, str(error))
            return
        except Exception as error:
            await report_failure(interaction, error, step="command")
            return
        await interaction.response.send_message(join_text(result), ephemeral=True)
