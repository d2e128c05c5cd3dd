"""/stats [member], /export and /forget-me. Each defers first: stats render a chart, export builds files."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts._shared.failures import report_failure
from bot.exts._shared.routing import register, unregister
from bot.exts._shared.tree import send_private
from bot.progress.chart import render_progress_chart
from bot.progress.export import NOTHING_TO_EXPORT, answers_phrase
from bot.progress.service import export_for, forget, stats_for
from bot.progress.summary import no_practice_text

from ._forget_buttons import ForgetActions, ForgetButton, confirmation_view
from ._render import chart_file, stats_embed

if TYPE_CHECKING:
    from bot.discord_bot import VivaBot

log = logging.getLogger(__name__)

PLATFORM = "discord"
NOT_YOURS = "Only the person who asked to be forgotten can press this."
OTHER_MEMBER_ONLY_IN_SERVER = "You can only see another member's stats in a server you both belong to."
FORGET_WARNING = (
    "This deletes **everything Viva stores about you**: your interviews, your answers in interviews "
    "and study sessions, scores, code submissions and review schedule. Study-group schedules you created keep running but no longer "
    "name you. This cannot be undone. Run `/export` first if you want a copy."
)
CSV_FILENAME = "viva-answers.csv"
APKG_FILENAME = "viva-weakest.apkg"


class ProgressCog(commands.Cog):
    """Progress and personal data: stats with a chart, export, and the right to be forgotten."""

    def __init__(self, bot: VivaBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ForgetButton)
        register(self.bot, ForgetActions, self)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ForgetButton)
        unregister(self.bot, ForgetActions)

    # ------------------------------------------------------------------ /stats
    @app_commands.command(name="stats",
                          description="Your progress by topic (interviews and study sessions), with a chart")
    @app_commands.describe(member="Another member of this server (default: you)")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.allowed_installs(guilds=True, users=True)
    async def stats(self, interaction: discord.Interaction, member: discord.User | None = None) -> None:
        await interaction.response.defer(ephemeral=interaction.guild_id is not None, thinking=True)
        target = member or interaction.user
        if target.id != interaction.user.id and not _shares_this_server(interaction, target):
            await send_private(interaction, OTHER_MEMBER_ONLY_IN_SERVER)
            return
        services = self.bot.services
        figures = await stats_for(services.sessions, services.bank, PLATFORM, str(target.id),
                                  display_name=target.display_name)
        if not figures.has_practice:
            whose = "You have" if target.id == interaction.user.id else f"{target.display_name} has"
            await interaction.followup.send(no_practice_text(whose), ephemeral=True,
                                            allowed_mentions=discord.AllowedMentions.none())
            return
        png = await asyncio.to_thread(render_progress_chart, figures)  # matplotlib is CPU work
        await interaction.followup.send(embed=stats_embed(figures), file=chart_file(png), ephemeral=True,
                                        allowed_mentions=discord.AllowedMentions.none())

    # ------------------------------------------------------------------ /export
    @app_commands.command(name="export", description="Your answers as CSV and an Anki deck of your weakest questions")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.allowed_installs(guilds=True, users=True)
    async def export(self, interaction: discord.Interaction) -> None:
        in_dm = interaction.guild_id is None
        await interaction.response.defer(ephemeral=not in_dm, thinking=True)
        services = self.bot.services
        bundle = await export_for(services.sessions, services.bank, PLATFORM, str(interaction.user.id))
        if not bundle.answers:
            await send_private(interaction, NOTHING_TO_EXPORT)
            return
        files = [discord.File(io.BytesIO(bundle.csv_text.encode("utf-8")), filename=CSV_FILENAME)]
        if bundle.apkg is not None:
            files.append(discord.File(io.BytesIO(bundle.apkg), filename=APKG_FILENAME))
        weakest = ("your weakest question" if len(bundle.weak_questions) == 1
                   else f"your {len(bundle.weak_questions)} weakest questions")
        deck = (f" and an Anki deck of {weakest} "
                "(re-importing a newer export updates the same cards)" if bundle.apkg else "")
        scores = "its score" if bundle.answers == 1 else "their scores"
        text = f"Your {answers_phrase(bundle)} with {scores}{deck}."
        if in_dm:
            await interaction.followup.send(text, files=files)
            return
        # Personal data goes to the private conversation, never into a server channel.
        try:
            await interaction.user.send(text, files=files)
        except discord.HTTPException:
            await send_private(interaction, "I couldn't send you a direct message. Allow DMs from this "
                                            "server's members, or run `/export` in a DM with me.")
            return
        await interaction.followup.send("I've sent your export to our direct messages.", ephemeral=True)

    # ------------------------------------------------------------------ /forget-me
    @app_commands.command(name="forget-me", description="Delete everything Viva stores about you")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.allowed_installs(guilds=True, users=True)
    async def forget_me(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(FORGET_WARNING, view=confirmation_view(interaction.user.id),
                                                ephemeral=True)

    async def on_forget_button(self, interaction: discord.Interaction, action: str, owner_id: int) -> None:
        if interaction.user.id != owner_id:
            await interaction.response.send_message(NOT_YOURS, ephemeral=True)
            return
        if action == "cancel":
            await interaction.response.edit_message(content="Cancelled: nothing was deleted.", view=None)
            return
        await interaction.response.defer()  # deleting is quick, but never let storage decide the deadline
        try:
            summary = await forget(self.bot.services.sessions, PLATFORM, str(owner_id))
        except Exception as error:  # one transaction: on failure nothing was deleted
            await report_failure(interaction, error, step="forget")
            return
        await interaction.edit_original_response(content=summary.describe(), view=None)


def _shares_this_server(interaction: discord.Interaction, target: discord.abc.User) -> bool:
    """True when `target` was resolved as a member of the server the command runs in."""
    return (interaction.guild_id is not None and isinstance(target, discord.Member)
            and target.guild.id == interaction.guild_id)
