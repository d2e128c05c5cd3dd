"""Progress stats as a Discord embed with the chart attached as an image."""

from __future__ import annotations

import io

import discord

from bot.exts._shared.limits import EMBED_DESCRIPTION_MAX, EMBED_FIELD_VALUE_MAX
from bot.exts._shared.text import clip
from bot.progress.stats import ProgressStats
from bot.progress.summary import overview_lines, topic_lines, weak_point_lines

CHART_FILENAME = "progress.png"


def stats_embed(stats: ProgressStats) -> discord.Embed:
    embed = discord.Embed(title=clip(f"Progress · {stats.display_name}", 256), colour=discord.Colour.blurple(),
                          description=clip("\n".join(overview_lines(stats)), EMBED_DESCRIPTION_MAX))
    if stats.topics:
        embed.add_field(name="Mastery by topic", inline=False,
                        value=clip("\n".join(f"• {line}" for line in topic_lines(stats)), EMBED_FIELD_VALUE_MAX))
    if stats.weakest_points:
        embed.add_field(name="Weakest key points", inline=False,
                        value=clip("\n".join(f"• {line}" for line in weak_point_lines(stats)),
                                   EMBED_FIELD_VALUE_MAX))
    embed.set_image(url=f"attachment://{CHART_FILENAME}")
    embed.set_footer(text="Weak questions come back sooner in /interview start (mode: review or mixed).")
    return embed


def chart_file(png: bytes) -> discord.File:
    return discord.File(io.BytesIO(png), filename=CHART_FILENAME)
