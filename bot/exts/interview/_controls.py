"""The Answer / Hint / Skip / End buttons and the answer modal.

The buttons are `DynamicItem`s: their custom id carries the session id and the candidate's user id
(`interview:answer:42:1234…`), and discord.py rebuilds them from that id on any click, even after a
restart. The handler then loads the session from the database, never from memory.

The candidate's id in the custom id lets a press be refused ("not your interview") or answered with
the modal at once, without a database round trip before Discord's 3-second deadline; the engine's
own record of the owner is still checked, after the interaction is acknowledged.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

import discord

from bot.exts._shared.limits import MODAL_TEXT_MAX
from bot.exts._shared.routing import handler_for
from bot.interview.engine import Reply

if TYPE_CHECKING:
    pass

ACTIONS: dict[str, tuple[str, discord.ButtonStyle]] = {
    "answer": ("Answer", discord.ButtonStyle.primary),
    "hint": ("Hint", discord.ButtonStyle.secondary),
    "skip": ("Skip", discord.ButtonStyle.secondary),
    "end": ("End", discord.ButtonStyle.danger),
}


class InterviewActions(Protocol):
    """What the buttons ask of the interview cog."""

    async def on_button(self, interaction: discord.Interaction, action: str, session_id: int, owner_id: int) -> None: ...



BUTTON_TEMPLATE = r"interview:(?P<action>answer|hint|skip|end):(?P<session>\d+):(?P<owner>\d+)"


class InterviewButton(discord.ui.DynamicItem[discord.ui.Button], template=BUTTON_TEMPLATE):
    """One interview control; survives restarts because its state is its custom id."""

    def __init__(self, action: str, session_id: int, owner_id: int) -> None:
        label, style = ACTIONS[action]
        custom_id = f"interview:{action}:{session_id}:{owner_id}"
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id))
        self.action = action
        self.session_id = session_id
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> InterviewButton:
        return cls(match["action"], int(match["session"]), int(match["owner"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await handler_for(interaction.client, InterviewActions).on_button(interaction, self.action, self.session_id, self.owner_id)


ANSWER_MODAL_PATTERN = r"interview:answer-modal:(?P<session>\d+)"
ANSWER_INPUT_ID = "interview:answer-text"


class AnswerModal(discord.ui.Modal):
    """A long text box for the answer (modals need no message-content intent).

    Only a form: its submission is routed by custom id (the bot's ModalRouter), like the buttons,
    so an answer typed while the bot restarted is not lost with the in-memory modal. The form is
    therefore stopped before it is sent: discord.py then does not keep it to dispatch its submission
    (it would keep every form never submitted for good, and schedule a no-op task for each one that is).
    """

    def __init__(self, session_id: int) -> None:
        super().__init__(title="Your answer", custom_id=f"interview:answer-modal:{session_id}", timeout=None)
        # Built here, not as a class attribute, which discord.py deep-copies for every form.
        self.answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
            label="Your answer", style=discord.TextStyle.paragraph, min_length=1, max_length=MODAL_TEXT_MAX,
            placeholder="Explain it as you would to an interviewer.", custom_id=ANSWER_INPUT_ID,
        )
        self.add_item(self.answer)
        self.stop()


def controls_for(reply: Reply, owner_id: int) -> discord.ui.View | None:
    """Buttons for the actions the engine allows now (none once the interview is over)."""
    if reply.finished or not reply.actions:
        return None
    view = discord.ui.View(timeout=None)
    for action in ("answer", "hint", "skip", "end"):
        if action in reply.actions:
            view.add_item(InterviewButton(action, reply.session_id, owner_id))
    # Stopped before it is sent: discord.py dispatches the buttons' clicks by custom id (the dynamic item the
    # extension registered), so it need not keep the view of every message (nor run a 15-minute timeout task
    # for each private one).
    view.stop()
    return view
