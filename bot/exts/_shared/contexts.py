"""Where the slash commands are offered: servers, the bot's DMs and group DMs; guild and user installs."""

from discord import app_commands

EVERYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
INSTALLS = app_commands.AppInstallationType(guild=True, user=True)
GUILD_ONLY = app_commands.AppCommandContext(guild=True)
