"""Per-key-point evidence: how well the candidate's answer covers each rubric point.

Three complementary signals, each in 0..1 and each computed from one batch of embeddings:
- `similarity`: the best cosine between any unit of the answer (whole answer, sentence or clause) and
  the point or one of its phrasings. Clause units let a point stated in half a sentence match.
- `alignment`: BERTScore-style recall: each content word of the point (question words left out)
  finds its best-matching contextual word vector in the answer; the mean of those maxima.
- `term_recall`: the weighted share of the point's terms found among the answer's word stems
  (a term's alternatives are `|`-separated; question words count a quarter, students echo them).
Plus `demoted_similarity`: cosine after removing the question's words from both texts (Mohler 2011,
Sultan 2016: echoing the question is not evidence of knowing the answer).
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.grading.embedder import EMBEDDING_DIM, Encoded
from bot.grading.rubric import RubricPoint, Term
from bot.grading.text import STOP_WORDS, stem

#: Weight of a term (or alignment word) that only repeats the question.
QUESTION_WORD_WEIGHT = 0.25


@dataclass(frozen=True)
class PointEvidence:
    """Raw signals for one key point, before calibration."""

    similarity: float
    demoted_similarity: float
    alignment: float
    term_recall: float


@dataclass(frozen=True)
class EncodedPoint:
    """A key point's texts encoded once (cached by the embedder), its demoted form, and for alignment the
    word vectors of all its texts stacked, each word's weight, and where each text's words are."""

    texts: Sequence[Encoded]
    demoted: Encoded | None
    word_matrix: np.ndarray
    word_weights: np.ndarray
    text_spans: tuple[tuple[int, int], ...]

    @classmethod
    def build(cls, texts: Sequence[Encoded], demoted: Encoded | None, question_stems: frozenset[str]) -> EncodedPoint:
        spans = []
        start = 0
        for encoded in texts:
            spans.append((start, start + len(encoded.words)))
            start += len(encoded.words)
        weights = [
            0.0 if not _is_content(w) else (QUESTION_WORD_WEIGHT if stem(w) in question_stems else 1.0)
            for encoded in texts
            for w in encoded.words
        ]
        matrix = np.concatenate([e.word_vectors for e in texts]) if texts else np.zeros((0, EMBEDDING_DIM), np.float32)
        return cls(texts, demoted, matrix, np.array(weights, dtype=np.float32), tuple(spans))


def _is_content(word: str) -> bool:
    return word not in STOP_WORDS and not all(ch in string.punctuation for ch in word) and len(word) > 1


def _alignment(point: EncodedPoint, answer_vectors: np.ndarray) -> float:
    """For each of the point's texts, the weighted mean over its content words of the best cosine with any
    answer word (question words count a quarter); the best text wins."""
    if answer_vectors.shape[0] == 0 or point.word_matrix.shape[0] == 0:
        return 0.0
    best = (point.word_matrix @ answer_vectors.T).max(axis=1) * point.word_weights
    scores = [
        float(best[a:b].sum() / total)
        for a, b in point.text_spans
        if (total := float(point.word_weights[a:b].sum())) > 0
    ]
    return float(np.clip(max(scores, default=0.0), 0.0, 1.0))


def _word_matches(answer_word: str, answer_stem: str, wanted: str) -> bool:
    """Exact word, same stem, or (authored stems like `saturat`, `relevan`) a prefix of 4+ letters."""
    return answer_word == wanted or answer_stem == stem(wanted) or (len(wanted) >= 4 and answer_word.startswith(wanted))


def _has_word(answer_words: frozenset[str], answer_stems: frozenset[str], wanted: str) -> bool:
    """`_word_matches` against a whole answer: set lookups first, the prefix scan only when they miss."""
    if wanted in answer_words or stem(wanted) in answer_stems:
        return True
    return len(wanted) >= 4 and any(w.startswith(wanted) for w in answer_words)


def _has_phrase(answer_words: Sequence[str], answer_stems: Sequence[str], wanted: tuple[str, ...]) -> bool:
    n = len(wanted)
    return any(
        all(_word_matches(answer_words[i + j], answer_stems[i + j], wanted[j]) for j in range(n))
        for i in range(len(answer_words) - n + 1)
    )


def term_recall(
    terms: Sequence[Term], answer_words: Sequence[str], answer_stems: Sequence[str], question_stems: frozenset[str]
) -> float:
    """Weighted share of terms with at least one alternative present in the answer."""
    if not terms:
        return 0.0
    total = found = 0.0
    word_set, stem_set = frozenset(answer_words), frozenset(answer_stems)
    for term in terms:
        echoes_question = all(all(stem(w) in question_stems for w in alt) for alt in term)
        weight = QUESTION_WORD_WEIGHT if echoes_question else 1.0
        total += weight
        if any(
            _has_word(word_set, stem_set, alt[0]) if len(alt) == 1
            # a phrase can only match where each of its words occurs somewhere: set lookups rule most out
            else all(_has_word(word_set, stem_set, w) for w in alt) and _has_phrase(answer_words, answer_stems, alt)
            for alt in term
        ):
            found += weight
    return found / total if total else 0.0


def point_evidence(
    point: RubricPoint,
    encoded_point: EncodedPoint,
    point_sims: np.ndarray,
    answer_word_vectors: np.ndarray,
    demoted_answer: Encoded | None,
    answer_words: Sequence[str],
    answer_stems: Sequence[str],
    question_stems: frozenset[str],
) -> PointEvidence:
    """`point_sims`: cosines between the answer's units (rows) and the point's texts (columns)."""
    similarity = float(point_sims.max()) if point_sims.size else 0.0
    demoted = similarity
    if demoted_answer is not None and encoded_point.demoted is not None:
        demoted = float(demoted_answer.vector @ encoded_point.demoted.vector)
    alignment = _alignment(encoded_point, answer_word_vectors)
    return PointEvidence(
        similarity=max(similarity, 0.0),
        demoted_similarity=max(demoted, 0.0),
        alignment=alignment,
        term_recall=term_recall(point.terms, answer_words, answer_stems, question_stems),
    )
