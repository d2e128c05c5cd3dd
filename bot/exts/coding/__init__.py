"""/code: coding tasks (statement, starter code, checked submissions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.discord_bot import VivaBot


async def setup(bot: VivaBot) -> None:
    from ._cog import CodingCog

    await bot.add_cog(CodingCog(bot))
