"""A study session's state machine: pending -> asking question i (until its deadline) -> finished.

Every transition is one committed database step, and the ones that move the run on are conditional
updates (`WHERE phase = … AND current_index = …`), so a restart or a second bot process can never
reveal a question twice or skip one. The engine returns plain data; front ends render it.

Closing early: the members taking part in question i are those who pressed Join in the run and those
who answered question i-1. Once all of them have answered question i, its deadline is brought forward
to now + a short grace period (a conditional update that only ever moves it earlier); the timer then
closes it through the same exactly-once `close_question` as any deadline. The check runs after each
answer is committed (so of two members answering at once, the later commit sees both answers) and on
every timer step (so an answer whose process stopped before the check still closes the question).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bank.loader import Bank
from bot.bank.picker import NotEnoughQuestions, pick_questions
from bot.bank.schema import DIFFICULTY_NAMES, Question
from bot.grading import Grader
from bot.grading.service import GradingService, InProcessGrading
from bot.progress.review import record_review
from bot.scheduling.clock import Clock, SystemClock
from bot.scheduling.errors import StudyError
from bot.scheduling.guild_settings import defaults_in
from bot.scheduling.leaderboard import AnswerRecord, Leaderboard, build_leaderboard
from bot.storage.models import StudyAnswer, StudyMember, StudyOccurrence, StudyRun, StudySchedule, User
from bot.storage.users import Participant, user_for
from bot.storage.vocabulary import OccurrenceStatus, RunPhase

log = logging.getLogger(__name__)

TITLE_MAX = 100  # Discord's thread-name limit
#: After everyone taking part has answered, a question stays open this long (STUDY_CLOSE_GRACE_S).
DEFAULT_CLOSE_GRACE = timedelta(seconds=5)


@dataclass(frozen=True)
class RunOptions:
    """What a run asks; None means "the server's default"."""

    topic: str | None = None
    difficulty: str | None = None
    question_count: int | None = None
    answer_window_s: int | None = None


@dataclass(frozen=True)
class QuestionPost:
    run_id: int
    position: int
    total: int
    prompt: str
    topic_name: str
    difficulty: str
    deadline_at: datetime

    @property
    def number(self) -> int:
        return self.position + 1


@dataclass(frozen=True)
class KeyPointTally:
    point: str
    covered: int  # answers that covered it (partial counts as not covered)


@dataclass(frozen=True)
class Reveal:
    number: int
    prompt: str
    key_points: tuple[KeyPointTally, ...]
    answers: int


@dataclass(frozen=True)
class StudyStep:
    """What to post after a transition: the closed question's key points, then the next question or
    the leaderboard."""

    run_id: int
    thread_id: str | None
    reveal: Reveal | None = None
    question: QuestionPost | None = None
    leaderboard: Leaderboard | None = None


@dataclass(frozen=True)
class PendingRun:
    run_id: int
    channel_id: str
    title: str
    late_note: str | None
    mention_role_id: str | None
    question_count: int
    answer_window_s: int


@dataclass(frozen=True)
class AnswerFeedback:
    number: int
    score: float
    key_points: tuple[tuple[str, str], ...]  # (point, status) in rubric order
    misconceptions: tuple[str, ...]  # corrections, in plain words
    #: set when this answer was the last one expected: the question now closes at this time
    closes_at: datetime | None = None


@dataclass(frozen=True)
class JoinResult:
    joined: bool  # False: this member had already joined
    members: int  # members who joined the run so far


@dataclass(frozen=True)
class HistoryEntry:
    run_id: int | None
    title: str
    when: datetime
    status: str  # finished | late | running | abandoned | skipped
    participants: int
    note: str | None


def run_title(topic_name: str | None, when: datetime) -> str:
    return f"Study session — {topic_name or 'mixed topics'} — {when:%Y-%m-%d}"[:TITLE_MAX]


class StudyEngine:
    """Creates, advances and reads study runs. `clock` is injectable for tests."""

    def __init__(self, bank: Bank, grader: Grader, sessions: async_sessionmaker[AsyncSession], *,
                 clock: Clock | None = None, rng: random.Random | None = None,
                 grading: GradingService | None = None, close_grace: timedelta = DEFAULT_CLOSE_GRACE) -> None:
        self.bank = bank
        self.grader = grader
        #: where answers are graded: this process (default) or queue workers (REDIS_URL)
        self.grading: GradingService = grading or InProcessGrading(grader)
        self.sessions = sessions
        self.clock: Clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.close_grace = close_grace

    # ------------------------------------------------------------------ options
    def resolve_topic(self, text: str | None) -> str | None:
        if text is None or not text.strip():
            return None
        topic = self.bank.resolve_topic(text)
        if topic is None:
            raise StudyError(f"Unknown topic {text!r}. See `/topics` for the list (e.g. T04).")
        return topic

    def topic_name(self, topic: str | None) -> str | None:
        return self.bank.topics[topic].name if topic and topic in self.bank.topics else None

    async def new_run(self, db: AsyncSession, *, guild_id: str, channel_id: str, options: RunOptions,
                      when: datetime, late_note: str | None = None) -> StudyRun:
        """Add a pending run to `db` (not committed: the caller commits it with what else belongs)."""
        defaults = await defaults_in(db, guild_id)
        topic = options.topic or defaults.topic
        count = options.question_count or defaults.question_count
        try:
            question_ids = pick_questions(self.bank, count, topic=topic, difficulty=options.difficulty, rng=self.rng)
        except NotEnoughQuestions:
            raise StudyError("No question matches that topic and difficulty.") from None
        run = StudyRun(
            guild_id=guild_id, channel_id=channel_id, title=run_title(self.topic_name(topic), when),
            topic=topic, difficulty=options.difficulty, question_ids=question_ids, current_index=0,
            phase=RunPhase.PENDING, answer_window_s=options.answer_window_s or defaults.answer_window_s,
            mention_role_id=defaults.mention_role_id, note=late_note, created_at=self.clock.now(),
        )
        db.add(run)
        await db.flush()
        return run

    async def start_now(self, *, guild_id: str, channel_id: str, options: RunOptions) -> PendingRun:
        """A run for /study now; refused while another one is under way in the same channel."""
        async with self.sessions() as db:
            busy = await db.scalar(select(func.count(StudyRun.id)).where(
                StudyRun.channel_id == channel_id, StudyRun.phase.in_(("pending", "asking"))))
            if busy:
                raise StudyError("A study session is already running in this channel.")
            run = await self.new_run(db, guild_id=guild_id, channel_id=channel_id, options=options,
                                     when=self.clock.now())
            await db.commit()
            return _pending(run)

    # ------------------------------------------------------------------ transitions
    async def pending_runs(self, guild_ids: Collection[str] | None = None) -> list[PendingRun]:
        """Runs whose thread is not open yet (only those of `guild_ids`: this process's shards)."""
        query = select(StudyRun).where(StudyRun.phase == RunPhase.PENDING).order_by(StudyRun.id)
        if guild_ids is not None:
            query = query.where(StudyRun.guild_id.in_(list(guild_ids)))
        async with self.sessions() as db:
            runs = await db.scalars(query)
            return [_pending(run) for run in runs]

    async def begin(self, run_id: int, thread_id: str) -> StudyStep | None:
        """Open question 1 in `thread_id`. None if the run was already begun (by another process)."""
        now = self.clock.now()
        async with self.sessions() as db:
            run = await db.get(StudyRun, run_id)
            if run is None:
                return None
            moved = await db.execute(
                update(StudyRun).where(StudyRun.id == run_id, StudyRun.phase == RunPhase.PENDING)
                .values(phase=RunPhase.ASKING, thread_id=thread_id, started_at=now, current_index=0,
                        question_deadline_at=now + timedelta(seconds=run.answer_window_s)))
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                await db.rollback()
                return None
            await db.commit()
            await db.refresh(run)
            return StudyStep(run_id, thread_id, question=self._question_post(run))

    async def abandon(self, run_id: int, reason: str) -> None:
        """End a run that cannot go on (its channel is gone, the bot may not post there)."""
        async with self.sessions() as db:
            await db.execute(update(StudyRun).where(StudyRun.id == run_id, StudyRun.phase.in_(("pending", "asking")))
                             .values(phase=RunPhase.ABANDONED, finished_at=self.clock.now(),
                                     note=reason[:200], question_deadline_at=None))
            await db.commit()

    async def answer(self, run_id: int, position: int, who: Participant, text: str) -> AnswerFeedback:
        """Grade a member's answer to the open question (once per member and question)."""
        submitted = self.clock.now()
        async with self.sessions() as db:
            run = await db.get(StudyRun, run_id)
            if run is None:
                raise StudyError("This study session no longer exists.")
            self._check_open(run, position, submitted)
            user = await db.scalar(select(User).where(User.platform == who.platform,
                                                      User.external_id == who.external_id))
            if user is not None and await self._has_answered(db, run_id, position, user.id):
                raise StudyError(f"You already answered question {position + 1}.")
            question = self.bank.question(run.question_ids[position])
        grade = await self.grading.grade(question, text)
        async with self.sessions() as db:
            user = await user_for(db, who)
            db.add(StudyAnswer(run_id=run_id, position=position, question_id=question.id, user_id=user.id,
                               answer=text, score=grade.score, created_at=submitted,
                               coverage={kp.id: kp.status for kp in grade.key_points}))
            try:
                await db.flush()  # the unique (run, position, member) key is checked here, before the review
            except IntegrityError:  # the same member submitted twice at once: the first one counts
                raise StudyError(f"You already answered question {position + 1}.") from None
            # A study answer is practice like an interview turn: it reschedules the question for this
            # member (a weak answer makes it due again), in the same transaction as the answer.
            await record_review(db, user.id, question.id, grade.score, submitted)
            await db.commit()
        try:
            closes_at = await self.close_early_if_all_answered(run_id, position)
        except Exception:  # the answer is saved; the timer's sweep retries the early close
            log.warning("study run %s: early-close check failed after an answer", run_id, exc_info=True)
            closes_at = None
        corrections = tuple(self.bank.misconceptions[m].correction for m in grade.misconceptions
                            if m in self.bank.misconceptions)
        return AnswerFeedback(position + 1, grade.score,
                              tuple((question.key_point(kp.id).point, kp.status) for kp in grade.key_points),
                              corrections, closes_at)

    async def join(self, run_id: int, who: Participant) -> JoinResult:
        """Sign `who` up for the run: questions then wait for their answer (until the window ends)."""
        async with self.sessions() as db:
            run = await db.get(StudyRun, run_id)
            if run is None:
                raise StudyError("This study session no longer exists.")
            if run.phase not in ("pending", "asking"):
                raise StudyError("This study session is over.")
            user = await user_for(db, who)
            joined = await db.scalar(select(StudyMember.id).where(StudyMember.run_id == run_id,
                                                                  StudyMember.user_id == user.id)) is None
            if joined:
                db.add(StudyMember(run_id=run_id, user_id=user.id, joined_at=self.clock.now()))
                try:
                    await db.commit()
                except IntegrityError:  # pressed twice at once: one row, and "already joined" for the second
                    await db.rollback()
                    joined = False
            else:
                await db.commit()  # the display name may have changed
            members = await db.scalar(select(func.count(StudyMember.id)).where(StudyMember.run_id == run_id))
        return JoinResult(joined, int(members or 0))

    async def close_early_if_all_answered(self, run_id: int, position: int) -> datetime | None:
        """Bring question `position`'s deadline forward to now + grace once every member taking part has
        answered it. Returns the new deadline, or None (someone is still expected, the question moved
        on, or its deadline is already that soon). Safe to call any number of times, from any process."""
        now = self.clock.now()
        closes_at = now + self.close_grace
        async with self.sessions() as db:
            expected = set(await db.scalars(select(StudyMember.user_id).where(StudyMember.run_id == run_id)))
            if position > 0:
                expected |= set(await db.scalars(select(StudyAnswer.user_id).where(
                    StudyAnswer.run_id == run_id, StudyAnswer.position == position - 1)))
            if not expected:
                return None  # nobody to wait for is known (question 1 without anyone joined): the window decides
            answered = set(await db.scalars(select(StudyAnswer.user_id).where(
                StudyAnswer.run_id == run_id, StudyAnswer.position == position)))
            if not expected <= answered:
                return None
            moved = await db.execute(update(StudyRun).where(
                StudyRun.id == run_id, StudyRun.phase == RunPhase.ASKING, StudyRun.current_index == position,
                StudyRun.question_deadline_at > closes_at).values(question_deadline_at=closes_at))
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                await db.rollback()
                return None
            await db.commit()
            return closes_at

    async def close_early_where_all_answered(self, guild_ids: Collection[str] | None = None) -> int:
        """`close_early_if_all_answered` for every open question (the timer's sweep); how many moved."""
        query = select(StudyRun.id, StudyRun.current_index).where(StudyRun.phase == RunPhase.ASKING)
        if guild_ids is not None:
            query = query.where(StudyRun.guild_id.in_(list(guild_ids)))
        async with self.sessions() as db:
            open_questions = [(row[0], row[1]) for row in await db.execute(query)]
        moved = 0
        for run_id, position in open_questions:
            moved += await self.close_early_if_all_answered(run_id, position) is not None
        return moved

    async def due_questions(self, guild_ids: Collection[str] | None = None) -> list[tuple[int, int]]:
        """(run id, position) of every open question whose window has closed."""
        query = select(StudyRun.id, StudyRun.current_index).where(
            StudyRun.phase == RunPhase.ASKING, StudyRun.question_deadline_at <= self.clock.now())
        if guild_ids is not None:
            query = query.where(StudyRun.guild_id.in_(list(guild_ids)))
        async with self.sessions() as db:
            rows = await db.execute(query)
            return [(row[0], row[1]) for row in rows]

    async def next_deadline(self) -> datetime | None:
        async with self.sessions() as db:
            return await db.scalar(select(func.min(StudyRun.question_deadline_at))
                                   .where(StudyRun.phase == RunPhase.ASKING))

    async def close_question(self, run_id: int, position: int) -> StudyStep | None:
        """Reveal question `position` and open the next one (or finish). None if someone else did."""
        now = self.clock.now()
        async with self.sessions() as db:
            run = await db.get(StudyRun, run_id)
            if run is None:
                return None
            last = position + 1 >= len(run.question_ids)
            values: dict[str, object] = {"current_index": position + 1}
            if last:
                values.update(phase=RunPhase.FINISHED, finished_at=now, question_deadline_at=None)
            else:
                values.update(question_deadline_at=now + timedelta(seconds=run.answer_window_s))
            moved = await db.execute(update(StudyRun).where(
                StudyRun.id == run_id, StudyRun.phase == RunPhase.ASKING, StudyRun.current_index == position).values(**values))
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                await db.rollback()
                return None
            await db.commit()
            await db.refresh(run)
            answers = await self._answers(db, run_id)
        questions = [self.bank.question(qid) for qid in run.question_ids]
        reveal = _reveal(questions[position], position, [a for a in answers if a.position == position])
        if last:
            return StudyStep(run_id, run.thread_id, reveal=reveal, leaderboard=build_leaderboard(answers, questions))
        return StudyStep(run_id, run.thread_id, reveal=reveal, question=self._question_post(run))

    # ------------------------------------------------------------------ reading
    async def history(self, guild_id: str, limit: int = 10) -> list[HistoryEntry]:
        """Recent runs and skipped occurrences of a server, newest first."""
        async with self.sessions() as db:
            runs = list(await db.scalars(select(StudyRun).where(StudyRun.guild_id == guild_id)
                                         .order_by(StudyRun.created_at.desc()).limit(limit)))
            counts = dict((await db.execute(
                select(StudyAnswer.run_id, func.count(func.distinct(StudyAnswer.user_id)))
                .where(StudyAnswer.run_id.in_([r.id for r in runs])).group_by(StudyAnswer.run_id))).all())
            skipped = await db.scalars(
                select(StudyOccurrence).join(StudySchedule).where(StudySchedule.guild_id == guild_id,
                                                                   StudyOccurrence.status == OccurrenceStatus.SKIPPED)
                .order_by(StudyOccurrence.occurrence_at.desc()).limit(limit))
            entries = [HistoryEntry(r.id, r.title, r.started_at or r.created_at, _run_status(r),
                                    int(counts.get(r.id, 0)), r.note) for r in runs]
            entries += [HistoryEntry(None, f"Schedule #{o.schedule_id}", o.occurrence_at, "skipped", 0, o.note)
                        for o in skipped]
        entries.sort(key=lambda e: e.when, reverse=True)
        return entries[:limit]

    async def is_open(self, run_id: int, position: int, who: Participant | None = None) -> str | None:
        """None if question `position` takes answers now (from `who`), else the reason it does not."""
        async with self.sessions() as db:
            run = await db.get(StudyRun, run_id)
            if run is None:
                return "This study session no longer exists."
            try:
                self._check_open(run, position, self.clock.now())
            except StudyError as error:
                return str(error)
            if who is not None:
                user = await db.scalar(select(User.id).where(User.platform == who.platform,
                                                             User.external_id == who.external_id))
                if user is not None and await self._has_answered(db, run_id, position, user):
                    return f"You already answered question {position + 1}."
            return None

    async def run_thread(self, run_id: int) -> str | None:
        async with self.sessions() as db:
            run = await db.get(StudyRun, run_id)
            return run.thread_id if run else None

    # ------------------------------------------------------------------ internals
    def _check_open(self, run: StudyRun, position: int, now: datetime) -> None:
        if run.phase in (RunPhase.FINISHED, RunPhase.ABANDONED):
            raise StudyError("This study session is over.")
        if run.phase != RunPhase.ASKING or run.current_index != position:
            raise StudyError(f"Question {position + 1} is closed; answer the current question instead.")
        if run.question_deadline_at is not None and now >= run.question_deadline_at:
            raise StudyError(f"The answer window for question {position + 1} has closed.")

    async def _has_answered(self, db: AsyncSession, run_id: int, position: int, user_id: int) -> bool:
        found = await db.scalar(select(StudyAnswer.id).where(
            StudyAnswer.run_id == run_id, StudyAnswer.position == position, StudyAnswer.user_id == user_id))
        return found is not None

    async def _answers(self, db: AsyncSession, run_id: int) -> list[AnswerRecord]:
        rows = await db.execute(select(StudyAnswer, User.display_name).join(User)
                                .where(StudyAnswer.run_id == run_id).order_by(StudyAnswer.id))
        return [AnswerRecord(str(a.user_id), name, a.position, a.score, dict(a.coverage)) for a, name in rows]

    def _question_post(self, run: StudyRun) -> QuestionPost:
        question: Question = self.bank.question(run.question_ids[run.current_index])
        assert run.question_deadline_at is not None
        return QuestionPost(run.id, run.current_index, len(run.question_ids), question.prompt,
                            self.topic_name(question.topic) or question.topic,
                            DIFFICULTY_NAMES.get(question.difficulty, question.difficulty), run.question_deadline_at)


def _pending(run: StudyRun) -> PendingRun:
    return PendingRun(run.id, run.channel_id, run.title, run.note, run.mention_role_id,
                      len(run.question_ids), run.answer_window_s)


def _run_status(run: StudyRun) -> str:
    if run.phase in (RunPhase.PENDING, RunPhase.ASKING):
        return "running"
    if run.phase == RunPhase.ABANDONED:
        return "abandoned"
    return "late" if run.note else "finished"


def _reveal(question: Question, position: int, answers: list[AnswerRecord]) -> Reveal:
    tallies = tuple(KeyPointTally(kp.point, sum(1 for a in answers if a.coverage.get(kp.id) == "covered"))
                    for kp in question.key_points)
    return Reveal(position + 1, question.prompt, tallies, len(answers))
