"""Progress figures for one candidate: sessions, answers, average and trend, mastery by topic, weak points.

Interview answers and study-session answers count alike (bot/progress/history.py reads both).

Definitions (shown to candidates, so kept simple):
- average score: the mean 0-5 score of answered questions (skips are counted apart, not as zeros);
- trend: the mean of the last (up to) 5 answers minus the mean of the (up to) 5 before them;
- topic mastery: the mean of the latest score of each question answered in that topic, as 0-100 %;
- weakest key points: the rubric points with the lowest mean coverage over the candidate's answers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean

from sqlalchemy.ext.asyncio import AsyncSession

from bot.bank.loader import Bank
from bot.progress.history import INTERVIEW, CompletedTurn, History, load_history
from bot.progress.review import load_cards
from bot.storage.vocabulary import TurnPhase

TREND_WINDOW = 5
WEAK_POINTS_SHOWN = 5


@dataclass(frozen=True)
class TopicMastery:
    topic_id: str
    name: str
    answered: int  # distinct questions answered
    available: int  # questions in the bank for this topic
    mastery: float  # 0-100


@dataclass(frozen=True)
class WeakPoint:
    question_id: str
    key_point_id: str
    point: str
    mean_coverage: float  # 0-1
    times_missed: int
    times_asked: int


@dataclass(frozen=True)
class SessionScore:
    """One point of the score-over-time line: a session's mean score (an interview or a study session)."""

    session_id: int
    at: datetime
    mean_score: float
    kind: str = INTERVIEW


@dataclass(frozen=True)
class ProgressStats:
    display_name: str
    sessions: int
    finished_sessions: int
    questions_answered: int
    questions_skipped: int
    average_score: float | None
    trend: float | None
    topics: tuple[TopicMastery, ...]
    weakest_points: tuple[WeakPoint, ...]
    timeline: tuple[SessionScore, ...]
    reviews_due: int
    study_sessions: int = 0  # study-group sessions the candidate answered in

    @property
    def has_answers(self) -> bool:
        return self.questions_answered > 0

    @property
    def has_practice(self) -> bool:
        """Anything to show: an interview started, or a study question answered."""
        return self.sessions > 0 or self.study_sessions > 0


def score_trend(scores: list[float], window: int = TREND_WINDOW) -> float | None:
    """Mean of the last `window` scores minus the mean of the `window` before (shorter when few)."""
    if len(scores) < 2:
        return None
    size = min(window, len(scores) // 2)
    recent = scores[-size:]
    earlier = scores[-2 * size:-size]
    return fmean(recent) - fmean(earlier)


def _topic_mastery(bank: Bank, answered: list[CompletedTurn]) -> tuple[TopicMastery, ...]:
    latest: dict[str, float] = {}
    for turn in answered:  # oldest first: later answers overwrite earlier ones
        latest[turn.question_id] = float(turn.score or 0.0)
    by_topic: dict[str, list[float]] = defaultdict(list)
    for question_id, score in latest.items():
        question = bank.questions.get(question_id)
        if question is not None:
            by_topic[question.topic].append(score)
    result = []
    for topic_id in sorted(by_topic):
        topic = bank.topics.get(topic_id)
        scores = by_topic[topic_id]
        result.append(TopicMastery(
            topic_id=topic_id, name=topic.name if topic else topic_id, answered=len(scores),
            available=len(bank.questions_for(topic_id)), mastery=round(100 * fmean(scores) / 5.0, 1),
        ))
    return tuple(result)


def _weakest_points(bank: Bank, answered: list[CompletedTurn], limit: int) -> tuple[WeakPoint, ...]:
    coverages: dict[tuple[str, str], list[float]] = defaultdict(list)
    misses: dict[tuple[str, str], int] = defaultdict(int)
    for turn in answered:
        for kp_id, record in turn.coverage.items():
            key = (turn.question_id, kp_id)
            coverages[key].append(float(record.get("coverage", 0.0)))
            misses[key] += int(record.get("status") == "missing")
    points = []
    for (question_id, kp_id), values in coverages.items():
        question = bank.questions.get(question_id)
        if question is None or all(kp.id != kp_id for kp in question.key_points):
            continue  # the bank changed since: nothing to show for that point
        mean = fmean(values)
        if mean >= 0.999 and misses[(question_id, kp_id)] == 0:
            continue
        points.append(WeakPoint(question_id=question_id, key_point_id=kp_id,
                                point=question.key_point(kp_id).point, mean_coverage=round(mean, 3),
                                times_missed=misses[(question_id, kp_id)], times_asked=len(values)))
    points.sort(key=lambda p: (p.mean_coverage, -p.times_missed, p.question_id, p.key_point_id))
    return tuple(points[:limit])


def _timeline(answered: list[CompletedTurn]) -> tuple[SessionScore, ...]:
    by_session: dict[tuple[str, int], list[CompletedTurn]] = defaultdict(list)
    for turn in answered:  # interview and study-run ids are separate sequences: key by both
        by_session[(turn.kind, turn.session_id)].append(turn)
    points = [SessionScore(session_id=sid, at=max(t.completed_at for t in turns),
                           mean_score=round(fmean(float(t.score or 0.0) for t in turns), 3), kind=kind)
              for (kind, sid), turns in by_session.items()]
    points.sort(key=lambda p: (p.at, p.kind, p.session_id))
    return tuple(points)


def summarise(bank: Bank, history: History, *, display_name: str, reviews_due: int = 0,
              weak_points: int = WEAK_POINTS_SHOWN) -> ProgressStats:
    """The figures of `ProgressStats` from a loaded history (pure: no database)."""
    answered = [t for t in history.turns if t.answered]
    scores = [float(t.score or 0.0) for t in answered]
    return ProgressStats(
        display_name=display_name,
        sessions=history.session_count,
        finished_sessions=history.finished_session_count,
        questions_answered=len(answered),
        questions_skipped=sum(1 for t in history.turns if t.phase == TurnPhase.SKIPPED),
        average_score=round(fmean(scores), 3) if scores else None,
        trend=None if (trend := score_trend(scores)) is None else round(trend, 3),
        topics=_topic_mastery(bank, answered),
        weakest_points=_weakest_points(bank, answered, weak_points),
        timeline=_timeline(answered),
        reviews_due=reviews_due,
        study_sessions=history.study_session_count,
    )


async def compute_stats(db: AsyncSession, bank: Bank, user_id: int, *, display_name: str,
                        now: datetime) -> ProgressStats:
    history = await load_history(db, user_id)
    cards = await load_cards(db, user_id)
    due = sum(1 for qid, card in cards.items() if card.due <= now and qid in bank.questions)
    return summarise(bank, history, display_name=display_name, reviews_due=due)


def empty_stats(display_name: str) -> ProgressStats:
    """Stats of someone with no practice yet (no interview, no study answer)."""
    return ProgressStats(display_name=display_name, sessions=0, finished_sessions=0, questions_answered=0,
                         questions_skipped=0, average_score=None, trend=None, topics=(), weakest_points=(),
                         timeline=(), reviews_due=0)
