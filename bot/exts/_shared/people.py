"""A Discord user as the domain knows them."""

from __future__ import annotations

import discord

from bot.storage.users import Participant

PLATFORM = "discord"


def participant(user: discord.abc.User) -> Participant:
    return Participant(platform=PLATFORM, external_id=str(user.id), display_name=user.display_name)
