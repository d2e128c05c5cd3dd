"""The end-of-session leaderboard and the group's weakest key points (pure functions, no storage)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.bank.schema import Question

#: How much a key point counts as missed, by grade status.
_MISS_WEIGHT = {"covered": 0.0, "partial": 0.5, "missing": 1.0, "contradicted": 1.0}


@dataclass(frozen=True)
class AnswerRecord:
    """One graded answer as the leaderboard needs it."""

    member: str  # a stable key for the member (their user id)
    display_name: str
    position: int
    score: float
    coverage: dict[str, str]  # key point id -> status


@dataclass(frozen=True)
class Standing:
    rank: int
    display_name: str
    total_score: float
    answers_given: int


@dataclass(frozen=True)
class WeakPoint:
    question_number: int
    key_point: str
    missed_share: float  # 0..1: how much of the group missed it (partial counts half)
    answers: int


@dataclass(frozen=True)
class Leaderboard:
    standings: tuple[Standing, ...]
    weakest: tuple[WeakPoint, ...]
    questions_asked: int
    max_score: float  # per member, if every question were answered perfectly

    @property
    def participants(self) -> int:
        return len(self.standings)


def build_leaderboard(answers: Sequence[AnswerRecord], questions: Sequence[Question], *,
                      weakest_count: int = 3, max_per_question: float = 5.0) -> Leaderboard:
    """Rank members by total score (then by answers given); ties share a rank (1, 1, 3)."""
    totals: dict[str, list[float]] = {}
    names: dict[str, str] = {}
    for answer in answers:
        totals.setdefault(answer.member, []).append(answer.score)
        names[answer.member] = answer.display_name
    ordered = sorted(totals, key=lambda m: (-round(sum(totals[m]), 1), -len(totals[m]), names[m].lower()))
    standings: list[Standing] = []
    for index, member in enumerate(ordered):
        key = (round(sum(totals[member]), 1), len(totals[member]))
        previous = standings[-1] if standings else None
        same = previous is not None and (previous.total_score, previous.answers_given) == key
        rank = previous.rank if same and previous is not None else index + 1
        standings.append(Standing(rank, names[member], key[0], key[1]))
    return Leaderboard(tuple(standings), tuple(weakest_points(answers, questions, weakest_count)),
                       len(questions), max_per_question * len(questions))


def weakest_points(answers: Sequence[AnswerRecord], questions: Sequence[Question], count: int) -> list[WeakPoint]:
    """The key points the group missed most (weighted by the rubric's weight on ties)."""
    found: list[tuple[float, int, WeakPoint]] = []
    for position, question in enumerate(questions):
        given = [a for a in answers if a.position == position]
        if not given:
            continue
        for kp in question.key_points:
            share = sum(_MISS_WEIGHT.get(a.coverage.get(kp.id, "missing"), 1.0) for a in given) / len(given)
            if share > 0:
                found.append((share, kp.weight, WeakPoint(position + 1, kp.point, share, len(given))))
    found.sort(key=lambda item: (-item[0], -item[1], item[2].question_number))
    return [item[2] for item in found[:count]]
