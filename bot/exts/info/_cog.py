"""/help (what the bot does, command by command) and /topics (the question bank's topics)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts._shared.limits import EMBED_DESCRIPTION_MAX
from bot.exts._shared.text import clip
from bot.wording import plural

if TYPE_CHECKING:
    from bot.discord_bot import VivaBot

INTRO = """\
Viva runs mock deep-learning job interviews and checks code for coding tasks.
In a server `/interview start` opens a thread for you: answer with the **Answer** button, or use \
**Hint**, **Skip** and **End**. In DMs you can simply type your answers, and paste code in a `python` code block \
to check a coding task. Grades and errors are only shown to you.
"""


def command_lines(tree: app_commands.CommandTree) -> list[str]:
    """One line per slash command (subcommands spelled out), from the tree itself: new features list themselves."""
    lines: list[str] = []
    for command in sorted(tree.get_commands(type=discord.AppCommandType.chat_input), key=lambda c: c.name):
        if isinstance(command, app_commands.Group):
            lines += [f"`/{sub.qualified_name}` — {sub.description}" for sub in command.walk_commands()
                      if isinstance(sub, app_commands.Command)]
        else:
            lines.append(f"`/{command.name}` — {command.description}")
    return lines


class InfoCog(commands.Cog):
    def __init__(self, bot: VivaBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What Viva can do")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.allowed_installs(guilds=True, users=True)
    async def help(self, interaction: discord.Interaction) -> None:
        text = INTRO + "\n**Commands**\n" + "\n".join(command_lines(self.bot.tree))
        embed = discord.Embed(title="Viva — mock interviews", description=clip(text, EMBED_DESCRIPTION_MAX),
                              colour=discord.Colour.blurple())
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="topics", description="The interview topics and how many questions each has")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.allowed_installs(guilds=True, users=True)
    async def topics(self, interaction: discord.Interaction) -> None:
        bank = self.bot.services.bank
        counts = Counter(q.topic for q in bank.questions.values())
        lines = [f"`{t.id}` **{t.name}** — {plural(counts.get(t.id, 0), 'question')}" for t in bank.topics.values()]
        embed = discord.Embed(title="Topics", description=clip("\n".join(lines), EMBED_DESCRIPTION_MAX),
                              colour=discord.Colour.blurple())
        embed.set_footer(text="Use the id or the name: /interview start topic:T04")
        await interaction.response.send_message(embed=embed, ephemeral=True)


