"""The form for pasting a submission when no file is attached."""

from __future__ import annotations

import discord

from bot.exts._shared.limits import MODAL_TEXT_MAX

SUBMIT_MODAL_PATTERN = r"code:submit-modal"
TASK_INPUT_ID = "code:task"
SOURCE_INPUT_ID = "code:source"


class SubmitModal(discord.ui.Modal):
    """Only a form: its submission is routed by custom id (the bot's ModalRouter), so code pasted while the
    bot restarted still arrives."""

    task: discord.ui.TextInput[SubmitModal] = discord.ui.TextInput(
        label="Task", style=discord.TextStyle.short, min_length=1, max_length=64, placeholder="dropout",
        custom_id=TASK_INPUT_ID,
    )
    source: discord.ui.TextInput[SubmitModal] = discord.ui.TextInput(
        label="Your code", style=discord.TextStyle.paragraph, min_length=1, max_length=MODAL_TEXT_MAX,
        placeholder="def dropout_forward(x, p, train, rng): ...", custom_id=SOURCE_INPUT_ID,
    )

    def __init__(self, task_slug: str | None = None) -> None:
        super().__init__(title="Submit your code", custom_id="code:submit-modal", timeout=None)
        if task_slug:
            self.task.default = task_slug
