"""Bank-wide rules beyond the schema: size, balance and complete rubrics (review rules: bot/bank/review.py)."""

from __future__ import annotations

from collections import Counter

from bot.bank.loader import Bank, ContentError
from bot.bank.schema import DIFFICULTIES, fold_statement

MIN_QUESTIONS = 200
MIN_PER_TOPIC = 8
MIN_DIFFICULTY_SHARE = 0.25


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
    for level in DIFFICULTIES:
        share = by_difficulty[level] / total if total else 0.0
        if share < MIN_DIFFICULTY_SHARE:
            errors.append(ContentError(where, "", "difficulty",
                                       f"difficulty {level} is {share:.0%} of the bank; at least 25% needed"))
    return errors


def check_rubrics(bank: Bank) -> list[ContentError]:
    """Every key point names what a wrong candidate says instead; every question marks its central point.

    The schema allows both to be absent (so a draft still loads); the bank as shipped must have them,
    because the grader learns wrong claims from `contradictions` and caps answers that miss the
    `central` point. A contradiction that repeats a right statement of another key point of the same
    question is also an error: it would teach the grader that a correct sentence is wrong.
    """
    errors: list[ContentError] = []
    for qid, question in bank.questions.items():
        where = bank.question_files.get(qid, f"content/questions/{question.topic}")
        central = [kp.id for kp in question.key_points if kp.central]
        if len(central) != 1:
            found = ", ".join(central) if central else "none"
            errors.append(ContentError(where, qid, "key_points.central",
                                       f"exactly one key point must have `central: true` (found {found}): "
                                       "mark the point that carries the question's central why or mechanism"))
        right = {fold_statement(text): kp.id for kp in question.key_points
                 for text in (kp.point, *kp.phrasings, *kp.claims)}
        for kp in question.key_points:
            field = f"key_points.{kp.id}.contradictions"
            if not kp.contradictions:
                errors.append(ContentError(where, qid, field,
                                           f"key point {kp.id} has no contradictions: add 1-3 things a confident "
                                           "but wrong candidate says instead of it, in the candidate's words"))
            for text in kp.contradictions:
                other = right.get(fold_statement(text))
                if other is not None:
                    errors.append(ContentError(where, qid, field,
                                               f"key point {kp.id}: contradiction {text!r} repeats a right "
                                               f"statement of {other}"))
    return errors
