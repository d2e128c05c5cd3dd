"""/stats, /export and /forget-me: a candidate's progress, their data to take away, and erasing it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.discord_bot import VivaBot


async def setup(bot: VivaBot) -> None:
    from ._cog import ProgressCog

    await bot.add_cog(ProgressCog(bot))
