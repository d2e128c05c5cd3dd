"""The one wiring point: database, question bank, grader, and the engines every front end uses.

Settings are read here and passed in; nothing below this module fetches them on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.bank.loader import Bank, load_bank
from bot.config import Settings
from bot.grading import Grader, get_grader
from bot.grading.llm import LLMSettings
from bot.grading.service import GradingService, InProcessGrading
from bot.interview.engine import InterviewEngine
from bot.scheduling.executor import DueRunExecutor
from bot.scheduling.study_run import StudyEngine
from bot.storage.database import create_engine, make_sessionmaker, upgrade_database

if TYPE_CHECKING:
    from bot.sandbox.pool import PooledRunner


@dataclass
class Services:
    settings: Settings
    bank: Bank
    grader: Grader
    db_engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    interviews: InterviewEngine
    #: where answers are graded: in this process, or by queue workers when REDIS_URL is set
    grading: GradingService
    study: StudyEngine
    #: claims due study schedules (exactly once across processes) and opens their runs
    due_runs: DueRunExecutor

    async def close(self) -> None:
        await self.interviews.flush_acknowledgements()  # shown replies gathered for one commit: record them now
        await self.db_engine.dispose()


def prepare_database(settings: Settings) -> None:
    """Create the data directory and apply migrations (blocking: call before the event loop runs)."""
    upgrade_database(settings.database_url)


def llm_settings(settings: Settings) -> LLMSettings | None:
    """The optional LLM grading backend's settings, or None when LLM_BASE_URL is not set."""
    if not settings.llm_base_url:
        return None
    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return LLMSettings(settings.llm_base_url, settings.llm_model, api_key, settings.llm_timeout_s)


def code_runner_for(settings: Settings) -> PooledRunner:
    """The sandbox's warm pool sized by the settings (raises IsolationUnavailable where it cannot isolate)."""
    from bot.sandbox import get_runner

    return get_runner(slots=settings.sandbox_slots, queue_limit=settings.sandbox_queue_limit,
                      cgroup=settings.sandbox_cgroup, allow_unsafe_local=settings.sandbox_allow_unsafe_local)


def build_services(settings: Settings, *, bank: Bank | None = None, grader: Grader | None = None,
                   grading: GradingService | None = None) -> Services:
    """Build the services on an already-migrated database. Loading the model happens on first grade."""
    bank = bank or load_bank(settings.content_dir)
    grader = grader or get_grader(bank.misconceptions, llm_settings(settings))
    grading = grading or InProcessGrading(grader)
    db_engine = create_engine(settings.database_url)
    sessions = make_sessionmaker(db_engine)
    study = StudyEngine(bank, grader, sessions, grading=grading,
                        close_grace=timedelta(seconds=settings.study_close_grace_s))
    return Services(settings=settings, bank=bank, grader=grader, db_engine=db_engine, sessions=sessions,
                    interviews=InterviewEngine(bank, grader, sessions, grading=grading), grading=grading,
                    study=study, due_runs=DueRunExecutor(sessions, study))
