"""Persona lines: a deterministic rotation so one session never repeats a line of the same kind."""

from __future__ import annotations

import random

from bot.bank.schema import Persona, PersonaLine


def persona_line(persona: Persona, kind: PersonaLine, session_id: int, index: int, **values: object) -> str:
    """The `index`-th line of `kind` for this session.

    Each (session, kind) gets its own shuffled order of the persona's lines, and consecutive indexes walk
    through it, so lines repeat only after every phrasing has been used once.
    """
    lines = persona.lines(kind)
    order = list(range(len(lines)))
    random.Random(f"{session_id}:{persona.id}:{kind}").shuffle(order)
    text = lines[order[index % len(order)]]
    try:
        return text.format(name=persona.name, **values)
    except (KeyError, IndexError, ValueError):
        return text  # a stray brace in content must not break an interview
