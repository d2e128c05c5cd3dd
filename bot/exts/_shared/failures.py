"""The error boundary for people on Discord: any failure of their action becomes one private message.

The message says what happened and, truthfully, whether their answer is safe or must be sent again
(the engines know whether they committed before the failure: `StepFailed.saved`). An answer typed in
a modal exists nowhere else once submitted, so an unsaved one is shown back to copy. The bot keeps
running: nothing here raises, and the next action tries the database afresh.
"""

from __future__ import annotations

import logging

import discord

from bot.exts._shared.limits import CONTENT_MAX
from bot.exts._shared.tree import send_private
from bot.interview.engine import StepFailed
from bot.interview.failures import failure_message
from bot.storage.errors import classify

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
_FENCE = "```"


def failure_text(error: BaseException, *, step: str, answer_text: str | None = None) -> str:
    """The private message for `error` during `step`; `answer_text`: the unsaved answer, shown back to copy."""
    if isinstance(error, StepFailed):
        # Worded for what the person did (`step`): an answer whose first lookup failed is still an answer.
        saved = error.saved
        text = failure_message(error.step if step == "command" else step, error.problem, saved=saved)
    else:
        problem = classify(error)
        if problem is None:
            log.error("%s failed unexpectedly", step, exc_info=error)
        else:
            log.warning("%s failed: %s: %s", step, problem.kind, problem.detail)
        text, saved = failure_message(step, problem, saved=False), False
    if answer_text and not saved:
        quoted = answer_text.replace(_FENCE, "'''")
        room = CONTENT_MAX - len(text) - 40
        if room > 100:
            if len(quoted) > room:
                quoted = quoted[: room - 1] + "…"
            text += f"\nYour answer, to copy:\n{_FENCE}\n{quoted}\n{_FENCE}"
    return text


async def report_failure(interaction: discord.Interaction, error: BaseException, *, step: str,
                         answer_text: str | None = None) -> None:
    """Tell the person privately what went wrong with their action (never raises)."""
    try:
        await send_private(interaction, failure_text(error, step=step, answer_text=answer_text))
    except Exception:  # the boundary itself must not fail (e.g. the interaction expired)
        log.warning("could not report a failure for interaction %s", interaction.id)


async def report_failure_in(channel: discord.abc.Messageable, error: BaseException, *, step: str) -> None:
    """The same in a DM conversation (typed messages have no interaction to answer privately)."""
    try:
        await channel.send(failure_text(error, step=step), allowed_mentions=NO_MENTIONS)
    except Exception:
        log.warning("could not report a failure in a direct message")
