"""The command tree: one place that turns any slash-command error into a private, readable reply."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.exts._shared.permissions import permissions_phrase

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong on my side. The error has been logged; please try again."


def describe_app_command_error(error: app_commands.AppCommandError) -> str:
    """The one-line message a user sees for an app-command error."""
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need {permissions_phrase(error.missing_permissions)} for that."
    if isinstance(error, app_commands.BotMissingPermissions):
        return f"I need {permissions_phrase(error.missing_permissions)} here for that."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command only works in a server."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that command here."
    if isinstance(error, app_commands.TransformerError):
        return f"I couldn't understand {error.value!r}."
    return UNEXPECTED


async def send_private(interaction: discord.Interaction, content: str) -> None:
    """Reply ephemerally whether or not the interaction was already acknowledged."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True)
        else:
            await interaction.response.send_message(content, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error message for interaction %s", interaction.id)


class VivaTree(app_commands.CommandTree):
    """CommandTree whose `on_error` answers ephemerally instead of leaving "This interaction failed"."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        message = describe_app_command_error(error)
        if message == UNEXPECTED and isinstance(error, app_commands.CommandInvokeError):
            # A failure inside the command (storage, infrastructure): say what happened, truthfully.
            from bot.exts._shared.failures import failure_text

            await send_private(interaction, failure_text(error.original, step="command"))
            return
        if message == UNEXPECTED:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("unhandled error in /%s", command, exc_info=error)
        await send_private(interaction, message)
