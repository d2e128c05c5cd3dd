"""Keyword salad: jargon strung together without the sentences that would show understanding.

"sigmoid saturation vanishing gradient chain rule small derivative" contains every term of a good
answer. Real explanations use function words (the, is, so, because ...) and verbs; lists do not.
"""

from __future__ import annotations

import re

from bot.grading.text import STOP_WORDS, words

#: Explanations in English run at 35-55% function words; term lists sit near 0-10%. Short factual
#: sentences ("C++ programs begin execution at main") can be low too, hence the minimum length.
MAX_FUNCTION_WORD_SHARE = 0.15
MAX_LIST_FUNCTION_WORD_SHARE = 0.25
MIN_WORDS = 8
_LIST_SEPARATORS = re.compile(r"\s*(?:,|;|/|\+|->|→|\band\b)\s*")


def function_word_share(text: str) -> float:
    tokens = words(text)
    return sum(1 for w in tokens if w in STOP_WORDS) / len(tokens) if tokens else 0.0


def is_keyword_salad(text: str) -> bool:
    """A list of terms rather than statements: few function words, or short comma-separated chunks."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return False
    if function_word_share(text) < MAX_FUNCTION_WORD_SHARE:
        return True
    chunks = [c for c in _LIST_SEPARATORS.split(text.strip(" .")) if c.strip()]
    short = [c for c in chunks if len(words(c)) <= 3]
    return (
        len(chunks) >= 6
        and len(short) / len(chunks) >= 0.8
        and function_word_share(text) < MAX_LIST_FUNCTION_WORD_SHARE
    )
