"""Bank-wide rules beyond the schema: size, balance, and no near-duplicate questions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from bot.bank.loader import Bank, ContentError

MIN_QUESTIONS = 200
MIN_PER_TOPIC = 8
MIN_DIFFICULTY_SHARE = 0.25
#: Two prompts closer than this (MiniLM cosine) ask the same thing in other words.
NEAR_DUPLICATE_COSINE = 0.92


def counts(bank: Bank) -> tuple[dict[str, Counter[str]], Counter[str]]:
    """Questions per topic and difficulty, and per difficulty."""
    by_topic: dict[str, Counter[str]] = {tid: Counter() for tid in bank.topics}
    by_difficulty: Counter[str] = Counter()
    for q in bank.questions.values():
        by_topic.setdefault(q.topic, Counter())[q.difficulty] += 1
        by_difficulty[q.difficulty] += 1
    return by_topic, by_difficulty


def check_balance(bank: Bank) -> list[ContentError]:
    errors: list[ContentError] = []
    total = len(bank.questions)
    where = "content/questions"
    if total < MIN_QUESTIONS:
        errors.append(ContentError(where, "", "", f"the bank has {total} questions; at least {MIN_QUESTIONS} needed"))
    by_topic, by_difficulty = counts(bank)
    for tid, counter in sorted(by_topic.items()):
        n = sum(counter.values())
        if n < MIN_PER_TOPIC:
            errors.append(ContentError(where, tid, "topic", f"topic {tid} has {n} questions; at least {MIN_PER_TOPIC} needed"))
    for level in ("E", "M", "H"):
        share = by_difficulty[level] / total if total else 0.0
        if share < MIN_DIFFICULTY_SHARE:
            errors.append(ContentError(where, "", "difficulty",
                                       f"difficulty {level} is {share:.0%} of the bank; at least 25% needed"))
    return errors


def check_near_duplicates(bank: Bank, encode: Callable[[Sequence[str]], np.ndarray]) -> list[ContentError]:
    """Flag pairs of prompts whose embeddings are nearly the same (cosine above the threshold)."""
    questions = list(bank.questions.values())
    if len(questions) < 2:
        return []
    vectors = np.asarray(encode([q.prompt for q in questions]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -1.0)
    errors = []
    for i, j in zip(*np.nonzero(np.triu(similarity > NEAR_DUPLICATE_COSINE)), strict=True):
        a, b = questions[int(i)], questions[int(j)]
        errors.append(ContentError(f"content/questions/{a.topic}", a.id, "prompt",
                                   f"near-duplicate of {b.id} (cosine {similarity[i, j]:.3f} > {NEAR_DUPLICATE_COSINE})"))
    return errors
