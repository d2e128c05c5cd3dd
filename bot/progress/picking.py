"""Choose an interview's questions with the candidate's review schedule: due reviews and new questions.

`mode` is what the candidate asked for:
- `review`: questions they have answered before, the most overdue first (then the soonest due);
  topped up with new questions only when they have answered too few yet.
- `new`: questions they have not seen, as the plain picker does.
- `mixed` (default): due reviews take up to half the interview, new questions fill the rest.
  With nothing due it is exactly the plain picker.
Topic and difficulty filters always apply, and a question never repeats within one interview.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from sqlalchemy.ext.asyncio import AsyncSession

from bot.bank.loader import Bank
from bot.bank.picker import NotEnoughQuestions, pick_questions
from bot.bank.schema import Question, difficulty_rank
from bot.progress.review import load_cards

Mode = Literal["review", "new", "mixed"]
MODES: tuple[str, ...] = get_args(Mode)
DEFAULT_MODE: Mode = "mixed"


@dataclass(frozen=True)
class Schedule:
    """What picking needs to know of one review card."""

    due: datetime
    last_score: float | None


def parse_mode(text: str | None) -> Mode:
    """`review`, `new` or `mixed` (case-insensitive; empty means mixed). ValueError otherwise."""
    wanted = (text or DEFAULT_MODE).strip().lower()
    if wanted not in MODES:
        raise ValueError(f"Unknown mode {text!r}: use review, new or mixed.")
    return wanted  # type: ignore[return-value]


def plan_questions(  # noqa: PLR0913 (keyword-only options of one pick)
    bank: Bank,
    count: int,
    *,
    mode: Mode,
    schedules: Mapping[str, Schedule],
    now: datetime,
    topic: str | None = None,
    difficulty: str | None = None,
    seen: Collection[str] = (),
    rng: random.Random | None = None,
) -> list[str]:
    """Up to `count` distinct question ids for one interview, ordered easy -> hard."""
    rng = rng or random.Random()
    pool = bank.questions_for(topic, difficulty)
    if not pool:
        raise NotEnoughQuestions("no question matches that topic and difficulty")
    known = set(seen) | set(schedules)
    by_urgency = sorted((q for q in pool if q.id in schedules),
                        key=lambda q: (schedules[q.id].due, schedules[q.id].last_score or 0.0, q.id))
    due = [q for q in by_urgency if schedules[q.id].due <= now]

    if mode == "new":
        return pick_questions(bank, count, topic=topic, difficulty=difficulty, seen=known, rng=rng)
    if mode == "review":
        reviews = by_urgency[:count]
    else:
        if not due:
            return pick_questions(bank, count, topic=topic, difficulty=difficulty, seen=known, rng=rng)
        reviews = due[:max(1, count // 2)]
    chosen = [q.id for q in reviews]
    if len(chosen) < count:
        chosen += _fill(bank, count - len(chosen), topic, difficulty, known, chosen, rng)
    return _easy_to_hard(bank, chosen)


def _fill(bank: Bank, missing: int, topic: str | None, difficulty: str | None, known: set[str],
          taken: list[str], rng: random.Random) -> list[str]:
    """`missing` more ids not in `taken`: unseen questions first, as the plain picker orders them."""
    extra = pick_questions(bank, missing + len(taken), topic=topic, difficulty=difficulty,
                           seen=known, rng=rng)
    # pick_questions sorts its result by difficulty; put the unseen ones first before cutting.
    extra.sort(key=lambda qid: qid in known)
    return [qid for qid in extra if qid not in taken][:missing]


def _easy_to_hard(bank: Bank, ids: list[str]) -> list[str]:
    def key(qid: str) -> int:
        question: Question = bank.question(qid)
        return difficulty_rank(question.difficulty)

    return sorted(ids, key=key)


async def pick_for_user(  # noqa: PLR0913 (keyword-only options of one pick)
    db: AsyncSession,
    bank: Bank,
    user_id: int,
    count: int,
    *,
    mode: Mode,
    now: datetime,
    topic: str | None = None,
    difficulty: str | None = None,
    seen: Collection[str] = (),
    rng: random.Random | None = None,
) -> list[str]:
    """`plan_questions` with the user's review cards read from the database."""
    cards = await load_cards(db, user_id)
    schedules = {qid: Schedule(due=card.due, last_score=card.last_score) for qid, card in cards.items()
                 if qid in bank.questions}
    return plan_questions(bank, count, mode=mode, schedules=schedules, now=now, topic=topic,
                          difficulty=difficulty, seen=seen, rng=rng)
