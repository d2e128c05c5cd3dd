"""Settings: defaults, environment overrides, and one clear line for an invalid value."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import ConfigError, get_settings


def test_defaults_work_without_any_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("DATABASE_URL", "LOG_LEVEL", "DISCORD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings = get_settings()
    assert settings.database_url == "sqlite+aiosqlite:///data/viva.db"
    assert settings.log_level == "INFO"
    assert settings.discord_token is None


def test_token_is_secret_and_read_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def.ghi")
    settings = get_settings()
    assert settings.discord_token is not None
    assert "abc.def" not in repr(settings)
    assert settings.discord_token.get_secret_value() == "abc.def.ghi"


def test_invalid_value_names_the_variable_and_an_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "loud")
    with pytest.raises(ConfigError) as info:
        get_settings()
    message = str(info.value)
    assert "LOG_LEVEL" in message and "LOG_LEVEL=INFO" in message and "\n" not in message


def test_cli_prints_one_line_and_no_traceback_for_a_bad_setting(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "mysql://nope", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "DATABASE_URL" in lines[0] and "sqlite+aiosqlite" in lines[0]
