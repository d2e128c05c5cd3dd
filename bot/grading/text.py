"""Light text processing for grading: sentences, clauses, content words and word stems.

Deliberately simple and fast (a small share of a grade): no NLP library, a small stop-word list and a
suffix-stripping stemmer that is good enough to match `saturates`/`saturating`/`saturation`.
"""

from __future__ import annotations

import re
from functools import lru_cache

_STOP_WORDS_TEXT = (
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each either else etc few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just let like may me might more most much must my myself neither nor of off on once one only
    or other our ours ourselves out over own per rather same shall she should so some such than that the
    their theirs them themselves then there these they this those through thus to too under until up
    upon us very via was we were what when where whether which while who whom whose why will with
    within would yet you your yours yourself yourselves i'm it's that's there's can't don't doesn't
    isn't aren't won't basically actually really simply well kind sort thing things something
    """
)
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS_TEXT.split())

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")
_CLAUSE_SPLIT = re.compile(
    r",\s+|\s+(?:but|whereas|while|because|so that|which|since|although|though|so)\s+", re.IGNORECASE
)
WORD_PATTERN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", re.IGNORECASE)


def sentences(text: str) -> list[str]:
    """Split on sentence punctuation (and `;`) and line breaks; drop empty pieces."""
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s and s.strip(" .!?;")]


def clauses(sentence: str, min_words: int = 3) -> list[str]:
    """Split a sentence on commas and conjunctions; tiny fragments are merged into their neighbour."""
    parts = [p.strip() for p in _CLAUSE_SPLIT.split(sentence) if p and p.strip()]
    merged: list[str] = []
    for part in parts:
        if merged and (len(part.split()) < min_words or len(merged[-1].split()) < min_words):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters, digits, inner hyphens and apostrophes)."""
    return [w.lower() for w in WORD_PATTERN.findall(text)]


_SUFFIXES = (
    "ational", "ization", "isation", "fulness", "ousness", "iveness", "ations", "ation", "ments", "ment",
    "izing", "ising", "ized", "ised", "izes", "ises", "ingly", "ities", "ness", "ings", "ing", "ity",
    "ize", "ise", "ies", "ied", "ive", "ers", "ed", "er", "es", "ly", "s",
)


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """Strip one common English suffix, keeping a stem of at least 4 letters (`saturat`, `vanish`)."""
    w = word.lower()
    if len(w) <= 4 or w.isdigit():
        return w
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if w.endswith("at") and len(w) > 5:  # saturat(e|ing|ion) -> satur
        w = w[:-2]
    return w


def content_stems(text: str) -> list[str]:
    """Stems of the non-stop words of `text`, in order (duplicates kept)."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS and len(w) > 1]


#: Words that end a sentence's subject: "ReLU | is max(0, x)", "Batch norm | can act as a regulariser".
_SUBJECT_END = frozenset((
    "is", "are", "was", "were", "be", "has", "have", "had", "can", "cannot", "can't", "could", "will", "would",
    "does", "doesn't", "do", "don't", "did", "should", "must", "may", "might", "isn't", "aren't", "wasn't", "won't",
))
_PRONOUN_LEAD = re.compile(r"^(?P<pronoun>it's|its|it|this|they|these)\b\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
#: A subject longer than this is not a noun phrase we can trust to stand in for a pronoun.
_MAX_SUBJECT_WORDS = 4


def subject_of(sentence: str) -> str | None:
    """The words before a sentence's first auxiliary or copula ("ReLU" in "ReLU is max(0, x)"), if short."""
    tokens = sentence.split()
    for i, token in enumerate(tokens[: _MAX_SUBJECT_WORDS + 1]):
        if token.lower().strip(",;:") in _SUBJECT_END:
            subject = tokens[:i]
            if not subject or subject[0].lower() in STOP_WORDS:  # "It is ...", "The ...": not a name to reuse
                return None
            return " ".join(subject)
    return None


def resolve_leading_pronoun(sentence: str, previous: str) -> str:
    """`sentence` with a leading it/this/they replaced by the previous sentence's subject.

    "ReLU is max(0, x). It is not differentiable at zero": the second sentence on its own says nothing
    about ReLU, so its embedding is far from what it claims ("ReLU is not differentiable"). Only a short
    subject ending at an auxiliary or copula is reused; otherwise the sentence is returned unchanged.
    """
    lead = _PRONOUN_LEAD.match(sentence)
    subject = subject_of(previous) if lead else None
    if lead is None or subject is None or not lead["rest"]:
        return sentence
    pronoun = lead["pronoun"].lower()
    if pronoun == "it's":
        return f"{subject} is {lead['rest']}"
    if pronoun == "its":
        return f"{subject}'s {lead['rest']}"
    return f"{subject} {lead['rest']}"
