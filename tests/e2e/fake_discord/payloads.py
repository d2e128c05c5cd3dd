"""Discord API v10 payload builders: the fields discord.py 2.7 reads, with realistic defaults.

Kept apart from the server so a test can see exactly what the fake sends. Every builder
returns plain dicts ready for JSON.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

#: Every permission bit set: the fake's default member and app permissions (Administrator aside).
ALL_PERMISSIONS = str((1 << 50) - 1 & ~(1 << 3))
#: discord.py reads this from every interaction (2.7 raises KeyError without it).
ATTACHMENT_SIZE_LIMIT = 25 * 1024 * 1024

CHANNEL_GUILD_TEXT = 0
CHANNEL_DM = 1
CHANNEL_PUBLIC_THREAD = 11
CHANNEL_PRIVATE_THREAD = 12

_counter = itertools.count(1)


def snowflake() -> str:
    """A unique, increasing snowflake-looking id (as a string, like Discord sends them)."""
    timestamp_ms = int(datetime.now(UTC).timestamp() * 1000) - 1420070400000
    return str((timestamp_ms << 22) | (next(_counter) & 0x3FFFFF))


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def user(user_id: str, username: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": user_id, "username": username, "global_name": username.title(), "discriminator": "0",
        "avatar": None, "bot": bot, "public_flags": 0, "flags": 0,
    }


def member(user_payload: dict[str, Any], *, permissions: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "user": user_payload, "nick": None, "roles": [], "joined_at": now_iso(), "deaf": False,
        "mute": False, "flags": 0, "avatar": None, "premium_since": None, "pending": False,
    }
    if permissions is not None:
        data["permissions"] = permissions  # present only inside interactions
    return data


def text_channel(channel_id: str, guild_id: str, name: str) -> dict[str, Any]:
    return {
        "id": channel_id, "type": CHANNEL_GUILD_TEXT, "guild_id": guild_id, "name": name, "position": 0,
        "permission_overwrites": [], "parent_id": None, "topic": None, "nsfw": False,
        "last_message_id": None, "rate_limit_per_user": 0, "flags": 0,
    }


def thread_channel(
    thread_id: str, guild_id: str, parent_id: str, name: str, owner_id: str, *, private: bool = False
) -> dict[str, Any]:
    return {
        "id": thread_id, "type": CHANNEL_PRIVATE_THREAD if private else CHANNEL_PUBLIC_THREAD,
        "guild_id": guild_id, "parent_id": parent_id, "name": name, "owner_id": owner_id,
        "last_message_id": None, "rate_limit_per_user": 0, "message_count": 0, "member_count": 1,
        "flags": 0, "thread_metadata": {
            "archived": False, "auto_archive_duration": 1440, "archive_timestamp": now_iso(),
            "locked": False, "invitable": True, "create_timestamp": now_iso(),
        },
    }


def dm_channel(channel_id: str, recipient: dict[str, Any]) -> dict[str, Any]:
    return {"id": channel_id, "type": CHANNEL_DM, "recipients": [recipient], "last_message_id": None, "flags": 0}


def role_everyone(guild_id: str) -> dict[str, Any]:
    return {
        "id": guild_id, "name": "@everyone", "permissions": ALL_PERMISSIONS, "position": 0, "color": 0,
        "hoist": False, "managed": False, "mentionable": False, "flags": 0,
    }


def role(role_id: str, name: str, *, permissions: str = "0", position: int = 1) -> dict[str, Any]:
    return {
        "id": role_id, "name": name, "permissions": permissions, "position": position, "color": 0,
        "hoist": False, "managed": False, "mentionable": True, "flags": 0,
    }


def guild(
    guild_id: str, name: str, owner_id: str, *, channels: list[dict[str, Any]], members: list[dict[str, Any]],
    roles: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": guild_id, "name": name, "icon": None, "owner_id": owner_id,
        "roles": [role_everyone(guild_id), *(roles or [])],
        "emojis": [], "stickers": [], "features": [], "member_count": len(members), "members": members,
        "channels": channels, "threads": [], "presences": [], "voice_states": [], "large": False,
        "unavailable": False, "premium_tier": 0, "mfa_level": 0, "verification_level": 0,
        "explicit_content_filter": 0, "default_message_notifications": 0, "system_channel_flags": 0,
        "preferred_locale": "en-US", "nsfw_level": 0, "joined_at": now_iso(), "afk_timeout": 300,
        "premium_subscription_count": 0, "stage_instances": [], "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def message(  # noqa: PLR0913 (the fields of a Discord message payload)
    message_id: str,
    channel_id: str,
    author: dict[str, Any],
    *,
    content: str = "",
    guild_id: str | None = None,
    embeds: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    flags: int = 0,
    interaction_id: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": message_id, "channel_id": channel_id, "author": author, "content": content,
        "timestamp": now_iso(), "edited_timestamp": None, "tts": False, "mention_everyone": False,
        "mentions": [], "mention_roles": [], "attachments": attachments or [], "embeds": embeds or [],
        "components": components or [], "pinned": False, "type": 0, "flags": flags,
    }
    if guild_id is not None:
        data["guild_id"] = guild_id
    if interaction_id is not None:
        data["interaction_metadata"] = {"id": interaction_id, "type": 2, "user": author}
    return data
