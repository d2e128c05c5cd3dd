"""Train the claim judge (bot/grading/claims.py) on our own bank: seeded, CPU only, about a minute.

    PYTHONPATH=. python scripts/train_claim_judge.py [--holdout tests/data/grader_blind.csv] [--out PATH]

Pairs (statement, key point), built per key point of every bank question NOT in the hold-out file:
- entailed: each of the point's right texts (point, phrasings, claims) against the point with that text
  left out of its right side;
- contradicted: each of its wrong texts (contradictions, linked misconception triggers) against the point
  with that text left out of its wrong side (when another wrong text remains: with none left the pair
  looks like a close paraphrase and taught the judge to call right statements wrong);
- neutral: the right and wrong texts of the question's other points (hard: same topic), and the right texts
  of two other questions' points (easy).
Questions are split 80/20 (seeded) to report held-out figures; the shipped model is then refitted on all
training questions. Nothing here reads the blind set's answers: only its question ids, to leave them out.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys

# One BLAS thread: the fit is tiny, and spinning BLAS threads on a busy 2-core host made it 50x slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.grading.claims import (
    CONTRADICTED,
    ENTAILED,
    LABELS,
    NEUTRAL,
    WEIGHTS_PATH,
    ClaimJudge,
    PointTexts,
    Statements,
    TextSet,
    pair_features,
    rubric_point_texts,
)

SEED = 13
HIDDEN = 32
L2 = 1e-3
STEPS = 1500
LEARNING_RATE = 0.01
DEFAULT_HOLDOUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "grader_blind.csv"


@dataclass
class Example:
    question_id: str
    features: np.ndarray
    label: int


def holdout_ids(path: Path) -> set[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["question_id"] for row in csv.DictReader(handle)}


def _without(ts: TextSet, index: int) -> TextSet:
    keep = [i for i in range(len(ts)) if i != index]
    spans, blocks, start = [], [], 0
    for i in keep:
        a, b = ts.spans[i]
        blocks.append(ts.word_matrix[a:b])
        spans.append((start, start + b - a))
        start += b - a
    matrix = np.concatenate(blocks) if blocks else np.zeros((0, ts.word_matrix.shape[1]), np.float32)
    vectors = ts.vectors[keep] if keep else np.zeros((0, ts.vectors.shape[1]), np.float32)
    return TextSet(tuple(ts.texts[i] for i in keep), vectors, matrix, tuple(spans), tuple(ts.stems[i] for i in keep))


def _statement(ts: TextSet, index: int) -> Statements:
    a, b = ts.spans[index]
    return Statements((ts.texts[index],), ts.vectors[index : index + 1], ts.word_matrix[a:b], ((0, b - a),),
                      (ts.stems[index],))


def build_examples(bank, excluded: set[str], embedder, rng: random.Random) -> list[Example]:  # type: ignore[no-untyped-def]
    from bot.grading.rubric import rubric_from_question

    prepared: dict[str, list[PointTexts]] = {}
    for question in bank.questions.values():
        if question.id in excluded:
            continue
        prepared[question.id] = rubric_point_texts(
            rubric_from_question(question), bank.misconceptions, embedder.encode_cached
        )
    ids = sorted(prepared)
    examples: list[Example] = []
    for qid in ids:
        points = prepared[qid]
        for i, point in enumerate(points):
            for j in range(len(point.right)):
                if len(point.right) > 1:
                    reduced = PointTexts(_without(point.right, j), point.wrong)
                    examples.append(Example(qid, pair_features(reduced, _statement(point.right, j))[0], ENTAILED))
            for j in range(len(point.wrong) if len(point.wrong) > 1 else 0):  # leaving the only one out: no signal
                reduced = PointTexts(point.right, _without(point.wrong, j))
                examples.append(Example(qid, pair_features(reduced, _statement(point.wrong, j))[0], CONTRADICTED))
            for k, other in enumerate(points):
                if k == i:
                    continue
                for side in (other.right, other.wrong):
                    for j in range(len(side)):
                        examples.append(Example(qid, pair_features(point, _statement(side, j))[0], NEUTRAL))
            for other_qid in rng.sample([q for q in ids if q != qid], 2):
                other = rng.choice(prepared[other_qid])
                j = rng.randrange(len(other.right))
                examples.append(Example(qid, pair_features(point, _statement(other.right, j))[0], NEUTRAL))
    return examples


def fit(x: np.ndarray, y: np.ndarray, seed: int = SEED) -> ClaimJudge:
    """One-hidden-layer MLP, softmax cross-entropy, L2, full-batch Adam: deterministic for a seed on CPU."""
    x = x.astype(np.float64)  # one dtype throughout: mixed float32/float64 products are several times slower
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale
    n, d = z.shape
    onehot = np.eye(3)[y]
    rng = np.random.default_rng(seed)
    params = [rng.normal(0, np.sqrt(2 / d), (d, HIDDEN)), np.zeros(HIDDEN),
              rng.normal(0, np.sqrt(1 / HIDDEN), (HIDDEN, 3)), np.zeros(3)]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    for step in range(1, STEPS + 1):
        w1, b1, w2, b2 = params
        pre = z @ w1 + b1
        hidden = np.maximum(pre, 0.0)
        logits = hidden @ w2 + b2
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / n
        g_hidden = (g @ w2.T) * (pre > 0)
        grads = [z.T @ g_hidden + L2 * w1, g_hidden.sum(axis=0), hidden.T @ g + L2 * w2, g.sum(axis=0)]
        for param, grad, (m, v) in zip(params, grads, moments, strict=True):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= LEARNING_RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return ClaimJudge(*(a.astype(np.float32) for a in (mean, scale, *params)))


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    pos, neg = scores[positive], scores[~positive]
    if not len(pos) or not len(neg):
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def report(judge: ClaimJudge, x: np.ndarray, y: np.ndarray, name: str) -> None:
    p = judge.probabilities(x)
    pred = p.argmax(axis=1)
    print(f"{name}: n={len(y)} accuracy={float((pred == y).mean()):.3f} "
          f"auc_contradicted={auc(p[:, CONTRADICTED], y == CONTRADICTED):.3f} "
          f"auc_entailed={auc(p[:, ENTAILED], y == ENTAILED):.3f} "
          f"auc_contradicted_vs_entailed={auc(p[y > 0, CONTRADICTED], y[y > 0] == CONTRADICTED):.3f}")
    for c, label in enumerate(LABELS):
        row = [int(((y == c) & (pred == k)).sum()) for k in range(3)]
        print(f"  true {label:<12} -> predicted {dict(zip(LABELS, row, strict=True))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdout", type=Path, default=DEFAULT_HOLDOUT,
                        help="CSV with a question_id column: questions never trained on (the blind set)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    args = parser.parse_args(argv)

    from bot.bank.loader import load_bank
    from bot.config import get_settings
    from bot.grading.embedder import Embedder

    excluded = holdout_ids(args.holdout)
    bank = load_bank(get_settings().content_dir, strict=False)
    embedder = Embedder()
    rng = random.Random(SEED)
    examples = build_examples(bank, excluded, embedder, rng)
    questions = sorted({e.question_id for e in examples})
    rng.shuffle(questions)
    validation = set(questions[: len(questions) // 5])
    x = np.stack([e.features for e in examples])
    y = np.array([e.label for e in examples])
    is_val = np.array([e.question_id in validation for e in examples])
    print(f"questions: {len(questions)} trained on ({len(excluded)} held out as blind), "
          f"pairs: {len(y)} ({', '.join(f'{LABELS[c]} {int((y == c).sum())}' for c in range(3))})")
    judge = fit(x[~is_val], y[~is_val])
    report(judge, x[~is_val], y[~is_val], "train (80% of questions)")
    report(judge, x[is_val], y[is_val], "validation (20% of questions, unseen)")
    final = fit(x, y)
    report(final, x, y, "final fit (all training questions)")
    final.save(args.out, seed=str(SEED), questions=str(len(questions)), pairs=str(len(y)))
    print(f"saved {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
