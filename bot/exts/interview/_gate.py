"""Back-pressure between Discord and the interview engine: how many transitions run at once.

Every interaction is acknowledged before it reaches the gate, so waiting here never costs a
Discord deadline; it only queues work. SQLite allows one writer at a time, and a transaction that
read before another process committed cannot upgrade to a write (it fails with "database is
locked" instead of waiting), so with SQLite transitions run one at a time in this process. A server
database (PostgreSQL) takes several at once, bounded below the connection pool's size.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import make_url

#: Concurrent transitions on a server database: below SQLAlchemy's default pool (5 + 10 overflow).
SERVER_DATABASE_CONCURRENCY = 8


def transition_gate(database_url: str) -> asyncio.Semaphore:
    if make_url(database_url).get_backend_name() == "sqlite":
        return asyncio.Semaphore(1)
    return asyncio.Semaphore(SERVER_DATABASE_CONCURRENCY)
