"""The claim judge: does one statement of the answer entail a key point, contradict it, or say nothing of it?

Cosine similarity cannot see a wrong claim: "dropout removes neurons permanently" sits close to "dropout
zeroes units at random". The judge compares each answer statement (sentence, clause, pronoun-restated
sentence) with two sets of rubric texts per key point: what a right candidate says (the point, its
phrasings and atomic claims) and what a confident wrong candidate says (the point's `contradictions` and
the question's linked misconception triggers closest to it). Features are read from the MiniLM vectors the
grader already computes (no extra forward pass): cosines to both sets, word alignment both ways,
polarity conflicts, term recall, statement length. A small multinomial logistic regression over them,
trained on our own bank (scripts/train_claim_judge.py, model card in claim_judge.md), gives
P(neutral), P(entailed), P(contradicted).

The weights ship as `claim_judge.npz` next to this module (float16, about 1k numbers).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.bank.schema import Misconception
from bot.grading.embedder import EMBEDDING_DIM, Encoded
from bot.grading.negation import has_negative_meaning, negation_count, polarity_conflict
from bot.grading.rubric import Rubric
from bot.grading.text import STOP_WORDS, stem
from bot.grading.weights_file import load_arrays, save_arrays

WEIGHTS_PATH = Path(__file__).with_name("claim_judge.npz")
LABELS = ("neutral", "entailed", "contradicted")
NEUTRAL, ENTAILED, CONTRADICTED = 0, 1, 2
_DIM = EMBEDDING_DIM


def _is_content(word: str) -> bool:
    return word not in STOP_WORDS and not all(ch in string.punctuation for ch in word) and len(word) > 1


@dataclass(frozen=True)
class TextSet:
    """Several rubric texts encoded: sentence vectors stacked, content-word vectors stacked with spans."""

    texts: tuple[str, ...]
    vectors: np.ndarray  # (n, EMBEDDING_DIM)
    word_matrix: np.ndarray  # (words, EMBEDDING_DIM)
    spans: tuple[tuple[int, int], ...]
    stems: tuple[frozenset[str], ...]

    @classmethod
    def build(cls, texts: Sequence[str], encoded: Sequence[Encoded]) -> TextSet:
        vectors = np.stack([e.vector for e in encoded]) if encoded else np.zeros((0, _DIM), np.float32)
        blocks, spans, stems = [], [], []
        start = 0
        for e in encoded:
            keep = [i for i, w in enumerate(e.words) if _is_content(w)]
            blocks.append(e.word_vectors[keep])
            spans.append((start, start + len(keep)))
            stems.append(frozenset(stem(e.words[i]) for i in keep))
            start += len(keep)
        matrix = np.concatenate(blocks) if blocks else np.zeros((0, _DIM), np.float32)
        return cls(tuple(texts), vectors.astype(np.float32), matrix.astype(np.float32), tuple(spans), tuple(stems))

    def __len__(self) -> int:
        return len(self.texts)


@dataclass(frozen=True)
class PointTexts:
    """One key point's two sides: what is right, what is wrong."""

    right: TextSet
    wrong: TextSet


@dataclass(frozen=True)
class Statements:
    """The answer's statements: texts, sentence vectors, content-word vectors stacked with spans."""

    texts: tuple[str, ...]
    vectors: np.ndarray
    word_matrix: np.ndarray
    spans: tuple[tuple[int, int], ...]
    stems: tuple[frozenset[str], ...]

    @classmethod
    def build(cls, texts: Sequence[str], encoded: Sequence[Encoded]) -> Statements:
        s = TextSet.build(texts, encoded)
        return cls(s.texts, s.vectors, s.word_matrix, s.spans, s.stems)


FEATURE_NAMES = (
    "right_cos", "wrong_cos", "wrong_minus_right", "has_wrong",
    "right_recall", "right_precision", "wrong_recall", "wrong_precision", "wrong_minus_right_recall",
    "right_stem_overlap", "wrong_stem_overlap",
    "conflict_right", "conflict_wrong", "negated", "negative_meaning", "log_words",
)

WRONG_COS, WRONG_MINUS_RIGHT = FEATURE_NAMES.index("wrong_cos"), FEATURE_NAMES.index("wrong_minus_right")


def _alignment(ref: TextSet, statements: Statements) -> tuple[np.ndarray, np.ndarray]:
    """Per statement, best over the reference texts of (recall, precision) of word alignment.

    recall: each content word of a reference text finds its best word in the statement; mean of maxima.
    precision: each content word of the statement finds its best word in the reference text.
    All (reference text, statement) blocks at once with segment reductions (a grade has ~10 statements
    against ~5 key points' texts: the loop over blocks cost more than the encoder's last layer).
    """
    n = len(statements.texts)
    recall = np.zeros(n, np.float32)
    precision = np.zeros(n, np.float32)
    if ref.word_matrix.shape[0] == 0 or statements.word_matrix.shape[0] == 0:
        return recall, precision
    columns = [j for j, (a, b) in enumerate(statements.spans) if b > a]
    refs = [(a, b) for a, b in ref.spans if b > a]
    if not columns or not refs:
        return recall, precision
    sims = ref.word_matrix @ statements.word_matrix.T  # (ref words, statement words)
    col_starts = np.array([statements.spans[j][0] for j in columns])
    col_sizes = np.array([statements.spans[j][1] - statements.spans[j][0] for j in columns], np.float32)
    col_ends = col_starts + col_sizes.astype(int)
    row_sizes = np.array([b - a for a, b in refs], np.float32)
    # Only the words inside spans take part; reduceat needs them contiguous, so gather them first.
    row_index = np.concatenate([np.arange(a, b) for a, b in refs])
    col_index = np.concatenate([np.arange(a, b) for a, b in zip(col_starts, col_ends, strict=True)])
    block = sims[np.ix_(row_index, col_index)]
    row_cuts = np.concatenate([[0], np.cumsum(row_sizes.astype(int))[:-1]])
    col_cuts = np.concatenate([[0], np.cumsum(col_sizes.astype(int))[:-1]])
    ref_best = np.maximum.reduceat(block, col_cuts, axis=1)  # (ref words, statements)
    rec = np.add.reduceat(ref_best, row_cuts, axis=0) / row_sizes[:, None]  # (ref texts, statements)
    stmt_best = np.maximum.reduceat(block, row_cuts, axis=0)  # (ref texts, statement words)
    pre = np.add.reduceat(stmt_best, col_cuts, axis=1) / col_sizes[None, :]
    recall[columns] = np.maximum(rec.max(axis=0), 0.0)
    precision[columns] = np.maximum(pre.max(axis=0), 0.0)
    return recall, precision


def _best_stem_overlap(ref: TextSet, statement_stems: frozenset[str]) -> float:
    best = 0.0
    for stems in ref.stems:
        if stems:
            best = max(best, len(stems & statement_stems) / len(stems))
    return best


def pair_features(point: PointTexts, statements: Statements) -> np.ndarray:
    """Features of every (statement, key point) pair: shape (len(statements), len(FEATURE_NAMES))."""
    n = len(statements.texts)
    out = np.zeros((n, len(FEATURE_NAMES)), np.float32)
    if n == 0:
        return out
    right_sims = statements.vectors @ point.right.vectors.T
    right_best = right_sims.argmax(axis=1)
    out[:, 0] = right_sims.max(axis=1)
    has_wrong = len(point.wrong) > 0
    if has_wrong:
        wrong_sims = statements.vectors @ point.wrong.vectors.T
        wrong_best = wrong_sims.argmax(axis=1)
        out[:, 1] = wrong_sims.max(axis=1)
        out[:, 3] = 1.0
    out[:, 2] = out[:, 1] - out[:, 0]
    out[:, 4], out[:, 5] = _alignment(point.right, statements)
    if has_wrong:
        out[:, 6], out[:, 7] = _alignment(point.wrong, statements)
    out[:, 8] = out[:, 6] - out[:, 4]
    for j, text in enumerate(statements.texts):
        out[j, 9] = _best_stem_overlap(point.right, statements.stems[j])
        out[j, 11] = polarity_conflict(text, point.right.texts[int(right_best[j])])
        if has_wrong:
            out[j, 10] = _best_stem_overlap(point.wrong, statements.stems[j])
            out[j, 12] = polarity_conflict(text, point.wrong.texts[int(wrong_best[j])])
        out[j, 13] = negation_count(text) % 2
        out[j, 14] = has_negative_meaning(text)
        out[j, 15] = np.log1p(len(text.split()))
    return out


_ARRAYS = ("mean", "scale", "w1", "b1", "w2", "b2")


@dataclass(frozen=True)
class ClaimJudge:
    """A one-hidden-layer MLP (ReLU) over standardised pair features, softmax over the three labels.

    Measured on bank questions it never saw (scripts/train_claim_judge.py): a linear model over the same
    features separated contradicted from entailed pairs with AUC 0.82, the MLP with 0.93.
    """

    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray  # (features, hidden)
    b1: np.ndarray
    w2: np.ndarray  # (hidden, 3)
    b2: np.ndarray

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        if features.shape[0] == 0:
            return np.zeros((0, 3), np.float32)
        hidden = np.maximum(((features - self.mean) / self.scale) @ self.w1 + self.b1, 0.0)
        z = hidden @ self.w2 + self.b2
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)

    def save(self, path: Path, **meta: str) -> None:
        """float16 on disk: a few kB either way, and half precision changes no probability by more than 1e-3."""
        save_arrays(path, FEATURE_NAMES, {n: getattr(self, n) for n in _ARRAYS}, np.float16, meta)

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> ClaimJudge:
        return cls(*load_arrays(path, FEATURE_NAMES, _ARRAYS, np.float32))


@lru_cache(maxsize=1)
def shipped_judge() -> ClaimJudge:
    """The judge shipped with the package (loaded once per process, offline)."""
    return ClaimJudge.load(WEIGHTS_PATH)


#: A linked misconception's trigger counts as a wrong version of the key point it is closest to, if that close.
TRIGGER_POINT_MIN_SIMILARITY = 0.35


def point_texts(
    right: Sequence[Sequence[str]],
    wrong: Sequence[Sequence[str]],
    triggers: Sequence[str],
    encode: Callable[[Sequence[str]], list[Encoded]],
) -> list[PointTexts]:
    """Both sides of every key point of one rubric. `right[i]`/`wrong[i]`: point i's texts; `triggers`: the
    question's linked misconception triggers, each added to the wrong side of its closest point."""
    right_sets = [TextSet.build(texts, encode(texts)) for texts in right]
    extra: list[list[str]] = [[] for _ in right]
    if triggers and right_sets:
        encoded = encode(triggers)
        for text, enc in zip(triggers, encoded, strict=True):
            best = [float((s.vectors @ enc.vector).max()) if len(s) else -1.0 for s in right_sets]
            owner = int(np.argmax(best))
            if best[owner] >= TRIGGER_POINT_MIN_SIMILARITY:
                extra[owner].append(text)
    out = []
    for i, right_set in enumerate(right_sets):
        texts = list(dict.fromkeys([*wrong[i], *extra[i]]))
        out.append(PointTexts(right_set, TextSet.build(texts, encode(texts) if texts else [])))
    return out


def rubric_point_texts(
    rubric: Rubric, misconceptions: Mapping[str, Misconception], encode: Callable[[Sequence[str]], list[Encoded]],
) -> list[PointTexts]:
    """`point_texts` for a rubric: its points' texts and contradictions, and its linked misconceptions' triggers."""
    triggers = [t for mid in rubric.misconception_ids if mid in misconceptions for t in misconceptions[mid].triggers]
    return point_texts([p.right_texts for p in rubric.points], [p.contradictions for p in rubric.points], triggers,
                       encode)
