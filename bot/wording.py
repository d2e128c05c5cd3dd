"""Small helpers for user-facing English shared by every front end: counts with the right plural, lists."""

from __future__ import annotations

from collections.abc import Sequence


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """`1 answer`, `2 answers`, `0 answers`; irregular plurals are passed in (`plural(2, "entry", "entries")`)."""
    return f"{count} {noun if count == 1 else (plural_form or noun + 's')}"


def join_words(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c` (no serial comma, as elsewhere in the bot's text)."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
