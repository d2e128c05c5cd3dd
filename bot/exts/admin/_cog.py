"""Owner commands, invoked by mentioning the bot (mentions carry content without privileged intents)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

if TYPE_CHECKING:
    from bot.discord_bot import VivaBot


class AdminCog(commands.Cog):
    def __init__(self, bot: VivaBot) -> None:
        self.bot = bot

    @commands.command(name="sync")
    @commands.is_owner()
    async def sync(self, ctx: commands.Context) -> None:
        """Register the slash commands now (RoboDanny's deliberate, owner-only sync)."""
        await self.bot.sync_commands(force=True)
        await ctx.reply("Slash commands synced.", mention_author=False)
