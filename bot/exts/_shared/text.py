"""Fit long text into Discord messages: split at paragraph, line or word boundaries, keep code fences valid."""

from __future__ import annotations

from bot.exts._shared.limits import CONTENT_MAX

_FENCE = "```"


def clip(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """`text` cut to at most `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: max(0, limit - len(ellipsis))] + ellipsis


def _cut_point(text: str, limit: int) -> int:
    """Where to cut `text` (<= limit): the last paragraph break, else line break, else space."""
    window = text[:limit]
    for separator in ("\n\n", "\n", " "):
        index = window.rfind(separator)
        if index > limit // 3:
            return index + len(separator)
    return limit


def split_message(text: str, limit: int = CONTENT_MAX) -> list[str]:
    """Split `text` into chunks of at most `limit` characters.

    A chunk that ends inside a ``` code block is closed with ``` and the next one reopens it with
    the same language tag, so each message renders on its own.
    """
    text = text.strip()
    if not text:
        return []
    chunks: list[str] = []
    reopen = ""  # the fence line to reopen in the next chunk, if we cut inside a code block
    reserve = len(_FENCE) + 1  # room for a closing fence
    while text:
        text = reopen + text if reopen else text
        if len(text) <= limit:
            chunks.append(text)
            break
        cut = _cut_point(text, limit - reserve)
        chunk, text = text[:cut].rstrip(), text[cut:].lstrip("\n")
        fences = [line for line in chunk.splitlines() if line.lstrip().startswith(_FENCE)]
        if len(fences) % 2 == 1:  # cut inside a code block: close it here, reopen in the next chunk
            chunk += "\n" + _FENCE
            reopen = fences[-1].strip() + "\n"
        else:
            reopen = ""
        chunks.append(chunk)
    return chunks
