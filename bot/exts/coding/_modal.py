"""The form for pasting a submission when no file is attached."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import discord

from bot.exts._shared.limits import MODAL_TEXT_MAX

if TYPE_CHECKING:
    from bot.discord_bot import VivaBot


class SubmissionHandler(Protocol):
    async def on_submission(self, interaction: discord.Interaction, task_slug: str, source: str) -> None: ...


class SubmitModal(discord.ui.Modal):
    task: discord.ui.TextInput[SubmitModal] = discord.ui.TextInput(
        label="Task", style=discord.TextStyle.short, min_length=1, max_length=64, placeholder="dropout",
    )
    source: discord.ui.TextInput[SubmitModal] = discord.ui.TextInput(
        label="Your code", style=discord.TextStyle.paragraph, min_length=1, max_length=MODAL_TEXT_MAX,
        placeholder="def dropout_forward(x, p, train, rng): ...",
    )

    def __init__(self, task_slug: str | None = None) -> None:
        super().__init__(title="Submit your code", custom_id="code:submit-modal")
        if task_slug:
            self.task.default = task_slug

    async def on_submit(self, interaction: discord.Interaction) -> None:
        bot: VivaBot = interaction.client  # type: ignore[assignment]
        handler: SubmissionHandler = bot.get_cog("CodingCog")  # type: ignore[assignment]
        await handler.on_submission(interaction, self.task.value.strip(), self.source.value)

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:
        from bot.exts._shared.tree import UNEXPECTED, send_private

        await super().on_error(interaction, error)
        await send_private(interaction, UNEXPECTED)
