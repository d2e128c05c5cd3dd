"""The /forget-me confirmation buttons. Their state is the custom id, so they work after a restart."""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord

from bot.exts._shared.routing import handler_for

LABELS = {"confirm": ("Delete my data", discord.ButtonStyle.danger),
          "cancel": ("Cancel", discord.ButtonStyle.secondary)}
TEMPLATE = r"progress:forget:(?P<action>confirm|cancel):(?P<owner>\d+)"


class ForgetActions(Protocol):
    async def on_forget_button(self, interaction: discord.Interaction, action: str, owner_id: int) -> None: ...


class ForgetButton(discord.ui.DynamicItem[discord.ui.Button], template=TEMPLATE):
    def __init__(self, action: str, owner_id: int) -> None:
        label, style = LABELS[action]
        super().__init__(discord.ui.Button(label=label, style=style,
                                           custom_id=f"progress:forget:{action}:{owner_id}"))
        self.action = action
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ForgetButton:
        return cls(match["action"], int(match["owner"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await handler_for(interaction.client, ForgetActions).on_forget_button(interaction, self.action, self.owner_id)


def confirmation_view(owner_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ForgetButton("confirm", owner_id))
    view.add_item(ForgetButton("cancel", owner_id))
    return view
