"""Shared fixtures: a real SQLite file migrated by Alembic, the small test bank, the real grader."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TESTS_DIR = Path(__file__).parent
TEST_BANK_DIR = TESTS_DIR / "data" / "bank"
REPO_ROOT = TESTS_DIR.parent


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch):
    """Settings are cached per process; tests that change the environment get a fresh read."""
    from bot.config import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A real SQLite file, migrated to head by Alembic."""
    from bot.storage.database import upgrade_database

    url = f"sqlite+aiosqlite:///{tmp_path / 'viva.db'}"
    upgrade_database(url)
    return url


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator:
    from bot.storage.database import create_engine, make_sessionmaker

    engine = create_engine(db_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
def test_bank():
    from bot.bank.loader import load_bank

    return load_bank(TEST_BANK_DIR)


@pytest.fixture(scope="session")
def real_bank():
    from bot.bank.loader import load_bank

    return load_bank(REPO_ROOT / "content")


@pytest.fixture(scope="session")
def grader(test_bank):
    """The real grader (the embedding model loads once for the whole test session)."""
    from bot.grading import get_grader

    return get_grader(test_bank.misconceptions)


@pytest.fixture
async def engine(test_bank, grader, sessions):
    import random

    from bot.interview.engine import InterviewEngine

    return InterviewEngine(test_bank, grader, sessions, rng=random.Random(7))


def run_async(coro):
    return asyncio.run(coro)
