"""Deliberate command sync: only when asked, or when the command set actually changed.

Discord rate-limits command registration, and syncing on every start is the classic mistake
(docs/notes.md#discord-patterns). We hash the exact payload a sync would send and remember the last
synced hash per application and scope in a small JSON file.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Literal

import discord
from discord import app_commands

log = logging.getLogger(__name__)

SyncMode = Literal["auto", "always", "never"]


def command_set_digest(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None) -> str:
    """SHA-256 of the commands a sync for `guild` (None: global) would register."""
    payload = sorted((command.to_dict(tree) for command in tree.get_commands(guild=guild)),
                     key=lambda c: (c["name"], c.get("type", 1)))
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _read_state(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_state(path: Path, state: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


async def sync_command_tree(
    tree: app_commands.CommandTree,
    *,
    application_id: int,
    mode: SyncMode,
    state_path: Path,
    dev_guild_id: int | None = None,
    force: bool = False,
) -> bool:
    """Sync the tree if `mode`/`force` say so; return whether a sync was sent.

    With a dev guild the global commands are copied to that guild and synced there (instant in
    Discord's client), which is how one develops without touching the global command set.
    """
    guild = discord.Object(dev_guild_id) if dev_guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    key = f"{application_id}:{guild.id if guild else 'global'}"
    digest = command_set_digest(tree, guild)
    state = _read_state(state_path)
    if not force:
        if mode == "never":
            return False
        if mode == "auto" and state.get(key) == digest:
            log.info("command set unchanged (%s); not syncing", digest[:12])
            return False
    synced = await tree.sync(guild=guild)
    log.info("synced %d commands to %s", len(synced), "guild " + str(guild.id) if guild else "everyone")
    state[key] = digest
    _write_state(state_path, state)
    return True
