"""Permission names as Discord's own settings screens show them ("Manage Server", not "manage guild").

discord.py names permissions after the API flags; members only ever see the client's labels, so any
message that names a permission goes through `permission_name`.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.wording import join_words

#: API flag -> the label in Discord's role and channel settings, where the two differ beyond casing.
DISCORD_LABELS: dict[str, str] = {
    "manage_guild": "Manage Server",
    "view_guild_insights": "View Server Insights",
    "read_messages": "View Channels",
    "view_channel": "View Channels",
    "manage_permissions": "Manage Permissions",
    "manage_roles": "Manage Roles",
    "create_instant_invite": "Create Invite",
    "external_emojis": "Use External Emojis",
    "external_stickers": "Use External Stickers",
    "use_external_emojis": "Use External Emojis",
    "send_tts_messages": "Send Text-to-Speech Messages",
    "moderate_members": "Timeout Members",
    "manage_emojis": "Manage Expressions",
    "manage_emojis_and_stickers": "Manage Expressions",
    "use_embedded_activities": "Use Activities",
    "use_voice_activation": "Use Voice Activity",
    "use_application_commands": "Use Application Commands",
    "create_events": "Create Events",
    "use_external_apps": "Use External Apps",
    "view_creator_monetization_analytics": "View Server Subscription Insights",
    "set_voice_channel_status": "Set Voice Channel Status",
}


def permission_name(flag: str) -> str:
    """The Discord client's label for an API permission flag (`manage_guild` -> `Manage Server`)."""
    if flag in DISCORD_LABELS:
        return DISCORD_LABELS[flag]
    return " ".join("Server" if word == "guild" else word.capitalize() for word in flag.split("_"))


def permissions_phrase(flags: Iterable[str]) -> str:
    """`the Manage Server permission`, `the Manage Server and Manage Roles permissions`."""
    names = list(dict.fromkeys(permission_name(flag) for flag in flags))
    return f"the {join_words(names)} permission{'s' if len(names) != 1 else ''}"
