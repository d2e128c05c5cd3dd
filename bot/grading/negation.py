"""Polarity of short statements: cosine similarity cannot see "not", so we look for it explicitly.

"Sigmoid does not saturate" embeds right next to "sigmoid saturates". A key point is contradicted when
the candidate's clause that matches it best has the opposite polarity of the point text it matched.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.grading.text import STOP_WORDS, content_stems, stem, words

_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nothing|neither|nor|cannot|"
    r"\w+n't|dont|doesnt|isnt|arent|wont|cant|didnt|wasnt|werent|shouldnt|havent|hasnt)\b",
    re.IGNORECASE,
)
#: Negation words that do not negate the statement they sit in.
_NOT_NEGATING = re.compile(
    r"\b(?:not\s+only|not\s+just|no\s+matter|no\s+doubt|not\s+necessarily\s+\w+\s+but|"
    r"whether\s+or\s+not|if\s+not|or\s+not|no\s+one\s+knows|(?:almost|nearly|virtually|practically|little\s+or)\s+no)\b",
    re.IGNORECASE,
)
#: Words that carry a negative meaning without a negation cue ("turned off at test time" says the
#: same as "not applied at test time"), so their absence cannot be read as an affirmation.
_NEGATIVE_MEANING = re.compile(
    r"\b(?:off|disabled?|disabling|remov\w*|skip\w*|drop(?:ped|s)?\s+out|stops?|stopped|"
    r"only|instead|unlike|rather|fails?|failed|lacks?|lacking|absent|avoid\w*|prevent\w*|"
    r"unchanged|identity|zero|neither|free\s+of|away|less|fewer|lower|bypass\w*|unused|inactive|"
    r"down|shrink\w*|vanish\w*|small\w*|tiny|decreas\w*|reduc\w*|lose|loses|lost|collapse\w*|only)\b",
    re.IGNORECASE,
)


def negation_count(text: str) -> int:
    """How many negation cues `text` has (ignoring idioms like "not only")."""
    cleaned = _NOT_NEGATING.sub(" ", text)
    return len(_NEGATION.findall(cleaned))


def is_negated(text: str) -> bool:
    """Odd number of negation cues: "does not saturate" yes, "it is not true that it can't" no."""
    return negation_count(text) % 2 == 1


#: Words skipped when looking for what a negation applies to ("does not really saturate").
_SCOPE_SKIP = frozenset(
    ["be", "is", "are", "was", "were", "been", "being", "do", "does", "did", "have", "has", "had", "get", "gets", "really", "always", "necessarily", "actually", "a", "an", "the", "any", "to", "need", "needs", "just", "quite", "very", "so", "that", "it", "they", "this"]
)
_SCOPE_WORDS = 1


#: Cues that sit before a noun ("neither step can increase it", "no gradient flows"): they negate the noun
#: and what it does together, so both words must be what the other text is about. Read as negating the noun
#: alone, "neither step can increase the objective" contradicted "each step can only lower or keep the
#: objective" (a false alarm that capped an excellent answer at 1.5 on the blind set's dev half).
_DETERMINER_CUES = frozenset(["no", "neither", "none", "nothing"])


@lru_cache(maxsize=8192)
def negated_groups(text: str) -> tuple[frozenset[str], ...]:
    """Per negation cue, the stems it negates: the next content word, or for a determiner cue the next two."""
    tokens = words(_NOT_NEGATING.sub(" ", text))
    groups: list[frozenset[str]] = []
    for i, token in enumerate(tokens):
        if not _NEGATION.fullmatch(token):
            continue
        wanted = 2 if token.lower() in _DETERMINER_CUES else _SCOPE_WORDS
        found: list[str] = []
        for follower in tokens[i + 1 :]:
            if follower in _SCOPE_SKIP or follower in STOP_WORDS or _NEGATION.fullmatch(follower):
                continue
            found.append(stem(follower))
            if len(found) == wanted:
                break
        if found:
            groups.append(frozenset(found))
    return tuple(groups)


def _denies_words_of(groups: tuple[frozenset[str], ...], other: str) -> bool:
    stems = _content_stem_set(other)
    return any(group <= stems for group in groups)


@lru_cache(maxsize=8192)
def _content_stem_set(text: str) -> frozenset[str]:
    return frozenset(content_stems(text))


def has_negative_meaning(text: str) -> bool:
    return bool(_NEGATIVE_MEANING.search(text))


def polarity_conflict(candidate: str, point_text: str) -> bool:
    """Does the candidate's clause deny what the point text asserts, or assert what it denies?

    Only negations about the other text's own words count ("does not help" does not contradict
    "stacking linear layers gives a linear layer"), and a candidate with a negative meaning of its own
    ("switched off at test time") agrees with a negated point ("not applied at test time").
    """
    candidate_denies = negated_groups(candidate)
    point_denies = negated_groups(point_text)
    # Only a plain statement can contradict a negated one and vice versa: when both sides negate
    # something ("if no constructor is provided" / "when we do not define one") they usually agree.
    if candidate_denies and not point_denies:
        return _denies_words_of(candidate_denies, point_text)
    if point_denies and not candidate_denies:
        return _denies_words_of(point_denies, candidate) and not has_negative_meaning(candidate)
    return False
