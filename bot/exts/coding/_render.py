"""A checker verdict as one Discord embed, case by case, inside the embed limits."""

from __future__ import annotations

import discord

from bot.coding import Task, Verdict
from bot.exts._shared.limits import (
    EMBED_DESCRIPTION_MAX,
    EMBED_FIELD_NAME_MAX,
    EMBED_FIELD_VALUE_MAX,
    EMBED_FIELDS_MAX,
    EMBED_TOTAL_MAX,
)
from bot.exts._shared.text import clip

STATUS_WORDS = {
    "passed": "passed", "failed": "failed", "error": "raised an error", "timeout": "ran out of time",
    "memory": "ran out of memory", "crashed": "crashed",
}
#: room kept for the title and footer when fitting description and fields into the 6000-char total.
_HEADROOM = 400


def verdict_embed(verdict: Verdict, task: Task | None = None) -> discord.Embed:
    mark = "✅" if verdict.passed else "❌"
    name = task.title if task else verdict.task
    counted = f"{verdict.passed_count}/{len(verdict.cases)} cases" if verdict.cases else "no case ran"
    title = f"{mark} {name}: {STATUS_WORDS.get(verdict.status, verdict.status)} ({counted})"
    colour = discord.Colour.green() if verdict.passed else discord.Colour.red()
    budget = EMBED_TOTAL_MAX - _HEADROOM
    description = clip(verdict.feedback or "", min(EMBED_DESCRIPTION_MAX, budget // 2))
    embed = discord.Embed(title=clip(title, 256), description=description or None, colour=colour)
    budget -= len(description)
    cases = list(verdict.cases)
    shown = cases if len(cases) <= EMBED_FIELDS_MAX else cases[: EMBED_FIELDS_MAX - 1]
    for case in shown:
        field_name = clip(f"{'✅' if case.passed else '❌'} {case.name}", EMBED_FIELD_NAME_MAX)
        value = clip(case.message or ("ok" if case.passed else "failed"), min(EMBED_FIELD_VALUE_MAX, 300))
        if len(field_name) + len(value) > budget:
            break
        budget -= len(field_name) + len(value)
        embed.add_field(name=field_name, value=value, inline=False)
    hidden = len(cases) - len(embed.fields)
    if hidden:
        failing = sum(1 for c in cases[len(embed.fields):] if not c.passed)
        embed.add_field(name=f"… {hidden} more cases", value=f"{failing} of them failed", inline=False)
    embed.set_footer(text=f"checked in {verdict.duration_ms:.0f} ms")
    return embed
