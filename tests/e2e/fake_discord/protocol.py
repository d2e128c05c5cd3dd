"""Discord's numeric codes that tests assert on, by name (from discord.py's own enums)."""

from __future__ import annotations

import discord

#: interaction response types
MESSAGE = discord.InteractionResponseType.channel_message.value  # 4
DEFERRED = discord.InteractionResponseType.deferred_channel_message.value  # 5
MODAL = discord.InteractionResponseType.modal.value  # 9
AUTOCOMPLETE = discord.InteractionResponseType.autocomplete_result.value  # 8
#: channel types
PUBLIC_THREAD = discord.ChannelType.public_thread.value  # 11
