"""An answer cut into the units the grader embeds: the whole answer, its sentences, their clauses.

A key point is often stated in half a sentence ("..., so the gradient vanishes"), and a long answer's
whole-text embedding blurs several points together; matching against every unit finds the point
wherever it is said.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.grading.text import clauses, sentences, stem, words

#: Bounds the embedding batch (grading time) for very long answers.
MAX_UNITS = 40
#: Shorter sentences are not cut into clauses: their clauses add encoding time, not evidence.
MIN_WORDS_TO_SPLIT = 12

UnitKind = Literal["answer", "sentence", "clause"]


@dataclass(frozen=True)
class AnswerUnits:
    texts: tuple[str, ...]
    kinds: tuple[UnitKind, ...]
    sentence_of: tuple[int, ...]  # index into `sentences`; -1 for the whole answer
    sentences: tuple[str, ...]


def split_answer(text: str) -> AnswerUnits:
    sents = sentences(text) or [text.strip()]
    texts: list[str] = [text.strip()]
    kinds: list[UnitKind] = ["answer"]
    sentence_of: list[int] = [-1]
    seen = {texts[0]}
    for i, sentence in enumerate(sents):
        pieces: list[tuple[str, UnitKind]] = [(sentence, "sentence")]
        parts = clauses(sentence) if len(words(sentence)) >= MIN_WORDS_TO_SPLIT else [sentence]
        if len(parts) > 1:
            pieces += [(p, "clause") for p in parts]
        for piece, kind in pieces:
            if piece in seen:
                continue
            seen.add(piece)
            texts.append(piece)
            kinds.append(kind)
            sentence_of.append(i)
    if len(sents) == 1:  # the sentence is the whole answer: keep one copy, indexed as sentence 0
        sentence_of[0] = 0
    return AnswerUnits(tuple(texts[:MAX_UNITS]), tuple(kinds[:MAX_UNITS]), tuple(sentence_of[:MAX_UNITS]), tuple(sents))


def demote_question_words(text: str, question_stems: frozenset[str]) -> str:
    """`text` without the words it shares with the question (kept whole if nothing would remain)."""
    kept = [w for w in words(text) if stem(w) not in question_stems]
    return " ".join(kept) if kept else text
