"""`content check` refuses the silent content mistakes: duplicate YAML keys, look-alike ids, misspelt placeholders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.bank.loader import load_bank
from tests.conftest import REPO_ROOT, TEST_BANK_DIR


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    root = tmp_path / "bank"
    shutil.copytree(TEST_BANK_DIR, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_unchanged_test_bank_has_no_errors(bank_dir: Path) -> None:
    assert load_bank(bank_dir, strict=False).errors == []


def test_a_duplicate_key_is_an_error_naming_file_record_and_key(bank_dir: Path) -> None:
    _edit(bank_dir / "questions" / "T07.yaml", "    difficulty: E\n", "    difficulty: E\n    difficulty: H\n")
    errors = load_bank(bank_dir, strict=False).errors
    (error,) = [e for e in errors if "duplicate key" in e.message]
    assert error.file.endswith("questions/T07.yaml") and error.record == "T07-001" and error.field == "difficulty"
    assert "line 5" in error.message and "first at line 4" in error.message


def test_a_duplicate_key_inside_a_key_point_names_the_question_and_the_key_point(bank_dir: Path) -> None:
    path = bank_dir / "questions" / "T07.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("      - id: kp1")
    weight_line = text.index("weight:", start)
    line_end = text.index("\n", weight_line) + 1
    path.write_text(text[:line_end] + text[weight_line - 8:line_end] + text[line_end:], encoding="utf-8")
    (error,) = [e for e in load_bank(bank_dir, strict=False).errors if "duplicate key" in e.message]
    assert error.record == "T07-001" and error.field == "kp1.weight"


@pytest.mark.parametrize("digits", ["٠٠١", "００１", "߀߀߁"])  # Arabic-Indic, full-width, NKo
def test_ids_with_non_ascii_digits_are_refused(bank_dir: Path, digits: str) -> None:
    _edit(bank_dir / "questions" / "T07.yaml", "  - id: T07-001", f"  - id: T07-{digits}")
    errors = load_bank(bank_dir, strict=False).errors
    assert any(e.record == f"T07-{digits}" and e.field == "id" for e in errors), errors


def test_an_unknown_placeholder_in_a_persona_line_is_refused(bank_dir: Path) -> None:
    _edit(bank_dir / "personas" / "tester.yaml", "Hi, I'm {name}. We'll go through {n} questions. (intro 2)",
          "Hi, I'm {nme}. We'll go through {n} questions. (intro 2)")
    _edit(bank_dir / "personas" / "tester.yaml", "Good answer. (strong 3)", "Good answer from {name} ({n}). (strong 3)")
    errors = [e for e in load_bank(bank_dir, strict=False).errors if e.record == "tester"]
    messages = " ".join(e.message for e in errors)
    assert "{nme}" in messages and "intro[1]" in messages
    # {n} is only known in intro lines; each bad record is reported (pydantic stops at the first per record)
    assert errors and all(e.file.endswith("personas/tester.yaml") for e in errors)


def test_broken_braces_in_a_persona_line_are_refused(bank_dir: Path) -> None:
    _edit(bank_dir / "personas" / "tester.yaml", "Good answer. (strong 3)", "Good answer {. (strong 3)")
    errors = [e for e in load_bank(bank_dir, strict=False).errors if e.record == "tester"]
    assert errors and "braces" in errors[0].message


def test_content_check_exits_1_and_names_each_problem(bank_dir: Path, tmp_path: Path) -> None:
    _edit(bank_dir / "questions" / "T08.yaml", "    difficulty:", "    topic: T08\n    difficulty:")
    _edit(bank_dir / "personas" / "tester.yaml", "(intro 3)", "{who} (intro 3)")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CONTENT_DIR": str(bank_dir),
           "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, "-m", "bot", "content", "check"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert "T08.yaml" in output and "duplicate key" in output and "'topic'" in output
    assert "tester.yaml" in output and "{who}" in output
