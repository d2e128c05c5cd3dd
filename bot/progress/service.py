"""One call per front-end action (stats, export, forget), each in its own database session.

Candidates are named as the front ends know them: (platform, external id). Someone the bot has never
interviewed has empty stats and an empty export, and forgetting them is a no-op.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bank.loader import Bank
from bot.progress.export import ExportBundle, build_export
from bot.progress.forget import ForgetSummary, forget_user
from bot.progress.history import History, load_history
from bot.progress.stats import ProgressStats, compute_stats, empty_stats
from bot.storage.users import find_user


async def stats_for(sessions: async_sessionmaker[AsyncSession], bank: Bank, platform: str, external_id: str,
                    *, display_name: str | None = None, now: datetime | None = None) -> ProgressStats:
    async with sessions() as db:
        user = await find_user(db, platform, external_id)
        name = display_name or (user.display_name if user else external_id)
        if user is None:
            return empty_stats(name)
        return await compute_stats(db, bank, user.id, display_name=name, now=now or datetime.now(UTC))


async def export_for(sessions: async_sessionmaker[AsyncSession], bank: Bank, platform: str,
                     external_id: str) -> ExportBundle:
    async with sessions() as db:
        user = await find_user(db, platform, external_id)
        history = await load_history(db, user.id) if user else History(0, 0, ())
    # Writing the Anki package is blocking file and SQLite work: keep it off the event loop.
    return await asyncio.to_thread(build_export, bank, history)


async def forget(sessions: async_sessionmaker[AsyncSession], platform: str, external_id: str) -> ForgetSummary:
    """Delete everything about the candidate and commit."""
    async with sessions() as db:
        user = await find_user(db, platform, external_id)
        if user is None:
            return ForgetSummary(found=False)
        summary = await forget_user(db, user.id)
        await db.commit()
        return summary
