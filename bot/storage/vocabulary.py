"""The names of the states stored in the database, as string enums.

They are `StrEnum`s, so a member *is* its string: rows written before these existed, SQL comparisons and
JSON all see the same values ("active", "done", ...). Use the members in code, never the bare strings.
"""

from __future__ import annotations

from enum import StrEnum


class SessionStatus(StrEnum):
    """An interview: active until it finishes (last question or End) or a new one abandons it."""

    ACTIVE = "active"
    FINISHED = "finished"
    ABANDONED = "abandoned"


class TurnPhase(StrEnum):
    """One question of an interview: asked -> follow_up (while follow-ups are pending) -> done, or skipped."""

    ASKED = "asked"
    FOLLOW_UP = "follow_up"
    DONE = "done"
    SKIPPED = "skipped"


class RunPhase(StrEnum):
    """A study session: pending (no thread yet) -> asking (a question is open) -> finished, or abandoned."""

    PENDING = "pending"
    ASKING = "asking"
    FINISHED = "finished"
    ABANDONED = "abandoned"


class ScheduleStatus(StrEnum):
    """A recurring study schedule."""

    ACTIVE = "active"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class OccurrenceStatus(StrEnum):
    """What happened at one due time of a schedule."""

    STARTED = "started"
    LATE = "late"
    SKIPPED = "skipped"
