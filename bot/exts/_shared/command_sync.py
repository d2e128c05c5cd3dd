"""Deliberate command sync: only when asked, or when the command set actually changed.

Discord rate-limits command registration, and syncing on every start is the classic mistake
(docs/notes.md#discord-patterns). We hash the exact payload a sync would send and remember the last
synced hash per application and scope in a small JSON file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import tempfile
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
    """Write the state through a temporary file of this call's own: several bot processes (shards) sharing a
    working directory sync at the same start-up, and a shared temporary name let one rename the other's file
    away (the loser crashed at start-up). The state only saves a sync; a failed write is logged, not fatal."""
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp", delete=False) as handle:
            tmp = Path(handle.name)
            handle.write(json.dumps(state, indent=2, sort_keys=True))
        tmp.replace(path)
    except OSError as exc:
        log.warning("could not record the synced commands in %s (%s); the next start will sync again", path, exc)
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


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
