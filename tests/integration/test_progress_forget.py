"""/forget-me's deletion through a real migrated SQLite file: nothing about the candidate remains."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, ForeignKey, Integer, String, Table, func, select

from bot.interview.engine import InterviewEngine, InterviewOptions, Participant
from bot.progress.service import forget
from bot.storage.models import Base, InterviewSession, ReviewCard, Turn, User

pytestmark = pytest.mark.both_databases  # each test runs on SQLite and on PostgreSQL

ADA = Participant(platform="discord", external_id="1001", display_name="Ada")
BOB = Participant(platform="discord", external_id="1002", display_name="Bob")


@pytest.fixture
def later_feature_tables() -> Iterator[tuple[Table, Table]]:
    """Stand-ins for tables other features add later: code submissions (owned by the user, deleted) and
    study-group schedules (they outlive their creator: a nullable link, cleared). Removed from the
    shared metadata afterwards, so the models-vs-migrations check never sees them."""
    submissions = Table("probe_code_submissions", Base.metadata,
                        Column("id", Integer, primary_key=True),
                        Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
                        Column("code", String(100)))
    schedules = Table("probe_study_schedules", Base.metadata,
                      Column("id", Integer, primary_key=True),
                      Column("created_by", ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
                      Column("channel_id", String(32)))
    try:
        yield submissions, schedules
    finally:
        Base.metadata.remove(submissions)
        Base.metadata.remove(schedules)


async def skipped_interview(engine: InterviewEngine, who: Participant) -> None:
    reply = await engine.start(who, InterviewOptions(questions=2, persona="tester"))
    while not reply.finished:
        reply = await engine.skip(reply.session_id)


async def user_id(sessions, who: Participant) -> int | None:
    async with sessions() as db:
        return await db.scalar(select(User.id).where(User.external_id == who.external_id))


async def rows_about(sessions, uid: int) -> dict[str, int]:
    """Rows linked to the user, in every table of the schema: each foreign key to users.id, and turns."""
    queries = {"users": select(func.count()).select_from(User).where(User.id == uid),
               "turns": select(func.count()).select_from(Turn).join(InterviewSession)
               .where(InterviewSession.user_id == uid)}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "users" for fk in column.foreign_keys):
                queries[f"{table.name}.{column.name}"] = (select(func.count()).select_from(table)
                                                          .where(column == uid))
    async with sessions() as db:
        return {name: int(await db.scalar(query) or 0) for name, query in queries.items()}


async def test_forget_me_deletes_every_row_about_the_caller_and_only_theirs(
    engine: InterviewEngine, sessions, later_feature_tables: tuple[Table, Table]
) -> None:
    submissions, schedules = later_feature_tables
    async with sessions() as db:
        await (await db.connection()).run_sync(lambda conn: Base.metadata.create_all(
            conn, tables=[submissions, schedules]))
        await db.commit()
    await skipped_interview(engine, ADA)
    await skipped_interview(engine, ADA)
    await skipped_interview(engine, BOB)
    ada, bob = await user_id(sessions, ADA), await user_id(sessions, BOB)
    assert ada is not None and bob is not None
    async with sessions() as db:
        await db.execute(submissions.insert(), [{"user_id": ada, "code": "x = 1"}, {"user_id": bob, "code": "y"}])
        await db.execute(schedules.insert(), [{"created_by": ada, "channel_id": "42"}])
        await db.commit()
    before = await rows_about(sessions, ada)
    for table in ("users", "turns", "interview_sessions.user_id", "review_cards.user_id",
                  "probe_code_submissions.user_id", "probe_study_schedules.created_by"):
        assert before[table] > 0, f"the test must start with data in {table}: {before}"
    bob_before = await rows_about(sessions, bob)

    summary = await forget(sessions, "discord", ADA.external_id)

    assert summary.found and summary.deleted["interview_sessions"] == 2 and summary.deleted["turns"] == 4
    assert summary.unlinked == {"probe_study_schedules": 1}
    after = await rows_about(sessions, ada)
    assert set(after.values()) == {0}, f"nothing remains: {after}"
    assert await user_id(sessions, ADA) is None
    assert await rows_about(sessions, bob) == bob_before, "other people keep their data"
    async with sessions() as db:
        schedule = (await db.execute(select(schedules))).one()
    assert schedule.channel_id == "42" and schedule.created_by is None, "the schedule stays, unlinked"


async def test_forgetting_someone_unknown_is_a_no_op(sessions) -> None:
    summary = await forget(sessions, "discord", "999")
    assert not summary.found and summary.deleted == {}


async def test_a_forgotten_candidate_starts_afresh(engine: InterviewEngine, sessions) -> None:
    await skipped_interview(engine, ADA)
    await forget(sessions, "discord", ADA.external_id)
    reply = await engine.start(ADA, InterviewOptions(questions=1, persona="tester", mode="review"))
    assert not reply.finished
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(ReviewCard)) == 0
