"""Review rules of `content check`: near-duplicate questions, terms that only echo the prompt, hints that
copy a key point. Each rule runs on the real bank (it must pass) and on a copy or subset that breaks it
(it must fail, naming the file, the question id and the field)."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.bank.loader import Bank, load_bank
from bot.bank.review import (
    HINT_MAX_SHARED_WORDS,
    NEAR_DUPLICATE_SCORE,
    ReviewStats,
    check_hints,
    check_near_duplicates,
    check_prompt_only_terms,
    echoes_prompt,
    shared_runs,
)
from bot.bank.schema import Question
from bot.grading.text import content_stems

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
OLD_DUPLICATES = REPO / "tests" / "data" / "review" / "near_duplicates.yaml"
QUESTION = "T08-001"
QUESTION_FILE = "questions/T08.yaml"


@pytest.fixture(scope="module")
def real_bank() -> Bank:
    return load_bank(CONTENT, strict=False)


def _copy_content(tmp_path: Path) -> Path:
    content = tmp_path / "repo" / "content"
    shutil.copytree(CONTENT, content)
    return content


def _edit_question(content: Path, edit: Any) -> dict:
    path = content / QUESTION_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    question = next(q for q in data["questions"] if q["id"] == QUESTION)
    edit(question)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return question


# --- the shipped bank -------------------------------------------------------------------------------


def test_shipped_bank_has_no_prompt_only_terms_and_no_copied_hints(real_bank: Bank) -> None:
    stats = ReviewStats()
    assert [str(e) for e in check_prompt_only_terms(real_bank, stats)] == []
    assert [str(e) for e in check_hints(real_bank, stats)] == []
    assert stats.terms_checked > 1000
    assert stats.longest_hint_run is not None and stats.longest_hint_run[1] <= HINT_MAX_SHARED_WORDS


# --- terms made only of prompt words ---------------------------------------------------------------


def test_echoes_prompt_follows_the_graders_definition() -> None:
    prompt = frozenset(content_stems("Why does the sigmoid saturate, and what does saturation do to training?"))
    assert echoes_prompt("saturat|saturation|saturates", prompt)  # stems of prompt words only
    assert echoes_prompt("sigmoid", prompt)
    assert not echoes_prompt("saturat|flat", prompt)  # one alternative a correct answer brings in
    assert not echoes_prompt("at training", prompt)  # "at" is a stop word, never a prompt stem
    assert not echoes_prompt("gradient", prompt)


def test_term_made_of_prompt_words_is_rejected_naming_file_question_and_field(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    question = _edit_question(content, lambda q: q["key_points"][0]["terms"].append("dropout|overfitting"))
    assert "dropout" in question["prompt"].lower()

    bank = load_bank(content, strict=False)
    stats = ReviewStats()
    errors = check_prompt_only_terms(bank, stats)

    assert len(errors) == 1, [str(e) for e in errors]
    error = errors[0]
    assert (error.file, error.record, error.field) == ("content/" + QUESTION_FILE, QUESTION, "key_points.kp1.terms")
    assert "'dropout|overfitting'" in error.message
    assert stats.prompt_only_terms == 1


def test_term_with_one_alternative_beyond_the_prompt_is_accepted(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    _edit_question(content, lambda q: q["key_points"][0]["terms"].append("dropout|mask"))

    assert check_prompt_only_terms(load_bank(content, strict=False)) == []


# --- hints that copy a key point -------------------------------------------------------------------


def test_shared_runs_counts_stemmed_words_and_content_words() -> None:
    run, content_run = shared_runs("Think about how the gradients vanish in deep sigmoid networks.",
                                   ["In deep sigmoid networks the gradient vanishes quickly."])
    assert run == 4  # "in deep sigmoid networks"
    assert content_run == 3  # "deep sigmoid network", stop words skipped
    run, content_run = shared_runs("What do the gradients do when they vanish?", ["the gradient vanishes"])
    assert (run, content_run) == (2, 2)  # "the gradient"; "gradient vanish" once stop words are skipped


def test_hint_that_repeats_a_key_point_is_rejected(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)

    def copy_point(q: dict) -> None:
        q["hint"] = "Remember: " + q["key_points"][1]["point"]

    _edit_question(content, copy_point)
    errors = check_hints(load_bank(content, strict=False))

    assert len(errors) == 1, [str(e) for e in errors]
    assert (errors[0].file, errors[0].record, errors[0].field) == ("content/" + QUESTION_FILE, QUESTION, "hint")
    assert "key point kp2" in errors[0].message


def test_hint_sharing_a_short_phrase_is_accepted(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)

    def short_overlap(q: dict) -> None:
        words = q["key_points"][0]["point"].split()[:3]
        q["hint"] = "Think about " + " ".join(words) + " and what changes between training and testing."

    _edit_question(content, short_overlap)
    assert check_hints(load_bank(content, strict=False)) == []


# --- near duplicates (real MiniLM encoder) -----------------------------------------------------------


def test_near_duplicate_rule_flags_the_old_duplicates_and_nothing_else() -> None:
    """Three real topics plus two questions as they were before the review (restatements of T08-009 and
    T05-011): the rule must flag exactly those two pairs, each named with file, id and field."""
    from bot.grading.embedder import shared_embedder

    real = load_bank(CONTENT, strict=False)
    old = [Question.model_validate(q) for q in yaml.safe_load(OLD_DUPLICATES.read_text(encoding="utf-8"))["questions"]]
    subset = {qid: q for qid, q in real.questions.items() if q.topic in ("T05", "T08", "T13")}
    subset.update({q.id: q for q in old})
    bank = dataclasses.replace(real, questions=dict(sorted(subset.items())))

    stats = ReviewStats()
    errors = check_near_duplicates(bank, shared_embedder().encode, stats)

    flagged = {frozenset((e.record, e.message.split()[2])) for e in errors}
    assert flagged == {frozenset(("T05-150", "T08-009")), frozenset(("T05-011", "T13-150"))}, [str(e) for e in errors]
    assert all(e.field == "prompt" for e in errors)
    by_record = {e.record: e for e in errors}
    assert by_record["T05-011"].file == "content/questions/T05.yaml"
    assert "content/questions/T08.yaml" in by_record["T05-150"].message
    assert stats.near_duplicates == 2
    assert stats.closest_pair is not None and stats.closest_pair[2] > NEAR_DUPLICATE_SCORE


# --- `content check` as a user runs it ----------------------------------------------------------------


def test_content_check_reports_review_counts_and_fails_on_a_prompt_only_term(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    _edit_question(content, lambda q: q["key_points"][0]["terms"].append("dropout"))
    env = {**os.environ, "CONTENT_DIR": str(content), "PYTHONPATH": str(REPO)}

    done = subprocess.run([sys.executable, "-m", "bot", "content", "check", "--no-embeddings", "--json"],
                          capture_output=True, text=True, timeout=240, cwd=tmp_path, env=env)

    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["review"]["prompt_only_terms"] == 1
    assert report["review"]["hint_giveaways"] == 0
    assert report["review"]["near_duplicate_pairs"] is None  # skipped with --no-embeddings
    assert len(report["errors"]) == 1
    assert report["errors"][0].startswith(f"content/{QUESTION_FILE} [{QUESTION}] field 'key_points.kp1.terms'")

    text = subprocess.run([sys.executable, "-m", "bot", "content", "check", "--no-embeddings"],
                          capture_output=True, text=True, timeout=240, cwd=tmp_path, env=env)
    assert "prompt-only terms: 1 of" in text.stdout
    assert "near-duplicates: not checked" in text.stdout
