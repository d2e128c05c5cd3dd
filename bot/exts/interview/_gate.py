"""Back-pressure between Discord and the interview engine: how many transitions run at once.

Every interaction is acknowledged before it reaches the gate, so waiting here never costs a
Discord deadline; it only queues work. The engine grades outside database transactions, and on
SQLite every transaction takes the write lock at BEGIN (bot/storage/database.py), so concurrent
transitions queue on the database's busy timeout instead of failing. The bound keeps concurrent
engine steps below the connection pool's size (5 + 10 overflow by default) and the grading
threads few on a small machine.
"""

from __future__ import annotations

import asyncio

#: Concurrent transitions in one bot process.
TRANSITION_CONCURRENCY = 8


def transition_gate() -> asyncio.Semaphore:
    """A semaphore bounding concurrent engine steps (the same bound for SQLite and PostgreSQL)."""
    return asyncio.Semaphore(TRANSITION_CONCURRENCY)
