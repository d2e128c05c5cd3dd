"""Spaced repetition per user and question with FSRS (the `fsrs` package), fed by the grader's scores.

A completed interview turn is one review: its 0-5 score becomes an FSRS rating, the card is
rescheduled and saved in the caller's transaction. Weak answers come back soon (minutes: the next
interview), strong ones after days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fsrs import Card, Rating, Scheduler, State
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import ReviewCard

#: One short (re)learning step: a forgotten question is due again by the next interview, rather than
#: FSRS's default 1 and 10 minute flash-card steps, which would re-ask it within the same sitting.
#: Fuzzing is off so schedules are reproducible (and testable).
SCHEDULER = Scheduler(
    learning_steps=(timedelta(minutes=10),),
    relearning_steps=(timedelta(minutes=10),),
    enable_fuzzing=False,
)

#: Lower bounds of the grader's 0-5 score for each rating (a skipped question scores 0: Again).
RATING_THRESHOLDS: tuple[tuple[float, Rating], ...] = (
    (4.25, Rating.Easy),
    (3.0, Rating.Good),
    (1.5, Rating.Hard),
)


def rating_for_score(score: float | None) -> Rating:
    """The FSRS rating a grader score earns: >= 4.25 Easy, >= 3 Good, >= 1.5 Hard, else Again."""
    value = float(score or 0.0)
    for threshold, rating in RATING_THRESHOLDS:
        if value >= threshold:
            return rating
    return Rating.Again


def _new_card(now: datetime) -> Card:
    # A fixed card_id: the database row is the identity, and Card() would otherwise sleep 1 ms per card.
    return Card(card_id=1, due=now)


async def record_review(db: AsyncSession, user_id: int, question_id: str, score: float | None,
                        now: datetime) -> ReviewCard:
    """Reschedule `question_id` for `user_id` after an answer scored `score` (0-5) at `now` (UTC).

    Adds or updates the row in `db` without committing: the caller commits it together with the turn.
    """
    row = await db.scalar(select(ReviewCard).where(ReviewCard.user_id == user_id,
                                                   ReviewCard.question_id == question_id))
    card = Card.from_dict(row.fsrs_card) if row is not None else _new_card(now)  # type: ignore[arg-type]
    if card.last_review is not None and now < card.last_review:
        now = card.last_review  # clocks of several processes may differ slightly; never review backwards
    rating = rating_for_score(score)
    lapsed = card.state == State.Review and rating == Rating.Again
    card, _log = SCHEDULER.review_card(card, rating, review_datetime=now)
    if row is None:
        row = ReviewCard(user_id=user_id, question_id=question_id, reps=0, lapses=0,
                         fsrs_card={}, due=card.due)
        db.add(row)
    row.fsrs_card = dict(card.to_dict())
    row.due = card.due
    row.last_score = None if score is None else float(score)
    row.last_rating = int(rating)
    row.reps = (row.reps or 0) + 1
    row.lapses = (row.lapses or 0) + int(lapsed)
    row.last_review = now
    return row


async def load_cards(db: AsyncSession, user_id: int) -> dict[str, ReviewCard]:
    """Every review card of a user, by question id."""
    rows = await db.scalars(select(ReviewCard).where(ReviewCard.user_id == user_id))
    return {row.question_id: row for row in rows}
