"""Persistence: SQLAlchemy models, the engine/session factory and Alembic upgrades."""

from bot.storage.database import (
    DatabaseError,
    create_engine,
    ensure_database_location,
    make_sessionmaker,
    upgrade_database,
)
from bot.storage.models import Base, InterviewSession, Turn, User

__all__ = [
    "Base", "DatabaseError", "InterviewSession", "Turn", "User", "create_engine",
    "ensure_database_location", "make_sessionmaker", "upgrade_database",
]
