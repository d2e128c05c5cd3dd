"""Choose the questions of an interview: by topic and difficulty, no repeats, unseen ones first."""

from __future__ import annotations

import random
from collections.abc import Collection

from bot.bank.loader import Bank
from bot.bank.schema import Question, difficulty_rank


class NotEnoughQuestions(Exception):
    """No question matches the requested topic and difficulty."""


def pick_questions(
    bank: Bank,
    count: int,
    *,
    topic: str | None = None,
    difficulty: str | None = None,
    seen: Collection[str] = (),
    rng: random.Random | None = None,
) -> list[str]:
    """Return up to `count` distinct question ids.

    Questions the candidate has not seen come first; among them the pick spreads over topics (when no
    topic is given) and over difficulties (when none is given), so a default interview is varied rather
    than five questions on one theme. The result is ordered easy -> hard, as an interviewer warms up.
    """
    rng = rng or random.Random()
    pool = bank.questions_for(topic, difficulty)
    if not pool:
        raise NotEnoughQuestions("no question matches that topic and difficulty")
    seen_set = set(seen)
    fresh = [q for q in pool if q.id not in seen_set]
    stale = [q for q in pool if q.id in seen_set]
    rng.shuffle(fresh)
    rng.shuffle(stale)
    chosen = _spread(fresh, count, rng)
    if len(chosen) < count:
        chosen += _spread(stale, count - len(chosen), rng)
    chosen.sort(key=lambda q: difficulty_rank(q.difficulty))
    return [q.id for q in chosen]


def _spread(candidates: list[Question], count: int, rng: random.Random) -> list[Question]:
    """Round-robin over (topic, difficulty) groups so no group dominates."""
    groups: dict[tuple[str, str], list[Question]] = {}
    for question in candidates:
        groups.setdefault((question.topic, question.difficulty), []).append(question)
    keys = list(groups)
    rng.shuffle(keys)
    picked: list[Question] = []
    used_topics: dict[str, int] = {}
    while len(picked) < count and keys:
        # prefer groups whose topic has been used least so far
        keys.sort(key=lambda k: used_topics.get(k[0], 0))
        key = keys[0]
        picked.append(groups[key].pop())
        used_topics[key[0]] = used_topics.get(key[0], 0) + 1
        if not groups[key]:
            keys.remove(key)
        else:
            keys.append(keys.pop(0))
    return picked
