"""Spaced repetition without a database: score -> FSRS rating, and how an interview's questions are chosen."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating

from bot.bank.picker import NotEnoughQuestions
from bot.progress.picking import Schedule, parse_mode, plan_questions
from bot.progress.review import SCHEDULER, rating_for_score

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("score", "rating"), [
    (None, Rating.Again), (0.0, Rating.Again), (1.4, Rating.Again), (1.5, Rating.Hard), (2.9, Rating.Hard),
    (3.0, Rating.Good), (4.0, Rating.Good), (4.25, Rating.Easy), (5.0, Rating.Easy),
])
def test_grader_scores_map_to_fsrs_ratings(score: float | None, rating: Rating) -> None:
    assert rating_for_score(score) == rating


def test_a_lower_rating_is_scheduled_sooner_for_every_rating_pair() -> None:
    dues = []
    for rating in (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy):
        card, _ = SCHEDULER.review_card(Card(card_id=1, due=NOW), rating, review_datetime=NOW)
        dues.append(card.due)
    assert dues == sorted(dues) and len(set(dues)) == 4
    assert dues[0] - NOW <= timedelta(hours=1), "a failed question is due again by the next interview"
    assert dues[-1] - NOW >= timedelta(days=3), "a mastered question waits days"


def test_mixed_mode_with_nothing_due_is_the_plain_picker(test_bank) -> None:
    from bot.bank.picker import pick_questions

    planned = plan_questions(test_bank, 2, mode="mixed", schedules={}, now=NOW, rng=random.Random(3))
    assert planned == pick_questions(test_bank, 2, rng=random.Random(3))


def test_mixed_mode_mixes_a_due_review_with_new_questions(test_bank) -> None:
    schedules = {"T07-001": Schedule(due=NOW - timedelta(minutes=5), last_score=1.0),
                 "T08-001": Schedule(due=NOW + timedelta(days=8), last_score=5.0)}
    planned = plan_questions(test_bank, 2, mode="mixed", schedules=schedules, now=NOW, rng=random.Random(1))
    assert set(planned) == {"T07-001", "T04-001"}, "the due review plus the one question never seen"


def test_review_mode_takes_the_most_urgent_questions_first(test_bank) -> None:
    schedules = {"T07-001": Schedule(due=NOW + timedelta(days=2), last_score=3.0),
                 "T08-001": Schedule(due=NOW + timedelta(minutes=10), last_score=1.0)}
    assert plan_questions(test_bank, 1, mode="review", schedules=schedules, now=NOW) == ["T08-001"]
    both = plan_questions(test_bank, 3, mode="review", schedules=schedules, now=NOW, rng=random.Random(0))
    assert sorted(both) == ["T04-001", "T07-001", "T08-001"], "topped up with the unseen question"


def test_new_mode_prefers_unseen_questions(test_bank) -> None:
    schedules = {"T07-001": Schedule(due=NOW - timedelta(days=1), last_score=0.0)}
    planned = plan_questions(test_bank, 2, mode="new", schedules=schedules, now=NOW, seen={"T08-001"},
                             rng=random.Random(2))
    assert "T04-001" in planned, "the only question never seen comes first"
    assert len(planned) == len(set(planned)) == 2


def test_filters_hold_in_every_mode(test_bank) -> None:
    schedules = {"T07-001": Schedule(due=NOW - timedelta(days=1), last_score=0.0)}
    for mode in ("review", "new", "mixed"):
        planned = plan_questions(test_bank, 3, mode=mode, schedules=schedules, now=NOW, topic="T08",
                                 rng=random.Random(0))
        assert planned == ["T08-001"], mode
        with pytest.raises(NotEnoughQuestions):
            plan_questions(test_bank, 1, mode=mode, schedules=schedules, now=NOW, topic="T08", difficulty="H")


def test_mode_names_are_checked() -> None:
    assert parse_mode(None) == "mixed" and parse_mode(" Review ") == "review"
    with pytest.raises(ValueError, match="review, new or mixed"):
        parse_mode("cram")
