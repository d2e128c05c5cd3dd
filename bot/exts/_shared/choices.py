"""Autocomplete choices shared by several commands."""

from __future__ import annotations

from discord import app_commands

from bot.bank.loader import Bank

from .limits import CHOICES_MAX
from .text import clip


def topic_choices(bank: Bank, current: str) -> list[app_commands.Choice[str]]:
    """Topics whose id or name contains what the user typed, as `T04 · Activation functions`."""
    wanted = current.lower()
    return [app_commands.Choice(name=clip(f"{t.id} · {t.name}", 100), value=t.id) for t in bank.topics.values()
            if wanted in t.id.lower() or wanted in t.name.lower()][:CHOICES_MAX]
