"""Study groups: recurrences in IANA zones, the DB-backed due-run executor, study runs, leaderboards.

Domain code: no Discord here. bot/exts/study renders what these modules return.
"""

from bot.scheduling.clock import Clock, ManualClock, SystemClock
from bot.scheduling.errors import StudyError
from bot.scheduling.executor import Claim, DueRunExecutor
from bot.scheduling.recurrence import (
    Recurrence,
    RecurrenceError,
    discord_timestamp,
    parse_recurrence,
    parse_zone,
)
from bot.scheduling.study_run import RunOptions, StudyEngine, StudyStep

__all__ = [
    "Claim", "Clock", "DueRunExecutor", "ManualClock", "Recurrence", "RecurrenceError", "RunOptions",
    "StudyEngine", "StudyError", "StudyStep", "SystemClock", "discord_timestamp", "parse_recurrence",
    "parse_zone",
]
