"""The Answer button under each study question, its modal, and the Join button under a run's intro.

The buttons are `DynamicItem`s whose custom id carries the run (and the question position:
`study:answer:12:0`, `study:join:12`), so they work after a restart; whether the question still takes
answers, or the run still takes members, is the database's word, read when one is pressed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

import discord

from bot.exts._shared.limits import MODAL_TEXT_MAX
from bot.exts._shared.routing import handler_for

if TYPE_CHECKING:
    pass

BUTTON_TEMPLATE = r"study:answer:(?P<run>\d+):(?P<position>\d+)"
JOIN_TEMPLATE = r"study:join:(?P<run>\d+)"


class StudyActions(Protocol):
    async def on_answer_button(self, interaction: discord.Interaction, run_id: int, position: int) -> None: ...

    async def on_answer(self, interaction: discord.Interaction, run_id: int, position: int, text: str) -> None: ...

    async def on_join(self, interaction: discord.Interaction, run_id: int) -> None: ...


class StudyAnswerButton(discord.ui.DynamicItem[discord.ui.Button], template=BUTTON_TEMPLATE):
    def __init__(self, run_id: int, position: int) -> None:
        super().__init__(discord.ui.Button(label="Answer", style=discord.ButtonStyle.primary,
                                           custom_id=f"study:answer:{run_id}:{position}"))
        self.run_id = run_id
        self.position = position

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StudyAnswerButton:
        return cls(int(match["run"]), int(match["position"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await handler_for(interaction.client, StudyActions).on_answer_button(interaction, self.run_id, self.position)


class StudyJoinButton(discord.ui.DynamicItem[discord.ui.Button], template=JOIN_TEMPLATE):
    def __init__(self, run_id: int) -> None:
        super().__init__(discord.ui.Button(label="Join", style=discord.ButtonStyle.success,
                                           custom_id=f"study:join:{run_id}"))
        self.run_id = run_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StudyJoinButton:
        return cls(int(match["run"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await handler_for(interaction.client, StudyActions).on_join(interaction, self.run_id)


ANSWER_MODAL_PATTERN = r"study:answer-modal:(?P<run>\d+):(?P<position>\d+)"
ANSWER_INPUT_ID = "study:answer-text"


class StudyAnswerModal(discord.ui.Modal):
    """Only a form: its submission is routed by custom id (the bot's ModalRouter), so an answer typed
    while the bot restarted still arrives."""

    answer: discord.ui.TextInput[StudyAnswerModal] = discord.ui.TextInput(
        label="Your answer", style=discord.TextStyle.paragraph, min_length=1, max_length=MODAL_TEXT_MAX,
        placeholder="Explain it in your own words. Only you will see the feedback.", custom_id=ANSWER_INPUT_ID,
    )

    def __init__(self, run_id: int, position: int) -> None:
        super().__init__(title=f"Answer — question {position + 1}",
                         custom_id=f"study:answer-modal:{run_id}:{position}", timeout=None)


def answer_view(run_id: int, position: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StudyAnswerButton(run_id, position))
    return view


def join_view(run_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StudyJoinButton(run_id))
    return view
