"""Settings from the environment and `.env`, validated by pydantic-settings.

Every setting is listed in the README's configuration table with its default and an example.
Later features add their own fields here, grouped by section.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot import PROJECT_ROOT

#: An example value for each setting, shown when a value is invalid.
EXAMPLES: dict[str, str] = {
    "DISCORD_TOKEN": "DISCORD_TOKEN=MTA0N...your-bot-token",
    "DATABASE_URL": "DATABASE_URL=sqlite+aiosqlite:///data/viva.db",
    "LOG_LEVEL": "LOG_LEVEL=INFO",
    "CONTENT_DIR": "CONTENT_DIR=/srv/viva/content",
    "CODING_TASKS_DIR": "CODING_TASKS_DIR=/srv/viva/coding_tasks",
    "DISCORD_API_BASE": "DISCORD_API_BASE=https://discord.com/api/v10",
    "DISCORD_GATEWAY_URL": "DISCORD_GATEWAY_URL=wss://gateway.discord.gg",
    "DISCORD_DEV_GUILD_ID": "DISCORD_DEV_GUILD_ID=123456789012345678",
    "DISCORD_SYNC_COMMANDS": "DISCORD_SYNC_COMMANDS=auto",
    "LLM_BASE_URL": "LLM_BASE_URL=http://127.0.0.1:11434/v1",
    "LLM_MODEL": "LLM_MODEL=llama3.1:8b",
    "LLM_API_KEY": "LLM_API_KEY=sk-...",
    "LLM_TIMEOUT_S": "LLM_TIMEOUT_S=2.0",
    "SANDBOX_SLOTS": "SANDBOX_SLOTS=4",
    "SANDBOX_QUEUE_LIMIT": "SANDBOX_QUEUE_LIMIT=32",
    "SANDBOX_TIME_LIMIT_S": "SANDBOX_TIME_LIMIT_S=5",
    "SANDBOX_MEMORY_MB": "SANDBOX_MEMORY_MB=512",
    "SANDBOX_ALLOW_UNSAFE_LOCAL": "SANDBOX_ALLOW_UNSAFE_LOCAL=false",
    "REDIS_URL": "REDIS_URL=redis://127.0.0.1:6379/0",
    "WORKER_JOB_TIMEOUT_S": "WORKER_JOB_TIMEOUT_S=40",
    "WORKER_WAIT_S": "WORKER_WAIT_S=120",
    "GRADE_QUEUE_LIMIT": "GRADE_QUEUE_LIMIT=1000",
    "WORKER_GRADE_JOBS": "WORKER_GRADE_JOBS=32",
    "STUDY_CLOSE_GRACE_S": "STUDY_CLOSE_GRACE_S=5",
}


class Settings(BaseSettings):
    """All of Viva's configuration. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- core ---
    discord_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///data/viva.db"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    content_dir: Path = PROJECT_ROOT / "content"
    coding_tasks_dir: Path = PROJECT_ROOT / "coding_tasks"

    # --- discord ---
    discord_api_base: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg"
    discord_dev_guild_id: int | None = None
    discord_sync_commands: Literal["auto", "always", "never"] = "auto"

    # --- optional LLM grading backend (off unless LLM_BASE_URL is set) ---
    llm_base_url: str | None = None
    llm_model: str = "llama3.1:8b"
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(default=2.0, gt=0, le=30)

    # --- code sandbox ---
    sandbox_slots: int = Field(default=4, ge=1, le=64)
    sandbox_queue_limit: int = Field(default=32, ge=0, le=10_000)
    sandbox_time_limit_s: float = Field(default=5.0, gt=0, le=120)
    sandbox_memory_mb: int = Field(default=512, ge=64, le=16_384)
    #: Terminal mode only: run submissions without isolation when namespaces are unavailable.
    sandbox_allow_unsafe_local: bool = False
    #: A delegated cgroup v2 directory for per-job cgroups (default: the bot's own cgroup if delegated).
    sandbox_cgroup: str | None = None

    # --- work queue (off unless REDIS_URL is set: then `viva worker` processes check code and grade) ---
    redis_url: str | None = None
    #: A job running longer is cancelled; a job whose worker died is retried this + 10 s after it started.
    worker_job_timeout_s: float = Field(default=40.0, ge=1, le=600)
    #: How long the bot waits for a queued job's result before telling the user to try again.
    worker_wait_s: float = Field(default=120.0, ge=1, le=3600)
    #: Answers waiting to be graded before new ones get "busy, try again" (code checks: SANDBOX_QUEUE_LIMIT).
    grade_queue_limit: int = Field(default=1000, ge=1, le=1_000_000)
    #: Answers one worker process grades at once (they share the model's forward passes).
    worker_grade_jobs: int = Field(default=32, ge=1, le=1024)

    # --- study groups ---
    #: Once every member taking part has answered a study question, it closes this many seconds later
    #: (its answer window stays the upper bound): time for a last answer typed at the same moment.
    study_close_grace_s: float = Field(default=5.0, ge=0, le=300)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        if _in_memory_sqlite(value):
            # Every connection would get its own empty database: migrations land in one, queries in another.
            raise ValueError("an in-memory SQLite database is empty for every connection and lost at exit; "
                             "use a file")
        return value


    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value.strip()


def _in_memory_sqlite(url: str) -> bool:
    if not url.startswith("sqlite"):
        return False
    database = url.split("://", 1)[1].lstrip("/").split("?", 1)[0]
    return database in ("", ":memory:") or "mode=memory" in url


class ConfigError(Exception):
    """A setting has an invalid value; the message is one line a person can act on."""


def describe_validation_error(error: ValidationError) -> str:
    """Turn pydantic's multi-line report into one line: variable, problem, example."""
    first = error.errors()[0]
    field = str(first["loc"][0]) if first.get("loc") else "?"
    variable = field.upper()
    received = first.get("input")
    message = first.get("msg", "invalid value")
    example = EXAMPLES.get(variable, f"{variable}=...")
    shown = f" (got {received!r})" if isinstance(received, str | int | float) else ""
    return f"invalid setting {variable}{shown}: {message}; for example {example}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Raises ConfigError with a one-line message."""
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error)) from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"the settings file {Path('.env').resolve()} is not valid UTF-8 (byte "
                          f"0x{error.object[error.start]:02x} at offset {error.start}); save it as UTF-8") from None
