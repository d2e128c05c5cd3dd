"""The record of synced slash commands: written safely when several bot processes start together."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.exts._shared.command_sync import _read_state, _write_state


def test_concurrent_writers_never_take_each_others_file(tmp_path: Path) -> None:
    """Shard processes sharing a working directory sync at once; a shared temporary name made one crash."""
    path = tmp_path / "data" / "discord_commands.json"
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def write(n: int) -> None:
        start.wait()
        for i in range(40):
            try:
                _write_state(path, {"global": f"writer {n} round {i}"})
            except BaseException as exc:  # any failure is the finding
                errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert _read_state(path)["global"].startswith("writer ")
    assert sorted(p.name for p in path.parent.iterdir()) == ["discord_commands.json"]  # no temporary left


def test_a_directory_that_cannot_be_made_is_a_warning_not_a_crash(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "data").write_text("a file where the directory should be", encoding="utf-8")
    _write_state(tmp_path / "data" / "discord_commands.json", {"global": "x"})
    assert "could not record the synced commands" in caplog.text
