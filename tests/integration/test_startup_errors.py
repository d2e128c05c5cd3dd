"""Start-up and configuration errors: one line naming the variable or file and what to do, exit code 2."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, TEST_BANK_DIR

UNREACHABLE_PG = "postgresql+asyncpg://viva:secret@127.0.0.1:1/viva"  # nothing listens on port 1


def viva(args: list[str], tmp_path: Path, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(REPO_ROOT), "CONTENT_DIR": str(TEST_BANK_DIR), **env_vars}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120, stdin=subprocess.DEVNULL)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", [["db", "upgrade"], ["practice"], ["stats"]])
def test_unreachable_postgresql_is_one_line(tmp_path: Path, command: list[str]) -> None:
    line = one_line_error(viva(command, tmp_path, DATABASE_URL=UNREACHABLE_PG))
    assert "DATABASE_URL" in line and "127.0.0.1:1" in line and "cannot be reached" in line
    assert "secret" not in line  # the password never reaches the terminal


@pytest.mark.parametrize("url", ["sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:"])
def test_in_memory_database_url_is_refused(tmp_path: Path, url: str) -> None:
    line = one_line_error(viva(["db", "upgrade"], tmp_path, DATABASE_URL=url))
    assert "DATABASE_URL" in line and "in-memory" in line and "sqlite+aiosqlite:///" in line


def test_database_from_a_newer_version_is_named_as_such(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'viva.db'}"
    assert viva(["db", "upgrade"], tmp_path, DATABASE_URL=url).returncode == 0
    with sqlite3.connect(tmp_path / "viva.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0999_from_the_future'")
    for command in (["db", "upgrade"], ["practice"]):
        line = one_line_error(viva(command, tmp_path, DATABASE_URL=url))
        assert "newer version of Viva" in line and "0999_from_the_future" in line and "DATABASE_URL" in line


def test_env_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"LOG_LEVEL=INFO\nDISCORD_TOKEN=caf\xe9\n")
    line = one_line_error(viva(["db", "upgrade"], tmp_path))
    assert ".env" in line and "UTF-8" in line


def test_db_upgrade_is_quiet_unless_something_changes(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'viva.db'}"
    first = viva(["db", "upgrade"], tmp_path, DATABASE_URL=url, LOG_LEVEL="INFO")
    assert first.returncode == 0 and first.stderr == ""
    revisions = len(list((REPO_ROOT / "migrations" / "versions").glob("*.py")))
    assert first.stdout.count("\n") == 1 and f"applied {revisions} migration" in first.stdout
    again = viva(["db", "upgrade"], tmp_path, DATABASE_URL=url, LOG_LEVEL="INFO")
    assert again.returncode == 0 and again.stdout == "" and again.stderr == ""


def test_read_only_database_directory_at_start_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    line = one_line_error(viva(["practice"], tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{blocker / 'viva.db'}"))
    assert "DATABASE_URL" in line
