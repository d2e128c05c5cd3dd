"""deploy/: the compose files hold together, and `viva health` (their health checks) tells ready from not.

The compose files are read as YAML here and their health-check commands parsed by Viva's own CLI; where
`docker compose` is installed, `docker compose config` validates them as well (skipped otherwise: the
tests never need Docker). `viva health` runs as a real process against a real SQLite file, a real
PostgreSQL database (when one is configured) and a real Redis.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT, TEST_BANK_DIR
from tests.support.redis_server import free_port

DEPLOY = REPO_ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
SHARDS = DEPLOY / "compose.shards.yaml"
#: What `docker compose config` needs to interpolate the files (the real values live in deploy/.env).
COMPOSE_ENV = {"DISCORD_TOKEN": "compose-check-token", "POSTGRES_PASSWORD": "composecheck"}


def interpolate(value: str) -> str:
    """Compose's `${VAR:-default}` and `${VAR:?error}`, with COMPOSE_ENV's values (a missing one fails)."""

    def one(found: re.Match[str]) -> str:
        name, op, rest = found[1], found[2], found[3]
        if name in COMPOSE_ENV:
            return COMPOSE_ENV[name]
        assert op == ":-", f"{name} is required ({rest}) but has no test value"
        return rest

    return re.sub(r"\$\{(\w+)(:[-?])?([^}]*)\}", one, value)


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def viva(args: list[str], tmp_path: Path, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(REPO_ROOT), "CONTENT_DIR": str(TEST_BANK_DIR), **env_vars}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120, stdin=subprocess.DEVNULL)


# --- the compose files ---------------------------------------------------------------------------------


def health_command(service: dict[str, Any]) -> list[str]:
    test = service["healthcheck"]["test"]
    assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL"), test
    return test[1:]


def test_compose_has_every_part_with_volumes_and_health_checks() -> None:
    compose = load(COMPOSE)
    services = compose["services"]
    assert {"bot", "worker", "postgres", "redis", "migrate"} <= set(services)
    for name in ("bot", "worker", "postgres", "redis"):
        assert "healthcheck" in services[name], f"{name} has no health check"
    for name in ("bot", "worker", "migrate"):  # the image is the repository's Dockerfile
        build = services[name]["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == (REPO_ROOT / "Dockerfile").resolve()
    declared = set(compose["volumes"])
    for name in ("postgres", "redis", "bot"):
        mounted = {volume.split(":", 1)[0] for volume in services[name].get("volumes", [])}
        assert mounted and mounted <= declared, f"{name} mounts {mounted}, declared {declared}"
    assert services["postgres"]["volumes"] == ["postgres:/var/lib/postgresql/data"]


def test_compose_wires_postgresql_and_redis_and_keeps_secrets_from_workers() -> None:
    from bot.config import Settings

    services = load(COMPOSE)["services"]
    bot_env = services["bot"]["environment"]
    assert bot_env["DATABASE_URL"].startswith("postgresql+asyncpg://viva:") and "@postgres:5432/viva" in bot_env[
        "DATABASE_URL"]
    for name in ("bot", "worker"):
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        # the values pass Viva's own validation (with the password placeholder filled in)
        values = {k.lower(): interpolate(v) for k, v in services[name]["environment"].items()}
        Settings(_env_file=None, **values)  # type: ignore[call-arg]
    worker_env = services["worker"]["environment"]
    assert "DISCORD_TOKEN" not in worker_env and "DATABASE_URL" not in worker_env
    assert services["bot"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["bot"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["db", "upgrade"]


@pytest.mark.parametrize("path", [COMPOSE, SHARDS], ids=lambda p: p.name)
def test_every_viva_command_in_the_compose_files_is_a_valid_command_line(path: Path) -> None:
    from bot.__main__ import build_parser

    parser = build_parser()
    checked = 0
    for name, service in load(path)["services"].items():
        if service.get("image", "viva:latest") != "viva:latest":
            continue  # PostgreSQL, Redis
        commands = [service["command"]]
        if "healthcheck" in service:
            assert health_command(service)[0] == "viva", f"{name}'s health check is not `viva health`"
            commands.append(health_command(service)[1:])
        for command in commands:
            args = parser.parse_args(command)  # argparse exits (SystemExit) on a bad option
            assert args.handler is not None, f"{name}: {command}"
            checked += 1
    assert checked >= 2


def test_shards_split_the_shard_count_between_processes() -> None:
    services = load(SHARDS)["services"]
    served: list[int] = []
    counts = set()
    for service in services.values():
        command = service["command"]
        served += [int(i) for i in command[command.index("--shard-ids") + 1].split(",")]
        counts.add(int(command[command.index("--shard-count") + 1]))
    assert len(counts) == 1, "every bot process must be given the same --shard-count"
    assert sorted(served) == list(range(counts.pop())), "each shard served by exactly one process"


def docker_compose() -> list[str] | None:
    """`docker compose` (the plugin) or `docker-compose`, whichever answers `version`; None if neither."""
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        try:
            probe = subprocess.run([*command, "version"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return command
    return None


@pytest.mark.parametrize("files", [[COMPOSE], [COMPOSE, SHARDS]], ids=["compose", "compose+shards"])
def test_docker_compose_config_accepts_the_files(files: list[Path], tmp_path: Path) -> None:
    command = docker_compose()
    if command is None:
        pytest.skip("docker compose is not installed here (neither the `docker compose` plugin nor "
                    "`docker-compose` answers `version`); the YAML checks above still ran")
    empty = tmp_path / "empty.env"  # never an operator's deploy/.env: only the values given here
    empty.write_text("")
    args = ["--env-file", str(empty), *[arg for path in files for arg in ("-f", str(path))]]
    env = {**os.environ, **COMPOSE_ENV}
    result = subprocess.run([*command, *args, "config", "--quiet"], capture_output=True, text=True, env=env,
                            cwd=DEPLOY, timeout=60)
    assert result.returncode == 0, result.stderr
    # and the required secrets really are required
    missing = {k: v for k, v in env.items() if k != "POSTGRES_PASSWORD"}
    refused = subprocess.run([*command, *args, "config", "--quiet"], capture_output=True, text=True, env=missing,
                             cwd=DEPLOY, timeout=60)
    assert refused.returncode != 0 and "POSTGRES_PASSWORD" in refused.stderr


# --- viva health ---------------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_health_is_ok_on_a_migrated_database(db_url: str, tmp_path: Path) -> None:
    result = viva(["health"], tmp_path, DATABASE_URL=db_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: database ") and "at revision" in result.stdout
    assert "viva:viva@" not in result.stdout  # never the password


def test_health_fails_without_the_database_file_and_does_not_create_it(tmp_path: Path) -> None:
    path = tmp_path / "data" / "viva.db"
    result = viva(["health"], tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{path}")
    assert result.returncode == 1
    assert "NOT READY" in result.stderr and "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr
    assert not path.exists() and not path.parent.exists()


def test_health_fails_on_a_database_behind_this_viva(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'viva.db'}"
    assert viva(["db", "upgrade"], tmp_path, DATABASE_URL=url).returncode == 0
    assert viva(["health"], tmp_path, DATABASE_URL=url).returncode == 0
    with sqlite3.connect(tmp_path / "viva.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
    result = viva(["health"], tmp_path, DATABASE_URL=url)
    assert result.returncode == 1
    assert "at revision 0001" in result.stderr and "viva db upgrade" in result.stderr


def test_health_fails_on_an_unreachable_postgresql(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://viva:secret@127.0.0.1:{free_port()}/viva"
    result = viva(["health", "--timeout", "10"], tmp_path, DATABASE_URL=url)
    assert result.returncode == 1
    assert "cannot be reached" in result.stderr and "secret" not in result.stderr + result.stdout


def test_health_checks_redis_when_configured(tmp_path: Path, redis_url: str) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'viva.db'}"
    assert viva(["db", "upgrade"], tmp_path, DATABASE_URL=url).returncode == 0
    both = viva(["health"], tmp_path, DATABASE_URL=url, REDIS_URL=redis_url)
    assert both.returncode == 0, both.stderr
    assert both.stdout.count("ok: ") == 2 and "Redis" in both.stdout
    # a worker's check: Redis only, no database anywhere
    worker = viva(["health", "--check", "redis"], tmp_path, REDIS_URL=redis_url)
    assert worker.returncode == 0 and "database" not in worker.stdout and not (tmp_path / "data").exists()


def test_health_fails_when_redis_is_down_or_unset(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'viva.db'}"
    assert viva(["db", "upgrade"], tmp_path, DATABASE_URL=url).returncode == 0
    down = viva(["health"], tmp_path, DATABASE_URL=url, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert down.returncode == 1
    assert "ok: database" in down.stdout and "REDIS_URL" in down.stderr and "Traceback" not in down.stderr
    unset = viva(["health", "--check", "redis"], tmp_path)
    assert unset.returncode == 1 and "REDIS_URL is not set" in unset.stderr


def test_health_rejects_an_unknown_check(tmp_path: Path) -> None:
    result = viva(["health", "--check", "db,disk"], tmp_path)
    assert result.returncode == 2 and "unknown check 'disk'" in result.stderr


def test_every_setting_has_a_readme_row() -> None:
    """An operator configures from the README's table: every field of Settings has a row there."""
    from bot.config import EXAMPLES, Settings

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - rows == set(), "settings without a README row"
    assert set(EXAMPLES) <= fields
