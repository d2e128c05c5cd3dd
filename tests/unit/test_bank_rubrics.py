"""Rubric completeness: wrong claims per key point, atomic claims, one central point per question.

The schema checks each key point on its own (lengths, counts, a contradiction never repeats a right
statement); `check_rubrics` checks what the shipped bank must have. Both run on real YAML files
loaded by the real loader, and `content check` is run as a user runs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.bank.loader import Bank, load_bank
from bot.bank.policy import check_rubrics
from bot.bank.schema import KeyPoint, Question

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
QUESTION = "T08-001"
QUESTION_FILE = "questions/T08.yaml"

KEY_POINT: dict[str, Any] = {
    "id": "kp1",
    "weight": 3,
    "point": "During training, dropout zeroes each unit at random with some probability, a fresh mask every step.",
    "phrasings": ["you randomly zero out neurons on each forward pass in training"],
    "terms": ["random|mask", "zero|drop"],
    "follow_up": "Mechanically, what happens to a layer's activations on a training step with dropout?",
}


@pytest.fixture(scope="module")
def real_bank() -> Bank:
    return load_bank(CONTENT, strict=False)


def _copy_content(tmp_path: Path) -> Path:
    content = tmp_path / "repo" / "content"
    shutil.copytree(CONTENT, content)
    return content


def _edit_question(content: Path, edit: Any) -> None:
    """Rewrite one question of a copied topic file through `edit(question_dict)`."""
    path = content / QUESTION_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    question = next(q for q in data["questions"] if q["id"] == QUESTION)
    edit(question)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _key_point(question: dict, kp_id: str) -> dict:
    return next(kp for kp in question["key_points"] if kp["id"] == kp_id)


# --- the shipped bank -------------------------------------------------------------------------


def test_shipped_bank_has_complete_rubrics(real_bank: Bank) -> None:
    assert [str(e) for e in real_bank.errors] == []
    assert [str(e) for e in check_rubrics(real_bank)] == []


def test_every_key_point_has_a_wrong_claim_and_every_question_one_central_point(real_bank: Bank) -> None:
    for question in real_bank.questions.values():
        assert sum(kp.central for kp in question.key_points) == 1, question.id
        for kp in question.key_points:
            assert 1 <= len(kp.contradictions) <= 3, (question.id, kp.id)


def test_bank_remembers_the_file_of_each_question(real_bank: Bank) -> None:
    assert real_bank.question_files[QUESTION] == "content/" + QUESTION_FILE
    assert set(real_bank.question_files) == set(real_bank.questions)


# --- check_rubrics on edited copies of the bank -------------------------------------------------


def test_missing_contradictions_are_named_by_file_question_key_point_and_field(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    _edit_question(content, lambda q: _key_point(q, "kp2").pop("contradictions"))

    bank = load_bank(content, strict=False)
    errors = check_rubrics(bank)

    assert bank.errors == []  # the schema still accepts a draft without them
    assert len(errors) == 1, [str(e) for e in errors]
    error = errors[0]
    assert (error.file, error.record, error.field) == (
        "content/" + QUESTION_FILE, QUESTION, "key_points.kp2.contradictions")
    assert "kp2" in error.message and "contradiction" in error.message


def test_a_question_without_a_central_point_is_an_error(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)

    def drop_central(question: dict) -> None:
        for kp in question["key_points"]:
            kp.pop("central", None)

    _edit_question(content, drop_central)
    errors = check_rubrics(load_bank(content, strict=False))

    assert [(e.record, e.field) for e in errors] == [(QUESTION, "key_points.central")]
    assert "found none" in errors[0].message


def test_two_central_points_are_rejected_when_the_file_loads(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)

    def two_central(question: dict) -> None:
        for kp in question["key_points"][:2]:
            kp["central"] = True

    _edit_question(content, two_central)
    bank = load_bank(content, strict=False)

    about = [e for e in bank.errors if e.record == QUESTION]
    assert len(about) == 1 and about[0].file == "content/" + QUESTION_FILE
    assert "only one key point may be central" in about[0].message
    assert QUESTION not in bank.questions


def test_a_contradiction_that_repeats_another_points_phrasing_is_an_error(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)

    def borrow(question: dict) -> None:
        right = _key_point(question, "kp2")["phrasings"][0]
        _key_point(question, "kp1")["contradictions"].append(right.upper() + "!")

    _edit_question(content, borrow)
    errors = check_rubrics(load_bank(content, strict=False))

    assert [(e.record, e.field) for e in errors] == [(QUESTION, "key_points.kp1.contradictions")]
    assert "repeats a right statement of kp2" in errors[0].message


# --- the KeyPoint schema ------------------------------------------------------------------------


def test_new_fields_default_to_empty_so_older_records_still_load() -> None:
    kp = KeyPoint.model_validate(KEY_POINT)
    assert (kp.contradictions, kp.claims, kp.central) == ([], [], False)


def test_a_complete_key_point_validates() -> None:
    kp = KeyPoint.model_validate({
        **KEY_POINT,
        "contradictions": ["dropout removes neurons permanently so the model gets smaller"],
        "claims": ["Dropout zeroes units at random during training.", "A fresh random mask is drawn every step."],
        "central": True,
    })
    assert kp.central and len(kp.claims) == 2


@pytest.mark.parametrize(("extra", "wanted"), [
    ({"contradictions": ["too short"]}, "15-300"),
    ({"contradictions": ["x" * 301]}, "15-300"),
    ({"contradictions": [f"wrong statement number {i}" for i in range(4)]}, "at most 3"),
    ({"contradictions": ["dropout removes neurons for good", "Dropout removes neurons, for good."]}, "repeat"),
    ({"claims": ["Dropout zeroes units at random during training."]}, "2-4 atomic claims"),
    ({"claims": [f"atomic claim number {i} of the point" for i in range(5)]}, "at most 4"),
    ({"claims": ["Dropout zeroes units.", "ok"]}, "15-300"),
    ({"contradictions": ["You randomly zero out neurons on each forward pass in training."]}, "repeats the point"),
])
def test_schema_rejects_bad_contradictions_and_claims(extra: dict, wanted: str) -> None:
    with pytest.raises(ValidationError) as info:
        KeyPoint.model_validate({**KEY_POINT, **extra})
    assert wanted in str(info.value)


def test_a_contradiction_may_not_restate_one_of_its_own_claims() -> None:
    claims = ["Dropout zeroes units at random during training.", "A fresh random mask is drawn every step."]
    with pytest.raises(ValidationError, match="repeats the point"):
        KeyPoint.model_validate({**KEY_POINT, "claims": claims, "contradictions": [claims[1]]})


# --- `content check` as a user runs it ------------------------------------------------------------


def test_content_check_fails_naming_the_key_point_without_contradictions(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    _edit_question(content, lambda q: _key_point(q, "kp3").update(contradictions=[]))

    env = {**os.environ, "CONTENT_DIR": str(content), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "bot", "content", "check", "--no-embeddings", "--json"],
                          capture_output=True, text=True, timeout=240, cwd=tmp_path, env=env)

    assert done.returncode == 1, done.stderr
    errors = json.loads(done.stdout)["errors"]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"content/{QUESTION_FILE} [{QUESTION}] field 'key_points.kp3.contradictions'")


def test_the_annotated_record_in_the_content_guide_is_a_complete_rubric() -> None:
    guide = (CONTENT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### One annotated record\n\n```yaml\n(.*?)```", guide, re.S)
    assert block is not None
    question = Question.model_validate(yaml.safe_load(block.group(1))["questions"][0])
    assert sum(kp.central for kp in question.key_points) == 1
    assert all(kp.contradictions for kp in question.key_points)
