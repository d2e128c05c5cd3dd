"""The validity gate: is this text an attempt at an answer at all?

Empty text, a couple of words, "idk"/"pass"/"no idea", keyboard mashing or emoji only are not
attempts: the engine answers kindly and offers a hint instead of grading a 0.
"""

from __future__ import annotations

import re

from bot.grading.grade import Validity
from bot.grading.text import STOP_WORDS, words

#: Fewer meaningful (non-stop) words than this is "too short": "it", "the one", "x". A single real
#: word is still graded (it may be the right term, and the rubric then decides how little it covers).
MIN_CONTENT_WORDS = 1

_NON_ANSWERS = [
    r"i\s*(?:do\s*n[o']?t|dont|don't|dunno|have\s+no)\s*(?:really\s+)?(?:know|remember|recall|understand|idea|clue)",
    r"i\s*(?:am|'m|m)\s+not\s+sure",
    r"no\s+(?:idea|clue)",
    r"idk|dunno|pass|skip|next|n/?a|none|nothing|no|nope|\?+|i\s+give\s+up|not\s+sure|no\s+comment",
    r"(?:i\s+)?(?:can'?t|cannot)\s+(?:answer|remember|recall)",
    r"(?:sorry|pass|skip)(?:\s+this(?:\s+one)?)?",
]
_NON_ANSWER = re.compile(
    r"^\s*(?:(?:sorry|hmm+|um+|uh+|well|honestly)[,.!\s]*)*(?:" + "|".join(_NON_ANSWERS) + r")"
    r"(?:[\s,.!?]*(?:sorry|at all|really|honestly|to be honest|here|this one|,?\s*sorry))*[\s.!?]*$",
    re.IGNORECASE,
)
_VOWELS = set("aeiouy")


def _looks_like_word(word: str) -> bool:
    """Cheap pronounceability check: mashing like `asdfgh` or `qwrtzp` has no vowel or long consonant runs."""
    w = word.lower()
    if w.isdigit() or len(w) <= 3:
        return True
    if not any(ch in _VOWELS for ch in w):
        return False
    return re.search(r"[^aeiouy\d\-']{5,}", w) is None and re.search(r"(.)\1\1", w) is None


def check_validity(answer: str) -> Validity:
    """Classify an answer before grading it."""
    text = answer.strip()
    if not text:
        return "empty"
    if _NON_ANSWER.match(text):
        return "non_answer"
    tokens = words(text)
    if not tokens:
        return "gibberish"  # emoji, punctuation or symbols only
    wordlike = [w for w in tokens if _looks_like_word(w)]
    if len(wordlike) < max(1, 0.6 * len(tokens)):
        return "gibberish"
    content = [w for w in wordlike if w not in STOP_WORDS]
    if len(content) < MIN_CONTENT_WORDS:
        return "too_short"
    return "ok"
