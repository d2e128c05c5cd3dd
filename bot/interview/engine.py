"""The interview state machine, independent of any front end.

Every public method loads the session from the database, applies one transition, commits, and only
then returns a `Reply` (plain data: messages, allowed actions, the report at the end). Nothing lives in
memory between calls, so a crash or restart loses no answer and any process can resume any session.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from bot.bank.loader import Bank
from bot.bank.picker import NotEnoughQuestions
from bot.bank.schema import DIFFICULTY_NAMES, Persona, Question
from bot.grading import Grade, Grader
from bot.grading.service import GradingService, InProcessGrading
from bot.grading.thresholds import HINT_MAX_SCORE
from bot.interview import messages as say
from bot.interview import rows
from bot.interview.answer_text import clean_answer
from bot.interview.failures import failure_message
from bot.interview.followup import FollowUp, decide_follow_up
from bot.interview.messages import QuestionView
from bot.interview.personas import persona_line
from bot.interview.records import coverage_record, grade_from_record, grade_to_record
from bot.interview.report import Report, build_report
from bot.progress.picking import parse_mode, pick_for_user
from bot.progress.review import record_review
from bot.storage.database import read_only as mark_read_only
from bot.storage.database import read_only_sessions
from bot.storage.errors import StorageProblem, classify
from bot.storage.models import InterviewSession, Turn, User
from bot.storage.users import Participant, user_for
from bot.storage.vocabulary import SessionStatus, TurnPhase

log = logging.getLogger(__name__)

MAX_QUESTIONS = 20
#: A transition that found the database locked (another process writing for longer than the busy
#: timeout) is run again this many times: nothing of it was committed, so running it again is safe.
BUSY_RETRIES = 2
BUSY_RETRY_PAUSE_S = 0.5
#: Database sessions open at once in one engine, for writes and for reads: together below the connection
#: pool's size (5 + 10 overflow).
DB_CONCURRENCY = 6

MessageKind = Literal[
    "intro", "question", "feedback", "follow_up", "correction", "why", "hint", "notice", "transition",
    "report", "closing",
]
Action = Literal["answer", "hint", "skip", "end"]


@dataclass(frozen=True)
class InterviewOptions:
    topic: str | None = None
    difficulty: str | None = None
    persona: str | None = None
    questions: int = 5
    #: review | new | mixed: which questions the spaced-repetition schedule picks (bot/progress/picking.py)
    mode: str = "mixed"


@dataclass(frozen=True)
class Message:
    kind: MessageKind
    text: str
    #: for kind "question": the question as structured data (`text` is its plain-text form)
    question: QuestionView | None = None


@dataclass(frozen=True)
class Reply:
    session_id: int
    messages: tuple[Message, ...]
    actions: tuple[Action, ...]
    finished: bool
    report: Report | None
    question_number: int
    total_questions: int
    #: the interviewer's display name, for front ends that label lines by speaker
    persona: str = ""
    #: (turn position, exchange index) of the answer this reply answers: front ends pass it to
    #: `InterviewEngine.acknowledge` once the reply is shown
    answer_ref: tuple[int, int] | None = None


class InterviewError(Exception):
    """A request the engine cannot honour; the message is meant for the candidate."""


class StepFailed(InterviewError):
    """A transition failed for a reason outside the candidate's control (storage, infrastructure).

    `saved` says whether the transition was committed before the failure: the message tells the
    candidate truthfully whether their answer is safe or must be sent again.
    """

    def __init__(self, step: str, problem: StorageProblem | None, *, saved: bool) -> None:
        super().__init__(failure_message(step, problem, saved=saved))
        self.step = step
        self.problem = problem
        self.saved = saved


#: Set once the current transition has committed (per asyncio task: concurrent transitions do not mix).
_committed: ContextVar[bool] = ContextVar("viva_transition_committed", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def _guarded(step: str) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Turn any failure of a transition other than `InterviewError` into `StepFailed` (saying whether the
    transition was saved), and run it again when it only met another process's write lock."""

    def decorate(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(method)
        async def run(*args: P.args, **kwargs: P.kwargs) -> R:
            for attempt in range(BUSY_RETRIES + 1):
                token = _committed.set(False)
                try:
                    return await method(*args, **kwargs)
                except InterviewError:
                    raise
                except Exception as exc:
                    saved = _committed.get()
                    problem = classify(exc)
                    if problem is not None and problem.kind == "busy" and not saved and attempt < BUSY_RETRIES:
                        await asyncio.sleep(BUSY_RETRY_PAUSE_S * (attempt + 1))
                        continue
                    if problem is None:
                        log.error("interview %s failed unexpectedly (saved=%s)", step, saved, exc_info=exc)
                    elif problem.kind == "busy":
                        log.error("interview %s failed: the database stayed locked by another process (%s); "
                                  "for several bot processes, use PostgreSQL (DATABASE_URL=postgresql+asyncpg://...)",
                                  step, problem.detail)
                    else:
                        log.warning("interview %s failed: %s: %s (saved=%s)", step, problem.kind, problem.detail,
                                    saved)
                    raise StepFailed(step, problem, saved=saved) from None
                finally:
                    _committed.reset(token)
            raise AssertionError("unreachable")

        return run

    return decorate


async def _commit(db: AsyncSession) -> None:
    await rows.write_back(db)  # the session and turn rows read by `_current`, if they changed
    await db.commit()
    _committed.set(True)


@dataclass
class _AckBatch:
    """Acknowledgements gathered for one transaction (`InterviewEngine.acknowledge` with `gather_s`)."""

    items: list[tuple[int, tuple[int, int]]] = dataclasses.field(default_factory=list)
    task: asyncio.Task[None] | None = None
    #: set to record the batch before its window ends (the process is stopping)
    now: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)


class NotYourInterview(InterviewError):
    """A transition asked for on behalf of someone who is not the interview's candidate."""

    def __init__(self) -> None:
        super().__init__("This is not your interview. Start your own to practise.")


def _now() -> datetime:
    return datetime.now(UTC)


class InterviewEngine:
    def __init__(self, bank: Bank, grader: Grader, sessions: async_sessionmaker[AsyncSession],
                 *, rng: random.Random | None = None, grading: GradingService | None = None) -> None:
        self.bank = bank
        self.grader = grader
        #: where answers are graded: this process (default) or queue workers (REDIS_URL)
        self.grading: GradingService = grading or InProcessGrading(grader)
        self.sessions = sessions
        self._rng = rng or random.Random()
        # Serialises transitions of one session inside this process (two button presses at once): a lock
        # and the number of its holders and waiters, dropped when that falls to zero (see `_lock`).
        self._locks: dict[int, tuple[asyncio.Lock, list[int]]] = {}
        # (session id, answer_ref) of replies a front end of this process is still delivering: their
        # answers are not "missed" (see `catch_up`) until the delivery fails (`reply_not_shown`).
        self._delivering: set[tuple[int, tuple[int, int]]] = set()
        # Bounds open database sessions, not transitions: answers are graded outside any session, so a
        # burst of answers is graded together (the embedder batches them) while their short reads and
        # writes queue here instead of on the connection pool's timeout.
        self._read_sessions = read_only_sessions(sessions)
        self._db_slots = asyncio.Semaphore(DB_CONCURRENCY)
        self._read_slots = asyncio.Semaphore(DB_CONCURRENCY)  # reads never wait for a writer's slot
        self._ack_batch: _AckBatch | None = None

    # ----- options -------------------------------------------------------------------------------

    def resolve_options(self, options: InterviewOptions) -> tuple[str | None, str | None, Persona, int]:
        topic = None
        if options.topic:
            topic = self.bank.resolve_topic(options.topic)
            if topic is None:
                names = ", ".join(f"{t.id} {t.name}" for t in self.bank.topics.values())
                raise InterviewError(f"Unknown topic {options.topic!r}. Topics: {names}.")
        difficulty = None
        if options.difficulty:
            wanted = options.difficulty.strip().lower()
            for code, name in DIFFICULTY_NAMES.items():
                if wanted in (code.lower(), name):
                    difficulty = code
            if difficulty is None:
                raise InterviewError(f"Unknown difficulty {options.difficulty!r}: use easy, medium or hard.")
        persona = self._resolve_persona(options.persona)
        if not 1 <= options.questions <= MAX_QUESTIONS:
            raise InterviewError(f"Ask for between 1 and {MAX_QUESTIONS} questions.")
        try:
            parse_mode(options.mode)
        except ValueError as error:
            raise InterviewError(str(error)) from None
        return topic, difficulty, persona, options.questions

    def _resolve_persona(self, wanted: str | None) -> Persona:
        personas = list(self.bank.personas.values())
        if not wanted:
            return self._rng.choice(personas)
        key = wanted.strip().lower()
        for persona in personas:
            if key in (persona.id.lower(), persona.name.lower()) or persona.name.lower().startswith(key):
                return persona
        names = ", ".join(p.id for p in personas)
        raise InterviewError(f"Unknown persona {wanted!r}. Personas: {names}.")

    # ----- public transitions --------------------------------------------------------------------

    @_guarded("start")
    async def start(self, who: Participant, options: InterviewOptions, *,
                    channel_id: str | None = None) -> Reply:
        """Begin a new interview; any unfinished interview of the same candidate is abandoned."""
        topic, difficulty, persona, count = self.resolve_options(options)
        async with self._db() as db:
            user = await user_for(db, who)
            seen = await self._seen_questions(db, user.id)
            try:
                question_ids = await pick_for_user(db, self.bank, user.id, count, mode=parse_mode(options.mode),
                                                   now=_now(), topic=topic, difficulty=difficulty, seen=seen,
                                                   rng=self._rng)
            except NotEnoughQuestions:
                raise InterviewError("No question matches that topic and difficulty yet.") from None
            for old in await db.scalars(select(InterviewSession).where(
                    InterviewSession.user_id == user.id, InterviewSession.status == SessionStatus.ACTIVE)):
                old.status = SessionStatus.ABANDONED
                old.ended_at = _now()
            session = InterviewSession(user_id=user.id, persona_id=persona.id, topic=topic,
                                       difficulty=difficulty, question_ids=question_ids, current_index=0,
                                       status=SessionStatus.ACTIVE, channel_id=channel_id)
            db.add(session)
            await db.flush()
            turn = Turn(session_id=session.id, position=0, question_id=question_ids[0], phase=TurnPhase.ASKED,
                        coverage={}, misconceptions=[], follow_ups=[], exchanges=[], max_score=5.0)
            db.add(turn)
            await _commit(db)
            intro = persona_line(persona, "intro", session.id, 0, n=len(question_ids))
            messages = [Message("intro", intro), self._question_message(session, turn)]
            return self._reply(session, turn, messages)

    @_guarded("answer")
    async def answer(self, session_id: int, text: str, *, owner: str | None = None,
                     catch_up: bool = False) -> Reply:
        """Grade `text` as the answer to the pending question (or follow-up) and move the interview on.

        `owner`, when given, is the external id the interview must belong to (else `NotYourInterview`),
        checked in the same read: a front end needs no extra query to confirm who pressed a button.
        `catch_up`: first do what `catch_up` does (with `text` as the unused answer), in the same read that
        finds the pending question: when the candidate never saw the reply to their last answer, that
        catch-up reply comes back and `text` is neither graded nor stored.
        """
        async with self._lock(session_id):
            unused = text
            text = clean_answer(text)  # before grading and storing: see bot/interview/answer_text.py
            if not text:
                if catch_up and (caught_up := await self.catch_up(session_id, owner=owner,
                                                                  unused_answer=unused)) is not None:
                    return caught_up
                async with self._db(read_only=True) as db:
                    session, turn = await self._current(db, session_id, owner, lock=False)
                    return self._reply(session, turn, [Message("notice", say.EMPTY_ANSWER)])
            # Read what is asked, grade with no transaction open (grading takes tens of ms and must
            # not hold a connection or a write lock), then apply the transition in a short one.
            delivering = set(self._delivering)  # before the read: see `catch_up`
            async with self._db(read_only=True) as db:
                if catch_up:
                    pending = await self._pending_unless_missed(db, session_id, owner, delivering, unused)
                    if isinstance(pending, Reply):
                        return pending
                    position, question_id = pending
                else:
                    position, question_id = await self._pending(db, session_id, owner)
            grade = await self.grading.grade(self.bank.question(question_id), text)
            return await self._apply_answer(session_id, position, text, grade)

    async def _apply_answer(self, session_id: int, position: int, text: str, grade: Grade) -> Reply:
        async with self._db() as db:
            session, turn = await self._current(db, session_id)
            if turn.position != position:  # another process moved the interview on meanwhile
                raise InterviewError("That question has already moved on; here is where we are now.")
            question = self.bank.question(turn.question_id)
            persona = self._persona(session)
            kind = "answer" if turn.phase == TurnPhase.ASKED else "follow_up_answer"
            # "replied" turns true once the front end has shown the reply (`acknowledge`): a resume can then
            # tell an answer that was saved but never answered (a crash between commit and reply).
            record = {"kind": kind, "text": text, "at": _now().isoformat(), "grade": grade_to_record(grade),
                      "replied": False}
            turn.exchanges = [*turn.exchanges, record]
            reply = await self._answer_transition(db, session, turn, question, persona, text, grade)
            ref = (turn.position, len(turn.exchanges) - 1)
            self._delivering.add((session_id, ref))
            return dataclasses.replace(reply, answer_ref=ref)

    async def _answer_transition(self, db: AsyncSession, session: InterviewSession, turn: Turn, question: Question,
                                 persona: Persona, text: str, grade: Grade) -> Reply:
        if grade.validity != "ok":
            await _commit(db)
            return self._reply(session, turn, [Message("notice", say.invalid_answer_text(grade.validity))])

        messages: list[Message] = []
        if grade.truncated:
            messages.append(Message("notice", say.TRUNCATED))
        if turn.answer is None:
            turn.answer = text
            turn.answered_at = _now()
        merged = self._merged_grade(question, turn)
        follow_up = decide_follow_up(question, merged, turn.follow_ups, self.bank.misconceptions)
        if follow_up is not None:
            turn.phase = TurnPhase.FOLLOW_UP
            turn.follow_ups = [*turn.follow_ups, follow_up.as_record()]
            asked_in_session = len(turn.follow_ups) + await self._follow_ups_before(db, turn)
            messages += self._follow_up_messages(session, persona, follow_up, asked_in_session - 1)
            await _commit(db)
            return self._reply(session, turn, messages)

        turn.phase = TurnPhase.DONE
        turn.completed_at = _now()
        messages.append(self._feedback(session, persona, question, turn))
        return await self._advance(db, session, turn, messages)

    @_guarded("hint")
    async def hint(self, session_id: int, *, owner: str | None = None) -> Reply:
        async with self._lock(session_id), self._db() as db:
            session, turn = await self._current(db, session_id, owner)
            if turn.hints_used >= 1:
                return self._reply(session, turn, [Message("notice", say.HINT_ALREADY_USED)])
            question = self.bank.question(turn.question_id)
            turn.hints_used += 1
            turn.max_score = HINT_MAX_SCORE
            if turn.score is not None:
                turn.score = min(turn.score, HINT_MAX_SCORE)
            await _commit(db)
            lead = persona_line(self._persona(session), "hint", session.id, turn.position)
            return self._reply(session, turn, [Message("hint", say.hint_text(lead, question.hint, HINT_MAX_SCORE))])

    @_guarded("skip")
    async def skip(self, session_id: int, *, owner: str | None = None) -> Reply:
        async with self._lock(session_id), self._db() as db:
            session, turn = await self._current(db, session_id, owner)
            persona = self._persona(session)
            messages: list[Message] = []
            if turn.phase == TurnPhase.FOLLOW_UP:
                # The main answer stands; only the follow-up is skipped.
                turn.phase = TurnPhase.DONE
                question = self.bank.question(turn.question_id)
                messages.append(self._feedback(session, persona, question, turn))
            else:
                turn.phase = TurnPhase.SKIPPED
                turn.score = 0.0
                messages.append(Message("notice", persona_line(persona, "skip", session.id, turn.position)))
            turn.completed_at = _now()
            return await self._advance(db, session, turn, messages)

    @_guarded("end")
    async def end(self, session_id: int, *, owner: str | None = None) -> Reply:
        async with self._lock(session_id), self._db() as db:
            session, turn = await self._current(db, session_id, owner)
            if turn.phase == TurnPhase.FOLLOW_UP:
                turn.phase = TurnPhase.DONE
                turn.completed_at = _now()
                await record_review(db, session.user_id, turn.question_id, turn.score, turn.completed_at)
            return await self._finish(db, session, turn, [])

    @_guarded("resume")
    async def resume(self, session_id: int) -> Reply:
        """Show where the interview stands: the pending question (and follow-up), or the report.

        If the last answer was saved but its reply was never shown (the process stopped between the
        commit and the reply), say so and show that reply first; `answer_ref` then names the answer, for
        `acknowledge` once this resume is shown.
        """
        async with self._db(read_only=True) as db:
            return self._resumed(await self._load(db, session_id))

    def _resumed(self, session: InterviewSession) -> Reply:
        missed = self._unreplied_answer(session)
        note = self._missed_reply_messages(session, missed) if missed is not None else []
        ref = (missed[0].position, missed[1]) if missed is not None else None
        if session.status != SessionStatus.ACTIVE:
            report = build_report(session, list(session.turns), self.bank)
            return Reply(session.id, (*note, Message("report", report.render_markdown())), (), True, report,
                         len(session.turns), len(session.question_ids), self._persona(session).name,
                         answer_ref=ref)
        return self._where_we_are(session, [Message("notice", say.PICKING_UP), *note], ref)

    def _where_we_are(self, session: InterviewSession, lead: list[Message], ref: tuple[int, int] | None,
                      tail: Sequence[Message] = ()) -> Reply:
        """`lead`, then the pending question (and follow-up), then `tail`, with the current actions."""
        turn = session.turns[session.current_index]
        messages = [*lead, self._question_message(session, turn)]
        if turn.phase == TurnPhase.FOLLOW_UP and turn.follow_ups:
            pending = turn.follow_ups[-1]
            if pending.get("question"):
                messages.append(Message("follow_up", str(pending["question"])))
        return dataclasses.replace(self._reply(session, turn, [*messages, *tail]), answer_ref=ref)

    async def acknowledge(self, session_id: int, answer_ref: tuple[int, int] | None, *,
                          gather_s: float = 0.0) -> None:
        """Record that the reply to an answer has been shown to the candidate.

        `gather_s` > 0: wait that long for other acknowledgements and record them all in one transaction (one
        commit, one fsync, instead of one each): for a front end serving many candidates, where nobody waits
        for this call. Either way the record is committed when this returns.
        Never raises: a failure here only means a later resume mentions that answer's reply again.
        """
        if answer_ref is None:
            return
        try:
            if gather_s > 0:
                await self._gathered_ack(session_id, answer_ref, gather_s)
            else:
                async with self._lock(session_id):
                    await self._record_shown([(session_id, answer_ref)])
        except Exception as exc:
            problem = classify(exc)
            log.warning("could not record that session %s's reply was shown: %s", session_id,
                        problem.detail if problem else type(exc).__name__)
        finally:  # only now: until the record says "replied", `catch_up` must not take it for missed
            self._delivering.discard((session_id, answer_ref))

    async def _gathered_ack(self, session_id: int, answer_ref: tuple[int, int], gather_s: float) -> None:
        batch = self._ack_batch
        if batch is None:
            batch = self._ack_batch = _AckBatch()
            batch.task = asyncio.create_task(self._record_batch(batch, gather_s))
        batch.items.append((session_id, answer_ref))
        assert batch.task is not None
        await asyncio.shield(batch.task)  # one caller cancelled does not cancel the others' records

    async def _record_batch(self, batch: _AckBatch, gather_s: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(batch.now.wait(), gather_s)
        if self._ack_batch is batch:
            self._ack_batch = None  # later acknowledgements start the next batch
        await self._record_shown(batch.items)

    async def flush_acknowledgements(self) -> None:
        """Record gathered acknowledgements now, not at the end of their window: call before stopping, so a
        restart does not take replies the candidate saw for missed ones."""
        batch = self._ack_batch
        if batch is None or batch.task is None:
            return
        batch.now.set()
        with contextlib.suppress(Exception):  # `acknowledge` logs a failure for each of its callers
            await asyncio.shield(batch.task)

    async def _record_shown(self, shown: Sequence[tuple[int, tuple[int, int]]]) -> None:
        """Mark these answers' exchanges "replied" in one transaction: two columns of each turn and one
        executemany UPDATE, not ORM loads and a flush. The turns' row locks (PostgreSQL) keep an answer another
        process appends meanwhile from being overwritten."""
        wanted: dict[tuple[int, int], set[int]] = {}
        for session_id, (position, index) in shown:
            wanted.setdefault((session_id, position), set()).add(index)
        async with self._db() as db:
            found = (await db.execute(rows.SHOWN_TURNS, {"pairs": list(wanted)})).all()
            changes = []
            for row in found:
                exchanges = list(row.exchanges)
                marked = [i for i in wanted[(row.session_id, row.position)]
                          if 0 <= i < len(exchanges) and exchanges[i].get("replied") is False]
                for i in marked:
                    exchanges[i] = {**exchanges[i], "replied": True}
                if marked:
                    changes.append({"turn_id": row.id, "new_exchanges": exchanges})
            if changes:
                await db.execute(rows.SET_EXCHANGES, changes)
                await db.commit()

    def reply_not_shown(self, session_id: int, answer_ref: tuple[int, int] | None) -> None:
        """The front end could not show the reply to an answer: the candidate's next step catches up."""
        if answer_ref is not None:
            self._delivering.discard((session_id, answer_ref))

    @_guarded("lookup")
    async def catch_up(self, session_id: int, *, owner: str | None = None,
                       unused_answer: str | None = None) -> Reply | None:
        """If the interview is active and the candidate never saw the reply to their last answer (the process
        stopped, or the chat service refused the reply: `reply_not_shown`), `resume`, with a note that the step they just asked
        for was not taken (and `unused_answer` shown back, to send again if it answers the question now
        shown). None when nothing was missed and the step may go ahead. One read: no race with `acknowledge`.
        """
        # Taken before the read: `acknowledge` commits "replied" before it forgets a delivery, so either this
        # snapshot still holds the delivery or the read already sees it replied.
        delivering = set(self._delivering)
        async with self._db(read_only=True) as db:
            session = await self._load(db, session_id, owner)
            missed = self._unreplied_answer(session)
            if session.status != SessionStatus.ACTIVE or missed is None:
                return None
            if (session.id, (missed[0].position, missed[1])) in delivering:
                return None  # its reply is on its way from this process: nothing was missed
            return self._caught_up(session, unused_answer)

    def _caught_up(self, session: InterviewSession, unused_answer: str | None) -> Reply:
        """`resume`'s reply with a note, before the question, that the step just asked for was not taken."""
        reply = self._resumed(session)
        shown = list(reply.messages)
        at = next((i for i, m in enumerate(shown) if m.kind in ("question", "report")), len(shown))
        shown.insert(at, Message("notice", say.catch_up_note(unused_answer)))  # before the question
        return dataclasses.replace(reply, messages=tuple(shown))

    @_guarded("lookup")
    async def unseen_ending(self, who: Participant) -> int | None:
        """The candidate's latest interview if it has ended on an answer whose reply (the report) was never
        shown: `--resume` shows it instead of starting a new interview."""
        async with self._db(read_only=True) as db:
            session_id = await db.scalar(
                select(InterviewSession.id).join(User)
                .where(User.platform == who.platform, User.external_id == who.external_id)
                .order_by(InterviewSession.id.desc()).limit(1))
            if session_id is None:
                return None
            session = await self._load(db, session_id)
            if session.status == SessionStatus.ACTIVE or self._unreplied_answer(session) is None:
                return None
            return session.id

    @staticmethod
    def _unreplied_answer(session: InterviewSession) -> tuple[Turn, int, dict[str, Any]] | None:
        """The session's last answer, if it was saved but its reply never shown (records from before
        replies were tracked have no "replied" key and count as shown)."""
        for turn in reversed(session.turns):
            if turn.exchanges:
                index = len(turn.exchanges) - 1
                record = turn.exchanges[index]
                return (turn, index, record) if record.get("replied") is False else None
        return None

    def _missed_reply_messages(self, session: InterviewSession,
                               missed: tuple[Turn, int, dict[str, Any]]) -> list[Message]:
        turn, _index, record = missed
        lines = [Message("notice", say.missed_reply_text(turn.position + 1, str(record.get("at", ""))[11:16]))]
        grade = record.get("grade") or {}
        if grade.get("validity", "ok") != "ok":
            lines.append(Message("notice", say.invalid_answer_text(grade_from_record(grade).validity)))
        elif turn.phase in (TurnPhase.DONE, TurnPhase.SKIPPED) and turn.completed_at is not None:
            lines.append(self._feedback(session, self._persona(session), self.bank.question(turn.question_id), turn))
        return lines

    @_guarded("lookup")
    async def active_session(self, who: Participant) -> int | None:
        async with self._db(read_only=True) as db:
            return await db.scalar(
                select(InterviewSession.id).join(User)
                .where(User.platform == who.platform, User.external_id == who.external_id,
                       InterviewSession.status == SessionStatus.ACTIVE)
                .order_by(InterviewSession.id.desc()).limit(1)
            )

    @_guarded("lookup")
    async def report(self, session_id: int) -> Report:
        async with self._db(read_only=True) as db:
            session = await self._load(db, session_id)
            return build_report(session, list(session.turns), self.bank)

    # ----- internals -----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _db(self, *, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """A database session; `read_only` ones do not queue behind writers (SQLite) and must not write."""
        if not read_only:
            async with self._db_slots, self.sessions() as db:
                yield db
            return
        async with self._read_slots, (self._read_sessions or self.sessions)() as db:
            if self._read_sessions is None:
                await mark_read_only(db)
            yield db

    @contextlib.asynccontextmanager
    async def _lock(self, session_id: int) -> AsyncIterator[None]:
        """Hold this session's in-process lock; the entry goes once nobody holds or waits for it, so a
        long-running bot keeps no lock per interview it has ever seen."""
        lock, users = self._locks.setdefault(session_id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[session_id]

    async def _seen_questions(self, db: AsyncSession, user_id: int) -> set[str]:
        asked = await db.scalars(select(Turn.question_id).join(InterviewSession)
                                 .where(InterviewSession.user_id == user_id))
        return set(asked)

    async def _load(self, db: AsyncSession, session_id: int, owner: str | None = None, *,
                    lock: bool = False) -> InterviewSession:
        query = select(InterviewSession).options(selectinload(InterviewSession.turns)).where(
            InterviewSession.id == session_id)
        if lock:
            # Row lock (PostgreSQL: SELECT ... FOR UPDATE; SQLite already holds the write lock from BEGIN
            # IMMEDIATE): two bot processes moving the same interview on take turns instead of one
            # overwriting the other's transition.
            query = query.with_for_update(of=InterviewSession)
        if owner is not None:
            query = query.add_columns(User.external_id).join(User)
        row = (await db.execute(query)).first()
        if row is None:
            raise InterviewError("That interview does not exist.")
        if owner is not None and row[1] != owner:
            raise NotYourInterview()
        return row[0]

    async def _pending(self, db: AsyncSession, session_id: int, owner: str | None) -> tuple[int, str]:
        """(position, question id) of the turn awaiting an answer: a few columns, not the session's turns
        with their JSON (under a burst of answers this read ran once per answer, on the event loop)."""
        row = (await db.execute(rows.PENDING, {"session_id": session_id})).first()
        if row is None:
            raise InterviewError("That interview does not exist.")
        if owner is not None and row.external_id != owner:
            raise NotYourInterview()
        if row.status != SessionStatus.ACTIVE:
            raise InterviewError(say.ENDED)
        return row.position, row.question_id

    async def _pending_unless_missed(self, db: AsyncSession, session_id: int, owner: str | None,
                                     delivering: set[tuple[int, tuple[int, int]]],
                                     unused_answer: str) -> tuple[int, str] | Reply:
        """`_pending` and `catch_up` in one read: (position, question id) of the turn awaiting an answer, or,
        if the candidate never saw the reply to their last answer, the catch-up reply. Plain columns of the
        session's turns, not ORM objects: the whole session is loaded only when a reply was missed."""
        found = (await db.execute(rows.PENDING_ROWS, {"session_id": session_id})).all()
        if not found:
            raise InterviewError("That interview does not exist.")
        first = found[0]
        if owner is not None and first.external_id != owner:
            raise NotYourInterview()
        if first.status != SessionStatus.ACTIVE:
            raise InterviewError(say.ENDED)
        # The same rule as `_unreplied_answer`: the last answer of the session, if its reply was never shown.
        last = next(((row.position, len(row.exchanges) - 1, row.exchanges[-1])
                     for row in reversed(found) if row.exchanges), None)
        if last is not None and last[2].get("replied") is False and (session_id, last[:2]) not in delivering:
            return self._caught_up(await self._load(db, session_id), unused_answer)
        pending = next((row for row in found if row.position == first.current_index), None)
        if pending is None:
            raise InterviewError("That interview does not exist.")
        return pending.position, pending.question_id

    async def _current(self, db: AsyncSession, session_id: int, owner: str | None = None, *,
                       lock: bool = True) -> tuple[InterviewSession, Turn]:
        """The active session and its current turn for a transition: two rows read with plain SQL, not the
        session with all its turns through the ORM (bot/interview/rows.py; `_commit` writes back what the
        transition changed). The turn is the latest version, read under the session's lock (`rows.load_current`:
        one statement on SQLite, two on PostgreSQL)."""
        found = await rows.load_current(db, session_id, lock=lock)
        if found is None:
            raise InterviewError("That interview does not exist.")
        session, external_id, turn = found
        if owner is not None and external_id != owner:
            raise NotYourInterview()
        if session.status != SessionStatus.ACTIVE:
            raise InterviewError(say.ENDED)
        if turn is None:
            raise InterviewError("That interview does not exist.")
        return session, turn

    @staticmethod
    async def _follow_ups_before(db: AsyncSession, turn: Turn) -> int:
        """Follow-ups asked in the turns before `turn` (none to read for the first question)."""
        if turn.position == 0:
            return 0
        earlier = await db.scalars(rows.FOLLOW_UPS_BEFORE, {"session_id": turn.session_id, "position": turn.position})
        return sum(len(follow_ups or []) for follow_ups in earlier)

    def _persona(self, session: InterviewSession) -> Persona:
        persona = self.bank.personas.get(session.persona_id)
        return persona or next(iter(self.bank.personas.values()))

    def _merged_grade(self, question: Question, turn: Turn) -> Grade:
        grades = [grade_from_record(e["grade"]) for e in turn.exchanges
                  if e.get("grade") and e["grade"].get("validity") == "ok"]
        merged = self.grader.combine(question, grades, max_score=turn.max_score)
        turn.score = merged.score
        turn.coverage = coverage_record(merged)
        turn.misconceptions = list(dict.fromkeys([*turn.misconceptions, *merged.misconceptions]))
        return merged

    def _question_message(self, session: InterviewSession, turn: Turn) -> Message:
        question = self.bank.question(turn.question_id)
        topic = self.bank.topics.get(question.topic)
        view = QuestionView(turn.position + 1, len(session.question_ids), topic.name if topic else question.topic,
                            DIFFICULTY_NAMES[question.difficulty], question.prompt)
        return Message("question", view.text, view)

    def _follow_up_messages(self, session: InterviewSession, persona: Persona, follow_up: FollowUp,
                            n: int) -> list[Message]:
        """`n` counts follow-ups across the session, so persona lines do not repeat between questions."""
        if follow_up.kind == "correction":
            lead = persona_line(persona, "correction", session.id, n)
            return [Message("correction", f"{lead} {follow_up.correction}"),
                    Message("follow_up", follow_up.question)]
        if follow_up.kind == "why":
            return [Message("why", persona_line(persona, "why", session.id, n))]
        lead = persona_line(persona, "follow_up", session.id, n)
        return [Message("follow_up", f"{lead} {follow_up.question}")]

    def _feedback(self, session: InterviewSession, persona: Persona, question: Question,
                  turn: Turn) -> Message:
        score = float(turn.score or 0.0)
        kind = "acknowledge_strong" if say.is_strong(score) else "acknowledge_weak"
        missed = [kp.point for kp in question.key_points
                  if (turn.coverage or {}).get(kp.id, {}).get("status") != "covered"]
        return Message("feedback", say.feedback_text(persona_line(persona, kind, session.id, turn.position),
                                                          score, missed))

    async def _advance(self, db: AsyncSession, session: InterviewSession, turn: Turn,
                       messages: list[Message]) -> Reply:
        # The completed turn reschedules its question in the same transaction (spaced repetition).
        await record_review(db, session.user_id, turn.question_id, turn.score, turn.completed_at or _now())
        if session.current_index + 1 >= len(session.question_ids):
            return await self._finish(db, session, turn, messages)
        session.current_index += 1
        nxt = Turn(session_id=session.id, position=session.current_index,
                   question_id=session.question_ids[session.current_index], phase=TurnPhase.ASKED, coverage={},
                   misconceptions=[], follow_ups=[], exchanges=[], max_score=5.0)
        db.add(nxt)
        await _commit(db)
        persona = self._persona(session)
        messages.append(Message("transition", persona_line(persona, "transition", session.id,
                                                           session.current_index)))
        messages.append(self._question_message(session, nxt))
        return self._reply(session, nxt, messages)

    async def _finish(self, db: AsyncSession, session: InterviewSession, current: Turn,
                      messages: list[Message]) -> Reply:
        session.status = SessionStatus.FINISHED
        session.ended_at = _now()
        turns = await rows.turns_of(db, session, keep=current)  # for the report, `current` with its changes
        await _commit(db)
        report = build_report(session, turns, self.bank)
        persona = self._persona(session)
        messages.append(Message("closing", persona_line(persona, "closing", session.id, 0)))
        messages.append(Message("report", report.render_markdown()))
        return Reply(session.id, tuple(messages), (), True, report, len(turns),
                     len(session.question_ids), persona.name)

    def _reply(self, session: InterviewSession, turn: Turn, messages: Sequence[Message]) -> Reply:
        actions: list[Action] = ["answer"]
        if turn.hints_used == 0:
            actions.append("hint")
        actions += ["skip", "end"]
        return Reply(session.id, tuple(messages), tuple(actions), False, None, turn.position + 1,
                     len(session.question_ids), self._persona(session).name)
