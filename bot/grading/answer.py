"""An answer cut into the units the grader embeds: the whole answer, its sentences, their clauses.

A key point is often stated in half a sentence ("..., so the gradient vanishes"), and a long answer's
whole-text embedding blurs several points together; matching against every unit finds the point
wherever it is said.

`restated` holds sentences that open with "it"/"this"/"they" rewritten with the previous sentence's subject
(text.resolve_leading_pronoun): "ReLU is max(0, x). It is not differentiable, so backprop fails" states a
misconception about ReLU that the second sentence alone does not. Only misconception detection reads them
(dev set: misconception rows caught 21/22 -> 22/22, none of the other 144 flagged). In coverage the
rewritten sentence sometimes outranked the sentence that contradicts a point ("Sigmoid does not saturate.
Its derivative ...") and hid the contradiction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from bot.grading.embedder import EMBEDDING_DIM
from bot.grading.text import WORD_PATTERN, clauses, resolve_leading_pronoun, sentences, stem, words

if TYPE_CHECKING:
    from bot.grading.minilm import TokenOutput

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
    #: (index into `sentences`, the sentence with its leading pronoun replaced) where that changed it
    restated: tuple[tuple[int, str], ...] = ()


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
    kept = tuple(sentence_of[:MAX_UNITS])
    resolved = list(sents)
    for i in range(1, len(sents)):  # "X is ... . It ...": say what "it" is (chains: "... . It ... . It ...")
        resolved[i] = resolve_leading_pronoun(sents[i], resolved[i - 1])
    restated = tuple((i, r) for i, (r, s) in enumerate(zip(resolved, sents, strict=True)) if r != s and i in kept)
    return AnswerUnits(tuple(texts[:MAX_UNITS]), tuple(kinds[:MAX_UNITS]), kept, tuple(sents), restated)


def demote_question_words(text: str, question_stems: frozenset[str]) -> str:
    """`text` without the words it shares with the question (kept whole if nothing would remain)."""
    kept = [w for w in words(text) if stem(w) not in question_stems]
    return " ".join(kept) if kept else text


def demoted_vector(sentences: Sequence[tuple[str, TokenOutput]], question_stems: frozenset[str]) -> np.ndarray:
    """The answer's vector without the question's words: the normalised mean of the contextual vectors of
    its other words, read from its sentences' own forward passes (`(sentence, its tokens)` pairs).

    Re-encoding `demote_question_words(answer)` instead gives nearly the same grades but doubles the
    tokens a one-sentence answer costs to grade (Grader._encode_answer has the figures).
    """
    kept: list[np.ndarray] = []
    for text, tokens in sentences:
        starts = np.array([a for a, _ in tokens.offsets], dtype=np.int64)
        ends = np.array([b for _, b in tokens.offsets], dtype=np.int64)
        keep = np.zeros(len(starts), dtype=bool)
        for match in re.finditer(WORD_PATTERN, text):
            if stem(match.group().lower()) not in question_stems:
                keep |= (starts >= match.start()) & (ends <= match.end())
        kept.append(tokens.token_vectors[keep])
    others = np.concatenate(kept) if kept else np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    vector = others.mean(axis=0) if len(others) else sum(t.sentence_vector for _, t in sentences)
    return (vector / max(float(np.linalg.norm(vector)), 1e-9)).astype(np.float32)
