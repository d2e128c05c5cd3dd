"""Discord's message limits, enforced by the fake the way Discord does: 400 Invalid Form Body."""

from __future__ import annotations

from typing import Any

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
ACTION_ROWS_MAX = 5
ROW_COMPONENTS_MAX = 5
CUSTOM_ID_MAX = 100


def _embed_problems(embed: dict[str, Any]) -> list[str]:
    problems = []
    total = 0
    for key, limit in (("title", EMBED_TITLE_MAX), ("description", EMBED_DESCRIPTION_MAX)):
        size = len(embed.get(key) or "")
        total += size
        if size > limit:
            problems.append(f"embed {key} has {size} > {limit} characters")
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS_MAX:
        problems.append(f"{len(fields)} > {EMBED_FIELDS_MAX} embed fields")
    for field in fields:
        name, value = field.get("name") or "", field.get("value") or ""
        total += len(name) + len(value)
        if len(name) > FIELD_NAME_MAX or len(value) > FIELD_VALUE_MAX:
            problems.append("embed field over its limit")
        if not name or not value:
            problems.append("embed field name and value must not be empty")
    total += len((embed.get("footer") or {}).get("text") or "")
    if total > EMBED_TOTAL_MAX:
        problems.append(f"embed has {total} > {EMBED_TOTAL_MAX} characters in all")
    return problems


def message_problems(body: dict[str, Any]) -> list[str]:
    """Why Discord would reject this message body (empty list: it is fine)."""
    problems = []
    content = body.get("content") or ""
    if len(content) > CONTENT_MAX:
        problems.append(f"content has {len(content)} > {CONTENT_MAX} characters")
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        problems.append(f"{len(embeds)} > {EMBEDS_MAX} embeds")
    for embed in embeds:
        problems += _embed_problems(embed)
    rows = body.get("components") or []
    if len(rows) > ACTION_ROWS_MAX:
        problems.append(f"{len(rows)} > {ACTION_ROWS_MAX} action rows")
    for row in rows:
        if len(row.get("components") or []) > ROW_COMPONENTS_MAX:
            problems.append("more than 5 components in a row")
        for component in row.get("components") or []:
            if len(component.get("custom_id") or "") > CUSTOM_ID_MAX:
                problems.append(f"custom_id longer than {CUSTOM_ID_MAX}")
    return problems
