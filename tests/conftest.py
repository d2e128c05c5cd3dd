"""Shared fixtures: a real database migrated by Alembic (SQLite, and PostgreSQL for tests marked
`both_databases`), the small test bank, the real grader."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
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


#: Test modules (or tests) marked `both_databases` run once on SQLite and once on PostgreSQL.
DIALECTS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("db_backend", DIALECTS, indirect=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator:
    """The PostgreSQL server of VIVA_TEST_POSTGRES_URL with a migrated template (skip/fail: see support)."""
    from tests.support.postgres import ENV, PostgresServer, connect_or_reason, unavailable

    url = os.environ.get(ENV, "").strip()
    if not url:
        unavailable(f"{ENV} is not set")
    reason = connect_or_reason(url)
    if reason is not None:
        unavailable(reason)
    server = PostgresServer(url)
    server.prepare()
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def redis_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """(url, server or None): a private redis-server when installed, else VIVA_TEST_REDIS_URL's."""
    from tests.support.redis_server import start_or_find

    url, server = start_or_find(tmp_path_factory.mktemp("redis"))
    yield url, server
    if server is not None:
        server.stop()


@pytest.fixture
def redis_url(redis_service) -> str:
    """A Redis for one test, emptied first (FLUSHDB)."""
    import asyncio

    from bot.work.queue import make_redis

    url, _server = redis_service

    async def flush() -> None:
        redis = make_redis(url)
        await redis.flushdb()
        await redis.aclose()

    asyncio.run(flush())
    return url


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    """sqlite unless the test is marked `both_databases` (then each dialect in turn)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_url(tmp_path: Path, db_backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A real database migrated to head by Alembic: a SQLite file, or a fresh PostgreSQL database."""
    if db_backend == "postgresql":
        server = request.getfixturevalue("postgres_server")
        url = server.fresh_database()
        yield url
        server.drop(url)
        return
    from bot.storage.database import upgrade_database

    url = f"sqlite+aiosqlite:///{tmp_path / 'viva.db'}"
    upgrade_database(url)
    yield url


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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly, at the end of a run, when the PostgreSQL or Redis half of the suite was skipped."""
    for service in ("PostgreSQL", "Redis"):
        skipped = [report for report in terminalreporter.stats.get("skipped", [])
                   if isinstance(report.longrepr, tuple) and f"{service} unavailable" in str(report.longrepr[2])]
        if skipped:
            reason = str(skipped[0].longrepr[2]).removeprefix("Skipped: ")  # type: ignore[index]
            terminalreporter.write_line(f"{len(skipped)} tests skipped: {reason}", yellow=True)
