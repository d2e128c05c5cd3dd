"""Turn the engine's `Reply` into Discord messages: who sees what, and within Discord's limits.

In a candidate's thread the interviewer's lines (intro, questions, follow-ups) are posted in the
thread, while grades, corrections, hints and the report go privately to the candidate (docs/architecture.md
§4: grades for one person are ephemeral). In DMs and in the private fallback everything is private
anyway, so the parts simply go out in order.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.exts._shared.limits import CONTENT_MAX, EMBED_DESCRIPTION_MAX, EMBED_TITLE_MAX
from bot.exts._shared.text import clip, split_message
from bot.interview.engine import Message, Reply

#: Message kinds that concern only the candidate's own performance.
PRIVATE_KINDS = frozenset({"feedback", "correction", "hint", "notice", "report"})
#: Interviewer speech that is labelled with the persona's name.
SPOKEN_KINDS = frozenset({"intro", "follow_up", "why", "correction", "transition", "closing", "hint"})
QUESTION_COLOUR = discord.Colour.blurple()


@dataclass
class Part:
    """One Discord message: text and/or an embed, and whether only the candidate may see it."""

    private: bool
    content: str = ""
    embed: discord.Embed | None = None


def question_embed(message: Message) -> discord.Embed:
    """The question's header (number, topic, difficulty) is the embed's title, its prompt the description."""
    view = message.question
    header, prompt = (view.header, view.prompt) if view is not None else ("Question", message.text)
    return discord.Embed(title=clip(header, EMBED_TITLE_MAX), description=clip(prompt, EMBED_DESCRIPTION_MAX),
                         colour=QUESTION_COLOUR)


def _line(message: Message, persona: str) -> str:
    if persona and message.kind in SPOKEN_KINDS:
        return f"**{persona}:** {message.text}"
    return message.text


def render_reply(reply: Reply) -> list[Part]:
    """The reply's messages as Discord messages in order, grouping neighbours of the same audience."""
    parts: list[Part] = []
    for message in reply.messages:
        private = message.kind in PRIVATE_KINDS
        if message.kind == "question":
            last = parts[-1] if parts else None
            if last is not None and last.private == private and last.embed is None:
                last.embed = question_embed(message)
            else:
                parts.append(Part(private, embed=question_embed(message)))
            continue
        text = message.text if message.kind == "report" else _line(message, reply.persona)
        last = parts[-1] if parts else None
        if (message.kind != "report" and last is not None and last.private == private and last.embed is None
                and len(last.content) + len(text) + 2 <= CONTENT_MAX):
            last.content = f"{last.content}\n\n{text}" if last.content else text
            continue
        parts.extend(Part(private, content=chunk) for chunk in split_message(text, CONTENT_MAX))
    return parts
